"""The 工作日历 page: everyone with orgs.view reads it; only city-level staff holding
calendar.manage change it, and every change is audited."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from conftest import login, make_staff
from gonghui.core.models import AuditAction, AuditEntry, CalendarDay
from gonghui.core.scoping import scopes_disabled
from gonghui.core.services import calendar_day_set
from gonghui.core.workdays import is_workday

URL = "/calendar/"
WEDNESDAY = dt.date(2026, 3, 11)


@pytest.fixture
def city_admin(city):
    """Of the root unit: may edit the calendar."""
    return make_staff(city.root, "unit_admin", username="root_admin", full_name="陈静")


@pytest.fixture
def district_admin(city):
    """Holds calendar.manage with the role, but the calendar is not a district's to change."""
    return make_staff(city.chaoyang, "unit_admin", username="cy_admin")


def audit_rows():
    with scopes_disabled():
        return list(AuditEntry.objects.filter(object_type="core.calendarday").order_by("seq"))


def test_district_officer_sees_the_year_with_holidays_and_make_up_days(client, district_officer):
    login(client, district_officer)
    response = client.get(URL, {"year": 2026})
    assert response.status_code == 200
    body = response.content.decode()
    assert "2026 年工作日历" in body
    assert "春节" in body and "国庆节" in body and "春节调休上班" in body
    assert 'datetime="2026-02-14"' in body and 'datetime="2026-12-31"' in body
    assert "cal-day--makeup" in body and "cal-day--holiday" in body
    assert "全年工作日 248 天" in body
    assert 'name="action"' not in body  # no edit form
    assert 'href="/calendar/"' in body  # the navigation item


def test_a_year_without_a_published_schedule_says_so(client, district_officer):
    login(client, district_officer)
    body = client.get(URL, {"year": 2027}).content.decode()
    assert "2027 年的节假日安排尚未录入" in body
    assert "全年工作日 261 天" in body


def test_city_admin_sees_the_form_prefilled_from_the_day_picked(client, city_admin):
    login(client, city_admin)
    body = client.get(URL, {"date": "2026-02-28"}).content.decode()
    assert 'name="action" value="set"' in body
    assert 'value="2026-02-28"' in body and 'value="春节调休上班"' in body
    assert "2026 年工作日历" in body


def test_city_admin_marks_a_day_off_and_it_is_audited(client, city_admin, django_capture_on_commit_callbacks):
    login(client, city_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            URL, {"date": "2026-03-11", "is_workday": "0", "name": "临时休息", "action": "set"}, follow=True
        )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/calendar/?year=2026"
    day = CalendarDay.objects.get(date=WEDNESDAY)
    assert not day.is_workday and day.name == "临时休息" and day.updated_by == city_admin
    assert not is_workday(WEDNESDAY)
    [entry] = audit_rows()
    assert entry.action == AuditAction.CREATE and entry.actor_name == "root_admin"
    assert entry.changes == {"date": [None, "2026-03-11"], "is_workday": [None, False], "name": [None, "临时休息"]}
    assert "临时休息" in response.content.decode()


def test_city_admin_changes_then_clears_a_day(client, city_admin, django_capture_on_commit_callbacks):
    login(client, city_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, {"date": "2026-02-28", "is_workday": "0", "name": "春节", "action": "set"})
    assert not is_workday(dt.date(2026, 2, 28))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, {"date": "2026-02-28", "action": "clear"})
    assert not CalendarDay.objects.filter(date="2026-02-28").exists()
    assert not is_workday(dt.date(2026, 2, 28))  # back to an ordinary Saturday
    update, delete = audit_rows()
    assert update.action == AuditAction.UPDATE
    assert update.changes == {"is_workday": [True, False], "name": ["春节调休上班", "春节"]}
    assert delete.action == AuditAction.DELETE
    assert delete.changes["name"] == ["春节", None]


def test_saving_without_a_name_shows_the_error_and_changes_nothing(client, city_admin):
    login(client, city_admin)
    response = client.post(URL, {"date": "2026-03-11", "is_workday": "0", "name": "", "action": "set"})
    assert response.status_code == 200
    assert "请填写名称" in response.content.decode()
    assert not CalendarDay.objects.filter(date=WEDNESDAY).exists()
    assert audit_rows() == []


def test_clearing_an_ordinary_day_is_an_error(client, city_admin):
    login(client, city_admin)
    response = client.post(URL, {"date": "2026-03-11", "action": "clear"})
    assert response.status_code == 200
    assert "无需清除" in response.content.decode()


@pytest.mark.parametrize("who", ["district_officer", "district_admin", "city_officer"])
def test_others_are_refused(request, client, who):
    staff = request.getfixturevalue(who)
    login(client, staff)
    body = client.get(URL).content.decode()
    assert 'name="action"' not in body
    response = client.post(URL, {"date": "2026-03-11", "is_workday": "0", "name": "临时休息", "action": "set"})
    assert response.status_code == 403
    assert not CalendarDay.objects.filter(date=WEDNESDAY).exists()
    with pytest.raises(PermissionDenied):
        calendar_day_set(by=staff, date=WEDNESDAY, is_workday=False, name="临时休息")
    assert audit_rows() == []


def test_sysadmin_of_the_city_may_edit(city):
    sysadmin = make_staff(city.root, "sysadmin")
    day = calendar_day_set(by=sysadmin, date=WEDNESDAY, is_workday=False, name="临时休息")
    assert day.updated_by == sysadmin


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
