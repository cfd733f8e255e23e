from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core.forms import apply_service_errors, message_service_error
from gonghui.core.paging import paginate
from gonghui.core.permissions import staff_required
from gonghui.fund.models import Account, AccountKind
from gonghui.hardship import selectors, services
from gonghui.hardship.forms import (
    FileEditForm,
    FileForm,
    HouseholdEditFormSet,
    HouseholdFormSet,
    ProgrammeForm,
    ThresholdForm,
)
from gonghui.hardship.models import EDITABLE, FileStatus, HardshipCategory
from gonghui.members.models import Member, MemberStatus
from gonghui.orgs.models import Unit, UnitKind


@staff_required("hardship.view")
def file_list(request):
    status, category, q = request.GET.get("status", ""), request.GET.get("category", ""), request.GET.get("q", "")
    files = selectors.file_list(
        status=status if status in FileStatus.values else "",
        category=category if category in HardshipCategory.values else "",
        q=q[:40],
    )
    return render(
        request,
        "hardship/file_list.html",
        {
            "page": paginate(request, files),
            "due": selectors.review_due(),
            "today": timezone.localdate(),
            "statuses": FileStatus.choices,
            "categories": HardshipCategory.choices,
            "status": status,
            "category": category,
            "q": q,
        },
    )


def _find_member(id_number: str) -> Member | None:
    from gonghui.members.identity import normalise_id_number
    from gonghui.members.services import id_number_hash

    number = normalise_id_number(id_number)
    if not number:
        return None
    return (
        Member.objects.select_related("unit")
        .filter(id_number_hash=id_number_hash(number), status=MemberStatus.ACTIVE)
        .first()
    )


@staff_required("hardship.file")
def file_create(request):
    form = FileForm(request.POST or None)
    household = HouseholdFormSet(request.POST or None, prefix="h")
    if request.method == "POST" and form.is_valid() and household.is_valid():
        member = _find_member(form.cleaned_data["member_id_number"])
        if member is None:
            form.add_error("member_id_number", _("本单位及下级没有该身份证号码的在会会员。"))
        elif request.user.unit is None:
            raise PermissionDenied
        else:
            try:
                file = services.file_create(
                    by=request.user,
                    member=member,
                    unit=request.user.unit,
                    member_income=form.cleaned_data["member_income"],
                    medical_expense=form.cleaned_data["medical_expense"],
                    education_expense=form.cleaned_data["education_expense"],
                    causes=form.cleaned_data["causes"],
                    situation=form.cleaned_data["situation"],
                    household=[row for row in household.cleaned_data if row],
                )
                messages.success(request, _("已建档 %(n)s，请核对后提交区总工会审核。") % {"n": file.number})
                return redirect("hardship:file_detail", pk=file.pk)
            except ValidationError as e:
                apply_service_errors(form, e)
    return render(request, "hardship/file_form.html", {"form": form, "household": household})


@staff_required("hardship.file")
def file_edit(request, pk):
    """Correct a draft or returned file, or update the figures for the yearly review."""
    file = selectors.file_get(pk)
    if file.status not in EDITABLE:
        messages.error(request, _("档案当前为“%(s)s”，不能修改。") % {"s": file.get_status_display()})
        return redirect("hardship:file_detail", pk=file.pk)
    rows = list(file.household.all())
    form = FileEditForm(
        request.POST or None,
        initial={
            "member_income": file.member_income,
            "medical_expense": file.medical_expense,
            "education_expense": file.education_expense,
            "causes": file.causes,
            "situation": file.situation,
        },
    )
    household = HouseholdEditFormSet(
        request.POST or None,
        prefix="h",
        initial=[
            {
                "name": r.name,
                "relation": r.relation,
                "status": r.status,
                "monthly_income": r.monthly_income,
                "existing": r.pk,
                "masked": r.id_number_masked,  # shown beside the row, not a field
            }
            for r in rows
        ],
    )
    if request.method == "POST" and form.is_valid() and household.is_valid():
        try:
            services.file_update(
                by=request.user,
                file=file,
                household=[row for row in household.cleaned_data if row],
                **form.cleaned_data,
            )
            messages.success(request, _("已保存档案 %(n)s，困难类别已重新计算。") % {"n": file.number})
            return redirect("hardship:file_detail", pk=file.pk)
        except ValidationError as e:
            apply_service_errors(form, e)
    return render(request, "hardship/file_form.html", {"form": form, "household": household, "file": file})


@staff_required("hardship.view")
def file_detail(request, pk):
    file = selectors.file_get(pk)
    programmes = [p for p in selectors.programmes_for_file(file) if file.category in p.eligible_categories]
    return render(
        request,
        "hardship/file_detail.html",
        {
            "file": file,
            "household": file.household.all(),
            "events": file.events.select_related("by"),
            "attachments": file.attachments.all(),
            "applications": file.applications.select_related("programme"),
            "programmes": programmes,
            "editable_actions": _file_actions(request.user, file),
            "can_edit": file.status in EDITABLE and request.user.can("hardship.file"),
        },
    )


def _file_actions(user, file):
    actions = []
    if file.status in (FileStatus.DRAFT, FileStatus.RETURNED, FileStatus.UNDER_REVIEW) and user.can("hardship.file"):
        actions.append(("submit", _("提交区总工会审核")))
    if file.status == FileStatus.SUBMITTED and user.can("hardship.approve"):
        actions += [("approve", _("审核通过")), ("return", _("退回"))]
    if file.status == FileStatus.APPROVED and user.can("hardship.file"):
        actions.append(("review", _("开始年度复核")))
    if file.status != FileStatus.EXITED and user.can("hardship.approve"):
        actions.append(("exit", _("退出困难档案")))
    return actions


@require_POST
@staff_required("hardship.file")
def file_action(request, pk):
    file = selectors.file_get(pk)
    action, note = request.POST.get("action", ""), request.POST.get("note", "")[:500]
    by = request.user
    try:
        if action == "submit":
            services.file_submit(by=by, file=file)
            messages.success(request, _("已提交区总工会审核。"))
        elif action == "approve":
            file = services.file_approve(by=by, file=file, note=note)
            messages.success(request, _("已审核通过：%(c)s。") % {"c": file.get_category_display()})
        elif action == "return":
            services.file_return(by=by, file=file, reason=note)
            messages.success(request, _("已退回建档单位。"))
        elif action == "review":
            services.file_review_start(by=by, file=file)
            messages.success(request, _("已开始年度复核，请更新家庭情况后重新提交。"))
        elif action == "exit":
            services.file_exit(by=by, file=file, reason=note)
            messages.success(request, _("已退出困难档案。"))
        else:
            messages.error(request, _("未知操作。"))
    except (ValidationError, PermissionDenied) as e:
        message_service_error(request, e)
    return redirect("hardship:file_detail", pk=file.pk)


@require_POST
@staff_required("hardship.file")
def file_attach(request, pk):
    file = selectors.file_get(pk)
    upload = request.FILES.get("attachment")
    if upload is None:
        messages.error(request, _("请选择要上传的文件。"))
    else:
        try:
            services.file_attach(by=request.user, file=file, upload=upload)
            messages.success(request, _("已上传证明材料。"))
        except ValidationError as e:
            message_service_error(request, e)
    return redirect("hardship:file_detail", pk=file.pk)


@require_POST
@staff_required("hardship.file")
def application_create(request, pk):
    file = selectors.file_get(pk)
    try:
        chosen = request.POST.get("programme", "")
        programme = next((p for p in selectors.programmes_for_file(file) if str(p.pk) == chosen), None)
        if programme is None:
            raise ValidationError(_("请选择该户可申请的帮扶项目。"))
        services.application_create(
            by=request.user,
            file=file,
            programme=programme,
            amount=request.POST.get("amount") or None,
            reason=request.POST.get("reason", ""),
        )
        messages.success(request, _("已提交帮扶申请。"))
    except ValidationError as e:
        message_service_error(request, e)
    return redirect("hardship:file_detail", pk=file.pk)


@require_POST
@staff_required("hardship.file")
def application_action(request, pk):
    application = selectors.application_get(pk)
    action, note, by = request.POST.get("action", ""), request.POST.get("note", "")[:500], request.user
    try:
        if action in ("station_review", "station_reject"):
            services.application_station_review(
                by=by, application=application, approve=action == "station_review", note=note
            )
        elif action in ("approve", "reject"):
            services.application_approve(by=by, application=application, approve=action == "approve", note=note)
        elif action == "pay":
            txn = services.application_pay(by=by, application=application)
            messages.success(request, _("已支付，记账凭证 #%(n)s。") % {"n": txn.pk})
        else:
            messages.error(request, _("未知操作。"))
    except (ValidationError, PermissionDenied) as e:
        message_service_error(request, e)
    return redirect("hardship:file_detail", pk=application.file_id)


@staff_required("hardship.view")
def threshold_list(request):
    districts = Unit.objects.filter(kind=UnitKind.DISTRICT_UNION).order_by("path")
    form = ThresholdForm(request.POST or None, districts=districts, initial={"year": timezone.localdate().year})
    if request.method == "POST":
        if not request.user.can("hardship.approve"):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.threshold_set(by=request.user, **form.cleaned_data)
                messages.success(request, _("已保存困难认定标准。"))
                return redirect("hardship:threshold_list")
            except (ValidationError, PermissionDenied) as e:
                if isinstance(e, ValidationError):
                    apply_service_errors(form, e)
                else:
                    form.add_error(None, str(e))
    return render(request, "hardship/threshold_list.html", {"thresholds": selectors.threshold_list(), "form": form})


@staff_required("hardship.view")
def programme_list(request):
    return render(request, "hardship/programme_list.html", {"programmes": selectors.programme_list()})


@staff_required("hardship.approve")
def programme_create(request):
    units = Unit.objects.filter(kind__in=[UnitKind.CITY_FEDERATION, UnitKind.DISTRICT_UNION]).order_by("path")
    accounts = Account.objects.filter(kind=AccountKind.PROGRAMME).order_by("code")
    form = ProgrammeForm(
        request.POST or None, units=units, accounts=accounts, initial={"year": timezone.localdate().year}
    )
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.programme_create(by=request.user, **form.cleaned_data)
            messages.success(request, _("已创建帮扶项目。"))
            return redirect("hardship:programme_detail", pk=programme.pk)
        except ValidationError as e:
            apply_service_errors(form, e)
        except PermissionDenied as e:
            form.add_error(None, str(e))
    return render(request, "hardship/programme_form.html", {"form": form})


@staff_required("hardship.view")
def programme_detail(request, pk):
    programme = selectors.programme_get(pk)
    return render(
        request,
        "hardship/programme_detail.html",
        {
            "programme": programme,
            "batches": programme.batches.order_by("-created_at"),
            "applications": selectors.application_list(programme=programme)[:100],
        },
    )


@require_POST
@staff_required("hardship.approve")
def batch_compute(request, pk):
    programme = selectors.programme_get(pk)
    try:
        batch = services.batch_compute(by=request.user, programme=programme, title=request.POST.get("title", ""))
        messages.success(request, _("已生成批次：%(n)s户，合计%(t)s元。") % {"n": batch.households, "t": batch.total})
        return redirect("hardship:batch_detail", pk=batch.pk)
    except (ValidationError, PermissionDenied) as e:
        message_service_error(request, e)
    return redirect("hardship:programme_detail", pk=programme.pk)


@staff_required("hardship.view")
def batch_detail(request, pk):
    batch = selectors.batch_get(pk)
    return render(
        request,
        "hardship/batch_detail.html",
        {"batch": batch, "lines": batch.lines.select_related("file__member", "file__unit", "application")},
    )


@require_POST
@staff_required("hardship.approve")
def batch_action(request, pk):
    batch = selectors.batch_get(pk)
    action = request.POST.get("action", "")
    steps = {
        "review": (services.batch_review, _("已复核。")),
        "approve": (services.batch_approve, _("已审批。")),
        "pay": (services.batch_pay, _("已支付，每户一笔记账凭证。")),
    }
    if action not in steps:
        messages.error(request, _("未知操作。"))
    else:
        service, done = steps[action]
        try:
            service(by=request.user, batch=batch)
            messages.success(request, done)
        except (ValidationError, PermissionDenied) as e:
            message_service_error(request, e)
    return redirect("hardship:batch_detail", pk=batch.pk)
