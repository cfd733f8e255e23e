"""Demo mutual aid for `seed_city --members N` (idempotent): the first demo district's
hospitalisation plan for the year, one union's members enrolled in a batch with
the premiums paid from the district's allocation (gonghui.fund.demo), and a handful of
claims in every state — through the services, as staff would do it."""

import random
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from gonghui.core.scoping import scope, scopes_disabled
from gonghui.fund import services as fund_services
from gonghui.fund.demo import demo_districts, demo_staff, district_code, seed_demo_fund
from gonghui.fund.models import Account
from gonghui.members.models import Member, MemberStatus
from gonghui.mutualaid import services
from gonghui.mutualaid.models import Enrolment, Plan
from gonghui.orgs.models import Unit

# Claims to make, by the state they end in.
STATES = ["submitted", "submitted", "reviewed", "approved", "paid", "paid", "rejected"]


def _enrolling_unit(district: Unit) -> tuple[Unit, Unit] | None:
    """A union in the district that has members (its own members, a batch a district
    allocation can pay for at any size of the demo city) and the street station above it,
    whose social worker registers the claims."""
    with scopes_disabled():
        unit_id = (
            Member.objects.filter(unit__path__startswith=district.path, unit__depth__gte=3, status=MemberStatus.ACTIVE)
            .order_by("pk")
            .values_list("unit_id", flat=True)
            .first()
        )
        if unit_id is None:
            return None
        unit = Unit.objects.get(pk=unit_id)
        station = Unit.objects.get(path=unit.path[: 3 * Unit.steplen])
    return unit, station


def seed_demo_mutualaid(*, seed: int = 12352) -> dict:
    """One district's plan with a union's members enrolled and claims in every state — all of
    it or nothing (a failure part-way must not leave a plan that blocks the next attempt)."""
    with transaction.atomic():
        return _seed(seed)


def _seed(seed: int) -> dict:
    made = {"plans": 0, "enrolled": 0, "claims": 0}
    with scopes_disabled():
        if Plan.objects.exists():
            return made
    districts = demo_districts()
    if not districts:
        return made
    seed_demo_fund()
    district = districts[0]
    found = _enrolling_unit(district)
    with scopes_disabled():
        source = Account.objects.filter(code=district_code(district.division_code)).first()
    if found is None or source is None:
        return made
    unit, station = found
    rng = random.Random(seed)
    officer = demo_staff(
        district, "mutualaid.approve", role="officer", username="chaoyang_officer", full_name="王芳", title="干部"
    )
    clerk = demo_staff(
        station, "mutualaid.claim", role="social_worker", username="chaoyang_sw", full_name="孙社工", exclude=[officer]
    )
    today = timezone.localdate()
    with scope(org=district.path):
        plan = services.plan_create(
            by=officer,
            name=f"{district.label}职工住院互助保障",
            kind="hospitalisation",
            unit=district,
            year=today.year,
            premium="30",
            claim_limit="3000",
            yearly_limit="6000",
            waiting_days=0,
            daily_allowance="100",
        )
        plan = services.plan_set_status(by=officer, plan=plan, status="open")
        made["plans"] = 1
        batch = services.batch_create(by=officer, plan=plan, unit=unit, source=source)
        try:
            batch = services.batch_confirm(by=officer, batch=batch)
        except ValidationError:
            return made  # the allocation cannot pay this station's premiums: a plan without members
        # Premiums alone do not carry a year's claims: the district tops the plan up with up
        # to 20,000 of what its allocation still holds (in a large city the station's
        # premiums took more of it).
        with scopes_disabled():
            source.refresh_from_db(fields=["balance"])
        top_up = min(Decimal("20000"), source.balance)
        if top_up > 0:
            fund_services.transfer(
                by=officer,
                source=source,
                target=plan.account,
                amount=top_up,
                memo=f"{district.label}补充{plan.name}互助金",
                idempotency_key=f"demo-mutualaid-topup-{plan.pk}",
            )
        with scopes_disabled():
            enrolments = list(Enrolment.objects.filter(batch=batch).select_related("plan", "unit").order_by("pk"))
        made["enrolled"] = len(enrolments)
        for state, enrolment in zip(STATES, rng.sample(enrolments, min(len(STATES), len(enrolments))), strict=False):
            claim = services.claim_register(
                by=clerk,
                enrolment=enrolment,
                event_date=today,
                hospital_days=rng.choice([3, 5, 7, 10, 12, 15]),
                description=rng.choice(["急性阑尾炎住院手术", "肺炎住院治疗", "骨折住院", "胆囊炎住院"]),
            )
            made["claims"] += 1
            if state == "submitted":
                continue
            if state == "rejected":
                services.claim_reject(by=clerk, claim=claim, reason="住院病历与发票姓名不一致，请补充材料后重新申请。")
                continue
            claim = services.claim_review(by=clerk, claim=claim)
            if state == "reviewed":
                continue
            claim = services.claim_approve(by=officer, claim=claim)
            if state == "paid":
                services.claim_pay(by=officer, claim=claim)
    return made
