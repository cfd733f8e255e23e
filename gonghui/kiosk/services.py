"""Writes for the self-service kiosk (枫桥智能舱): devices and their tokens, consultation
slots and bookings, remote mediation requests.

A booking locks its slot's row, counts the places taken and inserts in one transaction, so
the last place goes to exactly one of two workers booking at the same moment (see
tests/test_races.py, which first shows the overbooking with the lock switched off). Text
messages go out after the commit, so nobody is told of a booking that was rolled back.
"""

import datetime as dt
import hashlib
import logging
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import pii
from gonghui.core.audit import audit_record, diff, snapshot
from gonghui.core.locks import advisory_xact_lock
from gonghui.core.models import AuditAction
from gonghui.core.scoping import path_in_scope, scopes_disabled
from gonghui.kiosk.models import (
    HOLDS_PLACE,
    MEDIATION_PIPELINE,
    BookingChannel,
    BookingStatus,
    ConsultationSlot,
    Kiosk,
    MediationStatus,
    RemoteMediationRequest,
    SlotBooking,
    SlotKind,
)
from gonghui.members.identity import parse_mobile, validate_name
from gonghui.members.services import phone_hash
from gonghui.orgs.models import ServicePoint, Unit

logger = logging.getLogger("gonghui.kiosk")

KIOSK_TOKEN_PREFIX = "gk_"
SLOT_FIELDS = ("unit", "kind", "starts_at", "ends_at", "capacity", "counsellor", "location")
SLOT_EDITABLE = ("starts_at", "ends_at", "capacity", "counsellor", "location")
SLOT_CAPACITY_MAX = 500
DESCRIPTION_MIN, DESCRIPTION_MAX = 5, 2000
# A kiosk sends text messages to a number typed by a stranger: limit how often one
# applicant can make it do so.
MEDIATION_REQUESTS_PER_DAY = 3


def check_permission(by, permission):
    if by is None or not by.can(permission):
        raise PermissionDenied(_("您没有执行此操作的权限。"))


def _not_found(field: str, what: str) -> ValidationError:
    return ValidationError({field: [_("%(what)s不存在或不在您的管辖范围内。") % {"what": what}]})


def _protected_phone(phone: str) -> tuple[bytes, bytes, str]:
    """What is stored of a phone: ciphertext, look-up hash, mask."""
    return pii.encrypt(phone), phone_hash(phone), pii.mask_phone(phone)


def _clean_name(value, field: str, errors: dict) -> str:
    try:
        return validate_name(value)
    except ValidationError as e:
        errors[field] = e.messages
        return ""


def _clean_phone(value, field: str, errors: dict) -> str:
    try:
        return parse_mobile(value)
    except ValidationError as e:
        errors[field] = e.messages
        return ""


def _local(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def _sms_after_commit(messages: list[tuple[str, str]]) -> None:
    """Send (phone, text) pairs once the transaction has committed. A provider failure is
    logged, never turns a committed request into an error page."""
    from gonghui.portal.sms import get_backend

    def send():
        backend = get_backend()
        for phone, text in messages:
            try:
                backend.send(phone, text)
            except Exception:  # the provider's own error types are unknown
                logger.exception("kiosk SMS to %s failed", pii.mask_phone(phone))

    transaction.on_commit(send)


# --- Kiosk devices -------------------------------------------------------------------------


def kiosk_create(*, by, name: str, unit: Unit, code: str, service_point: ServicePoint | None = None) -> Kiosk:
    """Register a kiosk run by a station in the actor's scope. Its device token is issued
    separately (:func:`kiosk_token_create`) and shown once."""
    check_permission(by, "kiosk.manage")
    kiosk = Kiosk(name=(name or "").strip(), unit=unit, code=(code or "").strip().lower(), service_point=service_point)
    errors: dict[str, list[str]] = {}
    if unit is None or not path_in_scope(unit.path):
        errors["unit"] = [_("所选工会不存在或不在您的管辖范围内。")]
    if service_point is not None and not path_in_scope(service_point.unit.path):
        errors["service_point"] = [_("所选服务阵地不存在或不在您的管辖范围内。")]
    try:
        # Uniqueness is checked below, city-wide: the default manager would only look in scope.
        kiosk.full_clean(exclude=["token_digest", *errors], validate_unique=False)
    except ValidationError as e:
        for field, messages in e.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    taken = ValidationError({"code": [_("该编号已被其他智能舱使用。")]})
    if "code" not in errors:
        with scopes_disabled():
            if Kiosk.objects.filter(code=kiosk.code).exists():
                errors["code"] = taken.message_dict["code"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        try:
            with transaction.atomic():
                kiosk.save(force_insert=True)
        except IntegrityError:
            raise taken from None
        audit_record(
            actor=by,
            action=AuditAction.CREATE,
            obj=kiosk,
            changes=diff({}, snapshot(kiosk, ("name", "unit", "service_point", "code", "is_active"))),
        )
    return kiosk


def _lock_kiosk(kiosk: Kiosk) -> Kiosk:
    # Through the scoped manager: a kiosk outside the actor's subtree is not found.
    locked = Kiosk.objects.select_for_update(of=("self",)).select_related("unit").filter(pk=kiosk.pk).first()
    if locked is None:
        raise _not_found("kiosk", _("智能舱"))
    return locked


def kiosk_set_active(*, by, kiosk: Kiosk, is_active: bool) -> Kiosk:
    check_permission(by, "kiosk.manage")
    with transaction.atomic():
        locked = _lock_kiosk(kiosk)
        if locked.is_active != is_active:
            before = snapshot(locked, ("is_active",))
            locked.is_active = is_active
            locked.save(update_fields=["is_active"])
            audit_record(
                actor=by, action=AuditAction.UPDATE, obj=locked, changes=diff(before, snapshot(locked, ("is_active",)))
            )
    return locked


def kiosk_token_create(*, by, kiosk: Kiosk) -> str:
    """A new device token (shown once; the previous one, and every device signed in with
    it, stops working)."""
    check_permission(by, "kiosk.manage")
    raw = KIOSK_TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        locked = _lock_kiosk(kiosk)
        locked.token_digest = hashlib.sha256(raw.encode()).hexdigest()
        locked.save(update_fields=["token_digest"])
        audit_record(actor=by, action=AuditAction.TOKEN_CREATED, obj=locked)
    return raw


def kiosk_authenticate(raw: str) -> Kiosk | None:
    """The active kiosk holding this device token, or None."""
    if not raw or not raw.startswith(KIOSK_TOKEN_PREFIX):
        return None
    with scopes_disabled():
        return (
            Kiosk.objects.select_related("unit")
            .filter(token_digest=hashlib.sha256(raw.encode()).hexdigest(), is_active=True)
            .first()
        )


# --- Consultation slots --------------------------------------------------------------------


def _check_slot(slot: ConsultationSlot, *, taken: int = 0) -> None:
    """A slot's rules, every broken one reported at once under its field."""
    errors: dict[str, list[str]] = {}
    if slot.unit_id is None or not path_in_scope(slot.unit.path) or not slot.unit.is_active:
        errors["unit"] = [_("所选工会不存在或不在您的管辖范围内。")]
    if slot.kind not in SlotKind.values:
        errors["kind"] = [_("请选择咨询类型。")]
    if slot.starts_at is None:
        errors["starts_at"] = [_("请填写开始时间。")]
    elif slot.starts_at <= timezone.now():
        errors["starts_at"] = [_("开始时间应晚于现在。")]
    if slot.ends_at is None:
        errors["ends_at"] = [_("请填写结束时间。")]
    elif slot.starts_at is not None and slot.ends_at <= slot.starts_at:
        errors["ends_at"] = [_("结束时间应晚于开始时间。")]
    if slot.capacity is None or not 1 <= slot.capacity <= SLOT_CAPACITY_MAX:
        errors["capacity"] = [_("名额请填写 1 至 %(n)s 之间的整数。") % {"n": SLOT_CAPACITY_MAX}]
    elif slot.capacity < taken:
        errors["capacity"] = [_("名额不能少于已预约的 %(n)s 人。") % {"n": taken}]
    slot.counsellor = (slot.counsellor or "").strip()
    slot.location = (slot.location or "").strip()
    if not slot.counsellor:
        errors["counsellor"] = [_("请填写咨询师或律师姓名。")]
    if not slot.location:
        errors["location"] = [_("请填写咨询地点。")]
    if errors:
        raise ValidationError(errors)


def slot_publish(
    *,
    by,
    unit: Unit,
    kind: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    capacity: int,
    counsellor: str,
    location: str,
) -> ConsultationSlot:
    """A station publishes an hour of legal or psychological counselling."""
    check_permission(by, "kiosk.manage")
    slot = ConsultationSlot(
        unit=unit,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        counsellor=counsellor,
        location=location,
    )
    _check_slot(slot)
    with transaction.atomic():
        slot.save(force_insert=True)
        audit_record(actor=by, action=AuditAction.CREATE, obj=slot, changes=diff({}, snapshot(slot, SLOT_FIELDS)))
    return slot


def _lock_slot_in_scope(slot: ConsultationSlot) -> ConsultationSlot:
    locked = ConsultationSlot.objects.select_for_update(of=("self",)).select_related("unit").filter(pk=slot.pk).first()
    if locked is None:
        raise _not_found("slot", _("咨询时段"))
    return locked


def places_taken(slot_pk: int) -> int:
    with scopes_disabled():
        return SlotBooking.objects.filter(slot_id=slot_pk, status__in=HOLDS_PLACE).count()


def slot_update(*, by, slot: ConsultationSlot, **changes) -> ConsultationSlot:
    check_permission(by, "kiosk.manage")
    with transaction.atomic():
        locked = _lock_slot_in_scope(slot)
        if not locked.is_active:
            raise ValidationError({"slot": [_("该时段已取消，不能修改。")]})
        before = snapshot(locked, SLOT_FIELDS)
        for name, value in changes.items():
            if name not in SLOT_EDITABLE:
                raise ValidationError({name: [_("该字段不能在此修改。")]})
            setattr(locked, name, value)
        _check_slot(locked, taken=places_taken(locked.pk))
        delta = diff(before, snapshot(locked, SLOT_FIELDS))
        if delta:
            locked.save(update_fields=list(delta))
            audit_record(actor=by, action=AuditAction.UPDATE, obj=locked, changes=delta)
    return locked


def slot_cancel(*, by, slot: ConsultationSlot, reason: str = "") -> ConsultationSlot:
    """Withdraw a slot: its bookings are cancelled and each worker is told by SMS."""
    check_permission(by, "kiosk.manage")
    reason = (reason or "").strip()[:200]
    with transaction.atomic():
        locked = _lock_slot_in_scope(slot)
        if not locked.is_active:
            raise ValidationError({"slot": [_("该时段已取消。")]})
        locked.is_active = False
        locked.save(update_fields=["is_active"])
        with scopes_disabled():
            bookings = list(SlotBooking.objects.select_for_update().filter(slot=locked, status=BookingStatus.BOOKED))
            now = timezone.now()
            SlotBooking.objects.filter(pk__in=[b.pk for b in bookings]).update(
                status=BookingStatus.CANCELLED, cancelled_at=now
            )
        audit_record(
            actor=by,
            action=AuditAction.UPDATE,
            obj=locked,
            changes={"is_active": [True, False]},
            note=_("取消时段，同时取消预约 %(n)s 个。%(reason)s") % {"n": len(bookings), "reason": reason},
        )
        text = _("【工会服务】很抱歉，您预约的%(kind)s（%(at)s，%(place)s）已取消。如需帮助请拨打12351。") % {
            "kind": locked.get_kind_display(),
            "at": _local(locked.starts_at),
            "place": locked.location,
        }
        _sms_after_commit([(pii.decrypt(b.phone_cipher), text) for b in bookings])
    return locked


def lock_slot(pk: int) -> ConsultationSlot:
    """The slot's row, locked until the transaction ends: bookings of one slot queue here.
    (The race test's control run replaces this with an unlocked read.)"""
    with scopes_disabled():
        return ConsultationSlot.objects.select_for_update().select_related("unit").get(pk=pk)


def slot_book(*, slot: ConsultationSlot, name: str, phone: str, channel: str, by=None) -> SlotBooking:
    """Book a place. The caller decides which slots a person may see (a kiosk: its own
    district's); staff booking for someone (``by``) must have the slot in scope."""
    errors: dict[str, list[str]] = {}
    name = _clean_name(name, "name", errors)
    phone = _clean_phone(phone, "phone", errors)
    if channel not in BookingChannel.values:
        errors["channel"] = [_("未知的预约渠道。")]
    if errors:
        raise ValidationError(errors)
    if by is not None:
        check_permission(by, "kiosk.manage")
        if not path_in_scope(slot.unit.path):
            raise _not_found("slot", _("咨询时段"))
    cipher, index, masked = _protected_phone(phone)
    with transaction.atomic():
        locked = lock_slot(slot.pk)
        if not locked.is_active:
            raise ValidationError({"slot": [ValidationError(_("该时段已取消，请选择其他时段。"), code="cancelled")]})
        if locked.starts_at <= timezone.now():
            raise ValidationError({"slot": [ValidationError(_("该时段已开始，不能再预约。"), code="started")]})
        duplicate = ValidationError(
            {"phone": [ValidationError(_("该手机号已预约这个时段，无需重复预约。"), code="duplicate")]}
        )
        with scopes_disabled():
            if SlotBooking.objects.filter(slot_id=locked.pk, phone_hash=index, status__in=HOLDS_PLACE).exists():
                raise duplicate
        if places_taken(locked.pk) >= locked.capacity:
            raise ValidationError({"slot": [ValidationError(_("该时段名额已满，请选择其他时段。"), code="full")]})
        booking = SlotBooking(
            slot=locked,
            name=name,
            phone_cipher=cipher,
            phone_hash=index,
            phone_masked=masked,
            channel=channel,
        )
        try:
            with transaction.atomic():
                booking.save(force_insert=True)
        except IntegrityError:
            # The same phone booking twice at the same moment: the partial unique index.
            raise duplicate from None
        audit_record(
            actor=by,
            actor_name=None if by is not None else f"worker:{masked}",
            action=AuditAction.CREATE,
            obj=booking,
            changes={"slot": [None, locked.pk], "phone": [None, masked], "channel": [None, channel]},
        )
        _sms_after_commit(
            [
                (
                    phone,
                    _("【工会服务】%(name)s，您已预约%(kind)s：%(at)s，%(place)s（%(who)s）。如需取消请拨打12351。")
                    % {
                        "name": name,
                        "kind": locked.get_kind_display(),
                        "at": _local(locked.starts_at),
                        "place": locked.location,
                        "who": locked.counsellor,
                    },
                )
            ]
        )
    return booking


def _lock_booking_in_scope(booking: SlotBooking) -> SlotBooking:
    locked = (
        SlotBooking.objects.select_for_update(of=("self",)).select_related("slot__unit").filter(pk=booking.pk).first()
    )
    if locked is None:
        raise _not_found("booking", _("预约"))
    return locked


def booking_cancel(*, by, booking: SlotBooking, reason: str = "") -> SlotBooking:
    """Cancel a booking (the worker asked by phone or at the desk); the place is free again."""
    check_permission(by, "kiosk.manage")
    with transaction.atomic():
        locked = _lock_booking_in_scope(booking)
        if locked.status != BookingStatus.BOOKED:
            raise ValidationError({"booking": [_("只有“已预约”的预约可以取消。")]})
        locked.status, locked.cancelled_at = BookingStatus.CANCELLED, timezone.now()
        locked.save(update_fields=["status", "cancelled_at"])
        audit_record(
            actor=by,
            action=AuditAction.UPDATE,
            obj=locked,
            changes={"status": [BookingStatus.BOOKED, BookingStatus.CANCELLED]},
            note=(reason or "").strip()[:200],
        )
    return locked


def booking_mark(*, by, booking: SlotBooking, status: str) -> SlotBooking:
    """Record after the hour whether the worker came."""
    check_permission(by, "kiosk.manage")
    if status not in (BookingStatus.ATTENDED, BookingStatus.NO_SHOW):
        raise ValidationError({"status": [_("只能登记为“已到场”或“未到场”。")]})
    with transaction.atomic():
        locked = _lock_booking_in_scope(booking)
        if locked.status == BookingStatus.CANCELLED:
            raise ValidationError({"booking": [_("该预约已取消。")]})
        if locked.slot.starts_at > timezone.now():
            raise ValidationError({"booking": [_("咨询开始后才能登记到场情况。")]})
        if locked.status != status:
            before = locked.status
            locked.status = status
            locked.save(update_fields=["status"])
            audit_record(actor=by, action=AuditAction.UPDATE, obj=locked, changes={"status": [before, status]})
    return locked


# --- Remote mediation (远程调解) -------------------------------------------------------------


def meeting_link(room: str) -> str:
    return settings.KIOSK_VIDEO_MEETING_URL.replace("{room}", room)


def remote_mediation_request(
    *,
    unit: Unit,
    applicant_name: str,
    applicant_phone: str,
    other_name: str,
    other_phone: str,
    description: str,
    kiosk: Kiosk | None = None,
) -> RemoteMediationRequest:
    """A worker asks for a video mediation with the other party. The request goes to
    ``unit`` (the kiosk's station); both sides receive the meeting link by SMS at once and
    the time once staff schedule it."""
    errors: dict[str, list[str]] = {}
    applicant_name = _clean_name(applicant_name, "applicant_name", errors)
    applicant_phone = _clean_phone(applicant_phone, "applicant_phone", errors)
    other_name = " ".join((other_name or "").split())
    if len(other_name) > 120:
        errors["other_name"] = [_("对方名称过长（最多120个字）。")]
    other_phone = (other_phone or "").strip()
    if other_phone:
        other_phone = _clean_phone(other_phone, "other_phone", errors)
        if other_phone and other_phone == applicant_phone:
            errors["other_phone"] = [_("对方手机号不能与申请人相同。")]
    text = (description or "").strip()
    if len(text) < DESCRIPTION_MIN:
        errors["description"] = [_("请说明需要调解的事项（至少5个字）。")]
    elif len(text) > DESCRIPTION_MAX:
        errors["description"] = [_("调解事项最多2000字。")]
    if unit is None or not unit.is_active:
        errors["unit"] = [_("受理单位无效。")]
    if errors:
        raise ValidationError(errors)
    cipher, index, masked = _protected_phone(applicant_phone)
    room = secrets.token_urlsafe(12)
    link = meeting_link(room)
    mediation = RemoteMediationRequest(
        unit=unit,
        kiosk=kiosk,
        applicant_name=applicant_name,
        applicant_phone_cipher=cipher,
        applicant_phone_hash=index,
        applicant_phone_masked=masked,
        other_name=other_name,
        description=text,
        room=room,
        meeting_link=link,
    )
    if other_phone:
        (mediation.other_phone_cipher, mediation.other_phone_hash, mediation.other_phone_masked) = _protected_phone(
            other_phone
        )
    with transaction.atomic():
        advisory_xact_lock("kiosk.mediation", index)  # the count below, then the insert
        with scopes_disabled():
            recent = RemoteMediationRequest.objects.filter(
                applicant_phone_hash=index, created_at__gte=timezone.now() - dt.timedelta(days=1)
            ).count()
        if recent >= MEDIATION_REQUESTS_PER_DAY:
            raise ValidationError(
                {"applicant_phone": [_("该手机号今天已提交%(n)s次调解申请，请等待工作人员联系。") % {"n": recent}]}
            )
        mediation.save(force_insert=True)
        audit_record(
            actor=None,
            actor_name=f"worker:{masked}",
            action=AuditAction.CREATE,
            obj=mediation,
            changes={"applicant_phone": [None, masked], "other_phone": [None, mediation.other_phone_masked]},
            note=kiosk.code if kiosk else "",
        )
        messages = [
            (
                applicant_phone,
                _("【工会服务】您的远程调解申请已由%(unit)s受理。视频调解链接：%(link)s 调解时间确定后将短信通知您。")
                % {"unit": unit.name, "link": link},
            )
        ]
        if other_phone:
            messages.append(
                (
                    other_phone,
                    _(
                        "【工会服务】%(name)s向%(unit)s申请与%(other)s进行远程劳动争议调解。"
                        "视频调解链接：%(link)s 调解时间确定后将短信通知您。"
                    )
                    % {"name": applicant_name, "unit": unit.name, "other": other_name or _("您"), "link": link},
                )
            )
        _sms_after_commit(messages)
    return mediation


def _lock_mediation_in_scope(mediation: RemoteMediationRequest) -> RemoteMediationRequest:
    locked = (
        RemoteMediationRequest.objects.select_for_update(of=("self",))
        .select_related("unit")
        .filter(pk=mediation.pk)
        .first()
    )
    if locked is None:
        raise _not_found("mediation", _("调解申请"))
    return locked


def _move(locked: RemoteMediationRequest, to: str) -> str:
    if to not in MEDIATION_PIPELINE[locked.status]:
        raise ValidationError(
            {
                "status": [
                    _("“%(from)s”的申请不能改为“%(to)s”。")
                    % {"from": locked.get_status_display(), "to": MediationStatus(to).label}
                ]
            }
        )
    before = locked.status
    locked.status = to
    return before


def _both_phones(mediation: RemoteMediationRequest) -> list[str]:
    phones = [pii.decrypt(mediation.applicant_phone_cipher)]
    if mediation.other_phone_cipher:
        phones.append(pii.decrypt(mediation.other_phone_cipher))
    return phones


def mediation_schedule(
    *, by, mediation: RemoteMediationRequest, scheduled_at: dt.datetime, note: str = ""
) -> RemoteMediationRequest:
    """Set (or move) the time of the video mediation; both sides are told by SMS."""
    check_permission(by, "kiosk.manage")
    if scheduled_at is None or scheduled_at <= timezone.now():
        raise ValidationError({"scheduled_at": [_("调解时间应晚于现在。")]})
    with transaction.atomic():
        locked = _lock_mediation_in_scope(mediation)
        before = snapshot(locked, ("status", "scheduled_at", "note", "handled_by"))
        _move(locked, MediationStatus.SCHEDULED)
        locked.scheduled_at, locked.handled_by = scheduled_at, by
        locked.note = (note or "").strip()[:500] or locked.note
        delta = diff(before, snapshot(locked, ("status", "scheduled_at", "note", "handled_by")))
        locked.save(update_fields=["status", "scheduled_at", "note", "handled_by"])
        audit_record(actor=by, action=AuditAction.UPDATE, obj=locked, changes=delta)
        text = _("【工会服务】远程调解定于%(at)s进行，请届时打开视频调解链接：%(link)s") % {
            "at": _local(scheduled_at),
            "link": locked.meeting_link,
        }
        _sms_after_commit([(phone, text) for phone in _both_phones(locked)])
    return locked


def mediation_close(*, by, mediation: RemoteMediationRequest, status: str, note: str = "") -> RemoteMediationRequest:
    """Mark the mediation done, or cancel the request (a note says why)."""
    check_permission(by, "kiosk.manage")
    if status not in (MediationStatus.DONE, MediationStatus.CANCELLED):
        raise ValidationError({"status": [_("只能办结或取消。")]})
    note = (note or "").strip()[:500]
    if status == MediationStatus.CANCELLED and not note:
        raise ValidationError({"note": [_("取消申请时请说明原因。")]})
    with transaction.atomic():
        locked = _lock_mediation_in_scope(mediation)
        before = locked.status
        _move(locked, status)
        locked.note = note or locked.note
        locked.closed_at, locked.handled_by = timezone.now(), by
        locked.save(update_fields=["status", "note", "closed_at", "handled_by"])
        audit_record(actor=by, action=AuditAction.UPDATE, obj=locked, changes={"status": [before, status]}, note=note)
    return locked
