"""枫桥智能舱 on a portrait touch screen: sign the device in, book a legal consultation with
the on-screen pads only, and watch the screen forget it all when left alone."""

from playwright.sync_api import expect

from conftest import make_staff
from gonghui.core.scoping import scope, scopes_disabled
from gonghui.kiosk import services
from gonghui.kiosk.models import SlotBooking
from gonghui.kiosk.tests.conftest import in_days


def big_enough(page, selector: str) -> bool:
    """Every visible target of the selector is at least 64px high."""
    return page.eval_on_selector_all(
        selector,
        "els => els.filter(e => e.offsetParent !== null).every(e => e.getBoundingClientRect().height >= 64)",
    )


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_worker_books_a_legal_consultation_at_the_kiosk_by_touch_only(page, city, settings):
    worker = make_staff(city.chaoyang_station, "social_worker")
    with scope(org=worker.unit.path):
        kiosk = services.kiosk_create(by=worker, name="建外枫桥智能舱", unit=city.chaoyang_station, code="cy-kiosk")
        token = services.kiosk_token_create(by=worker, kiosk=kiosk)
        slot = services.slot_publish(
            by=worker,
            unit=city.chaoyang_station,
            kind="legal",
            starts_at=in_days(2, 14),
            ends_at=in_days(2, 15),
            capacity=3,
            counsellor="李律师",
            location="建外街道工会服务站调解室",
        )
    home = f"{page.base}/kiosk/{kiosk.code}/"
    page.set_viewport_size({"width": 1080, "height": 1920})

    # A technician signs the device in once with its token.
    page.goto(home)
    page.fill("#kiosk-token", token)
    page.get_by_role("button", name="登录本设备").click()
    expect(page).to_have_url(home)
    expect(page.locator(".kiosk-menu")).to_contain_text("预约法律咨询")
    assert page.locator("header.topbar, nav.sidenav, .plain-header").count() == 0  # no site chrome
    assert big_enough(page, ".kmenu") and no_sideways_scroll(page)

    # The worker: 预约法律咨询 → the slot → name and phone on the on-screen pads.
    page.locator("#go-legal").click()
    expect(page.locator("#slot-list")).to_contain_text("李律师")
    page.locator(f'[data-slot="{slot.pk}"]').click()
    expect(page.locator("#chosen-slot")).to_contain_text("建外街道工会服务站调解室")
    assert big_enough(page, ".kpads .key, .kbtn") and no_sideways_scroll(page)
    page.locator("#k-name").click()
    page.locator('.namepad .key[data-key="王"]').click()
    page.locator('.namepad .key[data-key="先生"]').click()
    expect(page.locator("#k-name")).to_have_value("王先生")
    page.locator("#k-phone").click()
    expect(page.locator(".namepad")).to_be_hidden()
    for digit in "13800001112":
        page.locator(f'.keypad .key[data-key="{digit}"]').click()
    page.locator('.keypad .key[data-key="back"]').click()
    page.locator('.keypad .key[data-key="1"]').click()
    expect(page.locator("#k-phone")).to_have_value("13800001111")

    # From here on the screen forgets after two idle seconds.
    settings.KIOSK_IDLE_SECONDS = 2
    page.locator("#submit-booking").click()
    result = page.locator("#booking-result")
    expect(result).to_contain_text("预约成功")
    expect(result).to_contain_text("王先生")
    expect(result).to_contain_text("138****1111")
    with scopes_disabled():
        assert SlotBooking.objects.filter(slot=slot, name="王先生").count() == 1

    # Left alone, it returns to the start screen and nothing of the booking is left.
    expect(page).to_have_url(home, timeout=8000)
    expect(page.locator(".kiosk-menu")).to_be_visible()
    body = page.locator("body")
    for trace in ("王先生", "138****1111", "预约成功", "李律师"):
        expect(body).not_to_contain_text(trace)
    assert page.evaluate("[...document.querySelectorAll('input:not([type=hidden])')].every(i => !i.value)")


def test_the_kiosk_screens_fit_a_landscape_display(page, city):
    worker = make_staff(city.chaoyang_station, "social_worker")
    with scope(org=worker.unit.path):
        kiosk = services.kiosk_create(by=worker, name="国贸商场枫桥智能舱", unit=city.chaoyang_station, code="cy-mall")
        token = services.kiosk_token_create(by=worker, kiosk=kiosk)
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{page.base}/kiosk/{kiosk.code}/")
    page.fill("#kiosk-token", token)
    page.get_by_role("button", name="登录本设备").click()
    assert big_enough(page, ".kmenu") and no_sideways_scroll(page)
    page.locator("#go-mediation").click()
    assert big_enough(page, ".kpads .key, .kbtn, .chip") and no_sideways_scroll(page)
    # Form and pad side by side on a wide screen.
    fields, pads = page.locator(".kiosk-fields").bounding_box(), page.locator(".kpads").bounding_box()
    assert pads["x"] >= fields["x"] + fields["width"] - 1
    page.locator("#kiosk-home").click()
    expect(page.locator(".kiosk-menu")).to_be_visible()
