"""Hardship help in the browser: a station files a household; the district approves it and
sees its category with the reason; a Spring Festival batch pays it; the fund statement
shows the payment; the balance check agrees. Bad input gets a clear error."""

from django.utils import timezone
from playwright.sync_api import expect

from conftest import make_staff
from gonghui.core import pii
from gonghui.core.scoping import scopes_disabled
from gonghui.fund import services as fund
from gonghui.hardship import services
from tests.browser.conftest import sign_in, submit


def _setup(city):
    station = make_staff(city.chaoyang_station, "social_worker", username="cy_sw", full_name="孙社工")
    officer = make_staff(city.chaoyang, "officer", username="cy_hs_officer", full_name="周审批")
    make_staff(city.chaoyang, "officer", username="cy_hs_officer2", full_name="吴复核")
    with scopes_disabled():
        services.threshold_set(
            by=officer,
            district=city.chaoyang,
            year=timezone.localdate().year,
            min_living="1450",
            relative_multiplier="2",
        )
        donations = fund.account_open(
            by=officer, code="CY-DON", name="朝阳捐赠收入", kind="donations", unit=city.chaoyang, allow_negative=True
        )
        account = fund.account_open(
            by=officer, code="CY-SPRING", name="朝阳春节送温暖", kind="programme", unit=city.chaoyang
        )
        fund.transfer(
            by=officer, source=donations, target=account, amount="5000", memo="社会捐赠", idempotency_key="seed"
        )
        programme = services.programme_create(
            by=officer,
            name="春节送温暖",
            kind="holiday",
            unit=city.chaoyang,
            year=timezone.localdate().year,
            eligible_categories=["deep"],
            amount="800",
            yearly_cap="1000",
            account=account,
        )
    return station, programme, account


def _sign_out(page):
    page.context.clear_cookies()


def test_file_approve_batch_pay_statement(page, city):
    station, programme, account = _setup(city)
    id_number = pii.decrypt(city.member_cy.id_number_cipher)

    # The station files the household; a negative income is refused first.
    sign_in(page, "cy_sw")
    page.goto(page.base + "/hardship/new/")
    page.fill("#id_member_id_number", id_number)
    page.fill("#id_member_income", "-100")
    page.check("input[name=causes][value=illness]")
    submit(page)
    expect(page.locator("main")).to_contain_text("金额不能为负数")
    page.fill("#id_member_income", "1000")
    page.fill("#id_h-0-name", "李梅")
    page.select_option("#id_h-0-relation", "spouse")
    page.select_option("#id_h-0-status", "ill")
    page.fill("#id_h-0-monthly_income", "200")
    submit(page)
    expect(page.locator("#file-category")).to_have_text("深度困难")
    page.get_by_role("button", name="提交区总工会审核").click()
    expect(page.locator("#file-status")).to_have_text("待区总工会审核")
    file_url = page.url
    _sign_out(page)

    # The district approves; the category and its reason are shown.
    sign_in(page, "cy_hs_officer")
    page.goto(file_url)
    page.get_by_role("button", name="审核通过").click()
    expect(page.locator("#file-status")).to_have_text("已建档")
    expect(page.locator("#file-category-reason")).to_contain_text("人均600.00元，不高于北京市朝阳区总工会")
    expect(page.locator("#file-category-reason")).to_contain_text("最低生活保障标准1,450.00元：深度困难")

    # A Spring Festival batch: computed and reviewed by one officer...
    page.goto(page.base + f"/hardship/programmes/{programme.pk}/")
    page.fill("#id_title", "春节送温暖第一批")
    page.get_by_role("button", name="生成发放批次").click()
    expect(page.locator("#batch-table")).to_contain_text("周建国")
    page.get_by_role("button", name="复核").click()
    expect(page.locator("#batch-status")).to_have_text("待审批")
    # ...who may not approve it too.
    page.get_by_role("button", name="审批").click()
    expect(page.locator("main")).to_contain_text("批次生成人不能审批")
    batch_url = page.url
    _sign_out(page)

    # ...approved and paid by another.
    sign_in(page, "cy_hs_officer2")
    page.goto(batch_url)
    page.get_by_role("button", name="审批").click()
    expect(page.locator("#batch-status")).to_have_text("已批准待支付")
    page.get_by_role("button", name="支付全部").click()
    expect(page.locator("#batch-status")).to_have_text("已支付")

    # The fund statement shows the payment; the books agree.
    page.goto(page.base + f"/fund/accounts/{account.pk}/")
    expect(page.locator("#statement-table")).to_contain_text("春节送温暖：周建国")
    expect(page.locator("#account-balance")).to_have_text("4,200.00")
    page.goto(page.base + "/fund/check/")
    expect(page.locator("#balance-report")).to_contain_text("全部相符")
