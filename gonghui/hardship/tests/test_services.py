from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.http import Http404

from conftest import make_staff
from gonghui.core.scoping import scopes_disabled, user_scope
from gonghui.fund.models import Account, Transaction
from gonghui.hardship import selectors, services
from gonghui.hardship.models import ApplicationStatus, BatchStatus, FileStatus, HardshipFile
from gonghui.hardship.tests.conftest import approved_file, file_household

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


def reload(obj):
    with scopes_disabled():
        return type(obj).objects.get(pk=obj.pk)


def test_station_files_district_approves_with_category_and_reason(city, station_worker, district_approver, threshold):
    file = file_household(
        city,
        station_worker,
        member_income="1200",
        household=[
            {"name": "李梅", "relation": "spouse", "status": "ill", "monthly_income": "300", "id_number": ""},
            {"name": "周小明", "relation": "child", "status": "student", "monthly_income": "0"},
        ],
    )
    assert file.status == FileStatus.DRAFT and file.household_size == 3
    assert file.monthly_income == Decimal("1500.00")
    assert file.category == "deep" and "人均500.00元" in file.category_reason
    with scopes_disabled():
        services.file_submit(by=station_worker, file=file)
        approved = services.file_approve(by=district_approver, file=file)
    assert approved.status == FileStatus.APPROVED and approved.review_due_on is not None
    assert reload(city.member_cy).in_hardship is True
    with scopes_disabled():
        exited = services.file_exit(by=district_approver, file=approved, reason="配偶康复就业，家庭收入超过标准")
    assert exited.status == FileStatus.EXITED and reload(city.member_cy).in_hardship is False


def test_negative_incomes_are_refused(city, station_worker, threshold):
    with pytest.raises(ValidationError, match="不能为负数"):
        file_household(city, station_worker, member_income="-100")
    with pytest.raises(ValidationError, match="李梅.*不能为负数"):
        file_household(
            city,
            station_worker,
            household=[{"name": "李梅", "relation": "spouse", "status": "ill", "monthly_income": "-5"}],
        )
    with scopes_disabled():
        assert not HardshipFile.objects.filter(member=city.member_cy).exists()


def test_the_database_refuses_negative_figures_too(city, station_worker, threshold):
    file = file_household(city, station_worker)
    with scopes_disabled(), pytest.raises(IntegrityError), transaction.atomic():
        HardshipFile.objects.filter(pk=file.pk).update(member_income=Decimal("-1"))


def test_the_approver_is_never_the_filer(city, district_approver, threshold):
    file = file_household(city, district_approver)  # a district officer may file too
    with scopes_disabled():
        services.file_submit(by=district_approver, file=file)
        with pytest.raises(ValidationError, match="建档人不能审批") as e:
            services.file_approve(by=district_approver, file=file)
    assert e.value.code == "approver_is_filer"
    assert reload(file).status == FileStatus.SUBMITTED


def test_a_station_cannot_approve(city, station_worker, threshold):
    other_station_worker = make_staff(city.chaoyang_station, "officer")
    file = file_household(city, station_worker)
    with scopes_disabled():
        services.file_submit(by=station_worker, file=file)
        with pytest.raises(PermissionDenied):
            services.file_approve(by=other_station_worker, file=file)


def test_a_second_open_file_for_the_same_household_is_refused(city, station_worker, district_approver, threshold):
    file_household(city, station_worker)
    with pytest.raises(services.DuplicateFile, match="只能有一份在档档案"):
        file_household(city, station_worker)


def test_the_partial_unique_index_is_the_last_line(city, station_worker, threshold):
    file = file_household(city, station_worker)
    with scopes_disabled(), pytest.raises(IntegrityError), transaction.atomic():
        HardshipFile.objects.create(
            member=file.member,
            unit=file.unit,
            district=file.district,
            filed_by=station_worker,
            member_income=0,
            monthly_income=0,
            household_size=1,
        )


def test_a_household_member_in_another_open_file_is_a_duplicate(city, station_worker, threshold):
    from gonghui.members.identity import id_check_char
    from gonghui.members.services import member_create

    first17 = "11010519900101123"
    spouse_id = first17 + id_check_char(first17)
    with scopes_disabled():
        spouse = member_create(
            by=station_worker.__class__.objects.get(username="fixture_root_admin"),
            name="李梅",
            id_number=spouse_id,
            phone="13511112222",
            unit=city.chaoyang_cju,
        )
    file_household(
        city,
        station_worker,
        household=[
            {"name": "李梅", "relation": "spouse", "status": "ill", "monthly_income": "0", "id_number": spouse_id}
        ],
    )
    with pytest.raises(services.DuplicateFile):
        file_household(city, station_worker, member=spouse, household=[])
    with scopes_disabled():
        stored = HardshipFile.objects.get(member=city.member_cy).household.get()
    assert stored.id_number_masked.startswith("110105") and "*" in stored.id_number_masked
    assert spouse_id.encode() not in bytes(stored.id_number_cipher)


def test_after_exit_a_new_file_may_be_opened(city, station_worker, district_approver, threshold):
    file = file_household(city, station_worker)
    with scopes_disabled():
        services.file_exit(by=station_worker, file=file, reason="录入有误，作废")
    file_household(city, station_worker)


def test_a_household_above_the_standards_cannot_be_approved(city, station_worker, district_approver, threshold):
    file = file_household(city, station_worker, member_income="20000", causes=["education"])
    assert file.category == "none"
    with scopes_disabled():
        services.file_submit(by=station_worker, file=file)
        with pytest.raises(ValidationError, match="不符合困难职工认定标准"):
            services.file_approve(by=district_approver, file=file)


def test_attachments_are_checked_by_content(city, station_worker, threshold):
    file = file_household(city, station_worker)
    with scopes_disabled():
        services.file_attach(by=station_worker, file=file, upload=SimpleUploadedFile("病历.png", PNG))
        with pytest.raises(ValidationError, match="不是图片或PDF"):
            services.file_attach(by=station_worker, file=file, upload=SimpleUploadedFile("病历.png", b"MZ\x90\0 exe"))
        assert file.attachments.count() == 1


def test_yearly_review_reminders(city, station_worker, district_approver, threshold):
    import datetime as dt

    file = approved_file(city, station_worker, district_approver)
    with user_scope(district_approver):
        assert selectors.review_due(today=file.review_due_on - dt.timedelta(days=31)) == []
        assert [f.pk for f in selectors.review_due(today=file.review_due_on - dt.timedelta(days=30))] == [file.pk]
    with scopes_disabled():
        services.file_review_start(by=station_worker, file=file)
        services.file_update(
            by=station_worker,
            file=file,
            member_income="900",
            medical_expense="200",
            education_expense="0",
            causes=["illness"],
            situation="",
            household=[],
        )
        services.file_submit(by=station_worker, file=file)
        again = services.file_approve(by=district_approver, file=file)
    assert again.status == FileStatus.APPROVED and again.category == "deep"


def test_an_application_is_paid_once_and_within_the_cap(city, station_worker, district_approver, spring_programme):
    file = approved_file(city, station_worker, district_approver)
    with scopes_disabled():
        application = services.application_create(by=station_worker, file=file, programme=spring_programme)
        assert application.amount == Decimal("800.00")
        services.application_station_review(by=station_worker, application=application)
        own = services.application_create(by=district_approver, file=file, programme=spring_programme, amount="100")
        services.application_station_review(by=station_worker, application=own)
        with pytest.raises(ValidationError, match="不能审批自己") as e:
            services.application_approve(by=district_approver, application=own)
        assert e.value.code == "approver_is_filer"
        services.application_approve(by=district_approver, application=application)
        first = services.application_pay(by=district_approver, application=application)
        again = services.application_pay(by=district_approver, application=application)  # a double click
        assert first.pk == again.pk
        assert reload(application).status == ApplicationStatus.PAID
        assert Account.objects.get(pk=spring_programme.account_id).balance == Decimal("4200.00")
        # 800 paid of a 1,000 cap: 300 more is over it.
        with pytest.raises(ValidationError, match="超过.*每户年度上限1000.00元") as e:
            services.application_create(by=station_worker, file=file, programme=spring_programme, amount="300")
        assert e.value.code == "over_cap"


def test_spring_festival_batch_pays_every_eligible_household_once(
    city, station_worker, district_approver, second_approver, spring_programme
):
    file = approved_file(city, station_worker, district_approver)
    with scopes_disabled():
        batch = services.batch_compute(by=district_approver, programme=spring_programme, title="2025年春节送温暖")
        assert (batch.households, batch.total) == (1, Decimal("800.00"))
        services.batch_review(by=district_approver, batch=batch)
        with pytest.raises(ValidationError, match="批次生成人不能审批"):
            services.batch_approve(by=district_approver, batch=batch)
        services.batch_approve(by=second_approver, batch=batch)
        services.batch_pay(by=second_approver, batch=batch)
        services.batch_pay(by=second_approver, batch=batch)  # again: nothing more is paid
        assert reload(batch).status == BatchStatus.PAID
        assert Transaction.objects.filter(ref_type="hardship.application").count() == 1
        assert Account.objects.get(pk=spring_programme.account_id).balance == Decimal("4200.00")
        # A second batch leaves the household out: another 800 would pass the 1,000 cap.
        second = services.batch_compute(by=district_approver, programme=spring_programme, title="补发")
        assert second.households == 0 and file.member.name in second.skipped_note


def test_handoff_from_an_appeal_is_taken_by_the_file(city, station_worker, threshold):
    from gonghui.appeals.services import appeal_handoff

    with scopes_disabled():
        boss = station_worker.__class__.objects.get(username="fixture_root_admin")
        appeal = city.appeal_hd
        handoff = appeal_handoff(by=boss, appeal=appeal, kind="hardship", unit=city.chaoyang_station)
    file = file_household(city, station_worker, from_handoff=handoff)
    handoff.refresh_from_db()
    assert (handoff.status, handoff.target_ref) == ("taken", file.number)


def test_outsider_sees_nothing(city, station_worker, district_approver, outsider, spring_programme):
    file = approved_file(city, station_worker, district_approver)
    with user_scope(outsider):
        assert [f.pk for f in selectors.file_list()] == [city.hardship_file_hd.pk]  # 海淀's own
        assert [p.pk for p in selectors.programme_list()] == [city.hardship_programme_hd.pk]
        assert selectors.review_due() == []
        with pytest.raises(Http404):
            selectors.file_get(file.pk)
    with user_scope(district_approver):
        assert [f.pk for f in selectors.file_list()] == [file.pk]
        assert list(selectors.programme_list()) == [spring_programme]
