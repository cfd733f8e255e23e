"""The demo hardship help (gonghui/hardship/demo.py) on the shared test city, with a few
more members at each of its street stations."""

import pytest
from django.db.models import F

from gonghui.core.scoping import scopes_disabled
from gonghui.fund import services as fund
from gonghui.fund.models import Account
from gonghui.hardship.demo import seed_demo_hardship
from gonghui.hardship.models import (
    ApplicationStatus,
    AssistanceApplication,
    BatchStatus,
    FileStatus,
    HardshipFile,
    HardshipThreshold,
    HouseholdMember,
    PaymentBatch,
)

pytestmark = pytest.mark.django_db


def add_members(city, n=12):
    from gonghui.accounts.models import Staff
    from gonghui.members.identity import id_check_char
    from gonghui.members.services import member_create

    with scopes_disabled():
        boss = Staff.objects.get(username="fixture_root_admin")
        for i in range(n):
            for region, unit in (("110105", city.chaoyang_cju), ("110108", city.haidian_station)):
                first17 = f"{region}197903{10 + i:02d}{i:03d}"
                member_create(
                    by=boss,
                    name=f"张{'伟芳敏静丽强磊军洋勇艳杰'[i]}",
                    id_number=first17 + id_check_char(first17),
                    phone=f"136{region[-2:]}{i:06d}",
                    unit=unit,
                )


def test_demo_hardship_files_approves_and_pays_through_the_services(city):
    add_members(city)
    made = seed_demo_hardship()
    assert made["files"] >= 20 and made["programmes"] == 6 and made["applications"] >= 6
    assert made["thresholds"] == 1  # 朝阳; the test city set 海淀's already
    with scopes_disabled():
        assert HardshipThreshold.objects.filter(district=city.chaoyang, min_living=1450).exists()
        files = HardshipFile.objects.exclude(pk=city.hardship_file_hd.pk)
        assert {f.status for f in files} >= {
            FileStatus.DRAFT,
            FileStatus.SUBMITTED,
            FileStatus.APPROVED,
            FileStatus.UNDER_REVIEW,
            FileStatus.EXITED,
        }
        approved = files.filter(approved_by__isnull=False)
        assert approved.exists()
        assert not approved.filter(approved_by=F("filed_by")).exists()
        assert all(f.unit.kind == "street_station" for f in files)
        assert HouseholdMember.objects.filter(file__in=files).exists()
        for f in files.filter(status__in=[FileStatus.APPROVED, FileStatus.UNDER_REVIEW]):
            assert f.member.in_hardship and f.category != "none"
        statuses = set(AssistanceApplication.objects.values_list("status", flat=True))
        assert {ApplicationStatus.SUBMITTED, ApplicationStatus.PAID, ApplicationStatus.REJECTED} <= statuses
        batch = PaymentBatch.objects.get(status=BatchStatus.PAID)
        assert batch.households > 0 and batch.approved_by_id != batch.created_by_id
        paid = AssistanceApplication.objects.filter(status=ApplicationStatus.PAID)
        assert all(a.transaction_id for a in paid)
        assert fund.balance_check(accounts=Account.objects.all()) == []
        counts = (HardshipFile.objects.count(), AssistanceApplication.objects.count())

    again = seed_demo_hardship()
    assert set(again.values()) == {0}
    with scopes_disabled():
        assert (HardshipFile.objects.count(), AssistanceApplication.objects.count()) == counts
