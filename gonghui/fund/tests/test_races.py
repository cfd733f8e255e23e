"""Fifty payments race for a balance that covers ten. Each protection is first switched
off to show the race is real."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from gonghui.core.scoping import scopes_disabled
from gonghui.fund import services
from gonghui.fund.models import Account, Entry, Transaction
from gonghui.fund.tests.conftest import fund

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

RACERS = 50


def race(books, by, *, racers=RACERS, amount="100.00", keys=None):
    start = threading.Barrier(racers, timeout=30)
    results, errors = [], []

    def pay(i):
        try:
            start.wait()
            with scopes_disabled():
                services.transaction_post(
                    by=by,
                    entries=[(books["programme"], f"-{amount}"), (books["out"], amount)],
                    memo=f"支付 {i}",
                    idempotency_key=keys[i] if keys else f"pay-{i}",
                )
            results.append(i)
        except ValidationError as e:
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=pay, args=(i,)) for i in range(racers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


def programme_with(books, by, amount):
    fund(books, by, amount)
    with scopes_disabled():
        services.transfer(
            by=by,
            source=books["district"],
            target=books["programme"],
            amount=amount,
            memo="拨付",
            idempotency_key="alloc",
        )


def unlocked_stale_read(barrier):
    """The control: read the balances without a lock, wait until every racer has read,
    and write back the stale balance minus the payment (check-then-act)."""

    def lock_accounts(ids):
        accounts = {a.pk: a for a in Account.objects.filter(pk__in=sorted(ids)).order_by("pk")}
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            pass
        return accounts

    def apply_balance(account, delta):
        Account.objects.filter(pk=account.pk).update(balance=account.balance + delta)

    return lock_accounts, apply_balance


def test_without_the_lock_more_payments_succeed_than_the_balance_covers(books, fund_manager, monkeypatch):
    programme_with(books, fund_manager, "1000.00")
    lock, apply = unlocked_stale_read(threading.Barrier(RACERS, timeout=10))
    monkeypatch.setattr(services, "lock_accounts", lock)
    monkeypatch.setattr(services, "_apply_balance", apply)
    paid, _refused = race(books, fund_manager)
    assert len(paid) > 10  # every racer read 1000.00 and thought it could pay
    with scopes_disabled():
        assert Entry.objects.filter(account=books["programme"], amount__lt=0).count() == len(paid)
        # ...and the counter no longer agrees with the ledger.
        assert [m.account.code for m in services.balance_check()] != []


def test_with_the_lock_exactly_ten_of_fifty_payments_succeed(books, fund_manager):
    programme_with(books, fund_manager, "1000.00")
    paid, refused = race(books, fund_manager)
    assert len(paid) == 10 and len(refused) == 40
    assert {e.code for e in refused} == {"insufficient_funds"}
    with scopes_disabled():
        programme = Account.objects.get(pk=books["programme"].pk)
        assert programme.balance == Decimal("0.00")
        assert Entry.objects.filter(account=programme, amount__lt=0).count() == 10
        assert services.balance_check() == []


def test_without_the_lock_the_database_constraint_still_stops_overdrawing(books, fund_manager, monkeypatch):
    """Lock and Python check both off (but balances moved by F()): the CHECK constraint
    is the last line and refuses every payment that would take the balance below zero."""
    programme_with(books, fund_manager, "1000.00")
    monkeypatch.setattr(
        services, "lock_accounts", lambda ids: {a.pk: a for a in Account.objects.filter(pk__in=sorted(ids))}
    )
    monkeypatch.setattr(Account, "allow_negative", property(lambda self: True, lambda self, v: None))
    paid, refused = race(books, fund_manager)
    monkeypatch.undo()
    assert len(paid) == 10 and len(refused) == 40
    with scopes_disabled():
        assert Account.objects.get(pk=books["programme"].pk).balance == Decimal("0.00")
        assert services.balance_check() == []


def test_one_key_posted_by_many_at_once_posts_once(books, fund_manager):
    programme_with(books, fund_manager, "1000.00")
    paid, refused = race(books, fund_manager, racers=8, keys=["application-7"] * 8)
    assert len(paid) == 8 and refused == []  # every caller gets the one transaction
    with scopes_disabled():
        assert Transaction.objects.filter(idempotency_key="application-7").count() == 1
        assert Account.objects.get(pk=books["programme"].pk).balance == Decimal("900.00")
