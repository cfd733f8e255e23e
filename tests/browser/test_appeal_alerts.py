"""Early warning in the browser: three appeals about one employer raise an alert that the
district officer finds in the alert list, opens, acknowledges and closes with a note; an
officer of another district sees no alert of theirs."""

from playwright.sync_api import expect

from conftest import make_staff
from gonghui.appeals.services import appeal_submit
from gonghui.core.scoping import scopes_disabled
from tests.browser.conftest import sign_in


def test_district_officer_acknowledges_and_closes_an_alert(page, browser, city):
    operator = make_staff(city.root, "officer", username="hotline_op")
    make_staff(city.chaoyang, "officer", username="cy_officer")
    make_staff(city.haidian, "officer", username="hd_officer")
    with scopes_disabled():
        for i in range(3):
            appeal_submit(
                by=operator,
                channel="hotline",
                worker_name=f"服务员{i}",
                phone=f"1391234000{i}",
                description="饭店两个月没发工资了，老板说再等等。",
                employer=city.employer_cy,
            )

    sign_in(page, "cy_officer")
    page.get_by_role("link", name="预警", exact=True).click()
    row = page.locator("#alert-table tbody tr").filter(has_text="北京国贸餐饮有限公司")
    expect(row).to_contain_text("同一单位集中诉求")
    expect(row).to_contain_text("待签收")
    expect(row.locator("td.num").first).to_have_text("3")
    row.get_by_role("link").click()
    expect(page.locator("#alert-appeals tbody tr")).to_have_count(3)
    page.get_by_role("button", name="签收").click()
    expect(page.locator("#alert-status")).to_have_text("已签收")
    page.fill("#close-note", "已约谈饭店负责人，工资已于当日补发。")
    page.once("dialog", lambda dialog: dialog.accept())  # the data-confirm question
    page.get_by_role("button", name="关闭预警").click()
    expect(page.locator("#alert-status")).to_have_text("已关闭")
    expect(page.locator("#alert-note")).to_contain_text("工资已于当日补发")
    expect(page.locator("#alert-history")).to_contain_text("已关闭")
    expect(page.locator("#close-form")).to_have_count(0)

    # 海淀's officer sees their own district's alert only.
    other = browser.new_context(locale="zh-CN").new_page()
    other.base = page.base
    sign_in(other, "hd_officer")
    other.goto(other.base + "/appeals/alerts/")
    expect(other.locator("main")).not_to_contain_text("北京国贸餐饮")
    expect(other.locator("#alert-table")).to_contain_text("北京中关村软件有限公司")
    other.context.close()
