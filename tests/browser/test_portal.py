import re

from playwright.sync_api import expect

from conftest import make_staff
from gonghui.cards.services import card_issue
from gonghui.core.scoping import scope
from gonghui.portal.sms import ConsoleBackend
from tests.browser.conftest import submit


def test_member_signs_in_by_sms_and_shows_his_card_on_a_phone(page, city):
    with scope(org=city.chaoyang_station.path):
        card = card_issue(by=make_staff(city.chaoyang_station, "social_worker"), member=city.member_cy)
    ConsoleBackend.outbox.clear()
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(page.base + "/my/")
    expect(page).to_have_url(page.base + "/my/signin/")
    page.fill("input[name=phone]", "13501010101")
    submit(page)
    expect(page.locator("main")).to_contain_text("验证码已发送（如该号码已登记为会员）")
    assert len(ConsoleBackend.outbox) == 1
    phone, text = ConsoleBackend.outbox[-1]
    assert phone == "13501010101"
    page.fill("input[name=code]", re.search(r"\d{6}", text).group())
    submit(page)
    expect(page).to_have_url(page.base + "/my/")
    expect(page.locator("#member-name")).to_have_text("周建国")
    qr = page.locator("#card-qr")
    expect(qr).to_be_visible()
    assert qr.get_attribute("src").startswith("data:image/svg+xml")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    expect(page.locator("#card-number")).to_have_text(card.masked_number)
    expect(page.locator("main")).not_to_contain_text(card.number)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "page scrolls sideways"
    # The page's own refresh fetches a fresh code.
    fresh = page.evaluate("fetch('/my/qr.json').then(r => r.json())")
    assert fresh["svg"].startswith("data:image/svg+xml") and fresh["token"]
    page.get_by_role("button", name="退出登录").click()
    expect(page).to_have_url(page.base + "/my/signin/")
