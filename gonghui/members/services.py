"""Writes for members: registering, correcting, transfers, leaving, merging, revealing.

Plain ID numbers and phones pass through these functions and are never stored or logged:
what is saved is ciphertext, a keyed hash and a mask; audit rows carry masks only.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import pii
from gonghui.core.audit import audit_record, diff
from gonghui.core.models import AuditAction
from gonghui.core.scoping import path_in_scope, scopes_disabled
from gonghui.members.identity import name_pinyin, parse_id_number, parse_mobile, validate_name
from gonghui.members.models import Member, MembershipEvent, MembershipEventKind, MemberStatus, Platform
from gonghui.orgs.models import Employer, Unit
from gonghui.orgs.services import unit_counts_add

ID_KIND, PHONE_KIND = "id", "phone"


class DuplicateMember(ValidationError):
    """The person is already registered. ``existing`` is the record when the actor may
    see it, else None (the message then says only that the number is registered)."""

    def __init__(self, existing: Member | None):
        self.existing = existing
        if existing is not None:
            message = _("该身份证号码已登记为会员：%(name)s（%(unit)s），请勿重复登记。") % {
                "name": existing.name,
                "unit": existing.unit.name,
            }
        else:
            message = _("该身份证号码已在其他工会登记为会员；如需转入，请联系原工会办理会员关系转接。")
        super().__init__({"id_number": [message]}, code="duplicate")


def check_permission(by, permission):
    if by is None or not by.can(permission):
        raise PermissionDenied(_("您没有执行此操作的权限。"))


def id_number_hash(number: str) -> bytes:
    return pii.blind_index(ID_KIND, number)


def phone_hash(phone: str) -> bytes:
    return pii.blind_index(PHONE_KIND, phone)


@dataclass
class CleanMember:
    """A member's fields after validation, personal data already protected."""

    name: str
    name_pinyin: str
    name_initials: str
    id_number_cipher: bytes
    id_number_hash: bytes
    id_number_masked: str
    birth_date: dt.date
    sex: str
    phone_cipher: bytes | None
    phone_hash: bytes | None
    phone_masked: str
    is_new_form_worker: bool
    platform: str

    def fields(self) -> dict:
        return dict(self.__dict__)


def clean_member_input(
    *, name, id_number, phone, is_new_form_worker=False, platform="", phone_required=True
) -> CleanMember:
    """Validate raw input, collecting every field's error at once (a form or a spreadsheet
    row shows them together)."""
    errors: dict[str, list[str]] = {}
    try:
        name = validate_name(name)
    except ValidationError as e:
        errors["name"] = e.messages
    try:
        identity = parse_id_number(id_number)
    except ValidationError as e:
        errors["id_number"] = e.messages
    phone_value = None
    if phone or phone_required:
        try:
            phone_value = parse_mobile(phone)
        except ValidationError as e:
            errors["phone"] = e.messages
    platform = platform or ""
    if platform and platform not in Platform.values:
        errors["platform"] = [_("未知的平台类型。")]
    if platform and not is_new_form_worker:
        is_new_form_worker = True  # naming a platform says so
    if errors:
        raise ValidationError(errors)
    full, initials = name_pinyin(name)
    return CleanMember(
        name=name,
        name_pinyin=full,
        name_initials=initials,
        id_number_cipher=pii.encrypt(identity.value),
        id_number_hash=id_number_hash(identity.value),
        id_number_masked=pii.mask_id_number(identity.value),
        birth_date=identity.birth_date,
        sex=identity.sex,
        phone_cipher=pii.encrypt(phone_value) if phone_value else None,
        phone_hash=phone_hash(phone_value) if phone_value else None,
        phone_masked=pii.mask_phone(phone_value) if phone_value else "",
        is_new_form_worker=bool(is_new_form_worker),
        platform=platform,
    )


def member_find_existing(id_hash: bytes) -> Member | None:
    """The record holding this ID number, if the actor may see it (scoped), else None."""
    return Member.objects.select_related("unit").filter(id_number_hash=id_hash).first()


def id_number_registered(id_hash: bytes) -> bool:
    """City-wide: is this person registered anywhere? (says nothing about where)."""
    with scopes_disabled():
        return Member.objects.filter(id_number_hash=id_hash).exists()


def _check_unit(unit: Unit | None) -> None:
    if unit is None or not path_in_scope(unit.path):
        raise ValidationError({"unit": [_("所选工会不存在或不在您的管辖范围内。")]})


def _check_employer(employer: Employer | None) -> None:
    if employer is not None and not path_in_scope(employer.unit.path):
        raise ValidationError({"employer": [_("所选用人单位不存在或不在您的管辖范围内。")]})


AUDITED_FIELDS = (
    "name",
    "id_number_masked",
    "phone_masked",
    "unit",
    "employer",
    "is_new_form_worker",
    "platform",
    "status",
    "joined_on",
    "left_on",
)


def _snapshot(member: Member) -> dict:
    from gonghui.core.audit import snapshot

    return snapshot(member, AUDITED_FIELDS)


def member_create(
    *,
    by,
    name,
    id_number,
    phone,
    unit: Unit,
    employer: Employer | None = None,
    is_new_form_worker=False,
    platform="",
    joined_on: dt.date | None = None,
    reason: str = "",
) -> Member:
    """Register a member. One person, one record: an ID number already registered anywhere
    in the city raises :class:`DuplicateMember`."""
    check_permission(by, "members.manage")
    _check_unit(unit)
    _check_employer(employer)
    clean = clean_member_input(
        name=name, id_number=id_number, phone=phone, is_new_form_worker=is_new_form_worker, platform=platform
    )
    if id_number_registered(clean.id_number_hash):
        raise DuplicateMember(member_find_existing(clean.id_number_hash))
    joined_on = joined_on or timezone.localdate()
    if joined_on > timezone.localdate():
        raise ValidationError({"joined_on": [_("入会日期不能晚于今天。")]})
    member = Member(**clean.fields(), unit=unit, employer=employer, joined_on=joined_on)
    try:
        with transaction.atomic():
            member.save(force_insert=True)
            MembershipEvent.objects.create(
                member=member, kind=MembershipEventKind.JOIN, to_unit=unit, reason=reason, occurred_on=joined_on, by=by
            )
            unit_counts_add(unit=unit, members=1)
            audit_record(actor=by, action=AuditAction.CREATE, obj=member, changes=diff({}, _snapshot(member)))
    except IntegrityError:
        # Two clerks registering the same person at once: the unique index decides.
        raise DuplicateMember(member_find_existing(clean.id_number_hash)) from None
    return member


def member_update(*, by, member: Member, **changes) -> Member:
    """Correct a member's details. ``id_number`` and ``phone`` are given in plain text and
    stored protected; other fields: name, employer, is_new_form_worker, platform."""
    check_permission(by, "members.manage")
    allowed = {"name", "id_number", "phone", "employer", "is_new_form_worker", "platform"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({k: [_("该字段不能在此修改。")] for k in unknown})
    with transaction.atomic():
        locked = Member.objects.select_for_update(of=("self",)).select_related("unit").get(pk=member.pk)
        if locked.status == MemberStatus.MERGED:
            raise ValidationError(_("该记录已合并到其他会员记录，不能再修改。"))
        before = _snapshot(locked)
        if "employer" in changes:
            _check_employer(changes["employer"])
            locked.employer = changes["employer"]
        current_id = pii.decrypt(locked.id_number_cipher)
        current_phone = pii.decrypt(locked.phone_cipher) if locked.phone_cipher else ""
        clean = clean_member_input(
            name=changes.get("name", locked.name),
            id_number=changes.get("id_number", current_id),
            phone=changes.get("phone", current_phone),
            is_new_form_worker=changes.get("is_new_form_worker", locked.is_new_form_worker),
            platform=changes.get("platform", locked.platform),
        )
        if clean.id_number_hash != locked.id_number_hash:
            with scopes_disabled():
                taken = Member.objects.filter(id_number_hash=clean.id_number_hash).exclude(pk=locked.pk).exists()
            if taken:
                raise DuplicateMember(member_find_existing(clean.id_number_hash))
        values = clean.fields()
        if clean.id_number_hash == locked.id_number_hash:  # same number: keep its ciphertext
            values.pop("id_number_cipher")
        if clean.phone_hash == locked.phone_hash:
            values.pop("phone_cipher")
        changed = [f for f, v in values.items() if getattr(locked, f) != v]
        for field in changed:
            setattr(locked, field, values[field])
        if locked.employer_id != before["employer"]:
            changed.append("employer")
        delta = diff(before, _snapshot(locked))
        if changed:
            locked.save(update_fields=[*changed, "updated_at"])
        if delta:
            audit_record(actor=by, action=AuditAction.UPDATE, obj=locked, changes=delta)
    return locked


def _lock_active(member: Member) -> Member:
    locked = Member.objects.select_for_update(of=("self",)).select_related("unit").get(pk=member.pk)
    if locked.status != MemberStatus.ACTIVE:
        raise ValidationError(_("只有在会会员可以办理此事项（当前状态：%(s)s）。") % {"s": locked.get_status_display()})
    return locked


def member_transfer(*, by, member: Member, to_unit: Unit, reason: str, on: dt.date | None = None) -> Member:
    """会员关系转接: move an active member to another union, anywhere in the city. After the
    transfer the member belongs to the receiving union's part of the tree."""
    check_permission(by, "members.manage")
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("请填写转接原因。")]})
    with transaction.atomic():
        locked = _lock_active(member)
        if to_unit.pk == locked.unit_id:
            raise ValidationError({"to_unit": [_("转入工会与当前所属工会相同。")]})
        from_unit = locked.unit
        locked.unit = to_unit
        locked.save(update_fields=["unit", "updated_at"])
        MembershipEvent.objects.create(
            member=locked,
            kind=MembershipEventKind.TRANSFER,
            from_unit=from_unit,
            to_unit=to_unit,
            reason=reason.strip(),
            occurred_on=on or timezone.localdate(),
            by=by,
        )
        unit_counts_add(unit=from_unit, members=-1)
        unit_counts_add(unit=to_unit, members=1)
        audit_record(
            actor=by,
            action=AuditAction.UPDATE,
            obj=locked,
            scope_path=from_unit.path,  # the sending union's auditors see that it left
            changes={"unit": [from_unit.pk, to_unit.pk]},
            note=f"transfer: {reason.strip()}"[:500],
        )
    return locked


def member_leave(*, by, member: Member, reason: str, on: dt.date | None = None) -> Member:
    check_permission(by, "members.manage")
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("请填写退会原因。")]})
    on = on or timezone.localdate()
    with transaction.atomic():
        locked = _lock_active(member)
        locked.status, locked.left_on = MemberStatus.LEFT, on
        locked.save(update_fields=["status", "left_on", "updated_at"])
        MembershipEvent.objects.create(
            member=locked, kind=MembershipEventKind.LEAVE, from_unit=locked.unit, reason=reason, occurred_on=on, by=by
        )
        unit_counts_add(unit=locked.unit, members=-1)
        audit_record(
            actor=by, action=AuditAction.UPDATE, obj=locked, changes={"status": ["active", "left"]}, note=reason[:500]
        )
        from gonghui.cards.services import cards_freeze_for_member  # cards build on members

        cards_freeze_for_member(by=by, member=locked, reason=_("会籍终止：%(r)s") % {"r": reason})
    return locked


def member_rejoin(*, by, member: Member, unit: Unit, reason: str = "", on: dt.date | None = None) -> Member:
    check_permission(by, "members.manage")
    _check_unit(unit)
    on = on or timezone.localdate()
    with transaction.atomic():
        locked = Member.objects.select_for_update(of=("self",)).select_related("unit").get(pk=member.pk)
        if locked.status != MemberStatus.LEFT:
            raise ValidationError(_("只有已退会的会员可以重新入会。"))
        locked.status, locked.left_on, locked.unit, locked.joined_on = MemberStatus.ACTIVE, None, unit, on
        locked.save(update_fields=["status", "left_on", "unit", "joined_on", "updated_at"])
        MembershipEvent.objects.create(
            member=locked, kind=MembershipEventKind.REJOIN, to_unit=unit, reason=reason, occurred_on=on, by=by
        )
        unit_counts_add(unit=unit, members=1)
        audit_record(actor=by, action=AuditAction.UPDATE, obj=locked, changes={"status": ["left", "active"]})
    return locked


def member_merge(*, by, keep: Member, duplicate: Member, reason: str) -> Member:
    """Fold a duplicate record (the same person entered twice, e.g. under a mistyped ID
    number) into the one to keep. The duplicate stays, marked merged, with its history."""
    check_permission(by, "members.manage")
    if keep.pk == duplicate.pk:
        raise ValidationError(_("不能把记录与自身合并。"))
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("请填写合并原因。")]})
    with transaction.atomic():
        first, second = sorted([keep.pk, duplicate.pk])  # lock in a fixed order: no deadlock
        locked = {
            m.pk: m
            for m in Member.objects.select_for_update(of=("self",))
            .select_related("unit")
            .filter(pk__in=[first, second])
        }
        keep, duplicate = locked[keep.pk], locked[duplicate.pk]
        if keep.status == MemberStatus.MERGED or duplicate.status == MemberStatus.MERGED:
            raise ValidationError(_("已合并的记录不能再次合并。"))
        was_active = duplicate.status == MemberStatus.ACTIVE
        duplicate.status, duplicate.merged_into, duplicate.left_on = MemberStatus.MERGED, keep, timezone.localdate()
        duplicate.save(update_fields=["status", "merged_into", "left_on", "updated_at"])
        today = timezone.localdate()
        for member, other in ((keep, duplicate), (duplicate, keep)):
            MembershipEvent.objects.create(
                member=member,
                kind=MembershipEventKind.MERGE,
                reason=f"{reason.strip()}（#{other.pk}）"[:200],
                occurred_on=today,
                by=by,
            )
        if was_active:
            unit_counts_add(unit=duplicate.unit, members=-1)
        audit_record(
            actor=by,
            action=AuditAction.UPDATE,
            obj=duplicate,
            changes={"status": ["active" if was_active else "left", "merged"], "merged_into": [None, keep.pk]},
            note=reason[:500],
        )
    return keep


def member_reveal(*, by, member: Member, field: str) -> str:
    """The plain ID number or phone, for a permitted role; every reveal is audited (the
    audit row names the field, never the value)."""
    check_permission(by, "members.reveal")
    if field not in ("id_number", "phone"):
        raise ValidationError(_("只能查看身份证号码或手机号码。"))
    cipher = member.id_number_cipher if field == "id_number" else member.phone_cipher
    if not cipher:
        return ""
    audit_record(actor=by, action=AuditAction.REVEAL, obj=member, note=field)
    return pii.decrypt(cipher)


DATA_REQUEST_DAYS = 30


def data_request_submit(*, member: Member, kind: str, details: str = ""):
    """A member asks for a copy, a correction or deletion of their data (from the portal).
    It lands with their union's staff, due in 30 days."""
    from gonghui.members.models import DataRequestKind, DataRightsRequest

    if kind not in DataRequestKind.values:
        raise ValidationError({"kind": [_("请选择申请事项。")]})
    details = (details or "").strip()[:500]
    if kind == DataRequestKind.CORRECTION and not details:
        raise ValidationError({"details": [_("请说明需要更正的内容。")]})
    with transaction.atomic():
        request = DataRightsRequest.objects.create(
            member=member,
            kind=kind,
            details=details,
            due_on=timezone.localdate() + dt.timedelta(days=DATA_REQUEST_DAYS),
        )
        audit_record(
            actor=None,
            actor_name=f"member:{member.phone_masked}",
            action=AuditAction.CREATE,
            obj=request,
            scope_path=member.unit.path,
        )
    return request


def data_request_close(*, by, request, status: str, response: str):
    from gonghui.members.models import DataRequestStatus, DataRightsRequest

    check_permission(by, "members.manage")
    if status not in (DataRequestStatus.DONE, DataRequestStatus.REJECTED):
        raise ValidationError({"status": [_("请选择办理结果。")]})
    if not (response or "").strip():
        raise ValidationError({"response": [_("请填写答复内容。")]})
    with transaction.atomic():
        locked = (
            DataRightsRequest.objects.select_for_update(of=("self",)).select_related("member__unit").get(pk=request.pk)
        )
        if locked.status != DataRequestStatus.OPEN:
            raise ValidationError(_("该请求已办结。"))
        locked.status, locked.response = status, response.strip()[:500]
        locked.handled_by, locked.handled_at = by, timezone.now()
        locked.save(update_fields=["status", "response", "handled_by", "handled_at"])
        audit_record(actor=by, action=AuditAction.UPDATE, obj=locked, changes={"status": ["open", status]})
    return locked


def member_data_copy(*, member: Member) -> dict:
    """Everything the platform holds about the member, for the member themselves (plain
    numbers: it is their own data). Audited as an export."""
    from gonghui.cards.models import Card, Redemption

    events = MembershipEvent.objects.filter(member=member).select_related("from_unit", "to_unit")
    data = {
        "name": member.name,
        "id_number": pii.decrypt(member.id_number_cipher),
        "phone": pii.decrypt(member.phone_cipher) if member.phone_cipher else "",
        "birth_date": member.birth_date.isoformat(),
        "sex": member.sex,
        "union": member.unit.name,
        "employer": member.employer.name if member.employer_id else None,
        "new_form_worker": member.is_new_form_worker,
        "platform": member.platform,
        "status": member.status,
        "joined_on": member.joined_on.isoformat(),
        "membership_history": [
            {
                "kind": e.kind,
                "on": e.occurred_on.isoformat(),
                "from": e.from_unit.name if e.from_unit_id else None,
                "to": e.to_unit.name if e.to_unit_id else None,
                "reason": e.reason,
            }
            for e in events
        ],
        "cards": [
            {"number": c.number, "status": c.status, "issued": c.issued_at.date().isoformat()}
            for c in Card.objects.filter(member=member)
        ],
        "redemptions": [
            {"on": r.on_date.isoformat(), "venue": r.venue.name, "benefit": r.benefit.name}
            for r in Redemption.objects.filter(member=member).select_related("venue", "benefit")
        ],
    }
    audit_record(
        actor=None,
        actor_name=f"member:{member.phone_masked}",
        action=AuditAction.EXPORT,
        obj=member,
        note="personal data copy (self)",
    )
    return data
