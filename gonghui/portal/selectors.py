"""Reads for the members' portal. The visitor is a member, not staff: there is no
organisation scope, so each read disables scoping on purpose and is filtered by the
signed-in member's id — never by anything the request names."""

import segno

from gonghui.cards.models import HELD, Card, Redemption
from gonghui.cards.services import card_qr_token
from gonghui.core.scoping import scopes_disabled
from gonghui.members.models import Member, MemberStatus

HISTORY_LIMIT = 100


def portal_member(member_id) -> Member | None:
    """The active member a portal session names, or None."""
    if not isinstance(member_id, int):
        return None
    with scopes_disabled():
        return Member.objects.select_related("unit").filter(pk=member_id, status=MemberStatus.ACTIVE).first()


def portal_card(member: Member) -> Card | None:
    """The card the member holds (usable, lost or frozen), if any."""
    with scopes_disabled():
        return Card.objects.filter(member_id=member.pk, status__in=HELD).order_by("-issued_at").first()


def portal_qr(card: Card) -> dict:
    """A fresh QR token for the member's screen and its image as an SVG data URI."""
    token = card_qr_token(card)
    svg = segno.make(token, error="m").svg_data_uri(scale=4, border=2)
    return {"token": token, "svg": svg}


def portal_redemptions(member: Member):
    with scopes_disabled():
        return list(
            Redemption.objects.filter(member_id=member.pk)
            .select_related("venue", "benefit")
            .order_by("-at", "-pk")[:HISTORY_LIMIT]
        )


def portal_data_requests(member: Member):
    """The member's own personal-data requests, newest first."""
    from gonghui.members.models import DataRightsRequest

    with scopes_disabled():
        return list(DataRightsRequest.objects.filter(member_id=member.pk).order_by("-id"))
