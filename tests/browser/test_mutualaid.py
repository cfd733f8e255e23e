"""Mutual-aid insurance in the browser: the district enrols a unit's members and the
premiums reach the plan's account; a station registers a claim within the limits and
reviews it; another officer approves and pays it; the fund statement shows the payment;
a second claim over the member's remaining yearly limit is refused with the reason."""

from django.utils import timezone
from playwright.sync_api import expect

from conftest import make_staff
from gonghui.core.scoping import scopes_disabled
from gonghui.fund import services as fund
from gonghui.mutualaid import services
from tests.browser.conftest import sign_in


def _setup(city):
    make_staff(city.chaoyang_station, "social_worker", username="cy_ma_sw", full_name="孙社工")
    officer = make_staff(city.chaoyang, "officer", username="cy_ma_officer", full_name="周审批")
    with scopes_disabled():
        donations = fund.account_open(
            by=officer, code="CY-DON", name="朝阳捐赠收入", kind="donations", unit=city.chaoyang, allow_negative=True
        )
        district = fund.account_open(
            by=officer, code="CY-DIST", name="朝阳区级拨付", kind="district", unit=city.chaoyang
        )
        fund.transfer(
            by=officer, source=donations, target=district, amount="1000", memo="区级拨付", idempotency_key="s1"
        )
        plan = services.plan_create(
            by=officer,
            name="朝阳职工住院互助",
            kind="hospitalisation",
            unit=city.chaoyang,
            year=timezone.localdate().year,
            premium="30",
            claim_limit="3000",
            yearly_limit="3000",
            waiting_days=0,
            daily_allowance="100",
        )
        services.plan_set_status(by=officer, plan=plan, status="open")
        # A young plan is topped up by the union so it can pay before premiums add up.
        fund.transfer(
            by=officer, source=donations, target=plan.account, amount="5000", memo="互助金补充", idempotency_key="s2"
        )
    return plan, district


def _sign_out(page):
    page.context.clear_cookies()


def _register(page, days):
    page.goto(page.base + "/mutualaid/claims/new/")
    page.fill("#id_q", "周建国")
    page.get_by_role("button", name="查找参保会员").click()
    page.get_by_role("link", name="登记申请").click()
    page.fill("#id_event_date", timezone.localdate().isoformat())
    page.fill("#id_hospital_days", str(days))
    page.get_by_role("button", name="登记申请").click()


def test_enrol_claim_within_limits_paid_and_over_limit_refused(page, city):
    plan, district = _setup(city)

    # The district enrols 朝阳's members; the premiums go to the plan's account.
    sign_in(page, "cy_ma_officer")
    page.goto(page.base + f"/mutualaid/plans/{plan.pk}/")
    page.select_option("#id_unit", label="北京市朝阳区总工会")
    page.select_option("#id_source", label="CY-DIST 朝阳区级拨付")
    page.get_by_role("button", name="生成参保批次").click()
    expect(page.locator("#batch-members")).to_have_text("1")
    expect(page.locator("#batch-total")).to_have_text("30.00")
    page.get_by_role("button", name="确认参保并缴费").click()
    expect(page.locator("#batch-status")).to_have_text("已确认缴费")
    expect(page.locator("#enrolment-table")).to_contain_text("周建国")
    _sign_out(page)

    # The station registers a claim of 10 days (1,000 yuan) and reviews it.
    sign_in(page, "cy_ma_sw")
    _register(page, 10)
    expect(page.locator("#claim-status")).to_have_text("待审核")
    expect(page.locator("#claim-amount")).to_have_text("1,000.00")
    claim_url = page.url
    page.get_by_role("button", name="审核通过").click()
    expect(page.locator("#claim-status")).to_have_text("待审批")
    _sign_out(page)

    # The district approves and pays it.
    sign_in(page, "cy_ma_officer")
    page.goto(claim_url)
    page.get_by_role("button", name="批准给付").click()
    expect(page.locator("#claim-status")).to_have_text("已批准待给付")
    page.get_by_role("button", name="给付").click()
    expect(page.locator("#claim-status")).to_have_text("已给付")
    expect(page.locator("#claim-history")).to_contain_text("记账凭证")

    # The plan's figures and its fund statement show the payment; the books agree.
    page.goto(page.base + f"/mutualaid/plans/{plan.pk}/")
    expect(page.locator("#plan-enrolled")).to_have_text("1")
    expect(page.locator("#plan-premiums")).to_have_text("30.00")
    page.locator("#plan-account").click()
    expect(page.locator("#statement-table")).to_contain_text("朝阳职工住院互助给付：周建国")
    expect(page.locator("#account-balance")).to_have_text("4,030.00")
    page.goto(page.base + "/fund/check/")
    expect(page.locator("#balance-report")).to_contain_text("全部相符")
    _sign_out(page)

    # A second claim of 25 days (2,500 yuan) is over what is left of the year's 3,000.
    sign_in(page, "cy_ma_sw")
    _register(page, 25)
    expect(page.locator("main .form-errors")).to_contain_text("超出保障限额：本年度剩余 2000.00 元，本次 2500.00 元。")
    page.goto(page.base + "/mutualaid/claims/")
    expect(page.locator("#claim-table tbody tr")).to_have_count(1)
