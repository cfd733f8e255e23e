"""The kiosk device's pages: sign-in with the device token, booking, remote mediation."""

import pytest
from django.test import Client

from gonghui.core.scoping import scope, scopes_disabled
from gonghui.kiosk import services
from gonghui.kiosk.models import RemoteMediationRequest, SlotBooking
from gonghui.kiosk.tests.conftest import publish


@pytest.fixture
def device(client, kiosk_cy):
    response = client.post(f"/kiosk/{kiosk_cy.code}/", {"action": "signin", "kiosk_token": kiosk_cy.raw_token})
    assert response.status_code == 302
    return client


def test_an_unsigned_device_sees_only_the_token_form(client, kiosk_cy, slot):
    body = client.get(f"/kiosk/{kiosk_cy.code}/").content.decode()
    assert 'name="kiosk_token"' in body and "提交诉求" not in body
    for path in ("book/?kind=legal", "appeal/", "mediation/", "track/"):
        response = client.get(f"/kiosk/{kiosk_cy.code}/{path}")
        assert response.status_code == 302 and response["Location"] == f"/kiosk/{kiosk_cy.code}/"
    response = client.post(
        f"/kiosk/{kiosk_cy.code}/book/", {"kind": "legal", "slot": slot.pk, "name": "王先生", "phone": "13800001111"}
    )
    assert response.status_code == 302
    with scopes_disabled():
        assert not SlotBooking.objects.exists()


def test_a_wrong_token_or_another_kiosks_token_is_refused(client, city, kiosk_cy, station_worker):
    response = client.post(f"/kiosk/{kiosk_cy.code}/", {"action": "signin", "kiosk_token": "gk_nope"})
    assert response.status_code == 400 and "设备令牌无效" in response.content.decode()
    with scope(org=station_worker.unit.path):
        other = services.kiosk_create(by=station_worker, name="另一台", unit=city.chaoyang_station, code="cy-2")
        other_token = services.kiosk_token_create(by=station_worker, kiosk=other)
    response = client.post(f"/kiosk/{kiosk_cy.code}/", {"action": "signin", "kiosk_token": other_token})
    assert response.status_code == 400


def test_the_signed_in_device_shows_the_start_screen_and_is_never_cached(device, kiosk_cy):
    response = device.get(f"/kiosk/{kiosk_cy.code}/")
    body = response.content.decode()
    for label in ("提交诉求", "预约法律咨询", "预约心理咨询", "申请远程调解", "查询诉求进度"):
        assert label in body
    assert 'data-idle-seconds="60"' in body and "sidenav" not in body
    assert "no-store" in response["Cache-Control"]


def test_a_new_token_signs_the_old_device_out(device, kiosk_cy, station_worker):
    with scope(org=station_worker.unit.path):
        services.kiosk_token_create(by=station_worker, kiosk=kiosk_cy)
    assert 'name="kiosk_token"' in device.get(f"/kiosk/{kiosk_cy.code}/").content.decode()


def test_a_deactivated_kiosk_is_not_found(device, kiosk_cy, station_worker):
    with scope(org=station_worker.unit.path):
        services.kiosk_set_active(by=station_worker, kiosk=kiosk_cy, is_active=False)
    assert device.get(f"/kiosk/{kiosk_cy.code}/").status_code == 404


def test_idle_seconds_come_from_the_setting(device, kiosk_cy, settings):
    settings.KIOSK_IDLE_SECONDS = 2
    assert 'data-idle-seconds="2"' in device.get(f"/kiosk/{kiosk_cy.code}/").content.decode()


def test_the_kiosk_lists_its_districts_slots_and_no_other_districts(device, city, kiosk_cy, slot, station_worker):
    full = publish(station_worker, city.chaoyang_station, capacity=1, counsellor="满员律师")
    services.slot_book(slot=full, name="赵先生", phone="13900001111", channel="portal")
    psych = publish(station_worker, city.chaoyang_station, kind="psychological", counsellor="陈老师")
    body = device.get(f"/kiosk/{kiosk_cy.code}/book/?kind=legal").content.decode()
    assert "李律师" in body and "余 2 个名额" in body and "已约满" in body
    assert "陈老师" not in body
    assert "中关村" not in body and city.slot_hd.counsellor not in body  # 海淀's slot
    assert "陈老师" in device.get(f"/kiosk/{kiosk_cy.code}/book/?kind=psychological").content.decode()
    # A 海淀 slot cannot be opened or booked from a 朝阳 kiosk, whatever the URL says.
    url = f"/kiosk/{kiosk_cy.code}/book/"
    body = device.get(url, {"kind": "legal", "slot": city.slot_hd.pk}).content.decode()
    assert "该时段已不可预约" in body
    device.post(url, {"kind": "legal", "slot": city.slot_hd.pk, "name": "王先生", "phone": "13800001111"})
    with scopes_disabled():
        assert not SlotBooking.objects.filter(slot=city.slot_hd).exists()
    assert psych


def test_booking_at_the_kiosk_shows_the_confirmation_on_the_response_only(
    device, kiosk_cy, slot, outbox, django_capture_on_commit_callbacks
):
    url = f"/kiosk/{kiosk_cy.code}/book/"
    form = device.get(url, {"kind": "legal", "slot": slot.pk}).content.decode()
    assert 'data-pad="digits"' in form and 'data-pad="name"' in form and 'data-key="7"' in form
    with django_capture_on_commit_callbacks(execute=True):
        response = device.post(url, {"kind": "legal", "slot": slot.pk, "name": "王先生", "phone": "13800001111"})
    body = response.content.decode()
    assert response.status_code == 200 and "预约成功" in body and "138****1111" in body
    assert "13800001111" not in body
    assert "no-store" in response["Cache-Control"]
    assert dict(device.session) == {}  # nothing of the worker is kept on the server
    assert [p for p, _ in outbox] == ["13800001111"]
    # The start page afterwards shows nothing of it.
    assert "王先生" not in device.get(f"/kiosk/{kiosk_cy.code}/").content.decode()


def test_booking_errors_come_back_on_the_form_in_chinese(device, kiosk_cy, slot):
    url = f"/kiosk/{kiosk_cy.code}/book/"
    response = device.post(url, {"kind": "legal", "slot": slot.pk, "name": "王先生", "phone": "1380000"})
    body = response.content.decode()
    assert response.status_code == 400 and "不是有效的中国大陆手机号码" in body and 'value="王先生"' in body


def test_a_full_slot_says_so_on_the_form(device, kiosk_cy, city, station_worker):
    one = publish(station_worker, city.chaoyang_station, capacity=1)
    url = f"/kiosk/{kiosk_cy.code}/book/"
    device.post(url, {"kind": "legal", "slot": one.pk, "name": "王先生", "phone": "13800001111"})
    body = device.post(
        url, {"kind": "legal", "slot": one.pk, "name": "李女士", "phone": "13800002222"}
    ).content.decode()
    assert "该时段已不可预约" in body or "名额已满" in body


def test_remote_mediation_from_the_kiosk(device, kiosk_cy, outbox, django_capture_on_commit_callbacks):
    url = f"/kiosk/{kiosk_cy.code}/mediation/"
    assert "需要调解的事项" in device.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = device.post(
            url,
            {
                "issues": ["wages", "overtime"],
                "applicant_name": "刘女士",
                "applicant_phone": "13811112222",
                "other_name": "王经理",
                "other_phone": "13933334444",
            },
        )
    assert response.status_code == 200 and "调解申请已提交" in response.content.decode()
    with scopes_disabled():
        request = RemoteMediationRequest.objects.get(kiosk=kiosk_cy)
    assert request.unit == kiosk_cy.unit and "拖欠工资、加班费未支付" in request.description
    assert [p for p, _ in outbox] == ["13811112222", "13933334444"]


def test_remote_mediation_needs_an_issue(device, kiosk_cy):
    response = device.post(
        f"/kiosk/{kiosk_cy.code}/mediation/", {"applicant_name": "刘女士", "applicant_phone": "13811112222"}
    )
    assert response.status_code == 400 and "请至少选择一项需要调解的事项" in response.content.decode()


def test_a_staff_session_gets_no_kiosk_without_the_device_token(city, kiosk_cy, station_worker):
    from conftest import login

    staff = login(Client(), station_worker)
    assert 'name="kiosk_token"' in staff.get(f"/kiosk/{kiosk_cy.code}/").content.decode()
    assert staff.get(f"/kiosk/{kiosk_cy.code}/track/").status_code == 302
    assert staff.get("/kiosk/no-such-kiosk/").status_code == 404
