"""The analysis page (诉求分析): known numbers on a small data set, scoping, periods, and a
query count that does not grow with the number of appeals."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import login
from gonghui.appeals import analytics, services
from gonghui.appeals.tests.test_services import submit
from gonghui.core import workdays
from gonghui.core.scoping import scope, scopes_disabled


@pytest.fixture
def known_appeals(city, operator, district_officer, clock):
    """Sixty days ago: three wage-arrears appeals about 北京国贸餐饮 and one contract appeal
    about an unregistered employer, all in 朝阳. One is answered and closed at once (the
    worker satisfied), one late (unsatisfied), two never."""
    clock(days=-60)
    wages = [
        submit(operator, employer=city.employer_cy, phone=f"1391111000{i}", category="wage_arrears") for i in range(3)
    ]
    contract = submit(
        operator,
        employer_name="北京某某物流有限公司",
        workplace="朝阳区",
        phone="13911110009",
        category="contract",
        description="物流公司一直不和我签劳动合同。",
    )
    first, late = wages[0], wages[1]
    with scope(org=district_officer.unit.path):
        clock(hours=2)
        services.appeal_accept(by=district_officer, appeal=first)
        services.appeal_reply(by=district_officer, appeal=first, reply="已约谈公司，工资本周补发。", notify=False)
        clock(days=1)
        services.appeal_close(by=district_officer, appeal=first, satisfaction="satisfied")
        clock(days=30)
        services.appeal_accept(by=district_officer, appeal=late)
        services.appeal_reply(by=district_officer, appeal=late, reply="已督促公司补发工资。", notify=False)
        services.appeal_close(by=district_officer, appeal=late, satisfaction="unsatisfied", note="只补了一半")
    clock(days=29)
    with scopes_disabled():
        for a in (first, late):
            a.refresh_from_db()
    return {"wages": wages, "contract": contract, "first": first, "late": late}


def test_numbers_for_a_known_data_set(city, district_officer, known_appeals):
    period = analytics.period_parse(preset="90")
    with scope(org=district_officer.unit.path):
        a = analytics.appeal_analysis(user=district_officer, period=period)
    assert a.total == 4
    assert [(r.key, r.count) for r in a.by_category] == [("wage_arrears", 3), ("contract", 1)]
    assert [(r.key, r.count) for r in a.by_channel] == [("hotline", 4)]
    assert [(r.label, r.count) for r in a.by_employer] == [("北京国贸餐饮有限公司", 3), ("北京某某物流有限公司", 1)]
    units = {r.label: r.count for r in a.by_unit}
    assert sum(units.values()) == 4 and units[city.chaoyang_station.label] == 3
    # Every deadline of the four fell in the last 90 days and has passed: one reply and one
    # resolution were on time.
    assert (a.reply_due, a.reply_on_time, a.resolve_due, a.resolve_on_time) == (4, 1, 4, 1)
    assert a.reply_percent == "25.0%"
    first, late = known_appeals["first"], known_appeals["late"]
    spans = [workdays.workdays_between(x.received_at, x.closed_at) for x in (first, late)]
    assert a.closed == 2 and a.average_close_workdays == round(sum(spans) / 2, 1)
    assert {r.key: r.count for r in a.satisfaction} == {"satisfied": 1, "unsatisfied": 1}
    assert a.satisfied_share == 0.5
    words = {r.key: r for r in a.words}
    assert words["发工资"].count == 3 and words["发工资"].extra["rising"]
    assert sum(r.count for r in a.by_time) == 4


def test_a_short_period_leaves_the_old_appeals_out(city, district_officer, known_appeals):
    with scope(org=district_officer.unit.path):
        a = analytics.appeal_analysis(user=district_officer, period=analytics.period_parse(preset="7"))
    assert a.total == 0 and a.by_category == [] and a.closed == 0 and a.satisfied_share is None
    assert len(a.by_time) == 7


def test_page_shows_the_numbers_with_charts_and_tables(client, city, district_officer, known_appeals):
    login(client, district_officer)
    response = client.get("/appeals/analysis/", {"days": "90"})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="stat-total">4<' in body and 'id="stat-satisfied">50.0%<' in body
    assert body.count("<svg") >= 6 and 'role="img"' in body and "<title id=" in body
    assert 'id="table-category"' in body and "欠薪" in body and "北京国贸餐饮有限公司" in body
    assert "https://" not in body and "<script" not in body.split("</head>")[1]
    for marker in ["海淀", "中关村"]:
        assert marker not in body


def test_outsider_sees_none_of_it(client, city, outsider, known_appeals):
    login(client, outsider)
    body = client.get("/appeals/analysis/", {"days": "90"}).content.decode()
    assert "北京国贸餐饮" not in body and "北京某某物流" not in body


def test_city_sees_districts_rolled_up(city, city_officer, known_appeals):
    with scope(org=city_officer.unit.path):
        a = analytics.appeal_analysis(user=city_officer, period=analytics.period_parse(preset="90"))
    units = {r.key: r.count for r in a.by_unit}
    # 海淀's three (the fixture city's alert) came in today, inside the 90 days as well.
    assert units[city.chaoyang.path] == 4 and units[city.haidian.path] == 3
    assert a.total == 7 and units[city.root.path] == 0


def test_periods():
    today = dt.date(2026, 3, 31)
    assert analytics.period_parse(today=today) == analytics.Period(dt.date(2026, 3, 2), today, preset=30)
    p = analytics.period_parse(preset="365", today=today)
    assert p.days == 365 and p.bucket == "month"
    assert analytics.period_parse(preset="90", today=today).bucket == "week"
    custom = analytics.period_parse(start="2026-03-10", end="2026-03-01", today=today)
    assert (custom.start, custom.end, custom.preset) == (dt.date(2026, 3, 1), dt.date(2026, 3, 10), None)
    assert custom.previous() == analytics.Period(dt.date(2026, 2, 19), dt.date(2026, 2, 28))
    assert analytics.period_parse(start="nonsense", preset="12", today=today).days == 30


def _create(n, city, operator):
    categories = ["wage_arrears", "contract", "social_insurance", "work_injury"]
    for i in range(n):
        submit(
            operator,
            employer=city.employer_cy if i % 2 else None,
            employer_name="" if i % 2 else f"北京测试{i}号有限公司",
            workplace="朝阳区",
            phone=f"139{i:08d}",
            category=categories[i % 4],
            description=f"第{i}件：公司拖欠工资，还不交社保。",
        )


def test_query_count_does_not_grow_with_appeals(client, city, operator, district_officer):
    login(client, district_officer)
    _create(5, city, operator)
    client.get("/appeals/analysis/")  # warm up: session, calendar memo
    with CaptureQueriesContext(connection) as five:
        assert client.get("/appeals/analysis/").status_code == 200
    _create(45, city, operator)
    with CaptureQueriesContext(connection) as fifty:
        response = client.get("/appeals/analysis/")
    assert 'id="stat-total">50<' in response.content.decode()
    assert len(fifty) <= len(five), [q["sql"] for q in fifty.captured_queries]


def test_query_count_bound(client, city, operator, district_officer, django_assert_max_num_queries):
    login(client, district_officer)
    _create(50, city, operator)
    client.get("/appeals/analysis/")
    with django_assert_max_num_queries(25):
        client.get("/appeals/analysis/")
    with django_assert_max_num_queries(20):
        client.get("/appeals/alerts/")
