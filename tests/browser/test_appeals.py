"""12351 appeals in the browser: an operator registers a phone appeal, it lands with the
right station, the station replies, the worker follows it by ticket number; an overdue
appeal escalates to the district, which sees it under supervision."""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from conftest import make_staff
from gonghui.appeals.services import appeal_submit, appeals_check_deadlines
from gonghui.core.scoping import scopes_disabled
from tests.browser.conftest import sign_in


def test_phone_appeal_from_registration_to_the_workers_tracking_page(page, browser, city):
    make_staff(city.root, "officer", username="hotline_op")
    make_staff(city.chaoyang_cju, "social_worker", username="cju_sw")

    # The operator takes the call.
    sign_in(page, "hotline_op")
    page.goto(page.base + "/appeals/new/")
    page.fill("#id_phone", "13501010101")
    expect(page.locator("#caller-member")).to_contain_text("周建国")  # the caller is a member
    expect(page.locator("#id_worker_name")).to_have_value("周建国")
    page.fill("#id_employer_name", "北京国贸餐饮有限公司")
    page.fill("#id_description", "饭店三个月没发工资，老板说再等等，我们十二个人都没拿到钱。")
    expect(page.locator("#suggest-category")).to_have_text("欠薪")
    page.fill("#id_workers_involved", "12")
    page.get_by_role("button", name="登记并分派").click()
    expect(page.locator("#appeal-unit")).to_have_text("永安里社区联合工会")
    ticket = page.locator("#ticket").inner_text().strip()
    assert len(ticket) == 12

    # The community joint union finds it among its to-dos, accepts and replies.
    desk = browser.new_context(locale="zh-CN").new_page()
    desk.base = page.base
    sign_in(desk, "cju_sw")
    desk.goto(desk.base + "/appeals/")
    desk.get_by_role("link", name=ticket).click()
    desk.get_by_role("button", name="受理", exact=True).click()
    expect(desk.locator("#appeal-status")).to_contain_text("已受理")
    desk.fill("#reply", "已约谈餐饮公司负责人，公司承诺本月25日前补发全部工资。")
    desk.get_by_role("button", name="答复", exact=True).click()
    expect(desk.locator("#appeal-status")).to_contain_text("已答复")

    # The worker follows it on a phone with the ticket and the number.
    worker = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 740}).new_page()
    worker.goto(page.base + "/track/")
    worker.fill("#id_ticket", ticket)
    worker.fill("#id_phone", "13900000000")
    worker.get_by_role("button", name="查询").click()
    expect(worker.locator(".form-errors, .field-error").first).to_be_visible()
    expect(worker.locator("main")).to_contain_text("不一致")
    worker.fill("#id_ticket", ticket)
    worker.fill("#id_phone", "13501010101")
    worker.get_by_role("button", name="查询").click()
    expect(worker.locator("#track-status")).to_have_text("已答复")
    expect(worker.locator("#track-reply")).to_contain_text("25日前补发")
    expect(worker.locator("#track-history")).to_contain_text("已登记")
    assert worker.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    desk.context.close()
    worker.context.close()


def test_an_overdue_appeal_escalates_and_the_district_sees_it(page, city):
    boss = make_staff(city.root, "officer", username="hotline_boss")
    make_staff(city.chaoyang, "officer", username="cy_officer")
    with scopes_disabled():
        appeal = appeal_submit(
            by=boss,
            channel="hotline",
            worker_name="王师傅",
            phone="13911112222",
            description="公司不给签劳动合同，也不交社保。",
            employer=city.employer_cy,
        )
    # Time moves on: the acceptance deadline has long passed when the scheduler runs.
    appeals_check_deadlines(now=timezone.now() + dt.timedelta(days=10))
    sign_in(page, "cy_officer")
    page.goto(page.base + "/appeals/?view=escalated")
    expect(page.locator("#appeal-table")).to_contain_text(appeal.ticket)
    page.get_by_role("link", name=appeal.ticket).click()
    expect(page.locator("#appeal-escalated")).to_contain_text("建外街道工会服务站")
    expect(page.locator("#appeal-history")).to_contain_text("督办")
