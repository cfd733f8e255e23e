"""Cards: issue, change state, sign the QR token; venues: verify a card and redeem a benefit.

A redemption checks token → card → membership → benefit → eligibility → quota and capacity,
and records itself, in one transaction. The benefit row is locked for the count-and-insert,
so two terminals redeeming the last unit at the same moment cannot both succeed (see the
race test, which first shows the race with the lock switched off).
"""

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, field

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.cards import hotpath
from gonghui.cards.models import (
    CARD_PIPELINE,
    HELD,
    USABLE,
    Benefit,
    BenefitKind,
    Card,
    CardEvent,
    CardStatus,
    Eligibility,
    Venue,
)
from gonghui.core.audit import audit_record, diff, snapshot
from gonghui.core.models import AuditAction
from gonghui.core.scoping import path_in_scope, scopes_disabled
from gonghui.members.models import Member, MemberStatus
from gonghui.orgs.services import unit_counts_add

CARD_PREFIX = "8610"
QR_SALT = "gonghui.cards.qr"
QR_MAX_AGE = 60  # seconds: a screenshot is useless a minute later
VENUE_TOKEN_PREFIX = "gv_"


def luhn_check_digit(digits: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d = d * 2 - 9 if d * 2 > 9 else d * 2
        total += d
    return str((10 - total % 10) % 10)


def card_number_valid(number: str) -> bool:
    return len(number) == 16 and number.isdigit() and luhn_check_digit(number[:-1]) == number[-1]


def _new_number() -> str:
    body = CARD_PREFIX + f"{secrets.randbelow(10**11):011d}"
    return body + luhn_check_digit(body)


def check_permission(by, permission):
    if by is None or not by.can(permission):
        raise PermissionDenied(_("您没有执行此操作的权限。"))


def _event(card, from_status, to_status, reason, by):
    CardEvent.objects.create(card=card, from_status=from_status, to_status=to_status, reason=reason, by=by)


def card_issue(*, by, member: Member, replaces: Card | None = None) -> Card:
    """Issue a card to an active member who holds none (a replacement passes ``replaces``)."""
    check_permission(by, "members.manage")
    with transaction.atomic():
        member = Member.objects.select_for_update(of=("self",)).select_related("unit").get(pk=member.pk)
        if member.status != MemberStatus.ACTIVE:
            raise ValidationError(_("只有在会会员可以办卡。"))
        if Card.objects.filter(member=member, status__in=USABLE + (CardStatus.LOST, CardStatus.FROZEN)).exists():
            raise ValidationError(_("该会员已持有一张服务卡；如卡片遗失，请先挂失再补卡。"))
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    card = Card.objects.create(member=member, number=_new_number(), replaces=replaces)
                break
            except IntegrityError:
                continue
        else:  # pragma: no cover - 10^11 numbers
            raise ValidationError(_("卡号生成失败，请重试。"))
        _event(card, "", CardStatus.ISSUED, _("补卡") if replaces else _("发卡"), by)
        unit_counts_add(unit=member.unit, cards=1)
        audit_record(actor=by, action=AuditAction.CREATE, obj=card, changes={"number": [None, card.masked_number]})
    return card


def card_change_status(*, by, card: Card, to: str, reason: str = "") -> Card:
    check_permission(by, "members.manage")
    with transaction.atomic():
        # The holder first, then the card — the order of card_issue, member_transfer and
        # member_leave — so that no two of them wait for each other. The held-card count lives
        # with the holder's union; with the holder locked a transfer cannot move it meanwhile.
        holder = Member.objects.select_for_update(of=("self",)).select_related("unit").get(pk=card.member_id)
        locked = Card.objects.select_for_update(of=("self",)).select_related("member__unit").get(pk=card.pk)
        if to not in CARD_PIPELINE[locked.status]:
            raise ValidationError(
                _("服务卡当前为“%(s)s”，不能改为“%(t)s”。")
                % {"s": locked.get_status_display(), "t": CardStatus(to).label}
            )
        before = locked.status
        held = (to in HELD) - (before in HELD)
        if held:
            unit_counts_add(unit=holder.unit, cards=held)
        locked.status = to
        locked.token_version = F("token_version") + 1  # every QR code signed before stops working
        locked.save(update_fields=["status", "token_version", "updated_at"])
        locked.refresh_from_db(fields=["token_version"])
        _event(locked, before, to, reason, by)
        audit_record(actor=by, action=AuditAction.UPDATE, obj=locked, changes={"status": [before, to]}, note=reason)
    return locked


def card_replace(*, by, card: Card, reason: str) -> Card:
    """A lost card is replaced by a new number; the old one stops working at once."""
    with transaction.atomic():
        old = card_change_status(by=by, card=card, to=CardStatus.REPLACED, reason=reason)
        return card_issue(by=by, member=old.member, replaces=old)


# --- The QR token ------------------------------------------------------------------------


def card_qr_token(card: Card) -> str:
    """A signed, time-stamped token for the member's screen, valid for a minute."""
    return signing.dumps([card.pk, card.token_version], salt=QR_SALT, compress=True)


# --- Venues ------------------------------------------------------------------------------


def venue_token_create(*, by, venue: Venue) -> str:
    """A new terminal token for the venue (shown once; replaces the previous one).
    ``by=None`` is the operator at the command line (`manage.py create_venue_token`)."""
    if by is not None:
        check_permission(by, "orgs.manage_service_points")
    raw = VENUE_TOKEN_PREFIX + secrets.token_urlsafe(32)
    with scopes_disabled():
        Venue.objects.filter(pk=venue.pk).update(token_digest=hashlib.sha256(raw.encode()).hexdigest())
    audit_record(actor=by, actor_name=None if by else "create_venue_token", action=AuditAction.TOKEN_CREATED, obj=venue)
    return raw


def venue_authenticate(raw: str) -> Venue | None:
    if not raw or not raw.startswith(VENUE_TOKEN_PREFIX):
        return None
    return hotpath.venue_by_token_digest(hashlib.sha256(raw.encode()).hexdigest())


# --- Verification and redemption ----------------------------------------------------------


class Refused(Exception):
    """Why a card was not accepted, as a stable code and a message for the venue."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


@dataclass
class Verdict:
    ok: bool
    code: str
    message: str
    member_name: str = ""
    benefit: str = ""
    quota_left: dict = field(default_factory=dict)
    redemption_id: int | None = None


def mask_name(name: str) -> str:
    return name[0] + "*" * (len(name) - 1) if len(name) > 1 else name


def _card_from_token(token: str) -> Card:
    try:
        card_id, version = signing.loads(token, salt=QR_SALT, max_age=QR_MAX_AGE)
    except signing.SignatureExpired:
        raise Refused("token_expired", _("二维码已过期，请会员刷新后重新出示。")) from None
    except signing.BadSignature:
        raise Refused("token_invalid", _("二维码无效。")) from None
    card = hotpath.card_with_holder(card_id=card_id)
    if card is None or card.token_version != version:
        raise Refused("token_stale", _("二维码已失效（卡片状态已变更），请会员刷新后重新出示。"))
    return card


def _card_from_number(number: str, phone_last4: str) -> Card:
    number = (number or "").replace(" ", "")
    if not card_number_valid(number):
        raise Refused("number_invalid", _("卡号无效，请核对。"))
    card = hotpath.card_with_holder(number=number)
    # The second factor: the last four digits of the member's phone (kept in the mask).
    if card is None or not card.member.phone_masked or card.member.phone_masked[-4:] != (phone_last4 or ""):
        raise Refused("number_mismatch", _("卡号与手机号后四位不匹配。"))
    return card


def member_eligible(benefit: Benefit, member: Member) -> bool:
    """Whether the benefit's eligibility rule admits the member (validity and quotas aside)."""
    rule = benefit.eligibility
    if rule == Eligibility.NEW_FORM:
        return member.is_new_form_worker
    if rule == Eligibility.MODEL_WORKER:
        return member.is_model_worker
    if rule == Eligibility.HARDSHIP:
        return member.in_hardship
    if rule == Eligibility.SUBTREE:
        return benefit.eligible_unit is not None and member.unit.path.startswith(benefit.eligible_unit.path)
    return True


def ineligible_reason(benefit: Benefit) -> str:
    return {
        Eligibility.NEW_FORM: _("该优惠仅限新就业形态劳动者。"),
        Eligibility.MODEL_WORKER: _("该优惠仅限劳动模范。"),
        Eligibility.HARDSHIP: _("该优惠仅限在册困难职工。"),
        Eligibility.SUBTREE: _("该优惠仅限指定工会的会员。"),
    }.get(benefit.eligibility, _("不符合该优惠的适用条件。"))


def lock_benefit(benefit_id: int) -> Benefit | None:
    """Serialise redemptions of one benefit: the count of uses and the insert of a new one
    happen under this row lock. (The race test switches it off to show why.)"""
    return hotpath.benefit_locked(benefit_id)


def _period_counts(member_id, benefit_id, today: dt.date) -> dict:
    """The member's uses of the benefit today, this month and this year: one aggregate."""
    return hotpath.period_counts(member_id, benefit_id, today)


class _AlreadyRecorded(Exception):
    """The idempotency key was recorded before: nothing of this call is written."""


def card_verify_and_redeem(
    *, venue: Venue, benefit_id: int, idempotency_key: str, token: str = "", number: str = "", phone_last4: str = ""
) -> Verdict:
    """One call from a venue terminal: is this card good for this benefit now? If so the
    use is recorded. The same idempotency key never records twice, and a repeated request
    is answered with what the first one recorded, whatever has changed since (the quota it
    used up, the QR code's minute).

    The common case costs one round trip less than asking first: the key is checked by the
    insert itself (its unique constraint), and asked for only when the call would be
    refused or the insert finds the key taken."""
    key = (idempotency_key or "").strip()[:80]
    if not key:
        return Verdict(False, "key_missing", _("缺少请求编号（idempotency key）。"))
    with scopes_disabled():  # a venue is not a person in the tree: it sees through its own checks
        try:
            return _redeem(venue, benefit_id, key, token, number, phone_last4)
        except Refused as refused:
            return _recorded(venue, key) or Verdict(False, refused.code, refused.message)
        except _AlreadyRecorded:
            return _recorded(venue, key)


def _recorded(venue, key) -> Verdict | None:
    done = hotpath.recorded(venue.pk, key)
    if done is None:
        return None
    redemption_id, benefit_name, member_name = done
    message = _("该次核销已记录。")
    return Verdict(True, "already_recorded", message, mask_name(member_name), benefit_name, redemption_id=redemption_id)


def _redeem(venue, benefit_id, key, token, number, phone_last4) -> Verdict:
    card = _card_from_token(token) if token else _card_from_number(number, phone_last4)
    member = card.member
    if card.status not in USABLE:
        raise Refused("card_" + card.status, _("服务卡%(s)s，不能使用。") % {"s": card.get_status_display()})
    if member.status != MemberStatus.ACTIVE:
        raise Refused("membership_ended", _("会籍已终止，服务卡不能使用。"))
    today = timezone.localdate()
    with transaction.atomic():
        benefit = lock_benefit(benefit_id) if benefit_id else None
        if benefit is None or benefit.venue_id != venue.pk or not benefit.is_active:
            raise Refused("benefit_unknown", _("本场馆没有该优惠项目。"))
        if not benefit.valid_from <= today <= benefit.valid_to:
            raise Refused("benefit_expired", _("该优惠项目不在有效期内。"))
        if not member_eligible(benefit, member):
            raise Refused("not_eligible", ineligible_reason(benefit))
        if benefit.capacity is not None and benefit.redeemed >= benefit.capacity:
            raise Refused("capacity_full", _("该优惠名额已用完。"))
        used = _period_counts(member.pk, benefit.pk, today)
        limits = {"day": benefit.per_member_day, "month": benefit.per_member_month, "year": benefit.per_member_year}
        for period, limit in limits.items():
            if limit is not None and used[period] >= limit:
                raise Refused(
                    "quota_used",
                    _("本%(p)s次数已用完。") % {"p": {"day": _("日"), "month": _("月"), "year": _("年")}[period]},
                )
        redemption_id = hotpath.redemption_insert(
            benefit_id=benefit.pk,
            venue_id=venue.pk,
            card_id=card.pk,
            member_id=member.pk,
            key=key,
            on_date=today,
            at=timezone.now(),
        )
        if redemption_id is None:
            raise _AlreadyRecorded
        if card.status == CardStatus.ISSUED:  # first use activates the card
            Card.objects.filter(pk=card.pk).update(status=CardStatus.ACTIVE)
            _event(card, CardStatus.ISSUED, CardStatus.ACTIVE, _("首次使用"), None)
    left = {p: limit - used[p] - 1 for p, limit in limits.items() if limit is not None}
    if benefit.capacity is not None:
        left["capacity"] = benefit.capacity - benefit.redeemed - 1
    return Verdict(True, "ok", _("核验通过，已记录。"), mask_name(member.name), benefit.name, left, redemption_id)


def cards_freeze_for_member(*, by, member: Member, reason: str) -> None:
    """Membership ended: the member's held card is frozen (its QR codes stop at once)."""
    for card in Card.objects.filter(member=member, status__in=USABLE):
        card_change_status(by=by, card=card, to=CardStatus.FROZEN, reason=reason)


def card_issue_bulk(*, by, unit, progress=None) -> int:
    """Issue cards to every active member in ``unit``'s subtree who holds none. Each card is
    its own small transaction, so a long run never blocks the tree; run it as a task."""
    from gonghui.cards.models import HELD

    check_permission(by, "members.manage")
    holders = Card.objects.filter(status__in=HELD).values("member_id")
    todo = (
        Member.objects.filter(unit__path__startswith=unit.path, status=MemberStatus.ACTIVE)
        .exclude(pk__in=holders)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    issued = 0
    for member_id in list(todo):
        try:
            card_issue(by=by, member=Member.objects.get(pk=member_id))
            issued += 1
        except ValidationError:
            continue  # issued meanwhile, or the membership ended
        if progress is not None and issued % 100 == 0:
            progress(issued)
    return issued


# --- The benefit catalogue: venues and their benefits, kept by staff ----------------------

VENUE_FIELDS = ("name", "unit", "service_point", "address", "is_active")
BENEFIT_FIELDS = (
    "name",
    "kind",
    "discount_percent",
    "member_price",
    "eligibility",
    "eligible_unit",
    "valid_from",
    "valid_to",
    "per_member_day",
    "per_member_month",
    "per_member_year",
    "capacity",
    "is_active",
)
BENEFIT_AUDITED = ("venue", *BENEFIT_FIELDS)


def _validated(instance, fields) -> None:
    """The model's own field checks (lengths, required values), as errors keyed by field."""
    try:
        instance.full_clean(exclude=[f.name for f in instance._meta.fields if f.name not in fields])
    except ValidationError as e:
        raise ValidationError(e.message_dict) from e


def _check_unit_in_scope(unit, field: str = "unit") -> None:
    if unit is None or not path_in_scope(unit.path):
        raise ValidationError({field: [_("所选工会不存在或不在您的管辖范围内。")]})


def _check_venue(venue: Venue) -> None:
    _check_unit_in_scope(venue.unit if venue.unit_id else None)
    if venue.service_point_id and not path_in_scope(venue.service_point.unit.path):
        raise ValidationError({"service_point": [_("所选服务阵地不存在或不在您的管辖范围内。")]})


def _apply(instance, changes: dict, allowed) -> None:
    for name, value in changes.items():
        if name not in allowed:
            raise ValidationError({name: [_("该字段不能在此修改。")]})
        setattr(instance, name, value)


def venue_create(*, by, **fields) -> Venue:
    """Register a partner venue under a union in the actor's scope. Its terminal token is
    issued separately (:func:`venue_token_create`) and shown once."""
    check_permission(by, "cards.manage")
    venue = Venue()
    _apply(venue, fields, VENUE_FIELDS)
    _check_venue(venue)
    _validated(venue, VENUE_FIELDS)
    with transaction.atomic():
        venue.save(force_insert=True)
        audit_record(actor=by, action=AuditAction.CREATE, obj=venue, changes=diff({}, snapshot(venue, VENUE_FIELDS)))
    return venue


def venue_update(*, by, venue: Venue, **changes) -> Venue:
    check_permission(by, "cards.manage")
    with transaction.atomic():
        # Through the scoped manager: a venue outside the actor's subtree is not found.
        locked = Venue.objects.select_for_update(of=("self",)).select_related("unit").filter(pk=venue.pk).first()
        if locked is None:
            raise ValidationError({"venue": [_("场馆不存在或不在您的管辖范围内。")]})
        before = snapshot(locked, VENUE_FIELDS)
        _apply(locked, changes, VENUE_FIELDS)
        _check_venue(locked)  # a move to another union must stay in scope too
        _validated(locked, VENUE_FIELDS)
        delta = diff(before, snapshot(locked, VENUE_FIELDS))
        if delta:
            locked.save(update_fields=list(delta))
            audit_record(actor=by, action=AuditAction.UPDATE, obj=locked, changes=delta)
    return locked


def check_benefit(benefit: Benefit) -> None:
    """A benefit's rules, every broken one reported at once under its field."""
    errors: dict[str, list[str]] = {}

    def add(name, message):
        errors.setdefault(name, []).append(message)

    if benefit.kind == BenefitKind.DISCOUNT:
        if benefit.discount_percent is None or not 1 <= benefit.discount_percent <= 99:
            add("discount_percent", _("折扣请填写 1 至 99 之间的整数（按原价的百分比，八折填 80）。"))
    elif benefit.discount_percent is not None:
        add("discount_percent", _("只有“折扣”方式才填写折扣。"))
    if benefit.kind == BenefitKind.MEMBER_PRICE:
        if benefit.member_price is None or benefit.member_price < 0:
            add("member_price", _("会员价请填写不小于 0 的金额。"))
    elif benefit.member_price is not None:
        add("member_price", _("只有“会员价”方式才填写会员价。"))
    if benefit.valid_from and benefit.valid_to and benefit.valid_to < benefit.valid_from:
        add("valid_to", _("截止日期不能早于生效日期。"))
    if benefit.eligibility == Eligibility.SUBTREE:
        if benefit.eligible_unit_id is None or not path_in_scope(benefit.eligible_unit.path):
            add("eligible_unit", _("请选择您管辖范围内的适用工会。"))
    elif benefit.eligible_unit_id is not None:
        add("eligible_unit", _("只有适用对象为“指定工会及下级的会员”时才选择适用工会。"))
    for name in ("per_member_day", "per_member_month", "per_member_year"):
        if getattr(benefit, name) == 0:
            add(name, _("限次至少为 1；不限次数请留空。"))
    if benefit.capacity is not None and benefit.capacity < benefit.redeemed:
        add("capacity", _("总名额不能少于已使用的 %(n)s 次。") % {"n": benefit.redeemed})
    if errors:
        raise ValidationError(errors)


def benefit_create(*, by, venue: Venue, **fields) -> Benefit:
    check_permission(by, "cards.manage")
    _check_unit_in_scope(venue.unit, "venue")
    benefit = Benefit(venue=venue)
    _apply(benefit, fields, BENEFIT_FIELDS)
    _validated(benefit, BENEFIT_FIELDS)
    check_benefit(benefit)
    with transaction.atomic():
        benefit.save(force_insert=True)
        audit_record(
            actor=by,
            action=AuditAction.CREATE,
            obj=benefit,
            scope_path=venue.unit.path,
            changes=diff({}, snapshot(benefit, BENEFIT_AUDITED)),
        )
    return benefit


def _lock_benefit_in_scope(benefit: Benefit) -> Benefit:
    """The benefit's row, locked: the same lock a redemption takes (:func:`lock_benefit`),
    so a capacity lowered here is compared with a count no terminal is changing."""
    locked = Benefit.objects.select_for_update(of=("self",)).select_related("venue__unit").filter(pk=benefit.pk).first()
    if locked is None:  # the scoped manager finds no benefit of a venue outside the subtree
        raise ValidationError({"venue": [_("优惠项目不存在或不在您的管辖范围内。")]})
    return locked


def benefit_update(*, by, benefit: Benefit, **changes) -> Benefit:
    """Change a benefit's terms. Its venue is fixed: past redemptions name it."""
    check_permission(by, "cards.manage")
    with transaction.atomic():
        locked = _lock_benefit_in_scope(benefit)
        before = snapshot(locked, BENEFIT_AUDITED)
        _apply(locked, changes, BENEFIT_FIELDS)
        _validated(locked, BENEFIT_FIELDS)
        check_benefit(locked)
        delta = diff(before, snapshot(locked, BENEFIT_AUDITED))
        if delta:
            locked.save(update_fields=list(delta))
            audit_record(
                actor=by, action=AuditAction.UPDATE, obj=locked, scope_path=locked.venue.unit.path, changes=delta
            )
    return locked


def benefit_set_active(*, by, benefit: Benefit, active: bool) -> Benefit:
    """Switch a benefit on or off at every terminal at once (history stays)."""
    check_permission(by, "cards.manage")
    with transaction.atomic():
        locked = _lock_benefit_in_scope(benefit)
        if locked.is_active != bool(active):
            locked.is_active = bool(active)
            locked.save(update_fields=["is_active"])
            audit_record(
                actor=by,
                action=AuditAction.UPDATE,
                obj=locked,
                scope_path=locked.venue.unit.path,
                changes={"is_active": [not locked.is_active, locked.is_active]},
            )
    return locked
