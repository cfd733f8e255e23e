from django.shortcuts import render

from gonghui.core.permissions import staff_required


@staff_required("members.import")
def job_list(request):
    return render(request, "imports/job_list.html", {})
