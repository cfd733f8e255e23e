"""Applications to join or transfer, made in the portal and decided by the receiving unit."""

import pytest
from django.core.exceptions import ValidationError

from conftest import make_staff
from gonghui.cards.models import Card
from gonghui.core import pii
from gonghui.core.models import AuditEntry
from gonghui.core.scoping import scope, scopes_disabled
from gonghui.members import services
from gonghui.members.models import ApplicationStatus, Member, MembershipApplication, MemberStatus
from gonghui.members.tests.test_services import make_id
from gonghui.orgs.models import UnitCounts

APPLICANT_ID = make_id("110105", "19950101", "345")
APPLICANT_PHONE = "13700001111"


def apply(**extra):
    fields = {"phone": APPLICANT_PHONE, "name": "李新", "id_number": APPLICANT_ID, **extra}
    with scopes_disabled():
        return services.application_submit_join(**fields)


@pytest.fixture
def cy_clerk(city):
    """A social worker of the 永安里 community joint union, which covers 国贸餐饮."""
    return make_staff(city.chaoyang_cju, "social_worker", username="cju_sw")


def test_join_goes_to_the_union_covering_the_employer(city):
    application = apply(employer=city.employer_cy)
    assert application.unit == city.employer_cy.unit == city.chaoyang_cju
    assert application.status == ApplicationStatus.PENDING
    # Protected like a member's data: no plain numbers in the row.
    assert APPLICANT_ID not in repr(bytes(application.id_number_cipher))
    assert application.id_number_masked.endswith(APPLICANT_ID[-4:]) and "*" in application.id_number_masked
    assert pii.decrypt(application.phone_cipher) == APPLICANT_PHONE


def test_without_a_known_employer_the_worker_chooses_the_station_of_the_workplace(city):
    with pytest.raises(ValidationError) as e:
        apply(employer_name="街边小店")
    assert "服务站" in str(e.value.message_dict["unit"])
    application = apply(employer_name="街边小店", unit=city.chaoyang_station)
    assert application.unit == city.chaoyang_station and application.employer_name == "街边小店"


def test_a_district_union_is_not_a_place_to_apply_to(city):
    with pytest.raises(ValidationError):
        apply(employer_name="某店", unit=city.chaoyang)


def test_a_gig_worker_applies_without_an_employer(city):
    application = apply(is_new_form_worker=True, platform="delivery", unit=city.chaoyang_cju)
    assert application.is_new_form_worker and application.platform == "delivery"


def test_no_employer_and_not_a_gig_worker_is_refused(city):
    with pytest.raises(ValidationError) as e:
        apply(unit=city.chaoyang_cju)
    assert "工作单位" in str(e.value.message_dict["employer"])


def test_invalid_id_number_is_refused_in_chinese(city):
    with pytest.raises(ValidationError) as e:
        apply(id_number="110105199501013450", employer=city.employer_cy)
    assert "id_number" in e.value.message_dict


def test_an_active_member_cannot_apply_to_join(city):
    with scopes_disabled():
        number = pii.decrypt(city.member_cy.id_number_cipher)
    with pytest.raises(ValidationError) as e:
        apply(id_number=number, employer=city.employer_cy)
    assert "已是在会会员" in str(e.value.message_dict["id_number"])


def test_one_pending_application_per_person(city):
    apply(employer=city.employer_cy)
    with pytest.raises(ValidationError, match="待审核的申请"):
        apply(employer_name="别家", unit=city.chaoyang_station)
    with scopes_disabled():
        assert MembershipApplication.objects.filter(status="pending").count() == 2  # this one and 海淀's


def test_approval_creates_the_member_issues_the_card_and_counts(city, cy_clerk):
    application = apply(employer=city.employer_cy)
    with scope(org=cy_clerk.unit.path):
        before = UnitCounts.objects.get(unit=city.chaoyang_cju).members
        done = services.application_approve(by=cy_clerk, application=application)
        member = done.member
        assert done.status == ApplicationStatus.APPROVED and done.decided_by == cy_clerk
        assert member.unit == city.chaoyang_cju and member.employer == city.employer_cy
        assert pii.decrypt(member.phone_cipher) == APPLICANT_PHONE and member.name == "李新"
        assert Card.objects.filter(member=member, status="issued").count() == 1
        assert UnitCounts.objects.get(unit=city.chaoyang_cju).members == before + 1
        assert member.events.get().reason.startswith("入会申请")
    with scopes_disabled():
        assert AuditEntry.objects.filter(object_type="members.membershipapplication", action="update").exists()
    with pytest.raises(ValidationError, match="已处理"), scope(org=cy_clerk.unit.path):
        services.application_approve(by=cy_clerk, application=application)


def test_the_parent_unit_may_decide_but_another_district_cannot_see_it(city, outsider):
    application = apply(employer=city.employer_cy)
    with scope(org=outsider.unit.path), pytest.raises(MembershipApplication.DoesNotExist):
        services.application_approve(by=outsider, application=application)
    district = make_staff(city.chaoyang, "officer")
    with scope(org=district.unit.path):
        assert services.application_approve(by=district, application=application, issue_card=False).member


def test_rejection_needs_a_reason_the_applicant_sees(city, cy_clerk):
    application = apply(employer=city.employer_cy)
    with scope(org=cy_clerk.unit.path):
        with pytest.raises(ValidationError) as e:
            services.application_reject(by=cy_clerk, application=application, reason=" ")
        assert "reason" in e.value.message_dict
        done = services.application_reject(by=cy_clerk, application=application, reason="请补充劳动合同")
    assert done.status == ApplicationStatus.REJECTED and done.decision_reason == "请补充劳动合同"
    with scopes_disabled():
        assert not Member.objects.filter(name="李新").exists()
    apply(employer=city.employer_cy)  # rejected: the worker may apply again


def test_a_mediator_cannot_decide(city):
    application = apply(employer=city.employer_cy)
    mediator = make_staff(city.chaoyang_cju, "mediator")
    with scope(org=mediator.unit.path), pytest.raises(Exception, match="权限"):
        services.application_approve(by=mediator, application=application)


def test_withdraw_only_own_pending_application(city):
    application = apply(employer=city.employer_cy)
    with pytest.raises(ValidationError):
        services.application_withdraw(application=application, phone_index=services.phone_hash("13900000000"))
    done = services.application_withdraw(application=application, phone_index=services.phone_hash(APPLICANT_PHONE))
    assert done.status == ApplicationStatus.WITHDRAWN
    with pytest.raises(ValidationError, match="不能撤回"):
        services.application_withdraw(application=application, phone_index=services.phone_hash(APPLICANT_PHONE))


def test_a_former_member_rejoins_with_the_same_record(city, cy_clerk):
    boss = make_staff(city.root, "officer")
    with scope(org=boss.unit.path):
        services.member_leave(by=boss, member=city.member_cy, reason="离职")
        number = pii.decrypt(city.member_cy.id_number_cipher)
    application = apply(id_number=number, name="周建国", employer=city.employer_cy)
    with scope(org=cy_clerk.unit.path):
        done = services.application_approve(by=cy_clerk, application=application)
    assert done.member.pk == city.member_cy.pk
    assert done.member.status == MemberStatus.ACTIVE and pii.decrypt(done.member.phone_cipher) == APPLICANT_PHONE


def test_transfer_application_moves_the_member_to_the_receiving_union(city):
    hd_clerk = make_staff(city.haidian_station, "social_worker")
    with scopes_disabled():
        application = services.application_submit_transfer(
            member=city.member_cy, employer=city.employer_hd, note="换工作到中关村"
        )
    assert application.unit == city.haidian_station and application.member == city.member_cy
    with scope(org=hd_clerk.unit.path):
        done = services.application_approve(by=hd_clerk, application=application, issue_card=False)
    with scopes_disabled():
        member = Member.objects.get(pk=city.member_cy.pk)
    assert member.unit == city.haidian_station and member.employer == city.employer_hd
    assert done.member == member


def test_transfer_needs_a_reason_and_another_union(city):
    with scopes_disabled():
        with pytest.raises(ValidationError) as e:
            services.application_submit_transfer(member=city.member_cy, employer=city.employer_hd, note="")
        assert "note" in e.value.message_dict
        with pytest.raises(ValidationError, match="无需转接"):
            services.application_submit_transfer(member=city.member_cy, employer=city.employer_cy, note="同一家")
