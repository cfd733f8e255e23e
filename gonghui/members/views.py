from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gonghui.core.forms import apply_service_errors
from gonghui.core.permissions import staff_required
from gonghui.members import selectors, services
from gonghui.members.forms import MemberForm, MemberSearchForm, ReasonForm, TransferForm
from gonghui.orgs import selectors as org_selectors

PAGE = 25


@staff_required("members.view")
def member_list(request):
    form = MemberSearchForm(request.GET or None)
    filters = {}
    if form.is_valid():
        d = form.cleaned_data
        filters = {
            "q": d["q"],
            "status": d["status"] or None,
            "new_form": {"yes": True, "no": False}.get(d["new_form"]),
        }
    unit = org_selectors.unit_get(request.GET["unit"]) if request.GET.get("unit", "").isdigit() else None
    qs = selectors.member_search(**filters, unit=unit)
    rows, next_after = selectors.keyset_page(qs, after=request.GET.get("after"), limit=PAGE)
    query = request.GET.copy()
    query.pop("after", None)
    return render(
        request,
        "members/member_list.html",
        {
            "form": form,
            "members": rows,
            "next_after": next_after,
            "query": query.urlencode(),
            "first_page": not request.GET.get("after"),
            "search_kind": selectors.search_kind(filters.get("q", "")),
            "unit": unit,
        },
    )


def _employer_from(form):
    uscc = form.cleaned_data.get("employer_uscc", "")
    if not uscc:
        return None
    employer = selectors.employer_by_uscc(uscc)
    if employer is None:
        raise ValidationError({"employer_uscc": [_("在您的管辖范围内未找到该统一社会信用代码对应的用人单位。")]})
    return employer


@staff_required("members.manage")
def member_create(request):
    form = MemberForm(request.POST or None, initial={"unit": request.user.unit_id})
    existing = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            member = services.member_create(
                by=request.user,
                name=d["name"],
                id_number=d["id_number"],
                phone=d["phone"],
                unit=d["unit"],
                employer=_employer_from(form),
                is_new_form_worker=d["is_new_form_worker"],
                platform=d["platform"],
                joined_on=d["joined_on"],
            )
            messages.success(request, _("已登记会员“%(n)s”。") % {"n": member.name})
            return redirect("members:member_detail", pk=member.pk)
        except services.DuplicateMember as dup:
            existing = dup.existing
            apply_service_errors(form, dup)
        except ValidationError as e:
            apply_service_errors(form, e)
    return render(request, "members/member_form.html", {"form": form, "member": None, "existing": existing})


@staff_required("members.view")
def member_detail(request, pk):
    return _render_detail(request, selectors.member_get(pk))


def _render_detail(request, member, revealed=None):
    can_manage = request.user.can("members.manage")
    return render(
        request,
        "members/member_detail.html",
        {
            "member": member,
            "history": selectors.member_history(member),
            "duplicates": selectors.possible_duplicates(member) if can_manage else [],
            "cards": selectors.member_cards(member),
            "revealed": revealed or {},
        },
    )


@staff_required("members.manage")
def member_edit(request, pk):
    member = selectors.member_get(pk)
    initial = {
        "name": member.name,
        "employer_uscc": member.employer.uscc if member.employer_id else "",
        "is_new_form_worker": member.is_new_form_worker,
        "platform": member.platform,
        "is_model_worker": member.is_model_worker,
        "in_hardship": member.in_hardship,
    }
    form = MemberForm(request.POST or None, initial=initial, editing=True)
    existing = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        changes = {
            "name": d["name"],
            "is_new_form_worker": d["is_new_form_worker"],
            "platform": d["platform"],
            "is_model_worker": d["is_model_worker"],
            "in_hardship": d["in_hardship"],
        }
        if d["id_number"]:
            changes["id_number"] = d["id_number"]
        if d["phone"]:
            changes["phone"] = d["phone"]
        try:
            changes["employer"] = _employer_from(form)
            services.member_update(by=request.user, member=member, **changes)
            messages.success(request, _("已保存。"))
            return redirect("members:member_detail", pk=member.pk)
        except services.DuplicateMember as dup:
            existing = dup.existing
            apply_service_errors(form, dup)
        except ValidationError as e:
            apply_service_errors(form, e)
    return render(request, "members/member_form.html", {"form": form, "member": member, "existing": existing})


@require_POST
@staff_required("members.reveal")
def member_reveal(request, pk):
    """Show one protected value: JSON for the page's button, or the page re-rendered."""
    member = selectors.member_get(pk)
    field = request.POST.get("field", "")
    try:
        value = services.member_reveal(by=request.user, member=member, field=field)
    except ValidationError as e:
        return JsonResponse({"detail": e.messages[0]}, status=400)
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"field": field, "value": value})
    return _render_detail(request, member, revealed={field: value})


@staff_required("members.manage")
def member_transfer(request, pk):
    member = selectors.member_get(pk)
    form = TransferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            to_unit = selectors.unit_for_transfer(d["to_unit"])
            services.member_transfer(by=request.user, member=member, to_unit=to_unit, reason=d["reason"], on=d["on"])
            messages.success(request, _("已将“%(n)s”的会员关系转至%(u)s。") % {"n": member.name, "u": to_unit.name})
            return redirect("members:member_list")
        except ValidationError as e:
            apply_service_errors(form, e)
    return render(request, "members/member_transfer.html", {"member": member, "form": form})


@require_POST
@staff_required("members.manage")
def member_leave(request, pk):
    member = selectors.member_get(pk)
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("请填写退会原因。"))
        services.member_leave(by=request.user, member=member, reason=form.cleaned_data["reason"])
        messages.success(request, _("已办理退会。"))
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    return redirect("members:member_detail", pk=member.pk)


@require_POST
@staff_required("members.manage")
def member_rejoin(request, pk):
    member = selectors.member_get(pk)
    try:
        services.member_rejoin(
            by=request.user, member=member, unit=member.unit, reason=request.POST.get("reason", "")[:200]
        )
        messages.success(request, _("已办理重新入会。"))
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    return redirect("members:member_detail", pk=member.pk)


@require_POST
@staff_required("members.manage")
def member_merge(request, pk):
    keep = selectors.member_get(pk)
    duplicate_id = request.POST.get("duplicate", "")
    duplicate = selectors.member_get(duplicate_id) if duplicate_id.isdigit() else None
    try:
        if duplicate is None:
            raise ValidationError(_("请选择要合并的重复记录。"))
        services.member_merge(by=request.user, keep=keep, duplicate=duplicate, reason=request.POST.get("reason", ""))
        messages.success(request, _("已将重复记录合并到本记录。"))
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    return redirect("members:member_detail", pk=keep.pk)


@require_GET
@staff_required("members.manage")
def unit_directory(request):
    return JsonResponse({"results": selectors.unit_directory(request.GET.get("q", ""))})


@staff_required("members.view")
def data_request_list(request):
    """Members' personal-data requests in scope, the soonest due first; overdue flagged."""
    from django.utils import timezone

    from gonghui.members.models import DataRequestStatus

    status = request.GET.get("status") or DataRequestStatus.OPEN
    rows = selectors.data_requests(status=status)
    return render(
        request,
        "members/data_requests.html",
        {"rows": rows, "status": status, "statuses": DataRequestStatus.choices, "today": timezone.localdate()},
    )


@require_POST
@staff_required("members.manage")
def data_request_close(request, pk):
    item = selectors.data_request_get(pk)
    try:
        services.data_request_close(
            by=request.user,
            request=item,
            status=request.POST.get("status", ""),
            response=request.POST.get("response", ""),
        )
        messages.success(request, _("已办结。"))
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    return redirect("members:data_request_list")


@staff_required("members.view")
def application_list(request):
    """入会与转接申请 received by units in scope; pending ones first by default."""
    from gonghui.members.models import ApplicationKind, ApplicationStatus

    status = request.GET.get("status") or ApplicationStatus.PENDING
    kind = request.GET.get("kind", "")
    return render(
        request,
        "members/application_list.html",
        {
            "rows": selectors.applications(status=status, kind=kind if kind in ApplicationKind.values else ""),
            "status": status,
            "kind": kind,
            "statuses": ApplicationStatus.choices,
            "kinds": ApplicationKind.choices,
        },
    )


@staff_required("members.view")
def application_detail(request, pk):
    return render(request, "members/application_detail.html", {"a": selectors.application_get(pk)})


@require_POST
@staff_required("members.manage")
def application_decide(request, pk):
    application = selectors.application_get(pk)
    try:
        if request.POST.get("decision") == "approve":
            services.application_approve(
                by=request.user,
                application=application,
                issue_card=request.POST.get("issue_card") == "on",
                reason=request.POST.get("reason", ""),
            )
            messages.success(request, _("已批准。"))
        else:
            services.application_reject(by=request.user, application=application, reason=request.POST.get("reason", ""))
            messages.success(request, _("已答复申请人：未批准。"))
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    return redirect("members:application_detail", pk=application.pk)
