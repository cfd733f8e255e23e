"""The staff pages: slots and their bookings, remote mediation requests, kiosk devices."""

from conftest import login, make_staff
from gonghui.core.scoping import scopes_disabled
from gonghui.kiosk import services
from gonghui.kiosk.models import BookingStatus, ConsultationSlot, Kiosk, MediationStatus
from gonghui.kiosk.tests.conftest import in_days


def test_publish_a_slot_then_see_its_masked_bookings_and_cancel_one(client, city, station_worker):
    login(client, station_worker)
    assert client.get("/kiosk/manage/slots/").status_code == 200
    response = client.post(
        "/kiosk/manage/slots/new/",
        {
            "unit": city.chaoyang_station.pk,
            "kind": "psychological",
            "starts_at": in_days(3).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": in_days(3, 11).strftime("%Y-%m-%dT%H:%M"),
            "capacity": 3,
            "counsellor": "陈老师",
            "location": "建外街道职工之家心理室",
        },
    )
    with scopes_disabled():
        slot = ConsultationSlot.objects.get(counsellor="陈老师")
    assert response["Location"] == f"/kiosk/manage/slots/{slot.pk}/"
    booking = services.slot_book(slot=slot, name="王先生", phone="13800001111", channel="kiosk")
    body = client.get(f"/kiosk/manage/slots/{slot.pk}/").content.decode()
    assert "138****1111" in body and "13800001111" not in body and "1 / 3" in body
    assert "陈老师" in client.get("/kiosk/manage/slots/").content.decode()
    client.post(f"/kiosk/manage/slots/{slot.pk}/bookings/{booking.pk}/", {"action": "cancel"})
    with scopes_disabled():
        booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    client.post(f"/kiosk/manage/slots/{slot.pk}/cancel/", {"reason": "老师请假"})
    with scopes_disabled():
        slot.refresh_from_db()
    assert not slot.is_active


def test_slot_form_errors_come_back_on_the_form(client, city, station_worker):
    login(client, station_worker)
    past = in_days(-1).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        "/kiosk/manage/slots/new/",
        {
            "unit": city.chaoyang_station.pk,
            "kind": "legal",
            "starts_at": past,
            "ends_at": past,
            "capacity": 2,
            "counsellor": "李律师",
            "location": "调解室",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200 and "开始时间应晚于现在" in body and "结束时间应晚于开始时间" in body


def test_reads_need_orgs_view_and_writes_kiosk_manage(client, city):
    mediator = make_staff(city.chaoyang, "mediator")
    login(client, mediator)
    for url in ("/kiosk/manage/slots/", "/kiosk/manage/mediation/", "/kiosk/manage/devices/"):
        assert client.get(url).status_code == 200, url
    assert client.get("/kiosk/manage/slots/new/").status_code == 403
    assert client.get("/kiosk/manage/devices/new/").status_code == 403


def test_schedule_and_close_a_mediation_request(
    client, city, kiosk_cy, station_worker, outbox, django_capture_on_commit_callbacks
):
    request = services.remote_mediation_request(
        unit=kiosk_cy.unit,
        applicant_name="刘女士",
        applicant_phone="13811112222",
        other_name="王经理",
        other_phone="13933334444",
        description="拖欠两个月工资。",
        kiosk=kiosk_cy,
    )
    login(client, station_worker)
    body = client.get("/kiosk/manage/mediation/").content.decode()
    assert "刘女士" in body and "138****2222" in body and "13811112222" not in body
    url = f"/kiosk/manage/mediation/{request.pk}/"
    assert request.meeting_link in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url + "schedule/", {"scheduled_at": in_days(1, 14).strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 302 and len(outbox) == 2
    response = client.post(url + "close/", {"status": "cancelled", "note": ""})
    assert response.status_code == 400 and "取消申请时请说明原因" in response.content.decode()
    client.post(url + "close/", {"status": "done", "note": "达成协议"})
    with scopes_disabled():
        request.refresh_from_db()
    assert request.status == MediationStatus.DONE


def test_register_a_kiosk_and_issue_its_token_once(client, city, station_worker):
    login(client, station_worker)
    response = client.post(
        "/kiosk/manage/devices/new/", {"name": "建外枫桥智能舱", "unit": city.chaoyang_station.pk, "code": "jianwai-01"}
    )
    with scopes_disabled():
        kiosk = Kiosk.objects.get(code="jianwai-01")
    assert response["Location"] == f"/kiosk/manage/devices/{kiosk.pk}/"
    response = client.post(f"/kiosk/manage/devices/{kiosk.pk}/token/")
    body = response.content.decode()
    token = body.split('<code class="secret"')[1].split(">")[1].split("<")[0]
    assert token.startswith("gk_") and response["Cache-Control"] == "no-store"
    assert services.kiosk_authenticate(token) == kiosk
    assert token not in client.get(f"/kiosk/manage/devices/{kiosk.pk}/").content.decode()


def test_outsider_sees_no_other_districts_kiosk_slot_or_request(client, city, kiosk_cy, slot, outsider):
    login(client, outsider)
    for url in (
        f"/kiosk/manage/devices/{kiosk_cy.pk}/",
        f"/kiosk/manage/slots/{slot.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/kiosk/manage/slots/{slot.pk}/cancel/").status_code == 404
    assert client.post(f"/kiosk/manage/devices/{kiosk_cy.pk}/token/").status_code == 404
    for url in ("/kiosk/manage/slots/", "/kiosk/manage/devices/"):
        body = client.get(url).content.decode()
        assert "建外" not in body and "李律师" not in body, url
    with scopes_disabled():
        slot.refresh_from_db()
    assert slot.is_active
