"""Writes for mutual-aid insurance (职工互助保障): plans, enrolment batches, claims.

Every function checks who acts and the current state, runs in one database transaction
with the rows it depends on locked, writes a history row and an audit row. Money moves
only through ``gonghui.fund.services.transaction_post``:

* confirming an enrolment batch posts the premiums from the account the staff chose to
  the plan's account, keyed ``mutualaid:batch:<id>``;
* paying a claim posts from the plan's account to the plan unit's payout account, keyed
  ``mutualaid:claim:<id>``, so a double click, a retry or two approvers at once pay once.

A member's yearly limit is checked with the member's enrolment row locked: two claims of
one member approved at the same moment queue, and the second sees the first
(tests/test_races.py shows the race without the lock).
"""

import datetime as dt
import hashlib
import secrets
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from gonghui.core.audit import audit_record
from gonghui.core.models import AuditAction
from gonghui.core.scoping import path_in_scope, scopes_disabled
from gonghui.fund import services as fund
from gonghui.fund.models import Account, AccountKind
from gonghui.members.models import Member, MemberStatus
from gonghui.mutualaid.models import (
    CLAIM_PIPELINE,
    COMMITTED,
    PLAN_PIPELINE,
    BatchStatus,
    Claim,
    ClaimDocument,
    ClaimEvent,
    ClaimStatus,
    Enrolment,
    EnrolmentBatch,
    Plan,
    PlanKind,
    PlanStatus,
)
from gonghui.orgs.models import Unit, UnitKind

# Enrolments are written in chunks: a district's batch may hold hundreds of thousands of
# members. The demo confirms a batch synchronously in the request.
ENROL_CHUNK = 2000
# Sanity bounds on what staff type in: beyond these the figure is a typing error.
MAX_PLAN_AMOUNT = Decimal("10000000")
MAX_EXPENSES = Decimal("100000000")
MAX_HOSPITAL_DAYS = 366
MAX_WAITING_DAYS = 365
# Where a batch's premiums may come from: the union's own money, not a programme's.
SOURCE_KINDS = (AccountKind.FUND, AccountKind.DISTRICT)


def check_permission(by, permission):
    if by is None or not by.can(permission):
        raise PermissionDenied(_("您没有执行此操作的权限。"))


def _check_upper_level(by, unit: Unit):
    """Approval and payment are the district's (or the city's) decision over its own
    subtree, never a station's."""
    if (
        by.unit is None
        or by.unit.kind not in (UnitKind.CITY_FEDERATION, UnitKind.DISTRICT_UNION)
        or not unit.path.startswith(by.unit.path)
    ):
        raise PermissionDenied(_("只有区总工会（或市总工会）可以审批和给付互助金。"))


def _amount(value, field: str, *, label: str, allow_zero: bool = False, upper: Decimal = MAX_PLAN_AMOUNT) -> Decimal:
    """A positive amount of yuan to the fen, refused with the field's name otherwise."""
    if value in (None, ""):
        raise ValidationError({field: _("请填写%(f)s。") % {"f": label}})
    try:
        amount = fund.money(value)
    except ValidationError as e:
        raise ValidationError({field: e.messages}) from None
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationError({field: _("%(f)s必须大于零。") % {"f": label}}, code="amount_not_positive")
    if amount > upper:
        raise ValidationError(
            {field: _("%(f)s%(a)s元超出合理范围，请核对。") % {"f": label, "a": amount}}, code="amount_absurd"
        )
    return amount


def _date(value, field: str, label: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        parsed = parse_date(str(value or "").strip())
    except ValueError:
        parsed = None
    if parsed is None:
        raise ValidationError({field: _("%(f)s不是有效的日期（格式：2025-03-01）。") % {"f": label}})
    return parsed


# --- Plans ---------------------------------------------------------------------------------------


def plan_create(
    *,
    by,
    name: str,
    kind: str,
    unit: Unit,
    year: int,
    premium,
    claim_limit,
    yearly_limit,
    waiting_days: int = 0,
    daily_allowance=None,
    reimbursement_ratio="1",
) -> Plan:
    """A city or district union sets up a plan (draft); its own ledger account is opened
    with it, so premiums and claims of one plan never mix with another's money."""
    check_permission(by, "mutualaid.manage")
    fund.check_fund_manager(by)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写计划名称。")})
    if kind not in PlanKind.values:
        raise ValidationError({"kind": _("未知的保障类型。")})
    if unit.kind not in (UnitKind.CITY_FEDERATION, UnitKind.DISTRICT_UNION) or not path_in_scope(unit.path):
        raise ValidationError({"unit": _("主办单位须为本单位范围内的市总工会或区总工会。")})
    try:
        year = int(year)
    except (TypeError, ValueError):
        year = 0
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("保障年度无效。")})
    premium = _amount(premium, "premium", label=_("每人年度互助金"))
    claim_limit = _amount(claim_limit, "claim_limit", label=_("单次给付限额"))
    yearly_limit = _amount(yearly_limit, "yearly_limit", label=_("每人年度给付限额"))
    if yearly_limit < claim_limit:
        raise ValidationError({"yearly_limit": _("每人年度给付限额不能低于单次给付限额。")})
    try:
        waiting_days = int(waiting_days or 0)
    except (TypeError, ValueError):
        waiting_days = -1
    if not 0 <= waiting_days <= MAX_WAITING_DAYS:
        raise ValidationError({"waiting_days": _("等待期应在0到365天之间。")})
    allowance = None
    if kind == PlanKind.HOSPITALISATION:
        allowance = _amount(daily_allowance, "daily_allowance", label=_("住院日津贴"))
        if allowance > claim_limit:
            raise ValidationError({"daily_allowance": _("住院日津贴不能高于单次给付限额。")})
        ratio = Decimal("1")
    else:
        try:
            ratio = Decimal(str(reimbursement_ratio or "1").strip())
        except ArithmeticError:
            ratio = Decimal("-1")
        if not ratio.is_finite() or not Decimal("0.01") <= ratio <= 1 or ratio != ratio.quantize(Decimal("0.01")):
            raise ValidationError({"reimbursement_ratio": _("给付比例应在0.01到1之间，如0.80。")})
    with transaction.atomic():
        account = fund.account_open(
            by=by,
            code=f"MA{year}-{unit.pk}-{secrets.token_hex(3).upper()}",
            name=_("%(y)s年%(n)s互助金") % {"y": year, "n": name[:80]},
            kind=AccountKind.PLAN,
            unit=unit,
        )
        plan = Plan.objects.create(
            name=name[:80],
            kind=kind,
            unit=unit,
            year=year,
            premium=premium,
            claim_limit=claim_limit,
            yearly_limit=yearly_limit,
            daily_allowance=allowance,
            reimbursement_ratio=ratio,
            waiting_days=waiting_days,
            account=account,
            created_by=by,
        )
        audit_record(
            actor=by,
            action=AuditAction.CREATE,
            obj=plan,
            changes={
                "premium": [None, premium],
                "claim_limit": [None, claim_limit],
                "yearly_limit": [None, yearly_limit],
                "waiting_days": [None, waiting_days],
                "account": [None, account.code],
            },
        )
    return plan


def _lock_plan(plan) -> Plan:
    with scopes_disabled():
        return Plan.objects.select_for_update(of=("self",)).select_related("unit", "account").get(pk=plan.pk)


def plan_set_status(*, by, plan: Plan, status: str) -> Plan:
    """Open a plan for enrolment, or close it (no new enrolments; claims for events in its
    year are still handled)."""
    check_permission(by, "mutualaid.manage")
    with transaction.atomic():
        locked = _lock_plan(plan)
        _check_upper_level(by, locked.unit)
        if status not in PLAN_PIPELINE[locked.status]:
            raise ValidationError(
                _("计划当前为“%(s)s”，不能改为“%(t)s”。")
                % {
                    "s": locked.get_status_display(),
                    "t": PlanStatus(status).label if status in PlanStatus.values else status,
                },
                code="bad_transition",
            )
        before, locked.status = locked.status, status
        locked.save(update_fields=["status"])
        audit_record(actor=by, action=AuditAction.UPDATE, obj=locked, changes={"status": [before, status]})
    return locked


# --- Enrolment -----------------------------------------------------------------------------------


def unenrolled_members(plan: Plan, unit: Unit):
    """Active members of the unit's subtree not yet enrolled in the plan."""
    with scopes_disabled():
        return Member.objects.filter(unit__path__startswith=unit.path, status=MemberStatus.ACTIVE).exclude(
            pk__in=Enrolment.objects.filter(plan=plan).values("member_id")
        )


def _plan_year_end(plan: Plan) -> dt.date:
    return dt.date(plan.year, 12, 31)


def batch_create(*, by, plan: Plan, unit: Unit, source: Account) -> EnrolmentBatch:
    """Draw up the enrolment of a unit's members: how many, and the premiums due. Nothing
    is enrolled or paid until the batch is confirmed."""
    check_permission(by, "mutualaid.manage")
    fund.check_fund_manager(by)
    if plan.status != PlanStatus.OPEN:
        raise ValidationError(_("计划当前为“%(s)s”，不能参保。") % {"s": plan.get_status_display()})
    if not unit.path.startswith(plan.unit.path) or not path_in_scope(unit.path):
        raise ValidationError({"unit": _("参保单位须在计划主办单位及本单位范围内。")})
    if source.kind not in SOURCE_KINDS or not path_in_scope(source.unit.path):
        raise ValidationError({"source": _("请选择本单位范围内的市级基金或区级拨付科目作为缴费来源。")})
    if timezone.localdate() > _plan_year_end(plan):
        raise ValidationError(_("%(y)s年度已结束，不能再参保。") % {"y": plan.year})
    count = unenrolled_members(plan, unit).count()
    if count == 0:
        raise ValidationError(_("“%(u)s”及下级没有尚未参保的在会会员。") % {"u": unit.name}, code="nobody")
    with transaction.atomic():
        batch = EnrolmentBatch.objects.create(
            plan=plan, unit=unit, source=source, members=count, premium_total=plan.premium * count, created_by=by
        )
        audit_record(
            actor=by,
            action=AuditAction.CREATE,
            obj=batch,
            changes={
                "members": [None, count],
                "premium_total": [None, batch.premium_total],
                "source": [None, source.code],
            },
        )
    return batch


def _lock_batch(batch) -> EnrolmentBatch:
    with scopes_disabled():
        return (
            EnrolmentBatch.objects.select_for_update(of=("self",))
            .select_related("plan__unit", "plan__account", "unit", "source")
            .get(pk=batch.pk)
        )


def batch_key(batch: EnrolmentBatch) -> str:
    return f"mutualaid:batch:{batch.pk}"


def batch_confirm(*, by, batch: EnrolmentBatch) -> EnrolmentBatch:
    """Enrol the members and post their premiums to the plan's account, all in one
    database transaction: if the source account cannot pay, no one is enrolled. The
    members are counted again under the plan's lock (members may have joined or been
    enrolled by another batch since); confirming twice changes nothing."""
    check_permission(by, "mutualaid.manage")
    fund.check_fund_manager(by)
    with transaction.atomic():
        locked = _lock_batch(batch)
        if locked.status == BatchStatus.CONFIRMED:
            return locked
        if not path_in_scope(locked.unit.path):
            raise PermissionDenied(_("只能为本单位及下级办理参保。"))
        # Serialise every confirmation of the plan: two batches over overlapping subtrees
        # cannot enrol one member twice (the unique constraint is the last line).
        plan = _lock_plan(locked.plan)
        if plan.status != PlanStatus.OPEN:
            raise ValidationError(_("计划当前为“%(s)s”，不能参保。") % {"s": plan.get_status_display()})
        today = timezone.localdate()
        if today > _plan_year_end(plan):
            raise ValidationError(_("%(y)s年度已结束，不能再参保。") % {"y": plan.year})
        covered_from = max(today + dt.timedelta(days=plan.waiting_days), dt.date(plan.year, 1, 1))
        members = unenrolled_members(plan, locked.unit).order_by("pk").values_list("pk", "unit_id")
        count, chunk = 0, []
        with scopes_disabled():
            for member_id, unit_id in members.iterator(chunk_size=ENROL_CHUNK):
                chunk.append(
                    Enrolment(
                        plan=plan,
                        member_id=member_id,
                        unit_id=unit_id,
                        batch=locked,
                        premium=plan.premium,
                        enrolled_on=today,
                        covered_from=covered_from,
                    )
                )
                if len(chunk) >= ENROL_CHUNK:
                    Enrolment.objects.bulk_create(chunk)
                    count, chunk = count + len(chunk), []
            if chunk:
                Enrolment.objects.bulk_create(chunk)
                count += len(chunk)
        if count == 0:
            raise ValidationError(_("“%(u)s”及下级已没有尚未参保的在会会员。") % {"u": locked.unit.name}, code="nobody")
        total = plan.premium * count
        txn = fund.transaction_post(
            by=by,
            entries=[(locked.source, -total), (plan.account, total)],
            memo=_("%(p)s互助金：%(u)s %(n)s人") % {"p": plan.name, "u": locked.unit.label, "n": count},
            ref=("mutualaid.batch", str(locked.pk)),
            idempotency_key=batch_key(locked),
            unit=locked.unit,
        )
        before = {"members": locked.members, "premium_total": locked.premium_total}
        locked.members, locked.premium_total = count, total
        locked.status, locked.confirmed_by, locked.confirmed_at, locked.transaction = (
            BatchStatus.CONFIRMED,
            by,
            timezone.now(),
            txn,
        )
        locked.save(update_fields=["members", "premium_total", "status", "confirmed_by", "confirmed_at", "transaction"])
        audit_record(
            actor=by,
            action=AuditAction.UPDATE,
            obj=locked,
            changes={
                "status": [BatchStatus.DRAFT, BatchStatus.CONFIRMED],
                "members": [before["members"], count],
                "premium_total": [before["premium_total"], total],
            },
            note=f"txn {txn.pk}",
        )
    return locked


# --- Claims ----------------------------------------------------------------------------------------


def claim_amount(plan: Plan, *, hospital_days=None, expenses=None) -> tuple[int | None, Decimal | None, Decimal]:
    """What a claim asks for under the plan's rule: (days, expenses, amount)."""
    if plan.per_day:
        try:
            days = int(str(hospital_days).strip())
        except (TypeError, ValueError):
            raise ValidationError({"hospital_days": _("请填写住院天数（整数）。")}) from None
        if not 1 <= days <= MAX_HOSPITAL_DAYS:
            raise ValidationError({"hospital_days": _("住院天数应在1到366天之间。")}, code="days_invalid")
        return days, None, (plan.daily_allowance * days).quantize(fund.CENT)
    spent = _amount(expenses, "expenses", label=_("医疗费用"), upper=MAX_EXPENSES)
    return None, spent, (spent * plan.reimbursement_ratio).quantize(fund.CENT)


def lock_enrolment(pk) -> Enrolment:
    """Serialise the limit checks of one member in one plan (the race test switches it off)."""
    with scopes_disabled():
        return Enrolment.objects.select_for_update(of=("self",)).select_related("plan", "member").get(pk=pk)


def committed(enrolment_id: int, exclude_pk=None) -> Decimal:
    """What is already approved or paid to the member in the plan's year."""
    with scopes_disabled():
        qs = Claim.objects.filter(enrolment_id=enrolment_id, status__in=COMMITTED)
        if exclude_pk is not None:
            qs = qs.exclude(pk=exclude_pk)
        return qs.aggregate(s=Sum("amount_approved"))["s"] or Decimal("0")


def remaining(enrolment: Enrolment, exclude_pk=None) -> Decimal:
    return max(enrolment.plan.yearly_limit - committed(enrolment.pk, exclude_pk), Decimal("0"))


def _check_limits(enrolment: Enrolment, amount: Decimal, exclude_pk=None):
    plan = enrolment.plan
    if amount > plan.claim_limit:
        raise ValidationError(
            _("超出保障限额：单次给付限额 %(l)s 元，本次 %(n)s 元。") % {"l": plan.claim_limit, "n": amount},
            code="over_claim_limit",
        )
    left = remaining(enrolment, exclude_pk)
    if amount > left:
        raise ValidationError(
            _("超出保障限额：本年度剩余 %(r)s 元，本次 %(n)s 元。") % {"r": left, "n": amount},
            code="over_yearly_limit",
        )


def _check_event_date(enrolment: Enrolment, event_date: dt.date):
    plan = enrolment.plan
    if event_date > timezone.localdate():
        raise ValidationError({"event_date": _("出险日期不能晚于今天。")}, code="event_in_future")
    if event_date.year != plan.year:
        raise ValidationError(
            {"event_date": _("出险日期不在%(y)s保障年度内。") % {"y": plan.year}}, code="event_outside_year"
        )
    if event_date < enrolment.covered_from:
        raise ValidationError(
            {
                "event_date": _("出险日期在等待期内：%(n)s自%(d)s起才能获得保障。")
                % {"n": enrolment.member.name, "d": enrolment.covered_from.isoformat()}
            },
            code="waiting_period",
        )


def _event(claim, from_status, to_status, by, note=""):
    ClaimEvent.objects.create(claim=claim, from_status=from_status, to_status=to_status, by=by, note=(note or "")[:500])


def _store_document(claim: Claim, by, upload, kind: str, content: bytes) -> ClaimDocument:
    from gonghui.core.uploads import stored_name

    document = ClaimDocument(
        claim=claim,
        original_name=(getattr(upload, "name", "") or "file")[-200:],
        content_type=kind,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=by,
    )
    document.stored.save(stored_name(claim.number, kind), ContentFile(content), save=False)
    document.save()
    return document


def claim_register(
    *, by, enrolment: Enrolment, event_date, hospital_days=None, expenses=None, description: str = "", documents=()
) -> Claim:
    """Register a claim for an enrolled member, with its evidence. Every figure, date and
    file is checked before anything is written; the limits are checked with the
    enrolment locked."""
    from gonghui.core.uploads import check_attachment

    check_permission(by, "mutualaid.claim")
    if not path_in_scope(enrolment.unit.path):
        raise PermissionDenied(_("只能为本单位及下级的会员登记给付申请。"))
    event_date = _date(event_date, "event_date", _("出险日期"))
    checked = [(upload, *check_attachment(upload)) for upload in documents or () if upload]
    with transaction.atomic():
        locked = lock_enrolment(enrolment.pk)
        plan = locked.plan
        if plan.status == PlanStatus.DRAFT:
            raise ValidationError(_("计划尚未开放，不能登记给付申请。"))
        _check_event_date(locked, event_date)
        days, spent, amount = claim_amount(plan, hospital_days=hospital_days, expenses=expenses)
        if amount <= 0:
            raise ValidationError({"expenses": _("按给付比例计算的金额为零。")}, code="amount_not_positive")
        _check_limits(locked, amount)
        claim = Claim.objects.create(
            enrolment=locked,
            plan=plan,
            member=locked.member,
            unit_id=locked.unit_id,
            event_date=event_date,
            hospital_days=days,
            expenses=spent,
            description=(description or "").strip()[:500],
            amount_claimed=amount,
            registered_by=by,
        )
        for upload, kind, content in checked:
            _store_document(claim, by, upload, kind, content)
        _event(claim, "", ClaimStatus.SUBMITTED, by, _("登记，申请给付 %(a)s 元") % {"a": amount})
        audit_record(
            actor=by,
            action=AuditAction.CREATE,
            obj=claim,
            changes={"amount_claimed": [None, amount], "event_date": [None, event_date.isoformat()]},
        )
    return claim


def lock_claim(pk) -> Claim:
    """Serialise decisions and payments of one claim."""
    with scopes_disabled():
        return (
            Claim.objects.select_for_update(of=("self",))
            .select_related("plan__account", "plan__unit", "member", "unit", "enrolment")
            .get(pk=pk)
        )


def _move(locked: Claim, to: str, by, note=""):
    if to not in CLAIM_PIPELINE[locked.status]:
        raise ValidationError(
            _("申请当前为“%(s)s”，不能改为“%(t)s”。") % {"s": locked.get_status_display(), "t": ClaimStatus(to).label},
            code="bad_transition",
        )
    before = locked.status
    locked.status = to
    if note:
        locked.decision_note = note[:500]
    _event(locked, before, to, by, note)
    return before


def claim_review(*, by, claim: Claim, note: str = "") -> Claim:
    """The station or unit checks the evidence and passes the claim on for approval."""
    check_permission(by, "mutualaid.claim")
    with transaction.atomic():
        locked = lock_claim(claim.pk)
        if not path_in_scope(locked.unit.path):
            raise PermissionDenied(_("只能审核本单位及下级的给付申请。"))
        before = _move(locked, ClaimStatus.REVIEWED, by, note or _("材料审核通过"))
        locked.reviewed_by = by
        locked.save(update_fields=["status", "reviewed_by", "decision_note"])
        audit_record(
            actor=by, action=AuditAction.UPDATE, obj=locked, changes={"status": [before, locked.status]}, note=note
        )
    return locked


def claim_approve(*, by, claim: Claim, amount=None, note: str = "") -> Claim:
    """The district or city fixes the amount to pay (at most what was claimed) within the
    plan's limits; never the person who reviewed the claim."""
    check_permission(by, "mutualaid.approve")
    with transaction.atomic():
        locked = lock_claim(claim.pk)
        _check_upper_level(by, locked.unit)
        if locked.reviewed_by_id is not None and locked.reviewed_by_id == by.pk:
            raise ValidationError(
                _("审核人不能审批自己审核的申请，请由其他工作人员审批。"), code="approver_is_reviewer"
            )
        if locked.status != ClaimStatus.REVIEWED:
            raise ValidationError(
                _("申请当前为“%(s)s”，须先审核再审批。") % {"s": locked.get_status_display()}, code="bad_transition"
            )
        approved = (
            locked.amount_claimed
            if amount in (None, "")
            else _amount(amount, "amount", label=_("核定给付金额"), upper=MAX_EXPENSES)
        )
        if approved > locked.amount_claimed:
            raise ValidationError(
                {"amount": _("核定给付金额不能高于申请金额 %(a)s 元。") % {"a": locked.amount_claimed}},
                code="over_claimed",
            )
        enrolment = lock_enrolment(locked.enrolment_id)
        _check_limits(enrolment, approved, exclude_pk=locked.pk)
        before = _move(locked, ClaimStatus.APPROVED, by, note or _("核定给付 %(a)s 元") % {"a": approved})
        locked.amount_approved, locked.approved_by = approved, by
        locked.save(update_fields=["status", "amount_approved", "approved_by", "decision_note"])
        audit_record(
            actor=by,
            action=AuditAction.UPDATE,
            obj=locked,
            changes={"status": [before, locked.status], "amount_approved": [None, approved]},
            note=note,
        )
    return locked


def claim_reject(*, by, claim: Claim, reason: str) -> Claim:
    """Refuse a claim with a reason: the station before review, the district after."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"note": _("请填写不予给付的原因。")}, code="reason_missing")
    with transaction.atomic():
        locked = lock_claim(claim.pk)
        if locked.status == ClaimStatus.REVIEWED:
            check_permission(by, "mutualaid.approve")
            _check_upper_level(by, locked.unit)
        else:
            check_permission(by, "mutualaid.claim")
            if not path_in_scope(locked.unit.path):
                raise PermissionDenied(_("只能办理本单位及下级的给付申请。"))
        before = _move(locked, ClaimStatus.REJECTED, by, reason)
        locked.save(update_fields=["status", "decision_note"])
        audit_record(
            actor=by, action=AuditAction.UPDATE, obj=locked, changes={"status": [before, locked.status]}, note=reason
        )
    return locked


def payment_key(claim: Claim) -> str:
    """The ledger's idempotency key for paying this claim (one payment, ever)."""
    return f"mutualaid:claim:{claim.pk}"


def claim_pay(*, by, claim: Claim):
    """Pay an approved claim from the plan's account. Paying it again — a retry, a double
    click, a second approver at the same moment — changes nothing and returns the first
    payment's transaction."""
    check_permission(by, "mutualaid.approve")
    with transaction.atomic():
        locked = lock_claim(claim.pk)
        _check_upper_level(by, locked.unit)
        if locked.status == ClaimStatus.PAID:
            with scopes_disabled():
                return fund.Transaction.objects.get(pk=locked.transaction_id)
        if locked.status != ClaimStatus.APPROVED:
            raise ValidationError(
                _("只有已批准的申请可以给付（当前为“%(s)s”）。") % {"s": locked.get_status_display()},
                code="bad_transition",
            )
        plan = locked.plan
        txn = fund.transaction_post(
            by=by,
            entries=[
                (plan.account, -locked.amount_approved),
                (fund.payout_account_for(plan.unit), locked.amount_approved),
            ],
            memo=_("%(p)s给付：%(n)s（%(c)s）") % {"p": plan.name, "n": locked.member.name, "c": locked.number},
            ref=("mutualaid.claim", str(locked.pk)),
            idempotency_key=payment_key(locked),
            unit=plan.unit,
        )
        before = _move(locked, ClaimStatus.PAID, by, _("记账凭证 #%(n)s") % {"n": txn.pk})
        locked.transaction, locked.paid_at = txn, timezone.now()
        locked.save(update_fields=["status", "transaction", "paid_at", "decision_note"])
        audit_record(
            actor=by,
            action=AuditAction.UPDATE,
            obj=locked,
            changes={"status": [before, locked.status]},
            note=f"txn {txn.pk}",
        )
    return txn


def claim_attach(*, by, claim: Claim, upload) -> ClaimDocument:
    """Add evidence to a claim still being decided; photos or PDFs by their content."""
    from gonghui.core.uploads import check_attachment

    check_permission(by, "mutualaid.claim")
    kind, content = check_attachment(upload)
    with transaction.atomic():
        locked = lock_claim(claim.pk)
        if not path_in_scope(locked.unit.path):
            raise PermissionDenied(_("只能为本单位及下级的给付申请上传材料。"))
        if locked.status in (ClaimStatus.PAID, ClaimStatus.REJECTED):
            raise ValidationError(_("申请已办结，不能再上传材料。"))
        document = _store_document(locked, by, upload, kind, content)
        audit_record(
            actor=by,
            action=AuditAction.CREATE,
            obj=locked,
            changes={"document": [None, document.original_name]},
            note=document.sha256,
        )
    return document
