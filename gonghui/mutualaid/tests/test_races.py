"""Two approvers decide two claims of one member at the same moment, and together the
claims exceed the member's yearly limit: exactly one is approved. The control run
switches off the enrolment lock to show both would pass. A third test has several
approvers pay one claim at once: it is paid once."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from conftest import make_staff
from gonghui.core.scoping import scopes_disabled
from gonghui.fund.models import Account, Transaction
from gonghui.mutualaid import services
from gonghui.mutualaid.models import Claim, ClaimStatus, Enrolment
from gonghui.mutualaid.tests.conftest import reviewed_claim

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def two_claims(city, station_worker, enrolment):
    """Two reviewed claims of 30 days (3,000 yuan each) against a yearly limit of 5,000."""
    return [reviewed_claim(station_worker, enrolment, days=30) for _ in range(2)]


def approve_concurrently(city, claims):
    approvers = [make_staff(city.chaoyang, "officer") for _ in claims]
    start = threading.Barrier(len(claims), timeout=30)
    outcomes = []

    def approver(by, claim):
        try:
            start.wait()
            with scopes_disabled():
                services.claim_approve(by=by, claim=claim)
            outcomes.append("approved")
        except ValidationError as e:
            outcomes.append(e.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=approver, args=pair) for pair in zip(approvers, claims, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def _approved_total(enrolment):
    with scopes_disabled():
        claims = Claim.objects.filter(enrolment=enrolment, status=ClaimStatus.APPROVED)
        return sum((c.amount_approved for c in claims), Decimal("0"))


def test_without_the_enrolment_lock_both_claims_pass_the_limit(city, enrolment, two_claims, monkeypatch):
    all_read = threading.Barrier(2, timeout=10)

    def unlocked(pk):
        found = Enrolment.objects.select_related("plan", "member").get(pk=pk)
        all_read.wait()  # both approvers hold the enrolment before either commits
        return found

    monkeypatch.setattr(services, "lock_enrolment", unlocked)
    outcomes = approve_concurrently(city, two_claims)
    assert outcomes == ["approved", "approved"]
    assert _approved_total(enrolment) == Decimal("6000.00") > enrolment.plan.yearly_limit


def test_with_the_enrolment_lock_exactly_one_claim_is_approved(city, enrolment, two_claims):
    outcomes = approve_concurrently(city, two_claims)
    assert sorted(outcomes) == ["approved", "over_yearly_limit"]
    assert _approved_total(enrolment) == Decimal("3000.00")


def test_several_approvers_pay_a_claim_once(city, station_worker, manager, enrolment):
    claim = reviewed_claim(station_worker, enrolment, days=10)
    with scopes_disabled():
        services.claim_approve(by=manager, claim=claim)
    payers = [make_staff(city.chaoyang, "officer") for _ in range(4)]
    start = threading.Barrier(len(payers), timeout=30)
    outcomes = []

    def payer(by):
        try:
            start.wait()
            with scopes_disabled():
                outcomes.append(services.claim_pay(by=by, claim=claim).pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=payer, args=(p,)) for p in payers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with scopes_disabled():
        txns = list(Transaction.objects.filter(ref_type="mutualaid.claim", ref_id=str(claim.pk)))
        assert len(txns) == 1 and outcomes == [txns[0].pk] * len(payers)
        assert Account.objects.get(pk=enrolment.plan.account_id).balance == Decimal("19030.00")
