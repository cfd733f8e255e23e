from django.shortcuts import render

from gonghui.core.permissions import staff_required


@staff_required("members.view")
def member_list(request):
    return render(request, "members/member_list.html", {})
