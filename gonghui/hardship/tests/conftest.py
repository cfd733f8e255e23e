import pytest

from conftest import make_staff
from gonghui.core.scoping import scopes_disabled
from gonghui.fund import services as fund
from gonghui.hardship import services


@pytest.fixture
def station_worker(city):
    """A social worker of 建外街道 station: files households."""
    return make_staff(city.chaoyang_station, "social_worker", username="cy_station_worker", full_name="孙社工")


@pytest.fixture
def district_approver(city):
    """An officer of 朝阳区: approves files, applications and batches."""
    return make_staff(city.chaoyang, "officer", username="cy_hardship_officer", full_name="周审批")


@pytest.fixture
def second_approver(city):
    return make_staff(city.chaoyang, "officer", username="cy_hardship_officer2", full_name="吴复核")


@pytest.fixture
def threshold(city, district_approver):
    from django.utils import timezone

    with scopes_disabled():
        return services.threshold_set(
            by=district_approver,
            district=city.chaoyang,
            year=timezone.localdate().year,
            min_living="1450",
            relative_multiplier="2",
        )


def file_household(city, by, *, member=None, member_income="1000", household=None, causes=("illness",), **extra):
    with scopes_disabled():
        return services.file_create(
            by=by,
            member=member or city.member_cy,
            unit=city.chaoyang_station,
            member_income=member_income,
            causes=list(causes),
            household=household
            if household is not None
            else [{"name": "李梅", "relation": "spouse", "status": "ill", "monthly_income": "0"}],
            **extra,
        )


def approved_file(city, filer, approver, **kwargs):
    file = file_household(city, filer, **kwargs)
    with scopes_disabled():
        services.file_submit(by=filer, file=file)
        return services.file_approve(by=approver, file=file)


@pytest.fixture
def spring_programme(city, district_approver, threshold):
    """春节送温暖 for deep-hardship households: 800 yuan each, at most 1,000 a year,
    paid from a programme account holding 5,000."""
    with scopes_disabled():
        donations = fund.account_open(
            by=district_approver,
            code="CY-DON",
            name="朝阳捐赠收入",
            kind="donations",
            unit=city.chaoyang,
            allow_negative=True,
        )
        account = fund.account_open(
            by=district_approver, code="CY-SPRING", name="朝阳春节送温暖", kind="programme", unit=city.chaoyang
        )
        fund.transfer(
            by=district_approver,
            source=donations,
            target=account,
            amount="5000",
            memo="社会捐赠",
            idempotency_key="seed",
        )
        return services.programme_create(
            by=district_approver,
            name="2025年春节送温暖",
            kind="holiday",
            unit=city.chaoyang,
            year=2025,
            eligible_categories=["deep", "relative"],
            amount="800",
            yearly_cap="1000",
            account=account,
        )
