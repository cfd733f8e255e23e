import pytest
from django.core.exceptions import ValidationError

from conftest import make_staff
from gonghui.appeals import alerts
from gonghui.appeals.models import Alert, AlertStatus
from gonghui.appeals.tests.test_services import submit
from gonghui.core.scoping import scope, scopes_disabled


@pytest.fixture(autouse=True)
def _baseline(city):
    """Alerts the shared fixture city already has are not these tests' business."""
    global BASELINE
    with scopes_disabled():
        BASELINE = set(Alert.objects.values_list("pk", flat=True))


BASELINE: set = set()


def open_alerts(kind):
    with scopes_disabled():
        return list(Alert.objects.filter(kind=kind).exclude(status="closed").exclude(pk__in=BASELINE))


def test_three_appeals_about_one_employer_in_a_week_raise_one_alert_for_the_district(city, operator):
    submit(operator, employer=city.employer_cy, phone="13911110001")
    submit(operator, employer=city.employer_cy, phone="13911110002")
    assert open_alerts("same_employer") == []
    submit(operator, employer=city.employer_cy, phone="13911110003")
    [alert] = open_alerts("same_employer")
    assert alert.unit == city.chaoyang and "北京国贸餐饮有限公司" in alert.title
    submit(operator, employer=city.employer_cy, phone="13911110004")
    [alert] = open_alerts("same_employer")  # the fourth joins the same alert
    with scopes_disabled():
        assert alert.appeals.count() == 4


def test_many_workers_and_collective_words(city, operator):
    submit(operator, employer=city.employer_cy, workers_involved=25)
    assert len(open_alerts("many_workers")) == 1
    submit(operator, employer=city.employer_hd, description="工人们说明天要集体上访，堵门讨说法。")
    [alert] = open_alerts("keywords")
    assert "集体上访" in alert.title and alert.unit == city.haidian


def test_wage_arrears_before_a_holiday(city, operator, clock):
    import datetime as dt

    from django.utils import timezone

    from gonghui.core.models import CalendarDay

    with scopes_disabled():
        CalendarDay.objects.create(date=timezone.localdate() + dt.timedelta(days=5), is_workday=False, name="春节")
    from gonghui.core import workdays

    workdays.forget()
    submit(operator, employer=city.employer_cy, description="快过年了，工资没发，欠薪三个月。")
    [alert] = open_alerts("keywords")
    assert "春节" in alert.title


def test_repeat_appeals_from_one_worker(city, operator):
    for text in ("工资少发了一些。", "还是工资的事情。", "工资问题一直没解决。"):
        submit(operator, description=text)
    assert len(open_alerts("repeat_worker")) == 1


def test_another_district_never_sees_the_alert(city, operator, outsider):
    for i in range(3):
        submit(operator, employer=city.employer_cy, phone=f"1391111000{i}")
    [alert] = open_alerts("same_employer")
    with scope(org=outsider.unit.path):
        assert not Alert.objects.filter(pk=alert.pk).exists()
    city_staff = make_staff(city.root, "officer")
    with scope(org=city_staff.unit.path):
        assert Alert.objects.filter(pk=alert.pk).exists()


def test_acknowledge_handle_and_close(city, operator):
    for i in range(3):
        submit(operator, employer=city.employer_cy, phone=f"1391111000{i}")
    [alert] = open_alerts("same_employer")
    district = make_staff(city.chaoyang, "officer")
    with scope(org=district.unit.path):
        alerts.alert_acknowledge(by=district, alert=alert)
        with pytest.raises(ValidationError):
            alerts.alert_close(by=district, alert=alert, note="")
        alerts.alert_handle(by=district, alert=alert, note="约谈企业负责人")
        closed = alerts.alert_close(by=district, alert=alert, note="工资已补发")
    assert closed.status == AlertStatus.CLOSED and "约谈企业负责人" in closed.note
    assert open_alerts("same_employer") == []


def test_thresholds_are_editable_by_city_staff(city, operator):
    admin = make_staff(city.root, "unit_admin")
    alerts.alert_rule_update(by=admin, kind="same_employer", threshold=2, window_days=7)
    submit(operator, employer=city.employer_cy, phone="13911110001")
    submit(operator, employer=city.employer_cy, phone="13911110002")
    assert len(open_alerts("same_employer")) == 1
    with pytest.raises(ValidationError):
        alerts.alert_rule_update(by=admin, kind="same_employer", threshold=0, window_days=7)
