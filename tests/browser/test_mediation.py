"""Labour-dispute mediation in the browser: an appeal handed off to mediation becomes a
collective case for 12 workers; two sessions; an agreement with a payment schedule; a
payment; the agreement PDF downloads and reads right; the district's results count the
money recovered. A case reaching day 15 without agreement is flagged by the scheduler.
Bad input gets a clear error."""

import datetime as dt
import io

from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from conftest import make_staff
from gonghui.appeals.services import appeal_handoff, appeal_submit
from gonghui.core.scoping import scopes_disabled
from gonghui.mediation.models import MediationCase
from gonghui.mediation.services import body_create, mediation_check_deadlines, mediator_add
from tests.browser.conftest import sign_in

NAMES = ["钱志强", "孙秀英", "李丽华", "周明伟", "吴建国", "郑芳芳", "王军", "冯志明", "陈秀华", "褚伟", "卫丽"]


def _setup(city):
    admin = make_staff(city.chaoyang, "unit_admin", username="cy_admin_b")
    med = make_staff(city.chaoyang_station, "mediator", username="cy_med", full_name="孙调解")
    make_staff(city.chaoyang, "officer", username="cy_district")
    with scopes_disabled():
        body = body_create(by=admin, kind="street_room", name="建外街道劳动争议调解室", unit=city.chaoyang_station)
        mediator_add(by=admin, body=body, kind="union_staff", staff=med)
        appeal = appeal_submit(
            by=admin,
            channel="hotline",
            worker_name="刘师傅",
            phone="13711112222",
            description="国贸餐饮拖欠我们十二个人三个月工资。",
            employer=city.employer_cy,
            workers_involved=12,
        )
        appeal_handoff(by=admin, appeal=appeal, kind="mediation", unit=city.chaoyang_station)
    return appeal


def _act(page, form_id, button):
    page.locator(f"#{form_id}").get_by_role("button", name=button).click()


def test_appeal_to_collective_case_agreement_payment_pdf_and_results(page, city):
    appeal = _setup(city)
    sign_in(page, "cy_med")
    page.goto(page.base + "/mediation/")
    expect(page.locator("#handoffs")).to_contain_text(appeal.ticket)
    page.locator("#handoffs").get_by_role("link", name="受理为调解案件").click()

    # Bad input first: a negative amount is refused with a clear message, nothing stored.
    page.fill("#workers", "\n".join(f"{n} 1380000{i:04d}" for i, n in enumerate(NAMES)))
    page.fill("#claim_wages", "-5000")
    page.locator("#case-form").get_by_role("button", name="登记").click()
    expect(page.locator("#form-errors")).to_contain_text("金额不能为负数")
    page.fill("#claim_wages", "120000")
    page.fill("#claim_overtime", "30000")
    page.locator("#case-form").get_by_role("button", name="登记").click()
    number = page.locator("#case-number").inner_text().strip()
    assert number.startswith(f"TJ{timezone.localdate().year}-")
    expect(page.locator("#collective")).to_have_text("集体争议")
    expect(page.locator("#workers tbody tr")).to_have_count(12)
    expect(page.locator("#case-mediators")).to_contain_text("孙调解")

    _act(page, "accept-form", "受理")
    expect(page.locator("#case-status")).to_have_text("已受理")
    for day, mode in ((1, "in_person"), (3, "remote")):
        when = (timezone.localtime() + dt.timedelta(days=day)).strftime("%Y-%m-%dT10:00")
        page.fill("#scheduled_at", when)
        page.select_option("#mode", mode)
        if mode == "in_person":
            page.fill("#location", "建外街道调解室")
        _act(page, "session-form", "安排调解")
    expect(page.locator("#sessions li")).to_have_count(2)
    expect(page.locator("#sessions")).to_contain_text("视频会议链接")
    page.locator(".record-form").first.locator("textarea").fill("双方陈述意见，用人单位同意分期支付。")
    page.locator(".record-form").first.get_by_role("button", name="记录").click()
    expect(page.locator("#sessions")).to_contain_text("用人单位同意分期支付")

    # Agreement: above the claim without a note is refused; then a valid one with a schedule.
    with scopes_disabled():
        case = MediationCase.objects.get(number=number)
        wages, overtime = case.claims.order_by("id")
    today = timezone.localdate()
    page.fill(f"#agreed_{wages.pk}", "130000")
    page.fill(f"#agreed_{overtime.pk}", "20000")
    page.fill("#due_1", today.isoformat())
    page.fill("#due_amount_1", "150000")
    _act(page, "agree-form", "登记调解协议")
    expect(page.locator(".messages")).to_contain_text("高于请求金额")
    page.fill(f"#agreed_{wages.pk}", "100000")
    page.fill(f"#agreed_{overtime.pk}", "20000")
    page.fill("#due_1", today.isoformat())
    page.fill("#due_amount_1", "60000")
    page.fill("#due_2", (today + dt.timedelta(days=30)).isoformat())
    page.fill("#due_amount_2", "60000")
    _act(page, "agree-form", "登记调解协议")
    expect(page.locator("#case-status")).to_have_text("达成协议")
    expect(page.locator("#schedule tbody tr")).to_have_count(2)

    page.fill("#pay-amount", "60000")
    _act(page, "pay-form", "登记付款")
    expect(page.locator("#payment-totals")).to_contain_text("已支付 60000")

    # The agreement PDF: the case number, the parties and the amounts, as text.
    with page.expect_download() as download:
        page.locator("#agreement-pdf").click()
    data = open(download.value.path(), "rb").read()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert number in text and "北京国贸餐饮有限公司" in text
    assert "刘师傅" in text and all(n in text for n in NAMES)
    assert "120,000.00" in text and "100,000.00" in text and "60,000.00" in text

    # A session for a closed case is refused.
    _act(page, "close-form", "结案")
    expect(page.locator("#case-status")).to_have_text("已结案")
    expect(page.locator("#session-form")).to_have_count(0)

    # The district's results count the money recovered.
    page.context.clear_cookies()
    sign_in(page, "cy_district")
    page.goto(page.base + f"/mediation/results/?unit={city.chaoyang.pk}")
    expect(page.locator("#stat-opened")).to_have_text("1")
    expect(page.locator("#stat-paid")).to_contain_text("60,000")
    expect(page.locator("#stat-claimed")).to_contain_text("150,000")
    expect(page.locator("figure.chart svg").first).to_be_visible()


def test_day_15_flag_by_the_scheduler(page, city):
    appeal = _setup(city)
    sign_in(page, "cy_med")
    page.goto(page.base + "/mediation/")
    page.locator("#handoffs").get_by_role("link", name="受理为调解案件").click()
    page.fill("#claim_wages", "8000")
    page.locator("#case-form").get_by_role("button", name="登记").click()
    number = page.locator("#case-number").inner_text().strip()
    mediation_check_deadlines(now=timezone.now() + dt.timedelta(days=15))
    page.reload()
    expect(page.locator("#case-flag")).to_contain_text("已满15日")
    expect(page.locator("#case-history")).to_contain_text("已提醒调解员孙调解")
    page.goto(page.base + "/mediation/?view=flagged")
    expect(page.locator("#case-table")).to_contain_text(number)
    assert appeal.ticket
