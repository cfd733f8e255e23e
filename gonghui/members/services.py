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
    "is_model_worker",
    "in_hardship",
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
    stored protected; other fields: name, employer, is_new_form_worker, platform,
    is_model_worker, in_hardship."""
    check_permission(by, "members.manage")
    allowed = {
        "name",
        "id_number",
        "phone",
        "employer",
        "is_new_form_worker",
        "platform",
        "is_model_worker",
        "in_hardship",
    }
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
        for flag in ("is_model_worker", "in_hardship"):
            if flag in changes and bool(changes[flag]) != getattr(locked, flag):
                setattr(locked, flag, bool(changes[flag]))
                changed.append(flag)
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


def member_transfer(
    *, by, member: Member, to_unit: Unit, reason: str, on: dt.date | None = None, employer: Employer | None = None
) -> Member:
    """会员关系转接: move an active member to another union, anywhere in the city. After the
    transfer the member belongs to the receiving union's part of the tree. ``employer``,
    when given, is the member's new employer (a transfer usually follows a job change)."""
    check_permission(by, "members.manage")
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("请填写转接原因。")]})
    with transaction.atomic():
        locked = _lock_active(member)
        if to_unit.pk == locked.unit_id:
            raise ValidationError({"to_unit": [_("转入工会与当前所属工会相同。")]})
        from_unit = locked.unit
        locked.unit = to_unit
        changes = {"unit": [from_unit.pk, to_unit.pk]}
        if employer is not None and employer.pk != locked.employer_id:
            changes["employer"] = [locked.employer_id, employer.pk]
            locked.employer = employer
        locked.save(update_fields=["unit", "employer", "updated_at"])
        MembershipEvent.objects.create(
            member=locked,
            kind=MembershipEventKind.TRANSFER,
            from_unit=from_unit,
            to_unit=to_unit,
            reason=reason.strip(),
            occurred_on=on or timezone.localdate(),
            by=by,
        )
        # A held service card is counted with its holder's union: it moves with them.
        from gonghui.cards.models import HELD, Card  # cards build on members

        cards = 1 if Card.objects.filter(member=locked, status__in=HELD).exists() else 0
        unit_counts_add(unit=from_unit, members=-1, cards=-cards)
        unit_counts_add(unit=to_unit, members=1, cards=cards)
        audit_record(
            actor=by,
            action=AuditAction.UPDATE,
            obj=locked,
            scope_path=from_unit.path,  # the sending union's auditors see that it left
            changes=changes,
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
    """Answer a personal-data request. Granting a deletion request erases the member's
    personal data in the same transaction (see :func:`member_erase`)."""
    from gonghui.members.models import DataRequestKind, DataRequestStatus, DataRightsRequest

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
        if locked.kind == DataRequestKind.DELETION and status == DataRequestStatus.DONE:
            # Granting a deletion request *is* the deletion: both happen or neither.
            member_erase(by=by, member=locked.member, reason=_("个人信息删除请求 #%(n)s") % {"n": locked.pk})
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


def member_self_change_phone(*, member: Member, phone: str, actor_name: str) -> Member:
    """The member's own new mobile number, already proved by an SMS code (portal)."""
    phone = parse_mobile(phone)
    with transaction.atomic(), scopes_disabled():
        locked = Member.objects.select_for_update(of=("self",)).select_related("unit").get(pk=member.pk)
        before = locked.phone_masked
        locked.phone_cipher, locked.phone_hash = pii.encrypt(phone), phone_hash(phone)
        locked.phone_masked = pii.mask_phone(phone)
        locked.save(update_fields=["phone_cipher", "phone_hash", "phone_masked", "updated_at"])
        audit_record(
            actor=None,
            actor_name=actor_name,
            action=AuditAction.UPDATE,
            obj=locked,
            changes={"phone_masked": [before, locked.phone_masked]},
            note="self-service",
        )
    return locked


ERASED_NAME = "（已删除）"


def member_erase(*, by, member: Member, reason: str) -> Member:
    """删除个人信息: strip a member's record of everything that identifies the person, on
    their request. The row stays (their union's counts, card and redemption statistics
    stay true) with: no name, no ID number, no phone, the birth date cut to the year, the
    membership ended and their card frozen. Their portal account, pending applications and
    SMS codes go. The audit trail keeps its rows as the record of how the data was
    processed: ID numbers and phones were only ever masked there; names stay.

    Irreversible by design; it runs in one transaction, so it happens completely or not at
    all."""
    import os

    from gonghui.members.models import ApplicationStatus, MembershipApplication

    check_permission(by, "members.manage")
    with transaction.atomic():
        locked = Member.objects.select_for_update(of=("self",)).select_related("unit").get(pk=member.pk)
        if locked.erased_at is not None:
            raise ValidationError(_("该会员的个人信息已删除。"))
        if locked.status == MemberStatus.ACTIVE:
            locked = member_leave(by=by, member=locked, reason=reason)
        id_hash, phone_index = locked.id_number_hash, locked.phone_hash
        locked.name, locked.name_pinyin, locked.name_initials = ERASED_NAME, "", ""
        # The unique index still needs a value: random bytes that no ID number hashes to.
        locked.id_number_cipher, locked.id_number_hash, locked.id_number_masked = b"", os.urandom(32), ""
        locked.phone_cipher, locked.phone_hash, locked.phone_masked = None, None, ""
        locked.birth_date = locked.birth_date.replace(month=1, day=1)
        locked.erased_at = timezone.now()
        locked.save(
            update_fields=[
                "name",
                "name_pinyin",
                "name_initials",
                "id_number_cipher",
                "id_number_hash",
                "id_number_masked",
                "phone_cipher",
                "phone_hash",
                "phone_masked",
                "birth_date",
                "erased_at",
                "updated_at",
            ]
        )
        with scopes_disabled():
            from gonghui.portal.models import PortalAccount, SmsCode

            PortalAccount.objects.filter(member=locked).delete()
            if phone_index:
                PortalAccount.objects.filter(phone_hash=phone_index).delete()
                SmsCode.objects.filter(phone_hash=phone_index).delete()
            for application in MembershipApplication.objects.filter(id_number_hash=id_hash):
                application.name, application.id_number_cipher, application.id_number_masked = ERASED_NAME, b"", ""
                application.id_number_hash = os.urandom(32)
                application.phone_cipher, application.phone_hash, application.phone_masked = b"", os.urandom(32), ""
                if application.status == ApplicationStatus.PENDING:
                    application.status = ApplicationStatus.WITHDRAWN
                application.save()
        audit_record(
            actor=by,
            action=AuditAction.DELETE,
            obj=locked,
            changes={"name": ["***", ERASED_NAME]},
            note=f"personal data erased: {reason}"[:500],
        )
    return locked


# --- Applications to join or transfer (from the portal) -------------------------------------

# Where a worker without an employer's union applies: the station or community joint union
# of their workplace (园区/楼宇/社区 — 单独建会 or 联合建会).
RECEIVING_KINDS = ("street_station", "community_station", "community_joint_union")


def application_route(*, employer: Employer | None, unit: Unit | None) -> Unit:
    """The unit an application goes to: the union covering the employer (its own union, or
    the station/joint union that covers a small employer), else the station or community
    joint union the worker chose for where they work."""
    if employer is not None:
        return employer.unit
    if unit is None or unit.kind not in RECEIVING_KINDS or not unit.is_active:
        raise ValidationError({"unit": [_("请选择工作地所在的街道（乡镇）服务站或社区联合工会。")]})
    return unit


def _applicant_clean(*, name, id_number, phone, is_new_form_worker, platform) -> CleanMember:
    return clean_member_input(
        name=name, id_number=id_number, phone=phone, is_new_form_worker=is_new_form_worker, platform=platform
    )


def _audit_applicant(application, action, changes=None, note=""):
    audit_record(
        actor=None,
        actor_name="member:" + application.phone_masked,
        action=action,
        obj=application,
        changes=changes,
        note=note,
    )


def application_submit_join(
    *,
    phone: str,
    name: str,
    id_number: str,
    employer: Employer | None = None,
    employer_name: str = "",
    unit: Unit | None = None,
    workplace: str = "",
    is_new_form_worker: bool = False,
    platform: str = "",
    note: str = "",
):
    """A worker applies to join (入会申请) from the portal, with the phone their account
    proved. Someone already an active member is told to use their registered number or a
    transfer; one who left may apply again (approval then re-admits the same record)."""
    from gonghui.members.models import ApplicationKind, MembershipApplication

    clean = _applicant_clean(
        name=name, id_number=id_number, phone=phone, is_new_form_worker=is_new_form_worker, platform=platform
    )
    if employer is None and not (employer_name or "").strip() and not clean.is_new_form_worker:
        raise ValidationError({"employer": [_("请填写工作单位；灵活就业或平台从业者请勾选“新就业形态劳动者”。")]})
    target = application_route(employer=employer, unit=unit)
    with scopes_disabled():
        existing = Member.objects.filter(id_number_hash=clean.id_number_hash).first()
    if existing is not None and existing.status == MemberStatus.ACTIVE:
        raise ValidationError(
            {"id_number": [_("该身份证号码已是在会会员。请用登记的手机号登录；如号码已更换或需转会，请联系所在工会。")]}
        )
    if existing is not None and existing.status == MemberStatus.MERGED:
        raise ValidationError({"id_number": [_("该身份证号码的会员记录已合并，请联系工会核实。")]})
    application = MembershipApplication(
        kind=ApplicationKind.JOIN,
        unit=target,
        member=None,
        name=clean.name,
        id_number_cipher=clean.id_number_cipher,
        id_number_hash=clean.id_number_hash,
        id_number_masked=clean.id_number_masked,
        phone_cipher=clean.phone_cipher,
        phone_hash=clean.phone_hash,
        phone_masked=clean.phone_masked,
        employer=employer,
        employer_name="" if employer else (employer_name or "").strip()[:200],
        workplace=(workplace or "").strip()[:200],
        is_new_form_worker=clean.is_new_form_worker,
        platform=clean.platform,
        note=(note or "").strip()[:500],
    )
    return _application_save(application)


def _application_save(application):
    try:
        with transaction.atomic():
            application.save(force_insert=True)
            _audit_applicant(application, AuditAction.CREATE, note=application.kind)
    except IntegrityError:
        # The partial unique index: this person already has an application pending.
        raise ValidationError(_("您已有一份待审核的申请，请等待工会审核或先撤回。"), code="pending") from None
    return application


def application_submit_transfer(
    *,
    member: Member,
    employer: Employer | None = None,
    employer_name: str = "",
    unit: Unit | None = None,
    workplace: str = "",
    note: str = "",
):
    """An active member asks to move their membership (会员关系转接) to the union of a new
    employer or workplace. The receiving unit approves it."""
    from gonghui.members.models import ApplicationKind, MembershipApplication

    if member.status != MemberStatus.ACTIVE:
        raise ValidationError(_("只有在会会员可以申请会员关系转接。"))
    target = application_route(employer=employer, unit=unit)
    if target.pk == member.unit_id:
        raise ValidationError({"unit": [_("您已是该工会的会员，无需转接。")]})
    if not (note or "").strip():
        raise ValidationError({"note": [_("请说明转接原因，例如更换了工作单位。")]})
    application = MembershipApplication(
        kind=ApplicationKind.TRANSFER,
        unit=target,
        member=member,
        name=member.name,
        id_number_cipher=member.id_number_cipher,
        id_number_hash=member.id_number_hash,
        id_number_masked=member.id_number_masked,
        phone_cipher=member.phone_cipher or b"",
        phone_hash=member.phone_hash or b"",
        phone_masked=member.phone_masked,
        employer=employer,
        employer_name="" if employer else (employer_name or "").strip()[:200],
        workplace=(workplace or "").strip()[:200],
        is_new_form_worker=member.is_new_form_worker,
        platform=member.platform,
        note=note.strip()[:500],
    )
    return _application_save(application)


def application_withdraw(*, application, phone_index: bytes):
    """The applicant takes back a pending application (only their own: matched by the
    phone their session proved)."""
    from gonghui.members.models import ApplicationStatus, MembershipApplication

    with transaction.atomic(), scopes_disabled():
        locked = MembershipApplication.objects.select_for_update().filter(pk=application.pk).first()
        if locked is None or bytes(locked.phone_hash) != bytes(phone_index):
            raise ValidationError(_("申请不存在。"))
        if locked.status != ApplicationStatus.PENDING:
            raise ValidationError(_("该申请已处理，不能撤回。"))
        locked.status = ApplicationStatus.WITHDRAWN
        locked.save(update_fields=["status"])
        _audit_applicant(locked, AuditAction.UPDATE, changes={"status": ["pending", "withdrawn"]})
    return locked


def _lock_pending(application):
    from gonghui.members.models import ApplicationStatus, MembershipApplication

    locked = (
        MembershipApplication.objects.select_for_update(of=("self",))
        .select_related("unit", "employer", "member")
        .get(pk=application.pk)  # scoped: only the receiving unit's staff (or above) find it
    )
    if locked.status != ApplicationStatus.PENDING:
        raise ValidationError(_("该申请已处理（%(s)s）。") % {"s": locked.get_status_display()})
    return locked


def application_approve(*, by, application, issue_card: bool = True, reason: str = ""):
    """Approve an application in the receiving unit. A join creates the member record (or
    re-admits the record of someone who left) and, by default, issues the service card; a
    transfer moves the member here. All in one transaction."""
    from gonghui.members.models import ApplicationKind, ApplicationStatus

    check_permission(by, "members.manage")
    with transaction.atomic():
        locked = _lock_pending(application)
        _check_unit(locked.unit)
        why = (reason or "").strip()[:500] or _("同意")
        label = _("%(kind)s #%(n)s") % {"kind": locked.get_kind_display(), "n": locked.pk}
        if locked.kind == ApplicationKind.JOIN:
            member = _approve_join(by=by, application=locked, label=label)
        else:
            with scopes_disabled():  # the member is still in the sending union's part of the tree
                member = member_transfer(
                    by=by, member=locked.member, to_unit=locked.unit, reason=label, employer=locked.employer
                )
        if issue_card:
            from gonghui.cards.models import HELD, Card
            from gonghui.cards.services import card_issue

            if not Card.objects.filter(member=member, status__in=HELD).exists():
                card_issue(by=by, member=member)
        locked.status, locked.member = ApplicationStatus.APPROVED, member
        locked.decision_reason, locked.decided_by, locked.decided_at = why, by, timezone.now()
        locked.save(update_fields=["status", "member", "decision_reason", "decided_by", "decided_at"])
        audit_record(actor=by, action=AuditAction.UPDATE, obj=locked, changes={"status": ["pending", "approved"]})
    return locked


def _approve_join(*, by, application, label) -> Member:
    with scopes_disabled():
        existing = (
            Member.objects.select_for_update(of=("self",)).filter(id_number_hash=application.id_number_hash).first()
        )
    id_number = pii.decrypt(application.id_number_cipher)
    phone = pii.decrypt(application.phone_cipher)
    if existing is None:
        return member_create(
            by=by,
            name=application.name,
            id_number=id_number,
            phone=phone,
            unit=application.unit,
            employer=application.employer,
            is_new_form_worker=application.is_new_form_worker,
            platform=application.platform,
            reason=label,
        )
    if existing.status != MemberStatus.LEFT:
        raise ValidationError(_("申请人已是在会会员，不能重复入会。"))
    with scopes_disabled():
        member = member_rejoin(by=by, member=existing, unit=application.unit, reason=label)
    return member_update(
        by=by,
        member=member,
        name=application.name,
        phone=phone,
        employer=application.employer,
        is_new_form_worker=application.is_new_form_worker,
        platform=application.platform,
    )


def application_reject(*, by, application, reason: str):
    from gonghui.members.models import ApplicationStatus

    check_permission(by, "members.manage")
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("请填写不予批准的理由，申请人会看到它。")]})
    with transaction.atomic():
        locked = _lock_pending(application)
        locked.status, locked.decision_reason = ApplicationStatus.REJECTED, reason.strip()[:500]
        locked.decided_by, locked.decided_at = by, timezone.now()
        locked.save(update_fields=["status", "decision_reason", "decided_by", "decided_at"])
        audit_record(
            actor=by, action=AuditAction.UPDATE, obj=locked, changes={"status": ["pending", "rejected"]}, note=reason
        )
    return locked
