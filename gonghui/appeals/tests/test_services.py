import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import make_staff
from gonghui.appeals import services
from gonghui.appeals.models import Appeal, AppealEvent, AppealStatus, RoutingRule
from gonghui.core import pii
from gonghui.core.scoping import scope, scopes_disabled

PHONE = "13911112222"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
PDF = b"%PDF-1.4\n%...\n"


def appeal_count() -> int:
    with scopes_disabled():
        return Appeal.objects.count()


def submit(by=None, **extra):
    fields = {
        "channel": "hotline",
        "worker_name": "刘师傅",
        "phone": PHONE,
        "description": "公司已经三个月没发工资了，老板联系不上。",
        **extra,
    }
    if by is not None:
        with scope(org=by.unit.path):
            return services.appeal_submit(by=by, **fields)
    with scopes_disabled():
        return services.appeal_submit(**fields)


def test_ticket_has_a_check_digit():
    ticket = services.new_ticket(dt.date(2026, 11, 21))
    assert len(ticket) == 12 and ticket.startswith("261121") and services.ticket_valid(ticket)
    wrong = ticket[:-1] + str((int(ticket[-1]) + 1) % 10)
    assert not services.ticket_valid(wrong)


def test_appeal_about_a_known_employer_goes_to_its_union(city, operator):
    appeal = submit(operator, employer=city.employer_cy)
    assert appeal.unit == city.chaoyang_cju
    assert appeal.category == "wage_arrears" and appeal.category_suggested == "wage_arrears"
    assert appeal.status == AppealStatus.RECEIVED
    assert appeal.accept_due < appeal.reply_due < appeal.resolve_due
    assert appeal.phone_masked == "139****2222" and pii.decrypt(appeal.phone_cipher) == PHONE
    with scopes_disabled():
        assert AppealEvent.objects.filter(appeal=appeal, public=True).count() == 1


def test_employer_named_in_full_is_matched(city, operator):
    appeal = submit(operator, employer_name="北京中关村软件有限公司")
    assert appeal.employer == city.employer_hd and appeal.unit == city.haidian_station


def test_without_employer_the_place_in_the_text_routes_to_the_district(city, operator):
    appeal = submit(
        operator, employer_name="一家小饭馆", description="我在海淀区中关村一家小饭馆打工，老板欠我两个月工资。"
    )
    assert appeal.district_suggested == city.haidian
    assert appeal.unit in (city.haidian, city.haidian_station)


def test_nothing_known_goes_to_the_city_centre(city, operator):
    appeal = submit(operator, description="想咨询一下年休假怎么算。")
    assert appeal.unit == city.root


def test_a_routing_rule_comes_first(city, operator):
    with scopes_disabled():
        RoutingRule.objects.create(name="骑手诉求", keyword="骑手", target=city.chaoyang_station)
    appeal = submit(operator, employer=city.employer_hd, description="我是骑手，平台乱扣钱。")
    assert appeal.unit == city.chaoyang_station


def test_the_tree_gazetteer_is_built_again_only_when_the_tree_rows_change(city):
    from django.core.cache import cache

    from gonghui.orgs.models import UnitKind
    from gonghui.orgs.services import unit_create

    first = services._tree_gazetteer()
    assert services._tree_gazetteer() is first
    cache.clear()  # the rows read again, the same rows: the same gazetteer
    assert services._tree_gazetteer() is first
    assert services.suggest_place("在星火街道上班，老板不发工资。") == (None, None)

    boss = make_staff(city.root, "unit_admin", username="tree_admin")
    with scopes_disabled():
        station = unit_create(
            by=boss,
            parent=city.chaoyang,
            kind=UnitKind.STREET_STATION,
            name="星火街道工会服务站",
            division_code="110105002",
        )
    assert services._tree_gazetteer() is first  # the rows are cached for a few minutes
    cache.clear()
    assert services._tree_gazetteer() is not first
    assert services.suggest_place("在星火街道上班，老板不发工资。") == (city.chaoyang, station)


def test_walk_in_at_a_station_stays_there_when_nothing_else_is_known(city, operator):
    appeal = submit(
        operator, description="想咨询一下年休假怎么算。", channel="walk_in", unit_hint=city.chaoyang_station
    )
    assert appeal.unit == city.chaoyang_station


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("phone", "12345", "手机号"),
        ("description", "欠薪", "至少5个字"),
        ("workers_involved", "0", "涉及人数"),
        ("amount", "-5", "涉及金额"),
        ("worker_name", "  ", "姓名"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_is_written(city, operator, field, value, message):
    before = appeal_count()
    with pytest.raises(ValidationError) as e:
        submit(operator, **{field: value})
    assert message in " ".join(e.value.message_dict[field])
    assert appeal_count() == before


def test_script_in_the_description_is_kept_as_text(city, operator):
    appeal = submit(operator, description="<script>alert(1)</script> 工资被扣了")
    assert appeal.description.startswith("<script>")


def test_attachments_are_checked_by_content(city, operator):
    photo = SimpleUploadedFile("工资条.png", PNG, content_type="image/png")
    pdf = SimpleUploadedFile("合同.pdf", PDF, content_type="application/pdf")
    appeal = submit(operator, attachments=[photo, pdf])
    with scopes_disabled():
        stored = list(appeal.attachments.order_by("id"))
    assert [a.content_type for a in stored] == ["image/png", "application/pdf"]
    assert stored[0].file.name.endswith(".png") and appeal.ticket in stored[0].file.name


def test_a_program_renamed_jpg_is_refused(city, operator):
    exe = SimpleUploadedFile("照片.jpg", b"MZ\x90\x00" + b"\0" * 100, content_type="image/jpeg")
    before = appeal_count()
    with pytest.raises(ValidationError) as e:
        submit(operator, attachments=[exe])
    assert "不是图片或PDF" in " ".join(e.value.message_dict["attachments"])
    assert appeal_count() == before


def test_an_oversize_attachment_is_refused(city, operator):
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8\xff" + b"\0" * (10 * 1024 * 1024), content_type="image/jpeg")
    with pytest.raises(ValidationError, match="超过10MB"):
        submit(operator, attachments=[big])


def test_tracking_needs_the_right_ticket_and_phone(city, operator):
    appeal = submit(operator)
    assert services.appeal_track(ticket=appeal.ticket, phone=PHONE) == appeal
    with pytest.raises(ValidationError, match="12位数字"):
        services.appeal_track(ticket="123", phone=PHONE)
    unknown = services.new_ticket(dt.date(2020, 1, 1))
    with pytest.raises(ValidationError, match="没有找到"):
        services.appeal_track(ticket=unknown, phone=PHONE)
    with pytest.raises(ValidationError, match="不一致"):
        services.appeal_track(ticket=appeal.ticket, phone="13900000000")


def test_the_workflow_to_closing(city, operator, cju_worker, outbox, django_capture_on_commit_callbacks):
    appeal = submit(operator, employer=city.employer_cy)
    with scope(org=cju_worker.unit.path):
        with pytest.raises(ValidationError, match="不能改为"):
            services.appeal_close(by=cju_worker, appeal=appeal, satisfaction="satisfied")
        services.appeal_accept(by=cju_worker, appeal=appeal)
        services.appeal_start(by=cju_worker, appeal=appeal)
        with pytest.raises(ValidationError):
            services.appeal_reply(by=cju_worker, appeal=appeal, reply="好")
        with django_capture_on_commit_callbacks(execute=True):
            services.appeal_reply(by=cju_worker, appeal=appeal, reply="已协调公司于本周五前补发工资。")
        assert outbox[-1][0] == PHONE and appeal.ticket in outbox[-1][1]
        done = services.appeal_close(by=cju_worker, appeal=appeal, satisfaction="satisfied")
    assert done.status == AppealStatus.CLOSED and done.satisfaction == "satisfied" and done.closed_at


def test_another_district_cannot_touch_it(city, operator, outsider):
    appeal = submit(operator, employer=city.employer_cy)
    with scope(org=outsider.unit.path), pytest.raises(Appeal.DoesNotExist):
        services.appeal_accept(by=outsider, appeal=appeal)


def test_a_mediator_may_look_but_not_handle(city, operator):
    from conftest import make_staff

    mediator = make_staff(city.chaoyang_cju, "mediator")
    appeal = submit(operator, employer=city.employer_cy)
    with scope(org=mediator.unit.path), pytest.raises(Exception, match="权限"):
        services.appeal_accept(by=mediator, appeal=appeal)


def test_waiting_on_the_worker_stops_the_clock(city, operator, cju_worker, clock):
    appeal = submit(operator, employer=city.employer_cy)
    with scope(org=cju_worker.unit.path):
        services.appeal_accept(by=cju_worker, appeal=appeal)
        services.appeal_wait(by=cju_worker, appeal=appeal, note="请提供工资条")
        clock(days=14)
        resumed = services.appeal_resume(by=cju_worker, appeal=appeal)
    assert resumed.reply_due > appeal.reply_due + dt.timedelta(days=7)
    assert resumed.paused_at is None and resumed.status == AppealStatus.IN_PROGRESS


def escalations(appeal) -> int:
    with scopes_disabled():
        return AppealEvent.objects.filter(appeal=appeal, kind="escalate").count()


def test_an_overdue_appeal_escalates_to_the_parent_once_per_missed_deadline(city, operator, clock):
    appeal = submit(operator, employer=city.employer_cy)  # 永安里社区联合工会
    services.appeals_check_deadlines()
    assert escalations(appeal) == 0
    clock(days=5)  # past the one-working-day acceptance deadline
    services.appeals_check_deadlines()
    services.appeals_check_deadlines()  # idempotent
    assert escalations(appeal) == 1
    with scopes_disabled():
        appeal.refresh_from_db()
    assert appeal.escalation_level == 1 and appeal.escalated_to == city.chaoyang_station
    clock(days=30)  # still not accepted; the next sweep does not repeat for the same deadline
    services.appeals_check_deadlines()
    assert escalations(appeal) == 1


def test_escalation_climbs_with_each_missed_deadline(city, operator, cju_worker, clock):
    appeal = submit(operator, employer=city.employer_cy)
    clock(days=4)
    services.appeals_check_deadlines()
    with scope(org=cju_worker.unit.path):
        services.appeal_accept(by=cju_worker, appeal=appeal)
    clock(days=14)  # the reply deadline passes too
    services.appeals_check_deadlines()
    with scopes_disabled():
        appeal.refresh_from_db()
    assert appeal.escalation_level == 2 and appeal.escalated_to == city.chaoyang


def test_a_reminder_comes_before_the_deadline(city, operator, clock):
    appeal = submit(operator, employer=city.employer_cy)
    services.appeals_check_deadlines()  # accept within 1 working day: due within the reminder window
    services.appeals_check_deadlines()
    with scopes_disabled():
        assert AppealEvent.objects.filter(appeal=appeal, kind="remind").count() == 1


def test_merge_and_reassign(city, operator, cju_worker):
    first = submit(operator, employer=city.employer_cy)
    second = submit(operator, employer=city.employer_cy, phone="13911113333")
    with scope(org=cju_worker.unit.path):
        merged = services.appeal_merge(by=cju_worker, appeal=second, into=first)
        assert merged.status == AppealStatus.DUPLICATE and merged.duplicate_of == first
        with pytest.raises(ValidationError, match="管辖范围"):
            services.appeal_reassign(by=cju_worker, appeal=first, unit=city.haidian_station, note="不是我们的")
        back = services.appeal_reassign(by=cju_worker, appeal=first, unit=city.chaoyang_station, note="退回服务站")
    assert back.unit == city.chaoyang_station


def test_handoff_to_mediation_is_recorded_once(city, operator, cju_worker):
    appeal = submit(operator, employer=city.employer_cy)
    with scope(org=cju_worker.unit.path):
        services.appeal_handoff(by=cju_worker, appeal=appeal, kind="mediation", unit=city.chaoyang_cju)
        with pytest.raises(ValidationError, match="已转办"):
            services.appeal_handoff(by=cju_worker, appeal=appeal, kind="mediation", unit=city.chaoyang_cju)


def test_member_is_linked_by_phone(city, operator):
    appeal = submit(operator, phone="13501010101", employer=city.employer_cy)
    assert appeal.member == city.member_cy
