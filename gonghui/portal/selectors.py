"""Reads for the members' portal. The visitor is a worker, not staff: there is no
organisation scope, so each read disables scoping on purpose and is filtered by the
signed-in account or member — never by anything the request names."""

import segno
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.cards.models import HELD, Card, Redemption
from gonghui.cards.services import card_qr_token, member_eligible
from gonghui.core.scoping import scopes_disabled
from gonghui.members.models import Member, MembershipApplication, MemberStatus
from gonghui.orgs.models import Employer, Unit, UnitKind
from gonghui.portal.models import PortalAccount

HISTORY_LIMIT = 100


def portal_account(account_id) -> PortalAccount | None:
    """The account a portal session names, with its member record, or None."""
    if not isinstance(account_id, int):
        return None
    with scopes_disabled():
        return PortalAccount.objects.select_related("member__unit", "member__employer").filter(pk=account_id).first()


def active_member(account: PortalAccount) -> Member | None:
    member = account.member
    return member if member is not None and member.status == MemberStatus.ACTIVE else None


def portal_applications(account: PortalAccount):
    """The applications made with this account's number, newest first."""
    with scopes_disabled():
        return list(
            MembershipApplication.objects.filter(phone_hash=account.phone_hash)
            .select_related("unit", "employer")
            .order_by("-created_at", "-pk")[:20]
        )


def portal_application(account: PortalAccount, pk) -> MembershipApplication | None:
    with scopes_disabled():
        return MembershipApplication.objects.filter(pk=pk, phone_hash=account.phone_hash).first()


def receiving_units():
    """Stations and community joint unions a worker can apply to, grouped by district:
    [(district, [unit, ...]), ...]. Public knowledge (they are on the service-point pages)."""
    from gonghui.members.services import RECEIVING_KINDS

    with scopes_disabled():
        districts = {u.path: u for u in Unit.objects.filter(kind=UnitKind.DISTRICT_UNION, is_active=True)}
        units = Unit.objects.filter(kind__in=RECEIVING_KINDS, is_active=True).order_by("path")
        groups: dict[str, list] = {}
        for unit in units:
            district = next((d for p, d in districts.items() if unit.path.startswith(p)), None)
            groups.setdefault(district.name if district else "", []).append(unit)
    return sorted(groups.items())


def receiving_unit(pk) -> Unit | None:
    from gonghui.members.services import RECEIVING_KINDS

    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    with scopes_disabled():
        return Unit.objects.filter(pk=pk, kind__in=RECEIVING_KINDS, is_active=True).first()


EMPLOYER_SUGGESTIONS = 10


def employer_suggestions(text: str) -> list[dict]:
    """Employers whose name contains the text (2+ characters), for the application form.
    Only names and whether the employer has its own union: nothing else is exposed."""
    text = (text or "").strip()
    if len(text) < 2:
        return []
    with scopes_disabled():
        rows = Employer.objects.filter(name__contains=text, is_active=True).order_by("name")[:EMPLOYER_SUGGESTIONS]
        return [{"id": e.pk, "name": e.name} for e in rows]


def employer_by_name(name: str) -> Employer | None:
    """The employer exactly so named (as picked from the suggestions), if exactly one."""
    name = (name or "").strip()
    if not name:
        return None
    with scopes_disabled():
        found = list(Employer.objects.select_related("unit").filter(name=name, is_active=True)[:2])
    return found[0] if len(found) == 1 else None


def portal_benefits(member: Member) -> list[dict]:
    """The benefits the member may use today, each with what is left of their quotas: one
    query for the benefits, one aggregate for this year's uses."""
    from django.db.models import Count, Q

    from gonghui.cards.models import Benefit

    today = timezone.localdate()
    with scopes_disabled():
        benefits = list(
            Benefit.objects.filter(is_active=True, venue__is_active=True, valid_from__lte=today, valid_to__gte=today)
            .select_related("venue", "eligible_unit")
            .order_by("venue__name", "name")
        )
        used = {
            row["benefit_id"]: row
            for row in Redemption.objects.filter(member_id=member.pk, on_date__gte=today.replace(month=1, day=1))
            .values("benefit_id")
            .annotate(
                day=Count("id", filter=Q(on_date=today)),
                month=Count("id", filter=Q(on_date__gte=today.replace(day=1))),
                year=Count("id"),
            )
        }
    result = []
    for b in benefits:
        if not member_eligible(b, member):
            continue
        counts = used.get(b.pk, {"day": 0, "month": 0, "year": 0})
        left = [
            (label, limit - counts[period])
            for period, label, limit in (
                ("day", _("今日"), b.per_member_day),
                ("month", _("本月"), b.per_member_month),
                ("year", _("本年"), b.per_member_year),
            )
            if limit is not None
        ]
        full = b.capacity is not None and b.redeemed >= b.capacity
        result.append({"benefit": b, "left": left, "full": full, "usable": not full and all(n > 0 for _l, n in left)})
    return result


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


def portal_mutualaid(member: Member) -> list[dict]:
    """The member's mutual-aid cover (职工互助保障), newest year first: each plan with its
    limits, what has been approved or paid this year and what is left, and the claims."""
    from django.db.models import Sum

    from gonghui.mutualaid.models import COMMITTED, Claim, Enrolment

    with scopes_disabled():
        enrolments = list(
            Enrolment.objects.filter(member_id=member.pk).select_related("plan").order_by("-plan__year", "plan__name")
        )
        claims = list(Claim.objects.filter(member_id=member.pk).order_by("-event_date", "-pk"))
        used = dict(
            Claim.objects.filter(member_id=member.pk, status__in=COMMITTED)
            .values_list("enrolment_id")
            .annotate(s=Sum("amount_approved"))
            .order_by()
        )
    rows = []
    for enrolment in enrolments:
        plan = enrolment.plan
        spent = used.get(enrolment.pk) or 0
        rows.append(
            {
                "enrolment": enrolment,
                "plan": plan,
                "used": spent,
                "left": max(plan.yearly_limit - spent, 0),
                "claims": [c for c in claims if c.enrolment_id == enrolment.pk],
            }
        )
    return rows
