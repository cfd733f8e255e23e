"""Two clerks register the same person at the same moment."""

import threading

import pytest
from django.db import connection

from conftest import make_staff
from gonghui.core.scoping import scope, scopes_disabled
from gonghui.members import services
from gonghui.members.models import Member
from gonghui.members.tests.test_services import ZS_ID, ZS_PHONE


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_same_person_registered_twice_at_once_yields_one_record(city, monkeypatch):
    clerks = [make_staff(city.chaoyang_station, "social_worker", username=f"clerk{i}") for i in range(2)]
    # Both clerks pass the "already registered?" check before either inserts: the race
    # window is real, and only the unique index on the ID number's hash closes it.
    barrier = threading.Barrier(2, timeout=10)
    real_check = services.id_number_registered

    def racing_check(id_hash):
        seen = real_check(id_hash)
        barrier.wait()
        return seen

    monkeypatch.setattr(services, "id_number_registered", racing_check)
    outcomes = []

    def register(clerk):
        try:
            with scope(org=clerk.unit.path):
                services.member_create(by=clerk, name="张三", id_number=ZS_ID, phone=ZS_PHONE, unit=city.chaoyang_cju)
            outcomes.append("created")
        except services.DuplicateMember:
            outcomes.append("duplicate")
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(c,)) for c in clerks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["created", "duplicate"]
    with scopes_disabled():
        assert Member.objects.filter(name="张三").count() == 1
