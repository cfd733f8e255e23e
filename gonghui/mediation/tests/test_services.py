import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from conftest import make_staff
from gonghui.core.scoping import scopes_disabled, user_scope
from gonghui.mediation import services
from gonghui.mediation.models import CaseEvent, CaseStatus, MediationCase, Payment
from gonghui.mediation.tests.conftest import open_case


def messages_of(exc) -> str:
    return " ".join(exc.value.messages)


def test_case_number_is_sequential_per_year(city, case, body, handler):
    second = open_case(handler, body, city.employer_cy)
    year = timezone.localdate().year
    assert case.number == f"TJ{year}-000001" or case.number.startswith(f"TJ{year}-")
    assert int(second.number[-6:]) == int(case.number[-6:]) + 1


def test_day_15_due_is_calendar_days_from_application(city, body, mediators, handler):
    applied = timezone.localdate() - dt.timedelta(days=3)
    case = open_case(handler, body, city.employer_cy, applied_on=applied)
    assert case.due_on == applied + dt.timedelta(days=15)


def test_auto_assignment_picks_the_least_loaded_mediator(city, body, mediators, handler):
    first, second = mediators
    a = open_case(handler, body, city.employer_cy)
    b = open_case(handler, body, city.employer_cy)
    with scopes_disabled():
        assert a.assignments.get().mediator == first
        assert b.assignments.get().mediator == second


@pytest.mark.parametrize(
    "amount, expected",
    [
        ("-100", "不能为负数"),
        ("0", "必须大于0"),
        ("1000000000", "超过1亿元"),
        ("12.345", "两位小数"),
        ("abc", "请填写金额"),
    ],
)
def test_bad_claim_amounts_are_refused_with_a_clear_message(city, body, mediators, handler, amount, expected):
    with pytest.raises(ValidationError) as e:
        open_case(handler, body, city.employer_cy, claims=[{"type": "wages", "amount": amount}])
    assert expected in messages_of(e)
    with scopes_disabled():
        assert not MediationCase.objects.filter(body=body).exists()


def test_body_must_be_competent_for_the_employer(city, body, mediators, handler):
    with pytest.raises(ValidationError) as e:
        open_case(handler, body, city.employer_hd)
    assert "不受理" in messages_of(e)


def test_industry_centre_takes_only_its_industries(city, handler):
    admin = make_staff(city.root, "unit_admin")
    with scopes_disabled():
        centre = services.body_create(
            by=admin,
            kind="industry_centre",
            name="餐饮行业调解中心",
            unit=city.industry,
            covers_subtree=False,
            industries="H",
        )
    assert services.body_competent(centre, city.employer_cy)  # 餐饮 (H)
    assert not services.body_competent(centre, city.employer_hd)  # 软件 (I)


def test_claim_older_than_a_year_warns_but_opens(city, body, mediators, handler):
    old = timezone.localdate() - dt.timedelta(days=400)
    case = open_case(
        handler, body, city.employer_cy, claims=[{"type": "severance", "amount": "30000", "arose_on": old}]
    )
    assert case.limitation_warning and "仲裁时效" in case.warnings[0]
    with scopes_disabled():
        assert CaseEvent.objects.filter(case=case, kind="warning").exists()


def test_agreement_larger_than_claim_needs_a_note(case_in_mediation, handler):
    with scopes_disabled():
        wages, overtime = case_in_mediation.claims.order_by("id")
    with pytest.raises(ValidationError) as e:
        services.case_agree(
            by=handler,
            case=case_in_mediation,
            amounts={wages.pk: ("21000", ""), overtime.pk: ("5000", "")},
            schedule=[(timezone.localdate(), "26000")],
        )
    assert "高于请求金额" in messages_of(e)
    agreement = services.case_agree(
        by=handler,
        case=case_in_mediation,
        amounts={wages.pk: ("21000", "含逾期利息"), overtime.pk: ("5000", "")},
        schedule=[(timezone.localdate(), "6000"), (timezone.localdate() + dt.timedelta(days=30), "20000")],
    )
    assert services.agreement_totals(agreement)["agreed"] == Decimal("26000.00")


def test_schedule_must_add_up_to_the_agreement(case_in_mediation, handler):
    with scopes_disabled():
        wages, overtime = case_in_mediation.claims.order_by("id")
    with pytest.raises(ValidationError) as e:
        services.case_agree(
            by=handler,
            case=case_in_mediation,
            amounts={wages.pk: ("20000", ""), overtime.pk: ("0", "")},
            schedule=[(timezone.localdate(), "15000")],
        )
    assert "不一致" in messages_of(e)


def test_payments_never_exceed_the_agreed_total(case_in_mediation, handler):
    with scopes_disabled():
        wages, overtime = case_in_mediation.claims.order_by("id")
    services.case_agree(
        by=handler,
        case=case_in_mediation,
        amounts={wages.pk: ("18000", ""), overtime.pk: ("2000", "")},
        schedule=[(timezone.localdate(), "20000")],
    )
    services.payment_record(by=handler, case=case_in_mediation, amount="15000")
    with pytest.raises(ValidationError) as e:
        services.payment_record(by=handler, case=case_in_mediation, amount="5000.01")
    assert "超过尚未支付" in messages_of(e)
    with pytest.raises(ValidationError):
        services.payment_record(by=handler, case=case_in_mediation, amount="-1")
    services.payment_record(by=handler, case=case_in_mediation, amount="5000")
    with scopes_disabled():
        assert sum(p.amount for p in Payment.objects.all()) == Decimal("20000.00")


def test_session_for_a_closed_case_is_refused(case_in_mediation, handler):
    services.case_refer_to_arbitration(by=handler, case=case_in_mediation, note="双方分歧较大，调解不成。")
    services.case_close(by=handler, case=case_in_mediation)
    with pytest.raises(ValidationError) as e:
        services.session_schedule(by=handler, case=case_in_mediation, scheduled_at=timezone.now(), mode="remote")
    assert "不能再安排调解" in messages_of(e)


def test_remote_session_gets_its_own_video_link(case_in_mediation, handler, settings):
    settings.KIOSK_VIDEO_MEETING_URL = "https://meet.example.invalid/{room}"
    session = services.session_schedule(
        by=handler, case=case_in_mediation, scheduled_at=timezone.now() + dt.timedelta(hours=2), mode="remote"
    )
    assert session.meeting_link == f"https://meet.example.invalid/{case_in_mediation.number}-2"


def test_pipeline_refuses_skipping_steps(case, handler):
    with pytest.raises(ValidationError) as e:
        services.case_close(by=handler, case=case)
    assert "不能变更为" in messages_of(e)


def test_case_from_appeal_takes_and_completes_the_handoff(city, body, mediators, handler):
    from gonghui.appeals.services import appeal_handoff, appeal_submit

    admin = make_staff(city.chaoyang, "unit_admin", username="cy_admin_x")
    with scopes_disabled():
        appeal = appeal_submit(
            by=admin,
            channel="hotline",
            worker_name="刘师傅",
            phone="13711112222",
            description="国贸餐饮拖欠十二名员工工资。",
            employer=city.employer_cy,
            workers_involved=12,
        )
        handoff = appeal_handoff(by=admin, appeal=appeal, kind="mediation", unit=city.chaoyang_station)
    with user_scope(handler):
        case = services.case_open(
            by=handler,
            body=body,
            employer=city.employer_cy,
            source="appeal",
            description="拖欠工资。",
            workers=[{"name": "员工" + "甲乙丙丁戊己庚辛壬癸子"[i], "phone": f"1370000{i:04d}"} for i in range(11)],
            claims=[{"type": "wages", "amount": "120000"}],
            handoff=handoff,
        )
    handoff.refresh_from_db()
    assert (handoff.status, handoff.target_ref) == ("taken", case.number)
    with scopes_disabled():
        assert case.workers.count() == 12 and case.workers.first().name == "刘师傅"
    with pytest.raises(ValidationError):  # taken once only
        with user_scope(handler):
            open_case(handler, body, city.employer_cy, handoff=handoff, source="appeal")
    with user_scope(handler):
        services.case_withdraw(by=handler, case=case)
        services.case_close(by=handler, case=case)
    handoff.refresh_from_db()
    assert handoff.status == "done"


def test_outsider_cannot_act_on_a_case(case, outsider):
    with user_scope(outsider), pytest.raises(PermissionDenied):
        services.case_accept(by=outsider, case=case)


def test_lawyer_cannot_act_on_another_lawyers_case(city, body, case, handler):
    admin = make_staff(city.chaoyang, "unit_admin", username="cy_admin_l")
    lawyer_a = make_staff(city.chaoyang_station, "lawyer", username="lawyer_a", full_name="甲律师")
    lawyer_b = make_staff(city.chaoyang_station, "lawyer", username="lawyer_b", full_name="乙律师")
    with scopes_disabled():
        m_a = services.mediator_add(by=admin, body=body, kind="lawyer", staff=lawyer_a)
        services.mediator_add(by=admin, body=body, kind="lawyer", staff=lawyer_b)
    with user_scope(handler):
        services.case_assign(by=handler, case=case, mediator=m_a)
    with user_scope(lawyer_a):
        services.case_accept(by=lawyer_a, case=case)
    with user_scope(lawyer_b), pytest.raises(PermissionDenied) as e:
        services.case_note(by=lawyer_b, case=case, note="查看案件")
    assert "未指派给您" in str(e.value)
    assert case.status == CaseStatus.ACCEPTED or MediationCase
