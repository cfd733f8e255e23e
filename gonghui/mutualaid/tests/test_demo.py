"""The demo's mutual aid: a plan, a station's members enrolled, claims in every state —
paid ones within the limits and from the plan's account; a second run adds nothing."""

import pytest

from conftest import make_staff
from gonghui.core.scoping import scope, scopes_disabled
from gonghui.fund.services import balance_check
from gonghui.mutualaid.demo import seed_demo_mutualaid
from gonghui.mutualaid.models import Claim, ClaimStatus, Plan

pytestmark = pytest.mark.django_db


def test_the_demo_plan_has_members_and_claims_in_every_state(city):
    make_staff(city.root, "officer", username="city_officer")
    made = seed_demo_mutualaid()
    assert made["plans"] == 1 and made["enrolled"] >= 1 and made["claims"] >= 1
    with scopes_disabled():
        plan = Plan.objects.get()
        claims = list(Claim.objects.all())
        assert {c.status for c in claims} <= set(ClaimStatus.values)
        for c in claims:
            if c.status in (ClaimStatus.APPROVED, ClaimStatus.PAID):
                assert c.amount_approved <= plan.claim_limit and c.approved_by_id != c.reviewed_by_id
        assert balance_check() == []
    assert seed_demo_mutualaid() == {"plans": 0, "enrolled": 0, "claims": 0}


def test_the_demo_tops_the_plan_up_only_with_what_the_allocation_still_holds(city):
    """In a large city the station's premiums take most of the district's allocation: the
    top-up is what is left (it used to ask for 20,000 regardless and stop the city's build
    half-way, leaving a plan with members and no claims)."""
    from decimal import Decimal

    from gonghui.fund import services as fund_services
    from gonghui.fund.demo import CITY_FUND, demo_districts, district_code, seed_demo_fund
    from gonghui.fund.models import Account

    officer = make_staff(city.root, "officer", username="city_officer")
    seed_demo_fund()
    with scopes_disabled():
        allocation = Account.objects.get(code=district_code(demo_districts()[0].division_code))
        fund = Account.objects.get(code=CITY_FUND)
    with scope(org=city.root.path):
        fund_services.transfer(
            by=officer,
            source=allocation,
            target=fund,
            amount=allocation.balance - Decimal("500"),
            memo="退回",
            idempotency_key="test-drain",
        )
    made = seed_demo_mutualaid()
    assert made["plans"] == 1 and made["enrolled"] >= 1
    with scopes_disabled():
        allocation.refresh_from_db()
        assert allocation.balance == 0
        assert balance_check() == []
