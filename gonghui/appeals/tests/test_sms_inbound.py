import pytest
from django.core.management import call_command

from gonghui.appeals.models import Appeal
from gonghui.core.scoping import scopes_disabled


@pytest.fixture
def gateway(settings):
    settings.SMS_INBOUND_TOKEN = "gw-secret"
    return {"HTTP_X_SMS_GATEWAY_TOKEN": "gw-secret"}


def test_a_text_message_becomes_an_appeal_and_the_sender_gets_the_ticket(client, city, gateway, outbox):
    response = client.post(
        "/api/v1/sms/inbound",
        {"sender": "13501010101", "text": "国贸餐饮拖欠我们工资三个月了"},
        content_type="application/json",
        **gateway,
    )
    assert response.status_code == 200, response.content
    body = response.json()
    with scopes_disabled():
        appeal = Appeal.objects.get(ticket=body["ticket"])
    assert appeal.channel == "sms" and appeal.worker_name == "周建国"
    assert outbox[-1] == ("13501010101", body["reply"]) and appeal.ticket in body["reply"]
    query = client.post(
        "/api/v1/sms/inbound",
        {"sender": "13501010101", "text": f"查询{appeal.ticket}"},
        content_type="application/json",
        **gateway,
    ).json()
    assert query["action"] == "query" and "已登记" in query["reply"]


def test_the_gateway_token_is_required(client, city, settings):
    settings.SMS_INBOUND_TOKEN = ""
    payload = {"sender": "13501010101", "text": "工资没发"}
    response = client.post("/api/v1/sms/inbound", payload, content_type="application/json")
    assert response.status_code == 401
    response = client.post("/api/v1/sms/inbound", payload, content_type="application/json", HTTP_X_SMS_GATEWAY_TOKEN="")
    assert response.status_code == 401


def test_a_too_short_message_is_answered_not_stored(city, outbox):
    call_command("sms_inbound", "13900001111", "欠薪")
    assert "未能登记" in outbox[-1][1]
    with scopes_disabled():
        assert not Appeal.objects.filter(channel="sms").exists()


def test_integrators_register_and_read_appeals_through_the_api(client, city):
    from conftest import make_staff

    staff = make_staff(city.chaoyang, "officer")
    client.force_login(staff, backend="gonghui.accounts.backends.StaffBackend")
    response = client.post(
        "/api/v1/appeals",
        {
            "worker_name": "赵师傅",
            "phone": "13912340000",
            "description": "国贸餐饮拖欠工资两个月。",
            "employer_id": city.employer_cy.pk,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["unit_name"] == "永安里社区联合工会" and body["phone"] == "139****0000"
    listing = client.get("/api/v1/appeals").json()
    tickets = [a["ticket"] for a in listing["results"]]
    assert body["ticket"] in tickets and city.appeal_hd.ticket not in tickets
    assert client.get(f"/api/v1/appeals/{city.appeal_hd.pk}").status_code == 404
    bad = client.post(
        "/api/v1/appeals",
        {"worker_name": "赵", "phone": "123", "description": "短", "employer_id": city.employer_hd.pk},
        content_type="application/json",
    )
    assert bad.status_code in (400, 422) and "employer_id" in bad.content.decode()


def test_an_appeal_routed_outside_the_callers_scope_is_answered_with_its_receipt(client, city):
    """A 朝阳 station registers a worker's case at a 海淀 workplace: the routing sends it to
    海淀, out of the station's sight. The API says it was registered (201) and gives the
    receipt — ticket, status, the receiving union — and nothing the station may not read."""
    from conftest import make_staff

    staff = make_staff(city.chaoyang_station, "social_worker")
    client.force_login(staff, backend="gonghui.accounts.backends.StaffBackend")
    response = client.post(
        "/api/v1/appeals",
        {
            "worker_name": "钱师傅",
            "phone": "13912345678",
            "description": "中关村的公司拖欠工资三个月，我们五个人都没拿到。",
            "workplace": "海淀区中关村大街27号",
            "workers_involved": 5,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    with scopes_disabled():
        appeal = Appeal.objects.select_related("unit").get(ticket=body["ticket"])
    assert appeal.unit.path.startswith(city.haidian.path)
    assert body["in_scope"] is False and body["unit_name"] == appeal.unit.name and body["id"] == appeal.pk
    assert not {"worker_name", "phone", "description", "reply", "employer_name"} & body.keys()
    assert "钱师傅" not in response.content.decode() and "5678" not in response.content.decode()
    assert client.get(f"/api/v1/appeals/{appeal.pk}").status_code == 404  # still not readable
