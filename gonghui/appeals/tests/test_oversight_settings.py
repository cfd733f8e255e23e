"""The settings pages: everyone who may view appeals reads them; only city staff with
appeals.configure get the forms; a district's administrator is refused."""

import pytest

from conftest import login, make_staff
from gonghui.appeals.models import AlertRule, DeadlinePolicy, RoutingRule
from gonghui.core.scoping import scopes_disabled


@pytest.fixture
def city_admin(city):
    return make_staff(city.root, "unit_admin", username="city_admin")


@pytest.fixture
def district_admin(city):
    return make_staff(city.chaoyang, "unit_admin", username="cy_admin")


def test_city_admin_creates_edits_and_deactivates_a_rule(client, city, city_admin):
    login(client, city_admin)
    assert 'name="target"' in client.get("/appeals/settings/routing/new/").content.decode()
    response = client.post(
        "/appeals/settings/routing/new/",
        {
            "name": "朝阳骑手诉求",
            "priority": "20",
            "category": "new_form",
            "district": city.chaoyang.pk,
            "keyword": "",
            "target": city.chaoyang_station.pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    rule = RoutingRule.objects.get(name="朝阳骑手诉求")
    listing = client.get("/appeals/settings/routing/").content.decode()
    assert "朝阳骑手诉求" in listing and city.routing_rule_hd.name in listing  # the city sees every rule
    edit = f"/appeals/settings/routing/{rule.pk}/"
    assert 'value="朝阳骑手诉求"' in client.get(edit).content.decode()
    client.post(
        edit,
        {
            "name": "朝阳骑手诉求",
            "priority": "5",
            "category": "new_form",
            "district": city.chaoyang.pk,
            "keyword": "外卖",
            "target": city.chaoyang_station.pk,
            "is_active": "on",
        },
    )
    rule.refresh_from_db()
    assert rule.priority == 5 and rule.keyword == "外卖"
    assert client.post(f"/appeals/settings/routing/{rule.pk}/deactivate/").status_code == 302
    rule.refresh_from_db()
    assert not rule.is_active


def test_rule_errors_are_shown_on_the_form(client, city, city_admin):
    login(client, city_admin)
    response = client.post(
        "/appeals/settings/routing/new/",
        {"name": "全部", "priority": "1", "category": "", "keyword": "", "target": city.chaoyang.pk},
    )
    assert response.status_code == 400 and "全部诉求都将分派给该单位" in response.content.decode()


def test_district_admin_reads_own_rules_and_is_refused_the_forms(client, city, city_admin, district_admin):
    from gonghui.appeals.configuration import routing_rule_create

    rule_cy = routing_rule_create(
        by=city_admin, name="朝阳骑手诉求", category="new_form", district=city.chaoyang, target=city.chaoyang_station
    )
    login(client, district_admin)
    listing = client.get("/appeals/settings/routing/").content.decode()
    assert "朝阳骑手诉求" in listing and city.routing_rule_hd.name not in listing and "中关村" not in listing
    assert f"/appeals/settings/routing/{rule_cy.pk}/" not in listing and 'id="settings-readonly"' in listing
    assert client.get(f"/appeals/settings/routing/{rule_cy.pk}/").status_code == 404
    assert client.post(f"/appeals/settings/routing/{rule_cy.pk}/deactivate/").status_code == 404
    page = client.get("/appeals/settings/routing/new/").content.decode()
    assert 'name="target"' not in page
    assert client.post("/appeals/settings/routing/new/", {"name": "x"}).status_code == 403
    policy = DeadlinePolicy.objects.get(category="", difficulty="normal")
    assert client.get(f"/appeals/settings/deadlines/{policy.pk}/").status_code == 404
    assert client.post("/appeals/settings/deadlines/new/", {}).status_code == 403
    assert client.post("/appeals/settings/alerts/", {"kind": "same_employer"}).status_code == 403
    with scopes_disabled():
        rule_cy.refresh_from_db()
    assert rule_cy.is_active


def test_deadline_pages(client, city, city_admin, district_officer):
    policy = DeadlinePolicy.objects.get(category="", difficulty="normal")
    login(client, district_officer)
    body = client.get("/appeals/settings/deadlines/").content.decode()
    assert "全部类别（默认）" in body and f"/appeals/settings/deadlines/{policy.pk}/" not in body
    login(client, city_admin)
    edit = f"/appeals/settings/deadlines/{policy.pk}/"
    response = client.post(edit, {"accept_days": "3", "reply_days": "2", "resolve_days": "15", "remind_days": "1"})
    assert response.status_code == 400 and "答复时限不能短于受理时限" in response.content.decode()
    response = client.post(edit, {"accept_days": "1", "reply_days": "4", "resolve_days": "12", "remind_days": "1"})
    assert response.status_code == 302
    policy.refresh_from_db()
    assert (policy.reply_days, policy.resolve_days) == (4, 12)
    response = client.post(
        "/appeals/settings/deadlines/new/",
        {
            "category": "work_injury",
            "difficulty": "complex",
            "accept_days": "1",
            "reply_days": "10",
            "resolve_days": "60",
            "remind_days": "2",
        },
    )
    assert response.status_code == 302
    assert DeadlinePolicy.objects.filter(category="work_injury", difficulty="complex", resolve_days=60).exists()


def test_alert_threshold_page(client, city, city_admin, district_officer):
    login(client, district_officer)
    body = client.get("/appeals/settings/alerts/").content.decode()
    assert "集体上访" in body and 'name="same_employer-threshold"' not in body
    login(client, city_admin)
    body = client.get("/appeals/settings/alerts/").content.decode()
    assert 'name="same_employer-threshold"' in body and 'name="keywords-keywords"' in body
    assert 'name="same_employer-keywords"' not in body
    response = client.post(
        "/appeals/settings/alerts/",
        {"kind": "same_employer", "same_employer-threshold": "0", "same_employer-window_days": "7"},
    )
    assert response.status_code == 400 and "阈值须为正整数" in response.content.decode()
    client.post(
        "/appeals/settings/alerts/",
        {
            "kind": "keywords",
            "keywords-threshold": "1",
            "keywords-window_days": "10",
            "keywords-keywords": "停工\n讨薪\n",
            "keywords-holiday_keywords": "欠薪",
            "keywords-is_active": "on",
        },
    )
    rule = AlertRule.objects.get(kind="keywords")
    assert rule.keyword_list() == ["停工", "讨薪"] and rule.window_days == 10 and rule.is_active
