"""Pages for mediation and legal aid: the case list and hand-offs waiting, opening a case,
the case page with its actions, documents, the network (bodies and mediators), results,
and legal aid. Each view parses input, calls one service or selector, renders."""

import datetime as dt
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gonghui.core.paging import paginate
from gonghui.core.permissions import staff_required
from gonghui.core.scoping import scopes_disabled
from gonghui.mediation import documents, legalaid, results, selectors, services
from gonghui.mediation.models import (
    BodyKind,
    CaseSource,
    CaseStatus,
    ClaimType,
    ConsultationChannel,
    MediatorKind,
    SessionMode,
)
from gonghui.orgs.models import Employer, Unit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def staff_any(*permissions):
    """A page open to any of the permissions (handlers or the assigned lawyer)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not any(request.user.can(p) for p in permissions):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _errors(request, e: ValidationError):
    if hasattr(e, "error_dict"):
        for msgs in e.message_dict.values():
            for m in msgs:
                messages.error(request, m)
    else:
        for m in e.messages:
            messages.error(request, m)


def parse_workers(text: str) -> list[dict]:
    """One worker a line: name, mobile, optional ID number (spaces, commas or tabs)."""
    rows = []
    for line in (text or "").splitlines():
        parts = [p for p in line.replace("，", " ").replace(",", " ").replace("\t", " ").split() if p]
        if not parts:
            continue
        rows.append({"name": parts[0], "phone": parts[1] if len(parts) > 1 else "", "id_number": " ".join(parts[2:3])})
    return rows


def parse_claims(post) -> list[dict]:
    arose = post.get("arose_on", "")
    return [
        {"type": t, "amount": post.get(f"claim_{t}", "").strip(), "arose_on": arose or None}
        for t in ClaimType.values
        if post.get(f"claim_{t}", "").strip()
    ]


# --- Cases ----------------------------------------------------------------------------------


@staff_any("mediation.view", "mediation.own")
def case_list(request):
    view = request.GET.get("view", "open")
    if view not in ("open", "flagged", "all"):
        view = "open"
    cases = selectors.case_list(
        user=request.user, q=request.GET.get("q", "")[:40], status=request.GET.get("status", ""), view=view
    )
    return render(
        request,
        "mediation/case_list.html",
        {
            "page": paginate(request, cases),
            "view": view,
            "views": [("open", _("在办")), ("flagged", _("调解期满")), ("all", _("全部"))],
            "statuses": CaseStatus.choices,
            "handoffs": selectors.pending_handoffs(user=request.user) if request.user.can("mediation.handle") else [],
        },
    )


def _case_form_context(request, extra=None):
    employers = Employer.objects.filter(is_active=True).order_by("name")[:500]
    ctx = {
        "bodies": selectors.active_bodies(user=request.user),
        "employers": employers,
        "claim_rows": [(v, label, request.POST.get(f"claim_{v}", "")) for v, label in ClaimType.choices],
        "sources": [c for c in CaseSource.choices if c[0] != CaseSource.APPEAL],
        "post": {
            k: request.POST.get(k, "")
            for k in ("source", "referral_ref", "body", "employer", "applied_on", "workers", "arose_on", "description")
        },
        "today": timezone.localdate().isoformat(),
        "handoff": None,
        "errors": None,
    }
    ctx.update(extra or {})
    handoff = ctx["handoff"]
    if not ctx["post"]["employer"] and handoff is not None and handoff.appeal.employer_id:
        ctx["post"]["employer"] = str(handoff.appeal.employer_id)
    if not ctx["post"]["description"] and handoff is not None:
        ctx["post"]["description"] = handoff.appeal.description
    return ctx


def _open_case(request, *, source, handoff=None):
    post = request.POST
    body = _pick(selectors.active_bodies(user=request.user), post.get("body"))
    employer = None
    if post.get("employer", "").isdigit():
        employer = Employer.objects.filter(pk=int(post["employer"])).first()
    if employer is None and handoff is not None:
        employer = handoff.appeal.employer
    workers = parse_workers(post.get("workers", ""))
    return services.case_open(
        by=request.user,
        body=body,
        employer=employer,
        source=source,
        description=post.get("description", ""),
        workers=workers,
        claims=parse_claims(post),
        applied_on=parse_date(post.get("applied_on", "")) or None,
        handoff=handoff,
        referral_ref=post.get("referral_ref", ""),
        auto_assign=True,
    )


def _pick(options, raw):
    try:
        pk = int(raw)
    except (TypeError, ValueError):
        return None
    return next((o for o in options if o.pk == pk), None)


@staff_required("mediation.handle")
def case_create(request):
    """A walk-in application or a referral from the arbitration commission or a court."""
    errors = None
    if request.method == "POST":
        try:
            case = _open_case(request, source=request.POST.get("source", ""))
        except ValidationError as e:
            errors = e.message_dict if hasattr(e, "error_dict") else {"__all__": e.messages}
        else:
            return _opened(request, case)
    status = 400 if errors else 200
    return render(request, "mediation/case_form.html", _case_form_context(request, {"errors": errors}), status=status)


@staff_required("mediation.handle")
def case_from_handoff(request, pk):
    """Take an appeal handed off to mediation: the appeal's worker is the first applicant."""
    handoff = selectors.handoff_get(user=request.user, pk=pk)
    errors = None
    if request.method == "POST":
        try:
            case = _open_case(request, source=CaseSource.APPEAL, handoff=handoff)
        except ValidationError as e:
            errors = e.message_dict if hasattr(e, "error_dict") else {"__all__": e.messages}
        else:
            return _opened(request, case)
    return render(
        request,
        "mediation/case_form.html",
        _case_form_context(request, {"errors": errors, "handoff": handoff}),
        status=400 if errors else 200,
    )


def _opened(request, case):
    messages.success(request, _("已登记调解案件 %(n)s。") % {"n": case.number})
    for warning in getattr(case, "warnings", []):
        messages.warning(request, warning)
    return redirect("mediation:case_detail", pk=case.pk)


@staff_any("mediation.view", "mediation.own")
def case_detail(request, pk):
    case = selectors.case_get(user=request.user, pk=pk)
    can_act = request.user.can("mediation.handle") or (
        request.user.can("mediation.own") and services.is_assigned(request.user, case)
    )
    return render(
        request,
        "mediation/case_detail.html",
        {
            "case": case,
            **selectors.case_context(case),
            "can_act": can_act,
            "modes": SessionMode.choices,
            "today": timezone.localdate().isoformat(),
        },
    )


def _session_of(case, raw):
    with scopes_disabled():
        return get_object_or_404(case.sessions.all(), pk=raw if str(raw).isdigit() else 0)


def _agreement_input(case, post):
    with scopes_disabled():
        claims = list(case.claims.all())
    amounts = {c.pk: (post.get(f"agreed_{c.pk}", "").strip(), post.get(f"agreed_note_{c.pk}", "")) for c in claims}
    schedule = []
    for i in range(1, 13):
        due, amount = post.get(f"due_{i}", "").strip(), post.get(f"due_amount_{i}", "").strip()
        if due or amount:
            schedule.append((parse_date(due) if due else None, amount))
    return amounts, schedule


ACTIONS = {
    "accept": lambda by, c, p: services.case_accept(by=by, case=c, note=p.get("note", "")),
    "assign": lambda by, c, p: services.case_assign(
        by=by, case=c, mediator=_pick(selectors.case_context(c)["mediators"], p.get("mediator"))
    ),
    "session": lambda by, c, p: services.session_schedule(
        by=by,
        case=c,
        scheduled_at=_aware(p.get("scheduled_at", "")),
        mode=p.get("mode", ""),
        location=p.get("location", ""),
    ),
    "record": lambda by, c, p: services.session_record(
        by=by,
        session=_session_of(c, p.get("session")),
        attended=p.get("attended") == "yes",
        minutes=p.get("minutes", ""),
    ),
    "extend": lambda by, c, p: services.case_extend(
        by=by, case=c, until=parse_date(p.get("until", "")) if p.get("until") else None, note=p.get("note", "")
    ),
    "agree": lambda by, c, p: services.case_agree(
        by=by, case=c, amounts=_agreement_input(c, p)[0], schedule=_agreement_input(c, p)[1], terms=p.get("terms", "")
    ),
    "pay": lambda by, c, p: services.payment_record(
        by=by,
        case=c,
        amount=p.get("amount", ""),
        paid_on=parse_date(p.get("paid_on", "")) if p.get("paid_on") else None,
        note=p.get("note", ""),
    ),
    "refer": lambda by, c, p: services.case_refer_to_arbitration(by=by, case=c, note=p.get("note", "")),
    "withdraw": lambda by, c, p: services.case_withdraw(by=by, case=c, note=p.get("note", "")),
    "close": lambda by, c, p: services.case_close(by=by, case=c, note=p.get("note", "")),
    "note": lambda by, c, p: services.case_note(by=by, case=c, note=p.get("note", "")),
}


def _aware(raw: str):
    value = parse_datetime((raw or "").strip())
    if value is None:
        raise ValidationError({"scheduled_at": [_("请填写调解时间。")]})
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


@require_POST
@staff_any("mediation.handle", "mediation.own")
def case_act(request, pk):
    """Every action on the case page posts here with ``action``; one service each."""
    case = selectors.case_get(user=request.user, pk=pk)
    action = request.POST.get("action", "")
    try:
        if action not in ACTIONS:
            raise ValidationError(_("未知的操作。"))
        ACTIONS[action](request.user, case, request.POST)
    except ValidationError as e:
        _errors(request, e)
    except PermissionDenied as e:
        messages.error(request, str(e) or _("您没有执行此操作的权限。"))
    else:
        messages.success(request, _("已保存。"))
    return redirect("mediation:case_detail", pk=pk)


@require_GET
@staff_any("mediation.view", "mediation.own")
def agreement_pdf(request, pk):
    case = selectors.case_get(user=request.user, pk=pk)
    try:
        name, data = documents.agreement_pdf(by=request.user, case=case)
    except ValidationError as e:
        _errors(request, e)
        return redirect("mediation:case_detail", pk=pk)
    return _download(data, "application/pdf", name)


@require_GET
@staff_any("mediation.view", "mediation.own")
def case_file(request, pk):
    case = selectors.case_get(user=request.user, pk=pk)
    try:
        name, data = documents.case_file_xlsx(by=request.user, case=case)
    except ValidationError as e:
        _errors(request, e)
        return redirect("mediation:case_detail", pk=pk)
    return _download(data, XLSX, name)


def _download(data: bytes, content_type: str, name: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- The network ----------------------------------------------------------------------------


@staff_required("mediation.view")
def body_list(request):
    if request.method == "POST":
        if not request.user.can("mediation.configure"):
            raise PermissionDenied
        post = request.POST
        unit = _pick(list(Unit.objects.filter(is_active=True).order_by("path")[:500]), post.get("unit"))
        employer = (
            Employer.objects.filter(pk=int(post["employer"])).first() if post.get("employer", "").isdigit() else None
        )
        try:
            body = services.body_create(
                by=request.user,
                kind=post.get("kind", ""),
                name=post.get("name", ""),
                unit=unit,
                covers_subtree=post.get("covers_subtree") == "on",
                industries=post.get("industries", ""),
                employer=employer,
                address=post.get("address", ""),
                phone=post.get("phone", ""),
            )
        except ValidationError as e:
            _errors(request, e)
        else:
            messages.success(request, _("已添加调解组织。"))
            return redirect("mediation:body_detail", pk=body.pk)
    return render(
        request,
        "mediation/body_list.html",
        {
            "bodies": selectors.body_list(user=request.user),
            "kinds": BodyKind.choices,
            "units": Unit.objects.filter(is_active=True).order_by("path")[:500],
            "employers": Employer.objects.filter(is_active=True).order_by("name")[:500],
        },
    )


@staff_required("mediation.view")
def body_detail(request, pk):
    body = selectors.body_get(user=request.user, pk=pk)
    if request.method == "POST":
        from gonghui.accounts.models import Staff

        staff = None
        if request.POST.get("staff", "").isdigit():
            staff = Staff.objects.filter(pk=int(request.POST["staff"])).select_related("unit").first()
        try:
            services.mediator_add(
                by=request.user,
                body=body,
                kind=request.POST.get("kind", ""),
                staff=staff,
                name=request.POST.get("name", ""),
                qualifications=request.POST.get("qualifications", ""),
            )
        except (ValidationError, PermissionDenied) as e:
            if isinstance(e, PermissionDenied):
                raise
            _errors(request, e)
        else:
            messages.success(request, _("已添加调解员。"))
            return redirect("mediation:body_detail", pk=pk)
    from gonghui.accounts.models import Staff

    return render(
        request,
        "mediation/body_detail.html",
        {
            "body": body,
            "mediators": selectors.mediators_with_caseload(body),
            "kinds": MediatorKind.choices,
            "staff": Staff.objects.filter(is_active=True).order_by("username")[:300],
        },
    )


# --- Results --------------------------------------------------------------------------------


@staff_required("mediation.view")
def results_page(request):
    units = list(Unit.objects.filter(is_active=True).order_by("path")[:500])
    unit = _pick(units, request.GET.get("unit")) or request.user.unit
    result, error = None, None
    try:
        start, end = results.check_period(
            parse_date(request.GET.get("start", "") or "") or None, parse_date(request.GET.get("end", "") or "") or None
        )
        result = results.mediation_results(user=request.user, unit=unit, start=start, end=end)
    except ValidationError as e:
        error = " ".join(e.messages)
    if result is not None and request.GET.get("format") == "xlsx":
        name, data = results.results_xlsx(by=request.user, result=result)
        return _download(data, XLSX, name)
    charts = None
    if result is not None:
        charts = {
            key: {"rows": rows, "height": 28 * len(rows) + 6}
            for key, rows in (
                ("body", results.bars(result["by_body"], "paid")),
                ("type", results.bars(result["by_type"], "claimed")),
                ("industry", results.bars(result["by_industry"], "paid")),
            )
        }
    return render(
        request,
        "mediation/results.html",
        {"units": units, "unit": unit, "result": result, "charts": charts, "error": error},
        status=400 if error else 200,
    )


# --- Legal aid ------------------------------------------------------------------------------


@staff_any("legalaid.view", "legalaid.own")
def legalaid_home(request):
    user = request.user
    if request.method == "POST":
        post = request.POST
        try:
            if post.get("form") == "consultation":
                booking = None
                if post.get("booking", "").isdigit():
                    from gonghui.kiosk.models import SlotBooking

                    booking = SlotBooking.objects.filter(pk=int(post["booking"])).select_related("slot__unit").first()
                legalaid.consultation_record(
                    by=user,
                    unit=_pick(list(Unit.objects.filter(is_active=True)[:500]), post.get("unit")) or user.unit,
                    channel=post.get("channel", ""),
                    lawyer=_pick(list(legalaid.lawyers(user)), post.get("lawyer")),
                    client_name=post.get("client_name", ""),
                    phone=post.get("phone", ""),
                    topic=post.get("topic", ""),
                    notes=post.get("notes", ""),
                    outcome=post.get("outcome", ""),
                    booking=booking,
                )
            elif post.get("form") == "representation":
                case = None
                if post.get("case_number", "").strip():
                    from gonghui.mediation.models import MediationCase

                    case = MediationCase.objects.filter(number=post["case_number"].strip()).first()
                    if case is None:
                        raise ValidationError({"case": [_("没有找到该案件，或不在您的管辖范围内。")]})
                legalaid.representation_assign(
                    by=user,
                    unit=_pick(list(Unit.objects.filter(is_active=True)[:500]), post.get("unit")) or user.unit,
                    lawyer=_pick(list(legalaid.lawyers(user)), post.get("lawyer")),
                    client_name=post.get("client_name", ""),
                    matter=post.get("matter", ""),
                    case=case,
                )
            else:
                raise ValidationError(_("未知的操作。"))
        except ValidationError as e:
            _errors(request, e)
        except PermissionDenied as e:
            messages.error(request, str(e) or _("您没有执行此操作的权限。"))
        else:
            messages.success(request, _("已保存。"))
            return redirect("mediation:legalaid_home")
    handler = user.can("legalaid.handle")
    return render(
        request,
        "mediation/legalaid.html",
        {
            "consultations": legalaid.consultation_list(user=user),
            "representations": legalaid.representation_list(user=user),
            "channels": ConsultationChannel.choices,
            "lawyers": list(legalaid.lawyers(user)) if handler else [],
            "units": list(Unit.objects.filter(is_active=True).order_by("path")[:500]) if handler else [],
            "handler": handler,
        },
    )


@staff_any("legalaid.view", "legalaid.own")
def representation_detail(request, pk):
    rep = legalaid.representation_get(user=request.user, pk=pk)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "hours":
                legalaid.representation_log_hours(
                    by=request.user,
                    representation=rep,
                    hours=request.POST.get("hours", ""),
                    worked_on=parse_date(request.POST.get("worked_on", "") or "") or timezone.localdate(),
                    note=request.POST.get("note", ""),
                )
            elif request.POST.get("action") == "close":
                legalaid.representation_close(
                    by=request.user, representation=rep, outcome=request.POST.get("outcome", "")
                )
            else:
                raise ValidationError(_("未知的操作。"))
        except ValidationError as e:
            _errors(request, e)
        except PermissionDenied as e:
            messages.error(request, str(e))
        else:
            messages.success(request, _("已保存。"))
        return redirect("mediation:representation_detail", pk=pk)
    return render(
        request,
        "mediation/representation_detail.html",
        {
            "rep": rep,
            "hours": list(rep.hours.all()),
            "total": legalaid.representation_hours_total(rep),
            "today": dt.date.today().isoformat(),
        },
    )
