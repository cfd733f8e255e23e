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
    expect(page.locator("main")).to_contain_text("验证码已发送，请查看短信。")
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


def test_worker_joins_staff_approve_card_is_verified_at_a_venue_and_shows_in_history(page, browser, city):
    """The acceptance path of the card issue, end to end in three browsers: a worker on a
    phone, the union's clerk at a desk, the venue's terminal."""
    from gonghui.cards.models import Redemption, Venue
    from gonghui.cards.services import venue_token_create
    from gonghui.cards.tests.test_services import make_benefit
    from gonghui.core.scoping import scopes_disabled
    from gonghui.members.tests.test_services import make_id
    from tests.browser.conftest import sign_in as staff_sign_in

    with scopes_disabled():
        venue = Venue.objects.create(name="劳动人民文化宫", unit=city.root)
        make_benefit(venue, name="游园免票", per_member_day=1)
    venue_token = venue_token_create(by=None, venue=venue)
    make_staff(city.chaoyang_cju, "social_worker", username="cju_clerk")
    ConsoleBackend.outbox.clear()

    # The worker, not a member yet, signs in with an SMS code and applies.
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(page.base + "/my/signin/")
    page.fill("input[name=phone]", "13700002222")
    submit(page)
    page.fill("input[name=code]", re.search(r"\d{6}", ConsoleBackend.outbox[-1][1]).group())
    submit(page)
    expect(page).to_have_url(page.base + "/my/")
    page.locator("#apply-join").click()
    page.fill("input[name=name]", "王小明")
    page.fill("input[name=id_number]", make_id("110105", "19960202", "456"))
    page.fill("input[name=employer_name]", "北京国贸餐饮有限公司")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "form scrolls sideways"
    submit(page)
    expect(page).to_have_url(page.base + "/my/")
    expect(page.locator("#my-applications")).to_contain_text("待审核")
    expect(page.locator("#my-applications")).to_contain_text("永安里社区联合工会")

    # The community joint union's clerk approves it, issuing the card.
    desk = browser.new_context(locale="zh-CN").new_page()
    desk.base = page.base
    staff_sign_in(desk, "cju_clerk")
    desk.goto(desk.base + "/members/applications/")
    desk.get_by_role("link", name="王小明").click()
    desk.get_by_role("button", name="批准", exact=True).click()
    expect(desk.locator("#application-status")).to_have_text("已批准")

    # The worker's page now shows the card's live QR code.
    page.reload()
    expect(page.locator("#member-name")).to_have_text("王小明")
    expect(page.locator("#card-qr")).to_be_visible()
    # What a scanner reads from the screen: the token behind the code on display.
    token = page.evaluate("fetch('/my/qr.json').then(r => r.json()).then(d => d.token)")

    # The venue's terminal verifies it and records one use.
    terminal = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 740}).new_page()
    terminal.goto(page.base + "/venue/")
    terminal.fill("#venue-token", venue_token)
    terminal.locator("main form button[type=submit]").first.click()
    terminal.select_option("#benefit", label="游园免票")
    terminal.fill("#token", token)
    terminal.get_by_role("button", name="核验并核销").click()
    expect(terminal.locator("#verdict")).to_contain_text("核验通过")
    expect(terminal.locator("#verdict")).to_contain_text("王**")
    with scopes_disabled():
        assert Redemption.objects.filter(member__name="王小明").count() == 1

    # The worker sees the use in their history.
    page.goto(page.base + "/my/redemptions/")
    expect(page.locator("main")).to_contain_text("劳动人民文化宫")
    expect(page.locator("main")).to_contain_text("游园免票")
    desk.context.close()
    terminal.context.close()
