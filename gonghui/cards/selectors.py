"""Reads for cards and venues. Staff reads are scoped by the organisation scope; a venue
is not a person in the tree, so its reads disable scoping on purpose and filter by the
venue itself."""

import datetime as dt

from django.db.models import Count
from django.shortcuts import get_object_or_404

from gonghui.cards.models import Benefit, Card, Redemption, Venue
from gonghui.core.scoping import scopes_disabled


def card_get(pk) -> Card:
    return get_object_or_404(Card.objects.select_related("member"), pk=pk)


def redemption_stats(*, start: dt.date, end: dt.date):
    """Uses by members in scope, by venue and benefit."""
    return (
        Redemption.objects.filter(on_date__gte=start, on_date__lte=end)
        .values("venue__name", "benefit__name")
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
