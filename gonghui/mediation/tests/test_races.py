"""Concurrent clicks on a mediation case: two clerks recording the employer's last payment
at the same moment, and many cases opened at once. The payment race is first shown to
happen with the locks switched off."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from gonghui.core.scoping import scopes_disabled, user_scope
from gonghui.mediation import services
from gonghui.mediation.models import Agreement, MediationCase, Payment
from gonghui.mediation.tests.conftest import open_case

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def agreed_case(case_in_mediation, handler):
    """An agreement for 20,000 yuan, nothing paid yet."""
    with scopes_disabled():
        wages, overtime = case_in_mediation.claims.order_by("id")
    services.case_agree(
        by=handler,
        case=case_in_mediation,
        amounts={wages.pk: ("18000", ""), overtime.pk: ("2000", "")},
        schedule=[(timezone.localdate(), "20000")],
    )
    return case_in_mediation


def pay_at_once(case, handler, amounts):
    start = threading.Barrier(len(amounts), timeout=30)
    paid, refused = [], []

    def pay(amount):
        try:
            start.wait()
            with user_scope(handler):
                services.payment_record(by=handler, case=case, amount=amount)
            paid.append(amount)
        except ValidationError as e:
            refused.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=pay, args=(a,)) for a in amounts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return paid, refused


def total_paid():
    with scopes_disabled():
        return sum((p.amount for p in Payment.objects.all()), Decimal("0"))


def test_without_the_locks_both_clerks_record_the_whole_amount(agreed_case, handler, monkeypatch):
    """The control: read the case and the agreement without locking, and let both clerks
    compute what is outstanding before either writes (check-then-act)."""
    both_read = threading.Barrier(2, timeout=10)
    real_totals = services.agreement_totals

    def unlocked_case(case):
        with scopes_disabled():
            return MediationCase.objects.select_related("body", "body__unit", "employer").get(pk=case.pk)

    def totals_then_wait(agreement):
        totals = real_totals(agreement)
        try:
            both_read.wait()
        except threading.BrokenBarrierError:
            pass
        return totals

    monkeypatch.setattr(services, "_lock", unlocked_case)
    monkeypatch.setattr(Agreement.objects, "select_for_update", lambda *a, **k: Agreement.objects.all())
    monkeypatch.setattr(services, "agreement_totals", totals_then_wait)
    paid, _refused = pay_at_once(agreed_case, handler, ["20000", "20000"])
    assert len(paid) == 2
    assert total_paid() == Decimal("40000.00")  # twice what the employer agreed to pay


def test_with_the_locks_exactly_one_clerk_records_the_last_payment(agreed_case, handler):
    paid, refused = pay_at_once(agreed_case, handler, ["20000", "20000"])
    assert paid == ["20000"] and len(refused) == 1
    assert "超过尚未支付" in " ".join(refused[0].messages)
    assert total_paid() == Decimal("20000.00")


def test_partial_payments_racing_never_exceed_the_agreement(agreed_case, handler):
    paid, refused = pay_at_once(agreed_case, handler, ["6000"] * 5)
    assert len(paid) == 3 and len(refused) == 2  # 18,000 fits, a fourth 6,000 would not
    assert total_paid() == Decimal("18000.00")


def test_cases_opened_at_once_get_distinct_numbers(city, body, mediators, handler):
    start = threading.Barrier(6, timeout=30)
    numbers, errors = [], []

    def opener(i):
        try:
            start.wait()
            numbers.append(open_case(handler, body, city.employer_cy).number)
        except Exception as e:  # noqa: BLE001 - any failure is the finding
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=opener, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(numbers) == 6 and len(set(numbers)) == 6
