"""Mutual-aid claims on the workbench: the station sees what to review, the district what
to approve and pay; another district sees neither."""

import pytest

from gonghui.core.scoping import user_scope
from gonghui.core.workbench import todos
from gonghui.mutualaid.tests.conftest import register, reviewed_claim

pytestmark = pytest.mark.django_db


def by_key(user):
    with user_scope(user):
        return {t.key: t.count for t in todos(user)}


def test_claims_waiting_show_on_the_workbench(city, station_worker, manager, enrolment, outsider):
    register(station_worker, enrolment)
    assert by_key(station_worker).get("mutualaid_review") == 1
    reviewed_claim(station_worker, enrolment)
    district = by_key(manager)
    assert district["mutualaid_approve"] == 1 and district["mutualaid_review"] == 1
    assert "mutualaid_approve" not in by_key(station_worker)
    assert "mutualaid_review" not in by_key(outsider) and "mutualaid_approve" not in by_key(outsider)
