"""Two workers book the last place of a consultation slot at the same moment, at two kiosks."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from gonghui.core.scoping import scopes_disabled
from gonghui.kiosk import services
from gonghui.kiosk.models import ConsultationSlot, SlotBooking
from gonghui.kiosk.tests.conftest import publish

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(slot):
    start = threading.Barrier(2, timeout=10)
    outcomes = []

    def kiosk(phone):
        try:
            start.wait()
            services.slot_book(slot=slot, name="王先生", phone=phone, channel="kiosk")
            outcomes.append("booked")
        except ValidationError as e:
            outcomes.append(e.error_dict["slot"][0].code)
        finally:
            connection.close()

    threads = [threading.Thread(target=kiosk, args=(p,)) for p in ("13800001111", "13800002222")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_without_the_lock_both_workers_get_the_last_place(city, station_worker, monkeypatch):
    """The control run: with the slot lock switched off, both count the free place before
    either inserts, and a one-place slot ends up with two bookings."""
    slot = publish(station_worker, city.chaoyang_station, capacity=1)
    both_counted = threading.Barrier(2, timeout=10)
    real_count = services.places_taken

    def count_then_wait(pk):
        result = real_count(pk)
        both_counted.wait()
        return result

    def unlocked(pk):
        with scopes_disabled():
            return ConsultationSlot.objects.select_related("unit").get(pk=pk)

    monkeypatch.setattr(services, "lock_slot", unlocked)
    monkeypatch.setattr(services, "places_taken", count_then_wait)
    assert race(slot) == ["booked", "booked"]
    with scopes_disabled():
        assert SlotBooking.objects.filter(slot=slot).count() == 2


def test_with_the_lock_exactly_one_worker_gets_the_last_place(city, station_worker, monkeypatch):
    slot = publish(station_worker, city.chaoyang_station, capacity=1)
    # The same widened window as the control run: whoever locks first is slow on purpose,
    # so the other is really waiting on the row lock, not just arriving later.
    real_count = services.places_taken

    def slow_count(pk):
        import time

        result = real_count(pk)
        time.sleep(0.3)
        return result

    monkeypatch.setattr(services, "places_taken", slow_count)
    assert sorted(race(slot)) == ["booked", "full"]
    with scopes_disabled():
        assert SlotBooking.objects.filter(slot=slot).count() == 1
