"""Writes for labour-dispute mediation: bodies and mediators, opening a case (from an
appeal's hand-off, a walk-in application or a referral), assigning mediators, sessions,
the outcome (agreement with a payment schedule, referral to arbitration, withdrawal),
payments, closing, and the day-15 sweep.

Every function checks the actor's permission and the case's state, locks the rows it
depends on, writes a ``CaseEvent`` (the case history) and an audit entry. Messages are
Chinese; field errors come as a dict so a form can show them beside the field.
"""

import datetime as dt
import logging
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import pii
from gonghui.core.audit import audit_record
from gonghui.core.models import AuditAction
from gonghui.core.scoping import path_in_scope, scopes_disabled
from gonghui.mediation.models import (
    CASE_PIPELINE,
    OPEN_STATUSES,
    Agreement,
    AgreementItem,
    BodyKind,
    CaseAssignment,
    CaseEvent,
    CaseEventKind,
    CaseNumberCounter,
    CaseSource,
    CaseStatus,
    CaseWorker,
    Claim,
    ClaimType,
    MediationBody,
    MediationCase,
    MediationSession,
    Mediator,
    MediatorKind,
    Payment,
    ScheduledPayment,
    SessionMode,
)
from gonghui.members.identity import parse_id_number, parse_mobile, validate_name
from gonghui.orgs.models import Employer, Industry, Unit

logger = logging.getLogger(__name__)

# 劳动争议调解仲裁法 第十四条: fifteen days (calendar days, 日) from receiving the application.
MEDIATION_DAYS = 15
MAX_AMOUNT = Decimal("100000000")  # ¥100 million per claim: anything larger is a typo
MAX_WORKERS = 1000
MAX_SCHEDULE_ROWS = 36
CENT = Decimal("0.01")


def check_permission(by, permission):
    if by is None or not by.can(permission):
        raise PermissionDenied(_("您没有执行此操作的权限。"))


def sees_only_own(user) -> bool:
    """A contracted lawyer (``mediation.own`` without ``mediation.view``) reads and acts
    only on the cases they are assigned to."""
    return not user.can("mediation.view") and user.can("mediation.own")


def is_assigned(user, case: MediationCase) -> bool:
    with scopes_disabled():
        return CaseAssignment.objects.filter(case_id=case.pk, mediator__staff=user).exists()


def check_case_access(by, case: MediationCase) -> None:
    """May ``by`` act on this case: a handler of the case's subtree, or the lawyer
    assigned to it."""
    if by is None:
        raise PermissionDenied(_("您没有执行此操作的权限。"))
    if by.can("mediation.handle") and path_in_scope(case.body.unit.path):
        return
    if by.can("mediation.own") and is_assigned(by, case):
        return
    if by.can("mediation.own"):
        raise PermissionDenied(_("该案件未指派给您，您只能办理分配给自己的案件。"))
    raise PermissionDenied(_("您没有执行此操作的权限。"))


def clean_amount(value, field: str, *, allow_zero: bool = False) -> Decimal:
    """A sum of money in yuan: positive (or zero where allowed), at most two decimals, at
    most ¥100 million."""
    try:
        money = Decimal(str(value).replace(",", "").replace("，", "").strip())
        if not money.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: [_("请填写金额（单位：元），如 12000 或 12000.50。")]}) from None
    if money < 0 or (money == 0 and not allow_zero):
        raise ValidationError(
            {field: [_("金额不能为负数。") if money < 0 else _("金额必须大于0。")]}, code="amount_negative"
        )
    if money != money.quantize(CENT):
        raise ValidationError({field: [_("金额最多保留两位小数（分）。")]})
    if money > MAX_AMOUNT:
        raise ValidationError({field: [_("金额超过1亿元，请核对是否多输了位数。")]}, code="amount_absurd")
    return money.quantize(CENT)


def one_year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _event(case, kind, by, *, note="", from_status="", to_status="", actor_name=None) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        by=by if by is not None and getattr(by, "is_authenticated", False) else None,
        actor_name=actor_name if actor_name is not None else (str(by) if by else ""),
        note=(note or "")[:2000],
        from_status=from_status,
        to_status=to_status,
        at=timezone.now(),
    )


def _lock(case: MediationCase) -> MediationCase:
    """The case row, locked and read again. Read without the scope when the actor's
    subtree does not hold it: a contracted lawyer may be assigned a case of a body outside
    their own unit. Every caller then decides with ``check_case_access``."""
    locked = (
        MediationCase.objects.select_for_update(of=("self",))
        .select_related("body", "body__unit", "employer")
        .filter(pk=case.pk)
        .first()
    )
    if locked is None:
        with scopes_disabled():
            locked = (
                MediationCase.objects.select_for_update(of=("self",))
                .select_related("body", "body__unit", "employer")
                .get(pk=case.pk)
            )
    return locked


def _transition(case: MediationCase, to: str, by, *, note: str = "", **fields) -> MediationCase:
    if to not in CASE_PIPELINE[case.status]:
        raise ValidationError(
            _("案件当前状态为“%(a)s”，不能变更为“%(b)s”。")
            % {"a": CaseStatus(case.status).label, "b": CaseStatus(to).label},
            code="bad_transition",
        )
    before = case.status
    case.status = to
    for name, value in fields.items():
        setattr(case, name, value)
    case.save(update_fields=["status", *fields, "updated_at"])
    _event(case, CaseEventKind.STATUS, by, note=note, from_status=before, to_status=to)
    audit_record(actor=by, action=AuditAction.UPDATE, obj=case, changes={"status": [before, to]}, note=note[:500])
    return case


# --- Bodies and mediators -------------------------------------------------------------------


def body_create(
    *,
    by,
    kind: str,
    name: str,
    unit: Unit,
    covers_subtree: bool = True,
    industries: str = "",
    employer: Employer | None = None,
    address: str = "",
    phone: str = "",
) -> MediationBody:
    check_permission(by, "mediation.configure")
    errors = {}
    if kind not in BodyKind.values:
        errors["kind"] = [_("请选择调解组织类型。")]
    name = " ".join((name or "").split())[:120]
    if len(name) < 2:
        errors["name"] = [_("请填写调解组织名称。")]
    if unit is None or not path_in_scope(unit.path):
        errors["unit"] = [_("所属单位不存在或不在您的管辖范围内。")]
    codes = [c.strip().upper() for c in (industries or "").replace("，", ",").split(",") if c.strip()]
    if any(c not in Industry.values for c in codes):
        errors["industries"] = [_("行业请填写国民经济行业门类字母（A–T），逗号分隔。")]
    if kind == BodyKind.ENTERPRISE_COMMITTEE and employer is None:
        errors["employer"] = [_("企业调解委员会请选择所在企业。")]
    if employer is not None and unit is not None and not employer.unit.path.startswith(unit.path):
        errors["employer"] = [_("该企业不在所属单位的范围内。")]
    if not covers_subtree and not codes and employer is None:
        errors["industries"] = [_("不按辖区受理时，请填写受理的行业。")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        body = MediationBody.objects.create(
            kind=kind,
            name=name,
            unit=unit,
            covers_subtree=covers_subtree,
            industries=",".join(codes),
            employer=employer if kind == BodyKind.ENTERPRISE_COMMITTEE else None,
            address=(address or "").strip()[:200],
            phone=(phone or "").strip()[:40],
        )
        audit_record(actor=by, action=AuditAction.CREATE, obj=body)
    return body


def mediator_add(
    *, by, body: MediationBody, kind: str, staff=None, name: str = "", qualifications: str = ""
) -> Mediator:
    """Register a mediator of a body: a staff account (union staff, contracted lawyer) or
    an outside person by name."""
    check_permission(by, "mediation.configure")
    if kind not in MediatorKind.values:
        raise ValidationError({"kind": [_("请选择调解员类别。")]})
    if not path_in_scope(body.unit.path):
        raise ValidationError({"body": [_("调解组织不在您的管辖范围内。")]})
    if staff is not None:
        if staff.unit_id is None or not path_in_scope(staff.unit.path):
            raise ValidationError({"staff": [_("该工作人员不在您的管辖范围内。")]})
        name = name or staff.full_name or staff.username
    name = " ".join((name or "").split())[:60]
    if not name:
        raise ValidationError({"name": [_("请填写调解员姓名。")]})
    with transaction.atomic():
        if staff is not None and Mediator.objects.filter(body=body, staff=staff).exists():
            raise ValidationError({"staff": [_("该工作人员已是本组织的调解员。")]})
        mediator = Mediator.objects.create(
            body=body, kind=kind, staff=staff, name=name, qualifications=(qualifications or "").strip()[:300]
        )
        audit_record(actor=by, action=AuditAction.CREATE, obj=mediator, scope_path=body.unit.path)
    return mediator


def body_competent(body: MediationBody, employer: Employer) -> bool:
    """Whether the body may take a dispute with this employer (see MediationBody)."""
    if body.employer_id:
        return body.employer_id == employer.pk
    with scopes_disabled():
        unit_path = employer.unit.path
        district_path = employer.district.path
    if body.covers_subtree and not (unit_path.startswith(body.unit.path) or district_path.startswith(body.unit.path)):
        return False
    codes = body.industry_list
    return not codes or employer.industry in codes


# --- Opening a case -------------------------------------------------------------------------


def _next_number(year: int) -> str:
    with scopes_disabled():
        counter, _created = CaseNumberCounter.objects.select_for_update().get_or_create(year=year)
        counter.last += 1
        counter.save(update_fields=["last"])
    return f"TJ{year}-{counter.last:06d}"


def _clean_workers(workers) -> list[dict]:
    """Each worker: name, phone (required: the day-15 notice goes there), ID number
    (optional). Errors name the row."""
    rows, problems, seen = [], [], set()
    for i, w in enumerate(workers, start=1):
        try:
            name = validate_name(w.get("name", ""))
        except ValidationError as e:
            problems.append(_("第%(n)s位职工：%(e)s") % {"n": i, "e": " ".join(e.messages)})
            continue
        try:
            phone = parse_mobile(w.get("phone", ""))
        except ValidationError as e:
            problems.append(_("第%(n)s位职工（%(name)s）：%(e)s") % {"n": i, "name": name, "e": " ".join(e.messages)})
            continue
        identity = None
        if (w.get("id_number") or "").strip():
            try:
                identity = parse_id_number(w["id_number"]).value
            except ValidationError as e:
                problems.append(
                    _("第%(n)s位职工（%(name)s）：%(e)s") % {"n": i, "name": name, "e": " ".join(e.messages)}
                )
                continue
        key = identity or phone
        if key in seen:
            problems.append(_("第%(n)s位职工（%(name)s）重复登记。") % {"n": i, "name": name})
            continue
        seen.add(key)
        rows.append({"name": name, "phone": phone, "id_number": identity})
    if problems:
        raise ValidationError({"workers": problems})
    if not rows:
        raise ValidationError({"workers": [_("请至少登记一位申请调解的职工。")]})
    if len(rows) > MAX_WORKERS:
        raise ValidationError({"workers": [_("一个案件最多登记1000位职工。")]})
    return rows


def _clean_claims(claims, applied_on: dt.date) -> list[dict]:
    rows, problems = [], []
    for i, c in enumerate(claims, start=1):
        kind = c.get("type", "")
        if kind not in ClaimType.values:
            problems.append(_("第%(n)s项请求：请选择请求类型。") % {"n": i})
            continue
        label = ClaimType(kind).label
        try:
            amount = clean_amount(c.get("amount"), "amount")
        except ValidationError as e:
            problems.append(_("%(t)s：%(e)s") % {"t": label, "e": " ".join(e.messages)})
            continue
        arose_on = c.get("arose_on") or None
        if isinstance(arose_on, str):
            try:
                arose_on = dt.date.fromisoformat(arose_on)
            except ValueError:
                problems.append(_("%(t)s：争议发生日期格式应为 2026-01-31。") % {"t": label})
                continue
        if arose_on is not None and arose_on > applied_on:
            problems.append(_("%(t)s：争议发生日期不能晚于申请日期。") % {"t": label})
            continue
        rows.append({"type": kind, "amount": amount, "arose_on": arose_on, "note": (c.get("note") or "").strip()[:300]})
    if problems:
        raise ValidationError({"claims": problems})
    if not rows:
        raise ValidationError({"claims": [_("请至少填写一项请求及金额。")]})
    return rows


def limitation_warnings(claims: list[dict], applied_on: dt.date) -> list[str]:
    """劳动争议调解仲裁法 第二十七条: the limitation period for arbitration is one year from
    when the party knew or should have known of the infringement. A warning, not a refusal:
    the period can be interrupted or suspended, and unpaid wages during employment are not
    bound by it."""
    limit = one_year_before(applied_on)
    return [
        _("%(t)s的争议发生于%(d)s，距申请已超过一年，可能超过仲裁时效，请告知当事人。")
        % {"t": ClaimType(c["type"]).label, "d": c["arose_on"].isoformat()}
        for c in claims
        if c["arose_on"] is not None and c["arose_on"] < limit
    ]


def case_open(
    *,
    by,
    body: MediationBody,
    employer: Employer,
    source: str,
    description: str,
    workers: list[dict],
    claims: list[dict],
    applied_on: dt.date | None = None,
    handoff=None,
    referral_ref: str = "",
    mediators: list[Mediator] | None = None,
    auto_assign: bool = True,
) -> MediationCase:
    """Register a mediation application. From an appeal, the appeal's worker is the first
    applicant and the case takes the hand-off (``handoff``: kind "mediation", still
    "requested"): its ``target_ref`` becomes the case number and its status "taken".
    Checks that the body may take a dispute with this employer; warns (case history and
    ``limitation_warning``) when a claim looks past the one-year limitation period; assigns
    the given mediators, else the body's active mediator with the fewest open cases."""
    from gonghui.appeals.models import AppealHandoff, HandoffKind, HandoffStatus

    check_permission(by, "mediation.handle")
    today = timezone.localdate()
    applied_on = applied_on or today
    if handoff is not None:
        # The appeal's worker is the first applicant; the others are added with them.
        appeal = handoff.appeal
        workers = [{"name": appeal.worker_name, "phone": pii.decrypt(appeal.phone_cipher)}, *workers]
    errors: dict[str, list[str]] = {}
    if source not in CaseSource.values:
        errors["source"] = [_("请选择案件来源。")]
    if source == CaseSource.APPEAL and handoff is None:
        errors["source"] = [_("诉求转办的案件请从转办记录受理。")]
    if source in (CaseSource.ARBITRATION, CaseSource.COURT) and not (referral_ref or "").strip():
        errors["referral_ref"] = [_("仲裁委或法院委托的案件请填写委托文号。")]
    if body is None or not path_in_scope(body.unit.path) or not body.is_active:
        errors["body"] = [_("调解组织不存在或不在您的管辖范围内。")]
    if employer is None:
        errors["employer"] = [_("请选择用人单位。")]
    elif body is not None and "body" not in errors and not body_competent(body, employer):
        errors["employer"] = [
            _("%(b)s不受理%(e)s的争议（不在其辖区或行业范围内），请选择有管辖权的调解组织。")
            % {"b": body.name, "e": employer.name}
        ]
    if applied_on > today:
        errors["applied_on"] = [_("申请日期不能晚于今天。")]
    text = (description or "").strip()
    if len(text) < 5:
        errors["description"] = [_("请填写争议事项（至少5个字）。")]
    worker_rows = claim_rows = []
    try:
        worker_rows = _clean_workers(workers)
    except ValidationError as e:
        errors.update(e.message_dict)
    try:
        claim_rows = _clean_claims(claims, applied_on)
    except ValidationError as e:
        errors.update(e.message_dict)
    for m in mediators or []:
        if m.body_id != getattr(body, "pk", None) or not m.is_active:
            errors["mediators"] = [_("只能指派本调解组织在岗的调解员。")]
    if errors:
        raise ValidationError(errors)
    warnings = limitation_warnings(claim_rows, applied_on)

    from gonghui.members.models import Member, MemberStatus
    from gonghui.members.services import id_number_hash, phone_hash

    with transaction.atomic():
        appeal = None
        if handoff is not None:
            with scopes_disabled():
                locked_handoff = (
                    AppealHandoff.objects.select_for_update(of=("self",))
                    .select_related("appeal", "unit")
                    .get(pk=handoff.pk)
                )
            if locked_handoff.kind != HandoffKind.MEDIATION:
                raise ValidationError(_("该转办不是劳动争议调解。"))
            if locked_handoff.status != HandoffStatus.REQUESTED:
                raise ValidationError(_("该转办已被受理（案件%(r)s）。") % {"r": locked_handoff.target_ref or "—"})
            if not path_in_scope(locked_handoff.unit.path):
                raise ValidationError(_("该转办不是转给您单位的。"))
            appeal = locked_handoff.appeal
        case = MediationCase.objects.create(
            number=_next_number(applied_on.year),
            body=body,
            employer=employer,
            source=source,
            appeal=appeal,
            referral_ref=(referral_ref or "").strip()[:60],
            description=text[:5000],
            applied_on=applied_on,
            due_on=applied_on + dt.timedelta(days=MEDIATION_DAYS),
            limitation_warning=bool(warnings),
            created_by=by,
        )
        for w in worker_rows:
            with scopes_disabled():
                member = None
                if w["id_number"]:
                    member = Member.objects.filter(
                        id_number_hash=id_number_hash(w["id_number"]), status=MemberStatus.ACTIVE
                    ).first()
                if member is None:
                    found = list(
                        Member.objects.filter(phone_hash=phone_hash(w["phone"]), status=MemberStatus.ACTIVE)[:2]
                    )
                    member = found[0] if len(found) == 1 else None
            CaseWorker.objects.create(
                case=case,
                member=member,
                name=w["name"],
                id_number_cipher=pii.encrypt(w["id_number"]) if w["id_number"] else None,
                id_number_hash=id_number_hash(w["id_number"]) if w["id_number"] else None,
                id_number_masked=pii.mask_id_number(w["id_number"]) if w["id_number"] else "",
                phone_cipher=pii.encrypt(w["phone"]),
                phone_hash=phone_hash(w["phone"]),
                phone_masked=pii.mask_phone(w["phone"]),
            )
        Claim.objects.bulk_create([Claim(case=case, **c) for c in claim_rows])
        _event(
            case,
            CaseEventKind.STATUS,
            by,
            to_status=CaseStatus.APPLIED,
            note=_("登记调解申请：%(n)s位职工，%(c)s项请求，合计%(s)s元。")
            % {"n": len(worker_rows), "c": len(claim_rows), "s": sum(c["amount"] for c in claim_rows)},
        )
        for warning in warnings:
            _event(case, CaseEventKind.WARNING, by, note=warning)
        if handoff is not None:
            locked_handoff.target_ref = case.number
            locked_handoff.status = HandoffStatus.TAKEN
            locked_handoff.save(update_fields=["target_ref", "status", "updated_at"])
        audit_record(
            actor=by,
            action=AuditAction.CREATE,
            obj=case,
            changes={"workers": len(worker_rows), "claims": len(claim_rows), "source": source},
            note=f"handoff {handoff.pk}" if handoff is not None else "",
        )
        if mediators:
            for i, m in enumerate(mediators):
                _assign(case, m, by, is_lead=i == 0)
        elif auto_assign:
            m = least_loaded_mediator(body)
            if m is not None:
                _assign(case, m, by, is_lead=True, why=_("按在办案件最少自动指派"))
    case.warnings = warnings
    return case


def least_loaded_mediator(body: MediationBody) -> Mediator | None:
    """The body's active mediator with the fewest open cases (ties: registered first)."""
    with scopes_disabled():
        return (
            Mediator.objects.filter(body=body, is_active=True)
            .annotate(load=Count("assignments", filter=Q(assignments__case__status__in=OPEN_STATUSES)))
            .order_by("load", "id")
            .first()
        )


def _assign(case, mediator, by, *, is_lead=False, why="") -> CaseAssignment:
    assignment, created = CaseAssignment.objects.get_or_create(
        case=case, mediator=mediator, defaults={"is_lead": is_lead, "by": by}
    )
    if not created:
        raise ValidationError({"mediator": [_("%(m)s已在本案中。") % {"m": mediator.name}]})
    _event(
        case,
        CaseEventKind.ASSIGN,
        by,
        note=_("指派调解员：%(m)s%(w)s") % {"m": mediator.name, "w": f"（{why}）" if why else ""},
    )
    audit_record(actor=by, action=AuditAction.UPDATE, obj=case, changes={"mediator": [None, mediator.pk]})
    return assignment


def case_assign(*, by, case: MediationCase, mediator: Mediator | None = None) -> CaseAssignment:
    """Add a mediator to the case: the one chosen, or the least loaded of the body."""
    check_permission(by, "mediation.handle")
    with transaction.atomic():
        locked = _lock(case)
        check_case_access(by, locked)
        if not locked.is_open:
            raise ValidationError(_("案件已结束，不能再指派调解员。"))
        if mediator is None:
            mediator = least_loaded_mediator(locked.body)
            if mediator is None:
                raise ValidationError({"mediator": [_("本调解组织没有在岗的调解员。")]})
            why = _("按在办案件最少自动指派")
        else:
            why = ""
        if mediator.body_id != locked.body_id or not mediator.is_active:
            raise ValidationError({"mediator": [_("只能指派本调解组织在岗的调解员。")]})
        return _assign(locked, mediator, by, is_lead=not locked.assignments.exists(), why=why)


# --- The workflow ---------------------------------------------------------------------------


def case_accept(*, by, case: MediationCase, note: str = "") -> MediationCase:
    with transaction.atomic():
        locked = _lock(case)
        check_case_access(by, locked)
        return _transition(locked, CaseStatus.ACCEPTED, by, note=(note or "").strip() or _("受理调解申请。"))


def session_schedule(
    *, by, case: MediationCase, scheduled_at: dt.datetime, mode: str, location: str = ""
) -> MediationSession:
    """安排调解: in person (a place) or remote (a video-conference room of its own). The
    first session of an accepted case starts the mediation."""
    from gonghui.kiosk.services import meeting_link

    if mode not in SessionMode.values:
        raise ValidationError({"mode": [_("请选择调解方式。")]})
    if scheduled_at is None:
        raise ValidationError({"scheduled_at": [_("请填写调解时间。")]})
    location = (location or "").strip()[:200]
    if mode == SessionMode.IN_PERSON and not location:
        raise ValidationError({"location": [_("现场调解请填写地点。")]})
    with transaction.atomic():
        locked = _lock(case)
        check_case_access(by, locked)
        if locked.status not in (CaseStatus.ACCEPTED, CaseStatus.IN_MEDIATION):
            if locked.status == CaseStatus.APPLIED:
                raise ValidationError(_("请先受理该案件，再安排调解。"))
            raise ValidationError(
                _("案件已%(s)s，不能再安排调解。") % {"s": CaseStatus(locked.status).label}, code="case_closed"
            )
        if scheduled_at < timezone.now() - dt.timedelta(days=30):
            raise ValidationError({"scheduled_at": [_("调解时间不能早于30天前。")]})
        n = locked.sessions.count() + 1
        session = MediationSession.objects.create(
            case=locked,
            scheduled_at=scheduled_at,
            mode=mode,
            location=location,
            meeting_link=meeting_link(f"{locked.number}-{n}") if mode == SessionMode.REMOTE else "",
        )
        note = _("第%(n)s次调解：%(t)s，%(m)s%(l)s") % {
            "n": n,
            "t": timezone.localtime(scheduled_at).strftime("%Y-%m-%d %H:%M"),
            "m": SessionMode(mode).label,
            "l": f"（{location}）" if location else "",
        }
        if locked.status == CaseStatus.ACCEPTED:
            _transition(locked, CaseStatus.IN_MEDIATION, by, note=note)
        else:
            _event(locked, CaseEventKind.SESSION, by, note=note)
        audit_record(actor=by, action=AuditAction.CREATE, obj=session, scope_path=locked.body.unit.path)
    return session


def session_record(*, by, session: MediationSession, attended: bool, minutes: str) -> MediationSession:
    """The session took place (or did not): attendance and the minutes (调解笔录)."""
    minutes = (minutes or "").strip()
    if attended and len(minutes) < 5:
        raise ValidationError({"minutes": [_("请填写调解笔录（至少5个字）。")]})
    with transaction.atomic():
        locked = _lock(session.case)
        check_case_access(by, locked)
        if locked.status != CaseStatus.IN_MEDIATION:
            raise ValidationError(_("案件不在调解中，不能记录调解会。"))
        row = MediationSession.objects.select_for_update().get(pk=session.pk, case=locked)
        if row.recorded_at is not None:
            raise ValidationError(_("该次调解已记录。"))
        row.attended, row.minutes, row.recorded_at = bool(attended), minutes[:10000], timezone.now()
        row.save(update_fields=["attended", "minutes", "recorded_at"])
        _event(
            locked,
            CaseEventKind.SESSION,
            by,
            note=(_("调解会已举行：") if attended else _("当事人未到场：")) + minutes[:500],
        )
        audit_record(actor=by, action=AuditAction.UPDATE, obj=row, scope_path=locked.body.unit.path)
    return row


def case_extend(*, by, case: MediationCase, until: dt.date, note: str) -> MediationCase:
    """双方当事人同意延长调解期限: recorded with who and when; the day-15 notice then waits
    for the new date."""
    note = (note or "").strip()
    if len(note) < 4:
        raise ValidationError({"note": [_("请写明双方同意延期的情况（如：双方于调解会上书面同意）。")]})
    with transaction.atomic():
        locked = _lock(case)
        check_case_access(by, locked)
        if not locked.is_open:
            raise ValidationError(_("案件已结束，不能延期。"))
        if until is None or until <= locked.effective_due:
            raise ValidationError({"until": [_("延长后的期限应晚于当前期限（%(d)s）。") % {"d": locked.effective_due}]})
        if until > locked.applied_on + dt.timedelta(days=90):
            raise ValidationError({"until": [_("调解期限自申请起最长延至90日，逾期请引导当事人申请仲裁。")]})
        before = locked.effective_due
        locked.extended_until, locked.extension_note = until, note[:500]
        locked.extension_by, locked.extension_at, locked.flagged_at = by, timezone.now(), None
        locked.save(
            update_fields=[
                "extended_until",
                "extension_note",
                "extension_by",
                "extension_at",
                "flagged_at",
                "updated_at",
            ]
        )
        _event(locked, CaseEventKind.EXTEND, by, note=_("双方同意延长调解期限至%(d)s：%(n)s") % {"d": until, "n": note})
        audit_record(actor=by, action=AuditAction.UPDATE, obj=locked, changes={"due": [before, until]}, note=note)
    return locked


def case_agree(
    *,
    by,
    case: MediationCase,
    amounts: dict,
    schedule: list[tuple],
    terms: str = "",
    signed_on: dt.date | None = None,
) -> Agreement:
    """达成调解协议. ``amounts``: ``{claim id: (amount, note)}`` for every claim — an amount
    above the claim needs a note saying why (e.g. interest agreed); ``schedule``:
    ``[(due date, amount), …]`` adding up exactly to the total agreed."""
    signed_on = signed_on or timezone.localdate()
    with transaction.atomic():
        locked = _lock(case)
        check_case_access(by, locked)
        if locked.status != CaseStatus.IN_MEDIATION:
            raise ValidationError(_("只有调解中的案件可以登记调解协议。"))
        claims = list(locked.claims.order_by("id"))
        problems, items = [], []
        for claim in claims:
            raw, note = amounts.get(claim.pk, amounts.get(str(claim.pk), (None, "")))
            label = claim.get_type_display()
            if raw in (None, ""):
                problems.append(_("%(t)s：请填写协议金额（不支持的请求填0）。") % {"t": label})
                continue
            try:
                amount = clean_amount(raw, "amount", allow_zero=True)
            except ValidationError as e:
                problems.append(_("%(t)s：%(e)s") % {"t": label, "e": " ".join(e.messages)})
                continue
            note = (note or "").strip()
            if amount > claim.amount and not note:
                problems.append(
                    _("%(t)s：协议金额%(a)s元高于请求金额%(c)s元，请在说明中写明原因。")
                    % {"t": label, "a": amount, "c": claim.amount}
                )
                continue
            items.append((claim, amount, note[:300]))
        if problems:
            raise ValidationError({"amounts": problems})
        total = sum((a for _c, a, _n in items), Decimal("0.00"))
        rows, schedule_problems = [], []
        for i, (due_on, raw) in enumerate(schedule or [], start=1):
            if isinstance(due_on, str):
                try:
                    due_on = dt.date.fromisoformat(due_on)
                except ValueError:
                    due_on = None
            if due_on is None:
                schedule_problems.append(_("第%(n)s期：请填写支付期限。") % {"n": i})
                continue
            try:
                rows.append((due_on, clean_amount(raw, "amount")))
            except ValidationError as e:
                schedule_problems.append(_("第%(n)s期：%(e)s") % {"n": i, "e": " ".join(e.messages)})
        if len(rows) > MAX_SCHEDULE_ROWS:
            schedule_problems.append(_("支付计划最多36期。"))
        if not schedule_problems and total > 0 and sum((a for _d, a in rows), Decimal("0.00")) != total:
            schedule_problems.append(
                _("支付计划合计%(s)s元，与协议金额合计%(t)s元不一致。")
                % {"s": sum((a for _d, a in rows), Decimal("0.00")), "t": total}
            )
        if any(d < signed_on for d, _a in rows):
            schedule_problems.append(_("支付期限不能早于协议签订日期。"))
        if schedule_problems:
            raise ValidationError({"schedule": schedule_problems})
        agreement = Agreement.objects.create(
            case=locked, terms=(terms or "").strip()[:5000], signed_on=signed_on, created_by=by
        )
        AgreementItem.objects.bulk_create(
            [AgreementItem(agreement=agreement, claim=c, amount=a, note=n) for c, a, n in items]
        )
        ScheduledPayment.objects.bulk_create(
            [ScheduledPayment(agreement=agreement, due_on=d, amount=a) for d, a in rows]
        )
        _transition(
            locked,
            CaseStatus.AGREED,
            by,
            note=_("达成调解协议，协议金额合计%(t)s元，分%(n)s期支付。") % {"t": total, "n": len(rows)},
            outcome_at=timezone.now(),
        )
        audit_record(
            actor=by,
            action=AuditAction.CREATE,
            obj=agreement,
            scope_path=locked.body.unit.path,
            changes={"total": str(total), "items": {str(c.pk): str(a) for c, a, _n in items}},
        )
    return agreement


def agreement_totals(agreement: Agreement) -> dict:
    with scopes_disabled():
        agreed = agreement.items.aggregate(s=Sum("amount"))["s"] or Decimal("0.00")
        paid = Payment.objects.filter(agreement=agreement).aggregate(s=Sum("amount"))["s"] or Decimal("0.00")
    return {"agreed": agreed, "paid": paid, "outstanding": agreed - paid}


def payment_record(*, by, case: MediationCase, amount, paid_on: dt.date | None = None, note: str = "") -> Payment:
    """履行: a payment the employer made. Never more than what is still outstanding."""
    amount = clean_amount(amount, "amount")
    paid_on = paid_on or timezone.localdate()
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": [_("支付日期不能晚于今天。")]})
    with transaction.atomic():
        locked = _lock(case)
        check_case_access(by, locked)
        if locked.status not in (CaseStatus.AGREED, CaseStatus.CLOSED):
            raise ValidationError(_("该案件没有调解协议，不能登记履行付款。"))
        agreement = Agreement.objects.select_for_update().get(case=locked)
        if paid_on < agreement.signed_on:
            raise ValidationError({"paid_on": [_("支付日期不能早于协议签订日期。")]})
        totals = agreement_totals(agreement)
        if amount > totals["outstanding"]:
            raise ValidationError(
                {"amount": [_("付款%(a)s元超过尚未支付的%(o)s元。") % {"a": amount, "o": totals["outstanding"]}]},
                code="overpaid",
            )
        payment = Payment.objects.create(
            agreement=agreement, paid_on=paid_on, amount=amount, note=(note or "").strip()[:300], by=by
        )
        _event(
            locked,
            CaseEventKind.PAYMENT,
            by,
            note=_("%(d)s 支付%(a)s元，尚欠%(o)s元。")
            % {"d": paid_on, "a": amount, "o": totals["outstanding"] - amount},
        )
        audit_record(
            actor=by,
            action=AuditAction.CREATE,
            obj=payment,
            scope_path=locked.body.unit.path,
            changes={"amount": str(amount)},
        )
    return payment


def case_refer_to_arbitration(*, by, case: MediationCase, note: str) -> MediationCase:
    """调解不成: the case goes to the labour arbitration commission (with its file, see
    exports.case_file_xlsx)."""
    note = (note or "").strip()
    if len(note) < 4:
        raise ValidationError({"note": [_("请写明调解不成的情况。")]})
    with transaction.atomic():
        locked = _lock(case)
        check_case_access(by, locked)
        return _transition(locked, CaseStatus.NO_AGREEMENT, by, note=note, outcome_at=timezone.now())


def case_withdraw(*, by, case: MediationCase, note: str = "") -> MediationCase:
    with transaction.atomic():
        locked = _lock(case)
        check_case_access(by, locked)
        return _transition(
            locked,
            CaseStatus.WITHDRAWN,
            by,
            note=(note or "").strip() or _("申请人撤回调解申请。"),
            outcome_at=timezone.now(),
        )


def case_close(*, by, case: MediationCase, note: str = "") -> MediationCase:
    """结案. The appeal's hand-off, if the case came from one, is reported done."""
    from gonghui.appeals.models import AppealHandoff, HandoffStatus

    with transaction.atomic():
        locked = _lock(case)
        check_case_access(by, locked)
        closed = _transition(
            locked, CaseStatus.CLOSED, by, note=(note or "").strip() or _("结案。"), closed_at=timezone.now()
        )
        if closed.appeal_id:
            with scopes_disabled():
                handoff = (
                    AppealHandoff.objects.select_for_update()
                    .filter(appeal_id=closed.appeal_id, target_ref=closed.number, status=HandoffStatus.TAKEN)
                    .first()
                )
                if handoff is not None:
                    handoff.status = HandoffStatus.DONE
                    handoff.save(update_fields=["status", "updated_at"])
    return closed


def case_note(*, by, case: MediationCase, note: str) -> CaseEvent:
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": [_("请填写办理记录。")]})
    with transaction.atomic():
        locked = _lock(case)
        check_case_access(by, locked)
        return _event(locked, CaseEventKind.NOTE, by, note=note)


# --- The day-15 sweep (run by the scheduler) ------------------------------------------------


def _sms(phone_cipher: bytes, text: str) -> None:
    from gonghui.portal.sms import get_backend

    try:
        get_backend().send(pii.decrypt(phone_cipher), text)
    except Exception:  # a failed text must not undo the flag: log it and go on
        logger.exception("SMS to a mediation party failed")


def mediation_check_deadlines(now: dt.datetime | None = None) -> dict:
    """Day 15 (劳动争议调解仲裁法 第十四条): an open case with no agreement fifteen days
    after the application may go to arbitration. Flag it, tell its mediators (a case
    event: their work list shows flagged cases) and the workers (SMS, after commit).
    Cases whose parties agreed to extend wait for the extended date. Idempotent."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    flagged = 0
    with scopes_disabled():
        candidates = list(
            MediationCase.objects.filter(status__in=OPEN_STATUSES, flagged_at__isnull=True)
            .filter(Q(extended_until__isnull=True, due_on__lte=today) | Q(extended_until__lte=today))
            .values_list("pk", flat=True)
        )
        for pk in candidates:
            with transaction.atomic():
                case = (
                    MediationCase.objects.select_for_update(of=("self",))
                    .select_related("body__unit")
                    .filter(pk=pk, status__in=OPEN_STATUSES, flagged_at__isnull=True)
                    .first()
                )
                if case is None or case.effective_due > today:
                    continue
                case.flagged_at = now
                case.save(update_fields=["flagged_at", "updated_at"])
                _event(
                    case,
                    CaseEventKind.FLAG,
                    None,
                    actor_name="scheduler",
                    note=_("自申请之日起已满%(d)s日未达成调解协议，当事人可以依法申请劳动仲裁。")
                    % {"d": (case.effective_due - case.applied_on).days},
                )
                names = [a.mediator.name for a in case.assignments.select_related("mediator")]
                _event(
                    case,
                    CaseEventKind.NOTIFY,
                    None,
                    actor_name="scheduler",
                    note=_("已提醒调解员%(m)s：调解期限已满，请告知当事人可申请仲裁或办理延期。")
                    % {"m": "、".join(names) or _("（未指派）")},
                )
                text = _(
                    "您的劳动争议调解申请（案件%(n)s）自申请之日起已满15日未达成协议，您可以依法向劳动人事争议仲裁委员会申请仲裁。"
                ) % {"n": case.number}
                for cipher in case.workers.values_list("phone_cipher", flat=True):
                    transaction.on_commit(lambda c=cipher, t=text: _sms(c, t))
                _event(
                    case,
                    CaseEventKind.NOTIFY,
                    None,
                    actor_name="scheduler",
                    note=_("已短信通知%(n)s位职工。") % {"n": case.workers.count()},
                )
                audit_record(
                    actor=None,
                    actor_name="scheduler",
                    action=AuditAction.UPDATE,
                    obj=case,
                    changes={"flagged_at": [None, now]},
                    note="day 15",
                )
                flagged += 1
    return {"flagged": flagged}
