import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from conftest import make_staff
from gonghui.core.models import AuditEntry
from gonghui.core.scoping import scope, scopes_disabled
from gonghui.kiosk import services
from gonghui.kiosk.models import BookingStatus, MediationStatus, SlotBooking
from gonghui.kiosk.tests.conftest import in_days, publish


def book(slot, phone="13800001111", name="王先生", channel="kiosk"):
    return services.slot_book(slot=slot, name=name, phone=phone, channel=channel)


def codes(error: ValidationError, field: str) -> list[str]:
    return [e.code for e in error.error_dict[field]]


def test_booking_stores_the_phone_protected_and_texts_a_confirmation(slot, outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(slot)
    assert booking.status == BookingStatus.BOOKED and booking.phone_masked == "138****1111"
    assert b"13800001111" not in bytes(booking.phone_cipher)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM kiosk_slotbooking")
        assert "13800001111" not in repr(cursor.fetchall())
    [(phone, text)] = outbox
    assert phone == "13800001111" and "法律咨询" in text and "建外街道工会服务站调解室" in text
    with scopes_disabled():
        entry = AuditEntry.objects.filter(object_type="kiosk.slotbooking").get()
    assert entry.actor_name == "worker:138****1111" and entry.scope_path == slot.unit.path
    assert "13800001111" not in repr(entry.changes)


def test_full_slot_refuses_the_next_booking(slot):
    book(slot, phone="13800001111")
    book(slot, phone="13800002222")
    with pytest.raises(ValidationError) as e:
        book(slot, phone="13800003333")
    assert codes(e.value, "slot") == ["full"]
    assert "名额已满" in e.value.messages[0]


def test_same_phone_cannot_book_the_same_slot_twice(slot):
    book(slot)
    with pytest.raises(ValidationError) as e:
        book(slot, name="王女士")
    assert codes(e.value, "phone") == ["duplicate"]
    with scopes_disabled():
        assert SlotBooking.objects.filter(slot=slot).count() == 1


def test_the_database_refuses_a_second_active_booking_of_one_phone(slot):
    """The partial unique index backs the check, for two requests at the same moment."""
    first = book(slot)
    with scopes_disabled(), pytest.raises(IntegrityError), transaction.atomic():
        SlotBooking.objects.create(
            slot=slot, name="x", phone_cipher=b"x", phone_hash=first.phone_hash, phone_masked="x", channel="kiosk"
        )


def test_cancelling_a_booking_frees_the_place_and_the_phone(slot, station_worker):
    first = book(slot, phone="13800001111")
    book(slot, phone="13800002222")
    with scope(org=station_worker.unit.path):
        services.booking_cancel(by=station_worker, booking=first, reason="职工来电取消")
    third = book(slot, phone="13800003333")
    assert third.status == BookingStatus.BOOKED
    with scope(org=station_worker.unit.path):
        services.booking_cancel(by=station_worker, booking=third)
    assert book(slot, phone="13800003333").status == BookingStatus.BOOKED  # the same phone again


def test_bad_phone_and_empty_name_are_refused_in_chinese(slot):
    with pytest.raises(ValidationError) as e:
        services.slot_book(slot=slot, name="", phone="12345", channel="kiosk")
    assert e.value.message_dict["phone"] == ["“12345”不是有效的中国大陆手机号码（11位，以13–19开头）。"]
    assert e.value.message_dict["name"] == ["请填写姓名。"]


def test_cancelled_or_started_slots_cannot_be_booked(
    city, slot, station_worker, outbox, django_capture_on_commit_callbacks
):
    book(slot)
    with django_capture_on_commit_callbacks(execute=True), scope(org=station_worker.unit.path):
        services.slot_cancel(by=station_worker, slot=slot, reason="律师临时有事")
    assert [p for p, _ in outbox] == ["13800001111"] and "已取消" in outbox[0][1]
    with scopes_disabled():
        assert SlotBooking.objects.get().status == BookingStatus.CANCELLED
    with pytest.raises(ValidationError) as e:
        book(slot, phone="13800002222")
    assert codes(e.value, "slot") == ["cancelled"]


def test_slot_rules_are_reported_together(city, station_worker):
    with pytest.raises(ValidationError) as e:
        publish(station_worker, city.chaoyang_station, starts_at=in_days(-1), ends_at=in_days(-1, 8), capacity=0)
    assert set(e.value.message_dict) == {"starts_at", "ends_at", "capacity"}


def test_capacity_cannot_drop_below_the_bookings(slot, station_worker):
    book(slot, phone="13800001111")
    book(slot, phone="13800002222")
    with scope(org=station_worker.unit.path), pytest.raises(ValidationError) as e:
        services.slot_update(by=station_worker, slot=slot, capacity=1)
    assert "不能少于已预约的 2 人" in e.value.message_dict["capacity"][0]
    with scope(org=station_worker.unit.path):
        services.slot_update(by=station_worker, slot=slot, capacity=3, counsellor="张律师")
    assert book(slot, phone="13800003333")


def test_outsider_cannot_publish_cancel_or_touch_another_districts_slot(city, slot, outsider):
    booking = book(slot)
    with scope(org=outsider.unit.path):
        with pytest.raises(ValidationError) as e:
            publish(outsider, city.chaoyang_station)
        assert "unit" in e.value.message_dict
        with pytest.raises(ValidationError):
            services.slot_cancel(by=outsider, slot=slot)
        with pytest.raises(ValidationError):
            services.slot_update(by=outsider, slot=slot, capacity=5)
        with pytest.raises(ValidationError):
            services.booking_cancel(by=outsider, booking=booking)
        with pytest.raises(ValidationError):
            services.slot_book(slot=slot, name="赵先生", phone="13900009999", channel="staff", by=outsider)
        from gonghui.kiosk import selectors

        assert not selectors.slot_list().filter(pk=slot.pk).exists()
    with scopes_disabled():
        slot.refresh_from_db()
        booking.refresh_from_db()
    assert slot.is_active and booking.status == BookingStatus.BOOKED


def test_the_parent_union_manages_its_stations_slots(city, slot, city_officer):
    with scope(org=city_officer.unit.path):
        services.slot_cancel(by=city_officer, slot=slot)


def test_roles_without_kiosk_manage_cannot_publish(city):
    auditor = make_staff(city.chaoyang_station, "auditor")
    with pytest.raises(PermissionDenied):
        publish(auditor, city.chaoyang_station)


def test_mediation_request_texts_the_video_link_to_both_sides(
    city, kiosk_cy, outbox, settings, django_capture_on_commit_callbacks
):
    settings.KIOSK_VIDEO_MEETING_URL = "https://meet.union.test/r/{room}?lang=zh"
    with django_capture_on_commit_callbacks(execute=True):
        request = services.remote_mediation_request(
            unit=kiosk_cy.unit,
            applicant_name="刘女士",
            applicant_phone="13811112222",
            other_name="国贸餐饮王经理",
            other_phone="13933334444",
            description="拖欠两个月工资，申请远程调解。",
            kiosk=kiosk_cy,
        )
    assert request.status == MediationStatus.REQUESTED
    assert request.meeting_link == f"https://meet.union.test/r/{request.room}?lang=zh"
    assert request.applicant_phone_masked == "138****2222" and request.other_phone_masked == "139****4444"
    assert [phone for phone, _ in outbox] == ["13811112222", "13933334444"]
    assert all(request.meeting_link in text for _, text in outbox)
    assert "刘女士" in outbox[1][1]  # the other side learns who asked


def test_mediation_request_without_the_other_phone_texts_the_applicant_only(
    city, kiosk_cy, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.remote_mediation_request(
            unit=kiosk_cy.unit,
            applicant_name="刘女士",
            applicant_phone="13811112222",
            other_name="",
            other_phone="",
            description="拖欠两个月工资。",
        )
    assert [phone for phone, _ in outbox] == ["13811112222"]


def test_mediation_request_refuses_bad_input_in_chinese_and_sends_nothing(
    city, kiosk_cy, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as e:
        services.remote_mediation_request(
            unit=kiosk_cy.unit,
            applicant_name="刘女士",
            applicant_phone="1381111",
            other_name="",
            other_phone="13811112222x",
            description="工资",
        )
    errors = e.value.message_dict
    assert "不是有效的中国大陆手机号码" in errors["applicant_phone"][0]
    assert "不是有效的中国大陆手机号码" in errors["other_phone"][0]
    assert errors["description"] == ["请说明需要调解的事项（至少5个字）。"]
    assert outbox == []


def test_one_phone_may_ask_for_mediation_three_times_a_day(city, kiosk_cy):
    for _ in range(3):
        services.remote_mediation_request(
            unit=kiosk_cy.unit,
            applicant_name="刘女士",
            applicant_phone="13811112222",
            other_name="",
            other_phone="13933334444",
            description="拖欠两个月工资。",
        )
    with pytest.raises(ValidationError) as e:
        services.remote_mediation_request(
            unit=kiosk_cy.unit,
            applicant_name="刘女士",
            applicant_phone="13811112222",
            other_name="",
            other_phone="13933334444",
            description="拖欠两个月工资。",
        )
    assert "今天已提交3次" in e.value.message_dict["applicant_phone"][0]


def test_staff_schedule_then_close_a_mediation(
    city, kiosk_cy, station_worker, outbox, django_capture_on_commit_callbacks
):
    request = services.remote_mediation_request(
        unit=kiosk_cy.unit,
        applicant_name="刘女士",
        applicant_phone="13811112222",
        other_name="王经理",
        other_phone="13933334444",
        description="拖欠两个月工资。",
    )
    with scope(org=station_worker.unit.path):
        with django_capture_on_commit_callbacks(execute=True):
            services.mediation_schedule(by=station_worker, mediation=request, scheduled_at=in_days(1, 15))
        assert [p for p, _ in outbox] == ["13811112222", "13933334444"]
        assert all("15:00" in text and request.meeting_link in text for _, text in outbox)
        with pytest.raises(ValidationError):
            services.mediation_close(by=station_worker, mediation=request, status="cancelled")  # needs a reason
        done = services.mediation_close(by=station_worker, mediation=request, status="done", note="双方达成协议")
        assert done.status == MediationStatus.DONE and done.closed_at and done.handled_by == station_worker
        with pytest.raises(ValidationError):
            services.mediation_schedule(by=station_worker, mediation=request, scheduled_at=in_days(2))


def test_another_districts_mediation_is_out_of_reach(city, kiosk_cy, outsider, district_officer):
    """The outsider (海淀) cannot schedule 朝阳's request, nor 朝阳's officer 海淀's."""
    ours = services.remote_mediation_request(
        unit=kiosk_cy.unit,
        applicant_name="刘女士",
        applicant_phone="13811112222",
        other_name="",
        other_phone="",
        description="拖欠两个月工资。",
    )
    for staff, request in [(outsider, ours), (district_officer, city.mediation_hd)]:
        with scope(org=staff.unit.path):
            with pytest.raises(ValidationError) as e:
                services.mediation_schedule(by=staff, mediation=request, scheduled_at=in_days(1))
            assert "不存在或不在您的管辖范围内" in e.value.messages[0]
            with pytest.raises(ValidationError):
                services.mediation_close(by=staff, mediation=request, status="done")
    with scopes_disabled():
        ours.refresh_from_db()
    assert ours.status == MediationStatus.REQUESTED


def test_kiosk_token_authenticates_until_it_is_replaced(city, kiosk_cy, station_worker):
    assert services.kiosk_authenticate(kiosk_cy.raw_token) == kiosk_cy
    assert services.kiosk_authenticate("gk_wrong") is None
    with scope(org=station_worker.unit.path):
        services.kiosk_token_create(by=station_worker, kiosk=kiosk_cy)
    assert services.kiosk_authenticate(kiosk_cy.raw_token) is None


def test_kiosk_codes_are_unique_city_wide_and_manage_is_reserved(city, station_worker):
    with scope(org=station_worker.unit.path):
        with pytest.raises(ValidationError) as e:
            services.kiosk_create(by=station_worker, name="重复", unit=city.chaoyang_station, code="hd-kiosk")
        assert e.value.message_dict["code"] == ["该编号已被其他智能舱使用。"]
        with pytest.raises(ValidationError) as e:
            services.kiosk_create(by=station_worker, name="保留", unit=city.chaoyang_station, code="manage")
        assert "code" in e.value.message_dict
