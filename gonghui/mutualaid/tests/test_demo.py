"""The demo's mutual aid: a plan, a station's members enrolled, claims in every state —
paid ones within the limits and from the plan's account; a second run adds nothing."""

import pytest

from conftest import make_staff
from gonghui.core.scoping import scopes_disabled
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
