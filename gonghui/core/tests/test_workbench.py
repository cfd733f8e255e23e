"""The workbench's to-do panel gathers what waits for the user across the domains, counts
only their own subtree, and stays a handful of queries."""

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from conftest import login, make_staff
from gonghui.core.scoping import scopes_disabled, user_scope
from gonghui.core.workbench import todos
from gonghui.hardship import services as hardship
from gonghui.hardship.models import HardshipFile

pytestmark = pytest.mark.django_db


def by_key(user):
    with user_scope(user):
        return {t.key: t for t in todos(user)}


@pytest.fixture
def station_worker(city):
    return make_staff(city.chaoyang_station, "social_worker", username="wb_station", full_name="孙社工")


@pytest.fixture
def submitted_file(city, station_worker, district_officer):
    with scopes_disabled():
        hardship.threshold_set(
            by=district_officer,
            district=city.chaoyang,
            year=timezone.localdate().year,
            min_living="1450",
            relative_multiplier="2",
        )
        file = hardship.file_create(
            by=station_worker,
            member=city.member_cy,
            unit=city.chaoyang_station,
            member_income="1000",
            causes=["illness"],
            household=[],
        )
        return hardship.file_submit(by=station_worker, file=file)


def test_the_district_sees_a_file_to_approve_and_the_station_its_returned_file(
    city, station_worker, district_officer, submitted_file
):
    district = by_key(district_officer)
    assert district["hardship_files_approve"].count == 1
    assert district["hardship_files_approve"].url == "/hardship/?status=submitted"
    assert "hardship_returned" not in by_key(station_worker)

    with scopes_disabled():
        hardship.file_return(by=district_officer, file=submitted_file, reason="缺少收入证明")
    assert by_key(station_worker)["hardship_returned"].count == 1
    assert "hardship_files_approve" not in by_key(district_officer)


def test_reviews_falling_due_and_overdue(city, station_worker, district_officer, submitted_file):
    approver = make_staff(city.chaoyang, "officer", username="wb_approver")
    with scopes_disabled():
        hardship.file_approve(by=approver, file=submitted_file)
        HardshipFile.objects.filter(pk=submitted_file.pk).update(
            review_due_on=timezone.localdate() + dt.timedelta(days=10)
        )
    assert by_key(station_worker)["hardship_review_soon"].count == 1
    with scopes_disabled():
        HardshipFile.objects.filter(pk=submitted_file.pk).update(
            review_due_on=timezone.localdate() - dt.timedelta(days=1)
        )
    item = by_key(station_worker)["hardship_review_overdue"]
    assert item.count == 1 and item.warn


def test_another_districts_work_is_not_counted(city, outsider, district_officer, submitted_file):
    # 海淀 has a pending join application and an open data request in the fixture city.
    hd = by_key(outsider)
    assert hd["applications"].count == 1
    assert "hardship_files_approve" not in hd
    cy = by_key(district_officer)
    assert "applications" not in cy


def test_the_home_page_shows_the_panel_in_a_few_queries(
    client, city, district_officer, submitted_file, django_assert_max_num_queries
):
    login(client, district_officer)
    with django_assert_max_num_queries(24):
        body = client.get("/").content.decode()
    panel = re.search(r'<section class="panel" aria-labelledby="todo-heading".*?</section>', body, re.S).group(0)
    assert "困难档案待区总工会审核" in panel and 'href="/hardship/?status=submitted"' in panel


def test_nothing_to_do_says_so(client, city, outsider):
    auditor = make_staff(city.chaoyang_station, "auditor", username="wb_auditor")
    login(client, auditor)
    body = client.get("/").content.decode()
    assert "暂无待办事项" in body


def test_a_station_officer_is_not_offered_approvals_the_services_would_refuse(city, submitted_file):
    station_officer = make_staff(city.chaoyang_station, "officer", username="wb_station_officer")
    items = by_key(station_officer)
    assert "hardship_files_approve" not in items
    with pytest.raises(PermissionDenied):  # and indeed the service refuses
        with scopes_disabled():
            hardship.file_approve(by=station_officer, file=submitted_file)
