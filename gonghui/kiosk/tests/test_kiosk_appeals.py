"""提交诉求 and 查询诉求进度 at the kiosk, through the appeals app's service API."""

import pytest

from gonghui.core.scoping import scopes_disabled


@pytest.fixture
def device(client, kiosk_cy):
    client.post(f"/kiosk/{kiosk_cy.code}/", {"action": "signin", "kiosk_token": kiosk_cy.raw_token})
    return client


def test_submitting_an_appeal_shows_the_ticket_and_routes_it_from_the_kiosks_station(device, kiosk_cy):
    from gonghui.appeals.models import Appeal

    response = device.post(
        f"/kiosk/{kiosk_cy.code}/appeal/",
        {
            "issues": ["wages", "insurance"],
            "name": "王先生",
            "phone": "13800001111",
            "workers_involved": "3",
            "amount": "8000",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200 and "诉求已提交" in body
    with scopes_disabled():
        appeal = Appeal.objects.get(channel="kiosk")
    assert appeal.ticket in body
    assert "拖欠工资" in appeal.description and "未缴纳社会保险" in appeal.description
    assert appeal.workers_involved == 3 and appeal.amount == 8000
    assert appeal.unit.path.startswith(kiosk_cy.unit.path[:8])  # stays in 朝阳区
    assert dict(device.session) == {}


def test_appeal_errors_come_back_in_chinese(device, kiosk_cy):
    response = device.post(f"/kiosk/{kiosk_cy.code}/appeal/", {"name": "", "phone": "123"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "请至少选择一项要反映的问题" in body and "不是有效的中国大陆手机号码" in body and "请填写职工姓名" in body


def test_tracking_shows_status_and_history_with_ticket_and_phone(device, kiosk_cy, city):
    ticket = city.appeal_hd.ticket  # any district: the worker holds the ticket and the phone
    response = device.post(f"/kiosk/{kiosk_cy.code}/track/", {"ticket": ticket, "phone": "13604040404"})
    body = response.content.decode()
    assert response.status_code == 200 and "诉求进度" in body and ticket in body
    assert city.appeal_hd.get_status_display() in body and city.appeal_hd.unit.name in body


def test_tracking_with_the_wrong_phone_shows_nothing_of_the_appeal(device, kiosk_cy, city):
    response = device.post(f"/kiosk/{kiosk_cy.code}/track/", {"ticket": city.appeal_hd.ticket, "phone": "13900000000"})
    body = response.content.decode()
    assert response.status_code == 400 and "手机号码与该受理编号登记的号码不一致" in body
    assert city.appeal_hd.unit.name not in body and "拖欠" not in body
