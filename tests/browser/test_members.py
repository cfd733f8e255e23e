from playwright.sync_api import expect

from conftest import make_staff
from gonghui.core.scoping import scopes_disabled
from gonghui.members.models import MembershipEvent
from tests.browser.conftest import sign_in, submit


def test_social_worker_finds_by_pinyin_sees_masked_id_and_cannot_reveal(page, city):
    make_staff(city.chaoyang_station, "social_worker", username="cy_sw")
    sign_in(page, "cy_sw")
    page.goto(page.base + "/members/")
    page.fill("input[name=q]", "zjg")
    page.locator("main form[role=search] button[type=submit]").click()
    row = page.locator("#member-table tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("周建国")
    expect(row).to_contain_text("110105********")
    row.locator("a").first.click()
    expect(page.locator("[data-pii=id_number]")).to_have_text(city.member_cy.id_number_masked)
    expect(page.get_by_role("button", name="查看完整号码")).to_have_count(0)


def test_officer_reveals_and_the_audit_log_shows_it(page, city):
    make_staff(city.chaoyang, "officer", "auditor", username="cy_officer_auditor")
    sign_in(page, "cy_officer_auditor")
    page.goto(page.base + f"/members/{city.member_cy.pk}/")
    page.get_by_role("button", name="查看完整号码").first.click()
    expect(page.locator("[data-pii=id_number]")).to_have_text(_plain_id(city))
    page.goto(page.base + "/audit/?action=reveal")
    expect(page.locator("table")).to_contain_text("cy_officer_auditor")
    expect(page.locator("table")).to_contain_text("周建国")


def _plain_id(city):
    from gonghui.core import pii

    return pii.decrypt(city.member_cy.id_number_cipher)


def test_transfer_to_a_union_in_another_district(page, city):
    make_staff(city.chaoyang_station, "social_worker", username="cy_sw")
    sign_in(page, "cy_sw")
    page.goto(page.base + f"/members/{city.member_cy.pk}/transfer/")
    page.fill("#unit-search", "中关村")
    page.get_by_role("button", name="中关村街道工会服务站").click()
    page.fill("input[name=reason]", "工作调动")
    submit(page)
    expect(page.locator("body")).to_contain_text("已将“周建国”的会员关系转至中关村街道工会服务站")
    with scopes_disabled():
        event = MembershipEvent.objects.get(member=city.member_cy, kind="transfer")
        assert (event.from_unit, event.to_unit, event.reason) == (city.chaoyang_cju, city.haidian_station, "工作调动")
