"""Several approvers pay the same application at the same moment: it is paid once. The
control run switches off the application lock and the per-application ledger key to show
the double payment is real."""

import threading
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from conftest import make_staff
from gonghui.core.scoping import scopes_disabled
from gonghui.fund.models import Account, Transaction
from gonghui.hardship import services
from gonghui.hardship.models import AssistanceApplication
from gonghui.hardship.tests.conftest import approved_file

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

APPROVERS = 4


@pytest.fixture
def approved_application(city, station_worker, district_approver, spring_programme):
    file = approved_file(city, station_worker, district_approver)
    with scopes_disabled():
        application = services.application_create(by=station_worker, file=file, programme=spring_programme)
        services.application_station_review(by=station_worker, application=application)
        return services.application_approve(by=district_approver, application=application)


def pay_concurrently(city, application):
    approvers = [make_staff(city.chaoyang, "officer") for _ in range(APPROVERS)]
    start = threading.Barrier(APPROVERS, timeout=30)
    outcomes = []

    def approver(by):
        try:
            start.wait()
            with scopes_disabled():
                outcomes.append(services.application_pay(by=by, application=application).pk)
        except ValidationError as e:
            outcomes.append(e.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=approver, args=(a,)) for a in approvers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_without_the_lock_and_the_key_the_application_is_paid_twice(city, approved_application, monkeypatch):
    all_read = threading.Barrier(APPROVERS, timeout=10)

    def unlocked(pk):
        application = AssistanceApplication.objects.select_related(
            "file__district", "file__unit", "file__member", "programme__account"
        ).get(pk=pk)
        all_read.wait()  # every approver has seen "approved, not yet paid"
        return application

    monkeypatch.setattr(services, "lock_application", unlocked)
    monkeypatch.setattr(services, "payment_key", lambda application: f"no-key-{uuid.uuid4()}")
    pay_concurrently(city, approved_application)
    with scopes_disabled():
        paid = Transaction.objects.filter(ref_type="hardship.application", ref_id=str(approved_application.pk)).count()
        assert paid > 1
        account = Account.objects.get(pk=approved_application.programme.account_id)
        assert account.balance == Decimal("5000.00") - 800 * paid


def test_with_the_lock_and_the_key_the_application_is_paid_once(city, approved_application):
    outcomes = pay_concurrently(city, approved_application)
    with scopes_disabled():
        txns = list(Transaction.objects.filter(ref_type="hardship.application", ref_id=str(approved_application.pk)))
        assert len(txns) == 1
        assert outcomes == [txns[0].pk] * APPROVERS  # each approver is shown the one payment
        account = Account.objects.get(pk=approved_application.programme.account_id)
        assert account.balance == Decimal("4200.00")


def test_the_ledger_key_alone_prevents_the_double_payment(city, approved_application, monkeypatch):
    """Lock off, key on: the UNIQUE idempotency key still lets only one payment through."""
    all_read = threading.Barrier(APPROVERS, timeout=10)

    def unlocked(pk):
        application = AssistanceApplication.objects.select_related(
            "file__district", "file__unit", "file__member", "programme__account"
        ).get(pk=pk)
        all_read.wait()
        return application

    monkeypatch.setattr(services, "lock_application", unlocked)
    pay_concurrently(city, approved_application)
    with scopes_disabled():
        assert Transaction.objects.filter(ref_type="hardship.application").count() == 1
        assert Account.objects.get(pk=approved_application.programme.account_id).balance == Decimal("4200.00")
