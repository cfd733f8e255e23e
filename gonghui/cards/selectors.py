"""Reads for cards and venues. Staff reads are scoped by the organisation scope; a venue
is not a person in the tree, so its reads disable scoping on purpose and filter by the
venue itself."""

import datetime as dt

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.shortcuts import get_object_or_404
from django.utils import timezone

from gonghui.cards.models import Benefit, Card, Redemption, Venue
from gonghui.core.scoping import scopes_disabled


def card_get(pk) -> Card:
    return get_object_or_404(Card.objects.select_related("member"), pk=pk)


def redemption_stats(*, start: dt.date, end: dt.date, benefit_id: int | None = None):
    """Uses by members in scope, by venue and benefit (or of one benefit: any id is safe
    here, since only redemptions of members in scope are counted)."""
    qs = Redemption.objects.filter(on_date__gte=start, on_date__lte=end)
    if benefit_id is not None:
        qs = qs.filter(benefit_id=benefit_id)
    return (
        qs.values("venue__name", "benefit__name")
        .annotate(uses=Count("id"), members=Count("member", distinct=True))
        .order_by("-uses")
    )


def venue_active(venue_id) -> Venue | None:
    if not venue_id:
        return None
    with scopes_disabled():
        return Venue.objects.filter(pk=venue_id, is_active=True).first()


def venue_benefits(venue: Venue) -> list[Benefit]:
    with scopes_disabled():
        return list(Benefit.objects.filter(venue=venue, is_active=True).order_by("name"))


def venue_redemptions(venue: Venue, *, limit: int = 50) -> list[Redemption]:
    with scopes_disabled():
        return list(
            Redemption.objects.filter(venue=venue)
            .select_related("benefit", "member")
            .order_by("-id")[: max(1, min(limit, 200))]
        )


# --- The benefit catalogue (staff) ---------------------------------------------------------


def venue_list(*, q=None, active=None, unit=None):
    """Venues of unions in scope, each with its number of benefits."""
    qs = Venue.objects.select_related("unit", "service_point").annotate(benefit_count=Count("benefits"))
    if q:
        q = q.strip()
        qs = qs.filter(Q(name__icontains=q) | Q(address__icontains=q))
    if active is not None:
        qs = qs.filter(is_active=active)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    return qs.order_by("unit__path", "name", "id")


def venue_get(pk) -> Venue:
    return get_object_or_404(Venue.objects.select_related("unit", "service_point"), pk=pk)


def venue_choices():
    """Venues a benefit may be added to: those in scope, in use."""
    return Venue.objects.filter(is_active=True).select_related("unit").order_by("unit__path", "name")


def benefit_list(*, venue=None, active=None, kind=None, q=None):
    qs = Benefit.objects.select_related("venue__unit", "eligible_unit")
    if venue is not None:
        qs = qs.filter(venue=venue)
    if active is not None:
        qs = qs.filter(is_active=active)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        q = q.strip()
        qs = qs.filter(Q(name__icontains=q) | Q(venue__name__icontains=q))
    return qs.order_by("venue__name", "name", "id")


def benefit_get(pk) -> Benefit:
    return get_object_or_404(Benefit.objects.select_related("venue__unit", "eligible_unit"), pk=pk)


def benefit_usage_by_month(benefit: Benefit, *, months: int = 12) -> list[dict]:
    """Uses of one benefit per month, newest first: counts only, no person. Every member's
    use is counted, wherever their union is — the benefit was reached through the scoped
    lookup, and its owner answers for all of its use (as its ``redeemed`` counter does)."""
    today = timezone.localdate()
    first = today.replace(day=1)
    for _month in range(months - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    with scopes_disabled():
        return list(
            Redemption.objects.filter(benefit=benefit, on_date__gte=first)
            .annotate(month=TruncMonth("on_date"))
            .values("month")
            .annotate(uses=Count("id"), members=Count("member", distinct=True))
            .order_by("-month")
        )
