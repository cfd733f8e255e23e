"""Reads for the kiosk. Staff reads go through the scoped managers (the user's subtree); a
kiosk device is not a person in the tree, so its reads disable scoping on purpose and
filter by the kiosk's own district."""

from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from gonghui.core.scoping import scopes_disabled
from gonghui.kiosk.models import (
    HOLDS_PLACE,
    ConsultationSlot,
    Kiosk,
    MediationStatus,
    RemoteMediationRequest,
    SlotBooking,
)
from gonghui.orgs.models import Unit, UnitKind

# How many upcoming slots a kiosk lists per kind: a screen's worth, soonest first.
KIOSK_SLOT_LIMIT = 30


def _with_places(qs):
    return qs.annotate(taken=Count("bookings", filter=Q(bookings__status__in=HOLDS_PLACE)))


# --- The kiosk device ---------------------------------------------------------------------


def kiosk_by_code(code: str) -> Kiosk:
    with scopes_disabled():
        kiosk = Kiosk.objects.select_related("unit", "service_point").filter(code=code, is_active=True).first()
    if kiosk is None:
        raise Http404
    return kiosk


def kiosk_district(kiosk: Kiosk) -> Unit:
    """The district union whose stations' slots the kiosk offers (the kiosk's own unit
    when it sits outside a district)."""
    unit = kiosk.unit
    if unit.kind == UnitKind.DISTRICT_UNION:
        return unit
    with scopes_disabled():
        district = (
            Unit.objects.filter(path__in=unit.ancestor_paths(), kind=UnitKind.DISTRICT_UNION).order_by("-depth").first()
        )
    return district or unit


def _kiosk_open_slots(kiosk: Kiosk):
    return ConsultationSlot.objects.filter(
        unit__path__startswith=kiosk_district(kiosk).path,
        unit__is_active=True,
        is_active=True,
        starts_at__gt=timezone.now(),
    )


def kiosk_slots(kiosk: Kiosk, kind: str) -> list[ConsultationSlot]:
    """Upcoming slots of one kind at the kiosk's station and its district's other
    stations, the kiosk's own station first, each with ``taken`` places."""
    with scopes_disabled():
        slots = list(
            _with_places(_kiosk_open_slots(kiosk).filter(kind=kind))
            .select_related("unit")
            .order_by("starts_at", "id")[:KIOSK_SLOT_LIMIT]
        )
    for slot in slots:
        slot.places_left = max(slot.capacity - slot.taken, 0)
        slot.is_home = slot.unit_id == kiosk.unit_id
    slots.sort(key=lambda s: (not s.is_home, s.starts_at, s.pk))
    return slots


def kiosk_slot(kiosk: Kiosk, pk) -> ConsultationSlot | None:
    """One slot the kiosk offers, or None (another district's, past, cancelled, unknown)."""
    if not str(pk).isdigit() or len(str(pk)) > 12:
        return None
    with scopes_disabled():
        slot = _with_places(_kiosk_open_slots(kiosk)).select_related("unit").filter(pk=int(pk)).first()
    if slot is not None:
        slot.places_left = max(slot.capacity - slot.taken, 0)
    return slot


# --- Staff ----------------------------------------------------------------------------------


def kiosk_list():
    return Kiosk.objects.select_related("unit", "service_point").order_by("unit__path", "name", "id")


def kiosk_get(pk) -> Kiosk:
    return get_object_or_404(Kiosk.objects.select_related("unit", "service_point"), pk=pk)


def slot_list(*, kind: str = "", past: bool = False):
    now = timezone.now()
    qs = _with_places(ConsultationSlot.objects.select_related("unit"))
    if kind:
        qs = qs.filter(kind=kind)
    if past:
        return qs.filter(ends_at__lte=now).order_by("-starts_at", "-id")
    return qs.filter(ends_at__gt=now).order_by("starts_at", "id")


def slot_get(pk) -> ConsultationSlot:
    return get_object_or_404(_with_places(ConsultationSlot.objects.select_related("unit")), pk=pk)


def slot_bookings(slot: ConsultationSlot) -> list[SlotBooking]:
    return list(SlotBooking.objects.filter(slot=slot).order_by("created_at", "id"))


def booking_get(pk) -> SlotBooking:
    return get_object_or_404(SlotBooking.objects.select_related("slot__unit"), pk=pk)


def mediation_list(*, status: str = ""):
    qs = RemoteMediationRequest.objects.select_related("unit", "kiosk", "handled_by")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def mediation_counts() -> dict[str, int]:
    rows = RemoteMediationRequest.objects.values("status").annotate(n=Count("id"))
    counts = dict.fromkeys(MediationStatus.values, 0)
    counts.update({r["status"]: r["n"] for r in rows})
    return counts


def mediation_get(pk) -> RemoteMediationRequest:
    return get_object_or_404(RemoteMediationRequest.objects.select_related("unit", "kiosk", "handled_by"), pk=pk)
