"""The mutual-aid actors: a station worker who registers and reviews claims, two 朝阳
district officers (one manages the plan and approves, the other approves what the first
reviewed), and the 海淀 outsider from the root conftest."""

import datetime as dt

import pytest
from django.utils import timezone

from conftest import make_staff
from gonghui.core.scoping import scopes_disabled
from gonghui.fund import services as fund
from gonghui.mutualaid import services


@pytest.fixture
def station_worker(city):
    return make_staff(city.chaoyang_station, "social_worker", username="cy_ma_station", full_name="孙社工")


@pytest.fixture
def manager(city):
    """An officer of 朝阳区: sets up the plan, enrols, approves and pays."""
    return make_staff(city.chaoyang, "officer", username="cy_ma_officer", full_name="周审批")


@pytest.fixture
def second_officer(city):
    return make_staff(city.chaoyang, "officer", username="cy_ma_officer2", full_name="吴复核")


@pytest.fixture
def district_account(city, manager):
    """朝阳区级拨付 holding 10,000 yuan, from which premiums are paid."""
    with scopes_disabled():
        donations = fund.account_open(
            by=manager, code="CY-DON", name="朝阳捐赠收入", kind="donations", unit=city.chaoyang, allow_negative=True
        )
        account = fund.account_open(
            by=manager, code="CY-DIST", name="朝阳区级拨付", kind="district", unit=city.chaoyang
        )
        fund.transfer(
            by=manager, source=donations, target=account, amount="10000", memo="区级拨付", idempotency_key="seed"
        )
        return account


def make_plan(city, by, *, open_=True, **overrides):
    values = {
        "name": "朝阳职工住院互助",
        "kind": "hospitalisation",
        "unit": city.chaoyang,
        "year": timezone.localdate().year,
        "premium": "30",
        "claim_limit": "3000",
        "yearly_limit": "5000",
        "waiting_days": 0,
        "daily_allowance": "100",
    }
    values.update(overrides)
    with scopes_disabled():
        plan = services.plan_create(by=by, **values)
        if open_:
            plan = services.plan_set_status(by=by, plan=plan, status="open")
        return plan


@pytest.fixture
def plan(city, manager):
    """住院互助 of 朝阳: 30 yuan a member, 100 yuan a day in hospital, at most 3,000 a claim
    and 5,000 a member a year, no waiting period."""
    return make_plan(city, manager)


def enrol(city, by, plan, source, unit=None):
    with scopes_disabled():
        batch = services.batch_create(by=by, plan=plan, unit=unit or city.chaoyang, source=source)
        return services.batch_confirm(by=by, batch=batch)


@pytest.fixture
def enrolment(city, manager, plan, district_account):
    from gonghui.mutualaid.models import Enrolment

    enrol(city, manager, plan, district_account)
    fund_plan(manager, plan)
    with scopes_disabled():
        return Enrolment.objects.select_related("plan", "member", "unit").get(plan=plan, member=city.member_cy)


def fund_plan(by, plan, amount="20000"):
    """One member's premium cannot pay a claim: top the plan's account up from donations,
    as a city tops up a young plan (the plan then holds 20,030 yuan)."""
    from gonghui.fund.models import Account

    with scopes_disabled():
        fund.transfer(
            by=by,
            source=Account.objects.get(code="CY-DON"),
            target=plan.account,
            amount=amount,
            memo="互助金补充",
            idempotency_key=f"top-up-{plan.pk}",
        )


def register(by, enrolment, *, days=10, event_date=None, **extra):
    with scopes_disabled():
        return services.claim_register(
            by=by,
            enrolment=enrolment,
            event_date=event_date or timezone.localdate(),
            hospital_days=days,
            **extra,
        )


def reviewed_claim(station_worker, enrolment, **kwargs):
    claim = register(station_worker, enrolment, **kwargs)
    with scopes_disabled():
        return services.claim_review(by=station_worker, claim=claim)


def yesterday():
    return timezone.localdate() - dt.timedelta(days=1)
