"""The alert pages: list and detail in scope, acknowledge → handle → close."""

import pytest

from conftest import login
from gonghui.appeals.models import Alert, AlertEvent, AlertStatus
from gonghui.appeals.tests.test_services import submit
from gonghui.core.scoping import scopes_disabled


@pytest.fixture
def alert_cy(city, operator):
    """Three appeals about 北京国贸餐饮 in a week: a same-employer alert for 朝阳."""
    for i in range(3):
        submit(operator, employer=city.employer_cy, phone=f"1391111000{i}")
    with scopes_disabled():
        return Alert.objects.get(kind="same_employer", key=f"employer:{city.employer_cy.pk}")


def test_district_sees_its_alert_and_not_another_districts(client, city, district_officer, alert_cy):
    login(client, district_officer)
    body = client.get("/appeals/alerts/").content.decode()
    assert f"/appeals/alerts/{alert_cy.pk}/" in body and "北京国贸餐饮有限公司" in body
    assert f"/appeals/alerts/{city.alert_hd.pk}/" not in body and "中关村" not in body
    assert client.get(f"/appeals/alerts/{city.alert_hd.pk}/").status_code == 404


def test_outsider_sees_no_chaoyang_alert(client, city, outsider, alert_cy):
    login(client, outsider)
    body = client.get("/appeals/alerts/").content.decode()
    assert "北京国贸餐饮" not in body and f"/appeals/alerts/{city.alert_hd.pk}/" in body
    assert client.get(f"/appeals/alerts/{alert_cy.pk}/").status_code == 404
    response = client.post(f"/appeals/alerts/{alert_cy.pk}/act/", {"action": "acknowledge"})
    assert response.status_code == 404
    with scopes_disabled():
        assert Alert.objects.get(pk=alert_cy.pk).status == AlertStatus.OPEN


def test_city_sees_every_district_open_ones_first(client, city, city_officer, alert_cy):
    with scopes_disabled():
        Alert.objects.filter(pk=city.alert_hd.pk).update(status=AlertStatus.CLOSED)
    login(client, city_officer)
    body = client.get("/appeals/alerts/").content.decode()
    assert body.index(f"/appeals/alerts/{alert_cy.pk}/") < body.index(f"/appeals/alerts/{city.alert_hd.pk}/")
    closed = client.get("/appeals/alerts/", {"status": "closed"}).content.decode()
    assert f"/appeals/alerts/{city.alert_hd.pk}/" in closed and f"/appeals/alerts/{alert_cy.pk}/" not in closed
    other_kind = client.get("/appeals/alerts/", {"kind": "keywords"}).content.decode()
    assert f"/appeals/alerts/{alert_cy.pk}/" not in other_kind


def test_detail_lists_the_appeals_and_the_history(client, city, district_officer, alert_cy):
    login(client, district_officer)
    body = client.get(f"/appeals/alerts/{alert_cy.pk}/").content.decode()
    with scopes_disabled():
        appeals = list(alert_cy.appeals.all())
    assert len(appeals) == 3
    for appeal in appeals:
        assert f'href="/appeals/{appeal.pk}/"' in body and appeal.ticket in body
    assert "待签收" in body and 'id="acknowledge-form"' in body and "data-confirm" in body


def test_acknowledge_handle_and_close_round_trip(client, city, district_officer, alert_cy):
    login(client, district_officer)
    act = f"/appeals/alerts/{alert_cy.pk}/act/"
    assert client.post(act, {"action": "acknowledge"}).status_code == 302
    client.post(act, {"action": "handle", "note": ""})  # a note is required: nothing changes
    with scopes_disabled():
        assert Alert.objects.get(pk=alert_cy.pk).status == AlertStatus.ACKNOWLEDGED
    client.post(act, {"action": "handle", "note": "约谈餐饮公司负责人"})
    response = client.post(act, {"action": "close", "note": "工资已全部补发"}, follow=True)
    body = response.content.decode()
    assert "预警已关闭" in body and "工资已全部补发" in body and "约谈餐饮公司负责人" in body
    with scopes_disabled():
        alert = Alert.objects.get(pk=alert_cy.pk)
        steps = list(AlertEvent.objects.filter(alert=alert).values_list("to_status", flat=True))
    assert alert.status == AlertStatus.CLOSED and alert.closed_by == district_officer
    assert steps == ["open", "acknowledged", "handling", "closed"]
    assert 'id="close-form"' not in body


def test_a_reader_without_handle_cannot_act(client, city, alert_cy):
    from conftest import make_staff

    auditor = make_staff(city.chaoyang, "mediator", username="cy_mediator")
    login(client, auditor)
    assert client.get(f"/appeals/alerts/{alert_cy.pk}/").status_code == 200
    assert 'id="acknowledge-form"' not in client.get(f"/appeals/alerts/{alert_cy.pk}/").content.decode()
    assert client.post(f"/appeals/alerts/{alert_cy.pk}/act/", {"action": "acknowledge"}).status_code == 403


def test_navigation_has_alerts_and_analysis(client, district_officer):
    login(client, district_officer)
    body = client.get("/appeals/alerts/").content.decode()
    assert 'href="/appeals/alerts/"' in body and 'href="/appeals/analysis/"' in body
