from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core.forms import apply_service_errors, message_service_error
from gonghui.core.paging import paginate
from gonghui.core.permissions import staff_required
from gonghui.mutualaid import selectors, services
from gonghui.mutualaid.forms import BatchForm, ClaimForm, PlanForm
from gonghui.mutualaid.models import BatchStatus, ClaimStatus, PlanStatus

# --- Plans -------------------------------------------------------------------------------------------


@staff_required("mutualaid.view")
def plan_list(request):
    return render(request, "mutualaid/plan_list.html", {"plans": selectors.plan_list()})


@staff_required("mutualaid.manage")
def plan_create(request):
    form = PlanForm(request.POST or None, units=selectors.plan_units(), initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(by=request.user, **form.cleaned_data)
            messages.success(request, _("已创建互助保障计划，开放参保后即可办理参保。"))
            return redirect("mutualaid:plan_detail", pk=plan.pk)
        except ValidationError as e:
            apply_service_errors(form, e)
        except PermissionDenied as e:
            form.add_error(None, str(e))
    return render(request, "mutualaid/plan_form.html", {"form": form})


def _batch_form(plan, data=None):
    return BatchForm(data, units=selectors.batch_units(plan), sources=selectors.premium_sources())


@staff_required("mutualaid.view")
def plan_detail(request, pk):
    plan = selectors.plan_get(pk)
    can_enrol = plan.status == PlanStatus.OPEN and request.user.can("mutualaid.manage")
    return render(
        request,
        "mutualaid/plan_detail.html",
        {
            "plan": plan,
            "figures": selectors.plan_figures(plan),
            "batches": selectors.batch_list(plan),
            "batch_form": _batch_form(plan) if can_enrol else None,
        },
    )


@require_POST
@staff_required("mutualaid.manage")
def plan_action(request, pk):
    plan = selectors.plan_get(pk)
    status = {"open": PlanStatus.OPEN, "close": PlanStatus.CLOSED}.get(request.POST.get("action", ""))
    if status is None:
        messages.error(request, _("未知操作。"))
    else:
        try:
            plan = services.plan_set_status(by=request.user, plan=plan, status=status)
            messages.success(request, _("计划已改为“%(s)s”。") % {"s": plan.get_status_display()})
        except (ValidationError, PermissionDenied) as e:
            message_service_error(request, e)
    return redirect("mutualaid:plan_detail", pk=plan.pk)


# --- Enrolment ---------------------------------------------------------------------------------------


@require_POST
@staff_required("mutualaid.manage")
def batch_create(request, pk):
    plan = selectors.plan_get(pk)
    form = _batch_form(plan, request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择参保单位和缴费来源科目。"))
        return redirect("mutualaid:plan_detail", pk=plan.pk)
    try:
        batch = services.batch_create(by=request.user, plan=plan, **form.cleaned_data)
        messages.success(
            request,
            _("已生成参保批次：%(n)s人，互助金合计%(t)s元，请核对后确认缴费。")
            % {"n": batch.members, "t": batch.premium_total},
        )
        return redirect("mutualaid:batch_detail", pk=batch.pk)
    except (ValidationError, PermissionDenied) as e:
        message_service_error(request, e)
    return redirect("mutualaid:plan_detail", pk=plan.pk)


@staff_required("mutualaid.view")
def batch_detail(request, pk):
    batch = selectors.batch_get(pk)
    return render(
        request,
        "mutualaid/batch_detail.html",
        {
            "batch": batch,
            "enrolments": selectors.batch_enrolments(batch),
            "can_confirm": batch.status == BatchStatus.DRAFT and request.user.can("mutualaid.manage"),
        },
    )


@require_POST
@staff_required("mutualaid.manage")
def batch_confirm(request, pk):
    batch = selectors.batch_get(pk)
    try:
        batch = services.batch_confirm(by=request.user, batch=batch)
        messages.success(
            request,
            _("已确认参保：%(n)s人，互助金%(t)s元已记入计划科目。") % {"n": batch.members, "t": batch.premium_total},
        )
    except (ValidationError, PermissionDenied) as e:
        message_service_error(request, e)
    return redirect("mutualaid:batch_detail", pk=batch.pk)


# --- Claims -------------------------------------------------------------------------------------------


@staff_required("mutualaid.view")
def claim_list(request):
    status, q = request.GET.get("status", ""), request.GET.get("q", "")[:40]
    claims = selectors.claim_list(status=status if status in ClaimStatus.values else "", q=q)
    return render(
        request,
        "mutualaid/claim_list.html",
        {"page": paginate(request, claims), "statuses": ClaimStatus.choices, "status": status, "q": q},
    )


@staff_required("mutualaid.claim")
def claim_create(request):
    """Find the member's enrolment (by name or ID number), then register the claim."""
    chosen = request.POST.get("enrolment") or request.GET.get("enrolment")
    if not chosen or not str(chosen).isdigit():
        q = request.GET.get("q", "")[:40]
        return render(
            request,
            "mutualaid/claim_search.html",
            {"q": q, "enrolments": selectors.enrolments_to_claim(q) if q else None},
        )
    enrolment = selectors.enrolment_get(int(chosen))
    form = ClaimForm(
        request.POST or None, request.FILES or None, plan=enrolment.plan, initial={"enrolment": enrolment.pk}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            claim = services.claim_register(
                by=request.user,
                enrolment=enrolment,
                event_date=data["event_date"],
                hospital_days=data.get("hospital_days"),
                expenses=data.get("expenses"),
                description=data["description"],
                documents=[data["document"]] if data.get("document") else (),
            )
            messages.success(
                request, _("已登记给付申请 %(n)s，申请金额%(a)s元。") % {"n": claim.number, "a": claim.amount_claimed}
            )
            return redirect("mutualaid:claim_detail", pk=claim.pk)
        except ValidationError as e:
            apply_service_errors(form, e)
        except PermissionDenied as e:
            form.add_error(None, str(e))
    return render(
        request,
        "mutualaid/claim_form.html",
        {"form": form, "enrolment": enrolment, "remaining": services.remaining(enrolment)},
    )


@staff_required("mutualaid.view")
def claim_detail(request, pk):
    claim = selectors.claim_get(pk)
    user = request.user
    return render(
        request,
        "mutualaid/claim_detail.html",
        {
            "claim": claim,
            "events": claim.events.select_related("by"),
            "documents": claim.documents.all(),
            "remaining": services.remaining(claim.enrolment, exclude_pk=claim.pk),
            "can_review": claim.status == ClaimStatus.SUBMITTED and user.can("mutualaid.claim"),
            "can_approve": claim.status == ClaimStatus.REVIEWED and user.can("mutualaid.approve"),
            "can_pay": claim.status == ClaimStatus.APPROVED and user.can("mutualaid.approve"),
            "can_attach": claim.status not in (ClaimStatus.PAID, ClaimStatus.REJECTED) and user.can("mutualaid.claim"),
        },
    )


@require_POST
@staff_required("mutualaid.claim")
def claim_action(request, pk):
    claim = selectors.claim_get(pk)
    action, note, by = request.POST.get("action", ""), request.POST.get("note", "")[:500], request.user
    try:
        if action == "review":
            services.claim_review(by=by, claim=claim, note=note)
            messages.success(request, _("已审核，待区总工会审批。"))
        elif action == "approve":
            claim = services.claim_approve(by=by, claim=claim, amount=request.POST.get("amount") or None, note=note)
            messages.success(request, _("已批准给付 %(a)s 元。") % {"a": claim.amount_approved})
        elif action == "reject":
            services.claim_reject(by=by, claim=claim, reason=note)
            messages.success(request, _("已作出不予给付决定。"))
        elif action == "pay":
            txn = services.claim_pay(by=by, claim=claim)
            messages.success(request, _("已给付，记账凭证 #%(n)s。") % {"n": txn.pk})
        else:
            messages.error(request, _("未知操作。"))
    except (ValidationError, PermissionDenied) as e:
        message_service_error(request, e)
    return redirect("mutualaid:claim_detail", pk=claim.pk)


@require_POST
@staff_required("mutualaid.claim")
def claim_attach(request, pk):
    claim = selectors.claim_get(pk)
    upload = request.FILES.get("document")
    if upload is None:
        messages.error(request, _("请选择要上传的文件。"))
    else:
        try:
            services.claim_attach(by=request.user, claim=claim, upload=upload)
            messages.success(request, _("已上传证明材料。"))
        except (ValidationError, PermissionDenied) as e:
            message_service_error(request, e)
    return redirect("mutualaid:claim_detail", pk=claim.pk)
