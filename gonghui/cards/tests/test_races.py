"""Two terminals redeem the member's last use of the day at the same moment."""

import threading

import pytest
from django.db import connection

from gonghui.cards import services
from gonghui.cards.models import Benefit, Redemption
from gonghui.cards.tests.test_services import make_benefit
from gonghui.core.scoping import scopes_disabled

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(venue, benefit, card, keys=("terminal-1", "terminal-2")):
    start = threading.Barrier(2, timeout=10)
    verdicts = []

    def terminal(key):
        try:
            start.wait()
            verdicts.append(
                services.card_verify_and_redeem(
                    venue=venue, benefit_id=benefit.pk, idempotency_key=key, token=services.card_qr_token(card)
                )
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=terminal, args=(k,)) for k in keys]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return verdicts


def test_without_the_lock_both_terminals_redeem_the_last_use(city, card, venue, monkeypatch):
    """The control run: with the benefit lock switched off, both count 0 uses before either
    records, and the member gets two uses of a once-a-day benefit."""
    benefit = make_benefit(venue, per_member_day=1)
    both_counted = threading.Barrier(2, timeout=10)
    real_counts = services._period_counts

    def counts_then_wait(*args):
        result = real_counts(*args)
        both_counted.wait()
        return result

    monkeypatch.setattr(services, "lock_benefit", lambda pk: Benefit.objects.get(pk=pk))
    monkeypatch.setattr(services, "_period_counts", counts_then_wait)
    verdicts = race(venue, benefit, card)
    assert [v.ok for v in verdicts] == [True, True]
    with scopes_disabled():
        assert Redemption.objects.filter(benefit=benefit).count() == 2


def test_with_the_lock_exactly_one_terminal_redeems(city, card, venue):
    benefit = make_benefit(venue, per_member_day=1)
    verdicts = race(venue, benefit, card)
    assert sorted(v.code for v in verdicts) == ["ok", "quota_used"]
    with scopes_disabled():
        assert Redemption.objects.filter(benefit=benefit).count() == 1
        benefit.refresh_from_db()
        assert benefit.redeemed == 1


def test_last_unit_of_capacity_goes_to_exactly_one(city, card, venue):
    benefit = make_benefit(venue, capacity=1)
    verdicts = race(venue, benefit, card)
    assert sorted(v.code for v in verdicts) == ["capacity_full", "ok"]


def test_one_scan_sent_twice_at_once_is_recorded_once(city, card, venue):
    """A terminal that retries before the first answer arrives: both requests carry the same
    key; the unique key makes the second insert write nothing, and it answers with the
    first one's redemption."""
    benefit = make_benefit(venue, per_member_day=5)
    verdicts = race(venue, benefit, card, keys=("same-scan", "same-scan"))
    assert sorted(v.code for v in verdicts) == ["already_recorded", "ok"]
    assert len({v.redemption_id for v in verdicts}) == 1
    with scopes_disabled():
        assert Redemption.objects.filter(benefit=benefit).count() == 1
        benefit.refresh_from_db()
        assert benefit.redeemed == 1
