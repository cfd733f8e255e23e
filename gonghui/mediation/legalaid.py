"""Legal aid (法律援助): consultations (walk-in, kiosk booking, hotline) and representation
by contracted lawyers, with the hours they spend and the outcome.

A contracted lawyer (``legalaid.own`` without ``legalaid.view``) reads and writes only what
is assigned to them: the narrowing is here, in the reads and the writes, not in templates.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.roles import Role
from gonghui.core import pii
from gonghui.core.audit import audit_record
from gonghui.core.models import AuditAction
from gonghui.core.scoping import path_in_scope, scopes_disabled
from gonghui.mediation.models import (
    Consultation,
    ConsultationChannel,
    MediationCase,
    Representation,
    RepresentationHours,
    RepresentationStatus,
)
from gonghui.members.identity import parse_mobile

MAX_HOURS = Decimal("24")


def sees_only_own(user) -> bool:
    return not user.can("legalaid.view") and user.can("legalaid.own")


def lawyers(user):
    """Contracted lawyers in the user's subtree (to assign work to)."""
    from gonghui.accounts.models import Staff

    return Staff.objects.filter(roles__role=Role.LAWYER, is_active=True).select_related("unit").order_by("username")


def _check_lawyer(lawyer) -> None:
    if lawyer is None or Role.LAWYER not in lawyer.role_set or not lawyer.is_active:
        raise ValidationError({"lawyer": [_("请选择签约律师。")]})
    if lawyer.unit_id is None or not path_in_scope(lawyer.unit.path):
        raise ValidationError({"lawyer": [_("该律师不在您的管辖范围内。")]})


def _check_write(by, *, unit_path: str, lawyer_id: int) -> None:
    if by is not None and by.can("legalaid.handle") and path_in_scope(unit_path):
        return
    if by is not None and by.can("legalaid.own"):
        if lawyer_id == by.pk:
            return
        raise PermissionDenied(_("这不是分配给您的法律援助事项，您只能办理自己的事项。"))
    raise PermissionDenied(_("您没有执行此操作的权限。"))


# --- Reads ----------------------------------------------------------------------------------


def consultation_list(*, user):
    if sees_only_own(user):
        with scopes_disabled():
            return list(Consultation.objects.filter(lawyer=user).select_related("unit", "lawyer")[:500])
    if not user.can("legalaid.view"):
        return []
    return list(Consultation.objects.select_related("unit", "lawyer")[:500])


def representation_list(*, user):
    if sees_only_own(user):
        with scopes_disabled():
            return list(Representation.objects.filter(lawyer=user).select_related("unit", "lawyer", "case")[:500])
    if not user.can("legalaid.view"):
        return []
    return list(Representation.objects.select_related("unit", "lawyer", "case")[:500])


def representation_get(*, user, pk) -> Representation:
    """One representation: in the user's subtree, or — for a lawyer — their own (404 for
    anything else, exactly as an id that does not exist)."""
    if sees_only_own(user):
        with scopes_disabled():
            return get_object_or_404(
                Representation.objects.select_related("unit", "lawyer", "case"), pk=pk, lawyer=user
            )
    if not user.can("legalaid.view"):
        raise PermissionDenied
    return get_object_or_404(Representation.objects.select_related("unit", "lawyer", "case"), pk=pk)


def representation_hours_total(rep: Representation) -> Decimal:
    return rep.hours.aggregate(s=Sum("hours"))["s"] or Decimal("0")


# --- Writes ---------------------------------------------------------------------------------


def consultation_record(
    *,
    by,
    unit,
    channel: str,
    lawyer,
    client_name: str,
    topic: str,
    phone: str = "",
    notes: str = "",
    outcome: str = "",
    held_at: dt.datetime | None = None,
    booking=None,
) -> Consultation:
    """A consultation given: by a handler for any lawyer of the subtree, or by a lawyer for
    themself. A kiosk booking (legal slot) may be linked; it must be a legal-consultation
    booking of the subtree."""
    from gonghui.kiosk.models import SlotKind

    if by is None or not (by.can("legalaid.handle") or by.can("legalaid.own")):
        raise PermissionDenied(_("您没有执行此操作的权限。"))
    if not by.can("legalaid.handle"):
        lawyer = by  # a lawyer records only their own consultations
    errors: dict[str, list[str]] = {}
    if channel not in ConsultationChannel.values:
        errors["channel"] = [_("请选择咨询渠道。")]
    if unit is None or not path_in_scope(unit.path):
        errors["unit"] = [_("服务单位不在您的管辖范围内。")]
    try:
        _check_lawyer(lawyer)
    except ValidationError as e:
        errors.update(e.message_dict)
    name = " ".join((client_name or "").split())[:40]
    if not name:
        errors["client_name"] = [_("请填写咨询人姓名（可只填姓氏）。")]
    topic = (topic or "").strip()[:200]
    if len(topic) < 2:
        errors["topic"] = [_("请填写咨询事项。")]
    plain_phone = ""
    if phone:
        try:
            plain_phone = parse_mobile(phone)
        except ValidationError as e:
            errors["phone"] = e.messages
    if channel == ConsultationChannel.KIOSK_BOOKING:
        if booking is None:
            errors["booking"] = [_("智能舱预约的咨询请选择预约记录。")]
        elif booking.slot.kind != SlotKind.LEGAL or not path_in_scope(booking.slot.unit.path):
            errors["booking"] = [_("该预约不是本辖区的法律咨询预约。")]
    held_at = held_at or timezone.now()
    if held_at > timezone.now() + dt.timedelta(minutes=5):
        errors["held_at"] = [_("咨询时间不能晚于现在。")]
    if errors:
        raise ValidationError(errors)
    from gonghui.members.services import phone_hash

    with transaction.atomic():
        if booking is not None and Consultation.objects.filter(booking=booking).exists():
            raise ValidationError({"booking": [_("该预约已登记过咨询。")]})
        consultation = Consultation.objects.create(
            unit=unit,
            channel=channel,
            lawyer=lawyer,
            booking=booking if channel == ConsultationChannel.KIOSK_BOOKING else None,
            client_name=name,
            phone_cipher=pii.encrypt(plain_phone) if plain_phone else None,
            phone_hash=phone_hash(plain_phone) if plain_phone else None,
            phone_masked=pii.mask_phone(plain_phone) if plain_phone else "",
            topic=topic,
            notes=(notes or "").strip()[:5000],
            outcome=(outcome or "").strip()[:200],
            held_at=held_at,
            created_by=by,
        )
        audit_record(actor=by, action=AuditAction.CREATE, obj=consultation, changes={"lawyer": lawyer.pk})
    return consultation


def representation_assign(
    *, by, unit, lawyer, client_name: str, matter: str, case: MediationCase | None = None, appeal=None
) -> Representation:
    """Assign a contracted lawyer to represent a worker, for a mediation case or an appeal."""
    if by is None or not by.can("legalaid.handle"):
        raise PermissionDenied(_("您没有执行此操作的权限。"))
    errors: dict[str, list[str]] = {}
    if unit is None or not path_in_scope(unit.path):
        errors["unit"] = [_("服务单位不在您的管辖范围内。")]
    try:
        _check_lawyer(lawyer)
    except ValidationError as e:
        errors.update(e.message_dict)
    name = " ".join((client_name or "").split())[:40]
    if not name:
        errors["client_name"] = [_("请填写受援人姓名。")]
    matter = (matter or "").strip()[:300]
    if len(matter) < 4:
        errors["matter"] = [_("请填写代理事项。")]
    if case is not None and not path_in_scope(case.body.unit.path):
        errors["case"] = [_("调解案件不在您的管辖范围内。")]
    if appeal is not None and not path_in_scope(appeal.unit.path):
        errors["appeal"] = [_("诉求不在您的管辖范围内。")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        rep = Representation.objects.create(
            unit=unit, lawyer=lawyer, client_name=name, matter=matter, case=case, appeal=appeal, assigned_by=by
        )
        audit_record(actor=by, action=AuditAction.CREATE, obj=rep, changes={"lawyer": lawyer.pk})
    return rep


def _lock_rep(rep: Representation) -> Representation:
    with scopes_disabled():
        return Representation.objects.select_for_update(of=("self",)).select_related("unit").get(pk=rep.pk)


def representation_log_hours(*, by, representation: Representation, hours, worked_on: dt.date, note: str = ""):
    try:
        hours = Decimal(str(hours)).quantize(Decimal("0.1"))
        if not hours.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({"hours": [_("请填写工时（小时），如 1.5。")]}) from None
    if hours <= 0 or hours > MAX_HOURS:
        raise ValidationError({"hours": [_("一天的工时应在0.1至24小时之间。")]})
    if worked_on is None or worked_on > timezone.localdate():
        raise ValidationError({"worked_on": [_("日期不能晚于今天。")]})
    with transaction.atomic():
        locked = _lock_rep(representation)
        _check_write(by, unit_path=locked.unit.path, lawyer_id=locked.lawyer_id)
        if locked.status != RepresentationStatus.OPEN:
            raise ValidationError(_("代理已结束，不能再登记工时。"))
        row = RepresentationHours.objects.create(
            representation=locked, hours=hours, worked_on=worked_on, note=(note or "").strip()[:300], by=by
        )
        audit_record(actor=by, action=AuditAction.CREATE, obj=locked, changes={"hours": str(hours)}, note="hours")
    return row


def representation_close(*, by, representation: Representation, outcome: str) -> Representation:
    outcome = (outcome or "").strip()
    if len(outcome) < 4:
        raise ValidationError({"outcome": [_("请填写代理结果。")]})
    with transaction.atomic():
        locked = _lock_rep(representation)
        _check_write(by, unit_path=locked.unit.path, lawyer_id=locked.lawyer_id)
        if locked.status != RepresentationStatus.OPEN:
            raise ValidationError(_("代理已结束。"))
        locked.status, locked.outcome, locked.closed_at = RepresentationStatus.CLOSED, outcome[:2000], timezone.now()
        locked.save(update_fields=["status", "outcome", "closed_at"])
        audit_record(actor=by, action=AuditAction.UPDATE, obj=locked, changes={"status": ["open", "closed"]})
    return locked
