"""Scoped reads for mutual-aid insurance: every query goes through the organisation scope
of the person asking (the managers in models.py), so another district's plan, batch or
claim is simply not found."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.shortcuts import get_object_or_404

from gonghui.fund.services import CENT
from gonghui.mutualaid.models import BatchStatus, Claim, ClaimStatus, Enrolment, EnrolmentBatch, Plan, PlanStatus


def plan_list():
    return Plan.objects.select_related("unit", "account").order_by("-year", "name")


def plan_get(pk) -> Plan:
    return get_object_or_404(Plan.objects.select_related("unit", "account"), pk=pk)


@dataclass
class PlanFigures:
    enrolled: int
    premium_collected: Decimal
    claims_paid: int
    amount_paid: Decimal
    claims_open: int


def plan_figures(plan: Plan) -> PlanFigures:
    """The plan's totals over what the user may see (the whole plan for its own union)."""
    premiums = EnrolmentBatch.objects.filter(plan=plan, status=BatchStatus.CONFIRMED).aggregate(s=Sum("premium_total"))[
        "s"
    ]
    claims = Claim.objects.filter(plan=plan).aggregate(
        paid=Count("pk", filter=Q(status=ClaimStatus.PAID)),
        amount=Sum("amount_approved", filter=Q(status=ClaimStatus.PAID)),
        open=Count("pk", filter=Q(status__in=[ClaimStatus.SUBMITTED, ClaimStatus.REVIEWED, ClaimStatus.APPROVED])),
    )
    return PlanFigures(
        enrolled=Enrolment.objects.filter(plan=plan).count(),
        # SQLite's SUM drops the trailing zeros: show yuan to the fen as everywhere else.
        premium_collected=(premiums or Decimal("0")).quantize(CENT),
        claims_paid=claims["paid"],
        amount_paid=(claims["amount"] or Decimal("0")).quantize(CENT),
        claims_open=claims["open"],
    )


def batch_list(plan: Plan):
    return EnrolmentBatch.objects.filter(plan=plan).select_related("unit", "source").order_by("-created_at", "-id")


def batch_get(pk) -> EnrolmentBatch:
    return get_object_or_404(
        EnrolmentBatch.objects.select_related("plan__unit", "plan__account", "unit", "source", "transaction"), pk=pk
    )


def batch_enrolments(batch: EnrolmentBatch, limit: int = 200):
    return Enrolment.objects.filter(batch=batch).select_related("member", "unit").order_by("unit__path", "id")[:limit]


def claim_list(*, status: str = "", q: str = ""):
    qs = Claim.objects.select_related("member", "plan", "unit")
    if status:
        qs = qs.filter(status=status)
    q = (q or "").strip()
    if q:
        number = int(q[2:]) if q[:2].upper() == "MA" and q[2:].isdigit() else -1
        qs = qs.filter(Q(member__name__icontains=q) | Q(pk=number))
    return qs.order_by("-created_at", "-id")


def claim_get(pk) -> Claim:
    return get_object_or_404(
        Claim.objects.select_related(
            "member", "unit", "plan__unit", "plan__account", "enrolment", "registered_by", "reviewed_by", "approved_by"
        ),
        pk=pk,
    )


def enrolment_get(pk) -> Enrolment:
    return get_object_or_404(Enrolment.objects.select_related("member", "unit", "plan"), pk=pk)


def enrolments_to_claim(q: str, limit: int = 50):
    """Enrolments in open or closed plans of the members found by name or ID number."""
    from gonghui.members.identity import normalise_id_number
    from gonghui.members.services import id_number_hash

    q = (q or "").strip()[:40]
    if not q:
        return Enrolment.objects.none()
    qs = Enrolment.objects.filter(plan__status__in=[PlanStatus.OPEN, PlanStatus.CLOSED]).select_related(
        "member", "unit", "plan"
    )
    number = normalise_id_number(q)
    if number and len(number) == 18:
        qs = qs.filter(member__id_number_hash=id_number_hash(number))
    else:
        qs = qs.filter(member__name__icontains=q)
    return qs.order_by("member__name", "-plan__year", "plan__name")[:limit]


def plan_units():
    """The unions in scope that may run a plan."""
    from gonghui.orgs.models import Unit, UnitKind

    return Unit.objects.filter(kind__in=[UnitKind.CITY_FEDERATION, UnitKind.DISTRICT_UNION]).order_by("path")


def batch_units(plan: Plan):
    """The units in scope under the plan's union whose members may be enrolled. Enterprise
    unions are left out of the choice (a city has tens of thousands): enrol their station."""
    from gonghui.orgs.models import Unit, UnitKind

    return Unit.objects.filter(path__startswith=plan.unit.path).exclude(kind=UnitKind.ENTERPRISE_UNION).order_by("path")


def premium_sources():
    """The accounts in scope premiums may be paid from (the union's own money)."""
    from gonghui.fund.models import Account
    from gonghui.mutualaid.services import SOURCE_KINDS

    return Account.objects.filter(kind__in=SOURCE_KINDS).select_related("unit").order_by("code")


def workbench_todos(user) -> list:
    """Claims waiting for review (the unit's staff) or approval and payment (district or
    city)."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from gonghui.core.workbench import Todo, decides_at_district_level

    counts = Claim.objects.aggregate(
        **{
            s: Count("id", filter=Q(status=s))
            for s in (ClaimStatus.SUBMITTED, ClaimStatus.REVIEWED, ClaimStatus.APPROVED)
        }
    )
    claims = reverse("mutualaid:claim_list")
    wanted = []
    if user.can("mutualaid.claim"):
        wanted.append(("mutualaid_review", _("互助保障给付待审核"), ClaimStatus.SUBMITTED))
    if user.can("mutualaid.approve") and decides_at_district_level(user):
        wanted.append(("mutualaid_approve", _("互助保障给付待审批"), ClaimStatus.REVIEWED))
        wanted.append(("mutualaid_pay", _("互助保障已批准待给付"), ClaimStatus.APPROVED))
    return [Todo(key, label, counts[status], f"{claims}?status={status}") for key, label, status in wanted]
