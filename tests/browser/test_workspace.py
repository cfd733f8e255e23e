import re

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from conftest import make_staff
from gonghui.core.models import AuditEntry
from gonghui.core.scoping import scopes_disabled
from tests.browser.conftest import sign_in, submit


def test_district_officer_sees_only_their_district(page, city, district_officer):
    sign_in(page, "cy_officer")
    expect(page.locator("body")).to_contain_text("北京市朝阳区总工会")
    expect(page.locator("body")).to_contain_text("建外街道工会服务站")
    expect(page.locator("body")).not_to_contain_text("海淀")

    page.goto(page.base + "/orgs/employers/")
    expect(page.locator("table")).to_contain_text(city.employer_cy.name)
    expect(page.locator("body")).not_to_contain_text(city.employer_hd.name)

    page.goto(page.base + "/orgs/service-points/")
    expect(page.locator("table")).to_contain_text("建外街道职工之家")
    expect(page.locator("body")).not_to_contain_text("中关村")

    response = page.goto(page.base + f"/orgs/employers/{city.employer_hd.pk}/")
    assert response.status == 404


def test_officer_registers_employer_and_bad_code_is_explained(page, city, district_officer):
    from conftest import valid_uscc

    sign_in(page, "cy_officer")
    page.goto(page.base + "/orgs/employers/new/")
    good = valid_uscc("110105", "MA05TUWX5")
    wrong = good[:-1] + ("1" if good[-1] != "1" else "2")
    page.fill("input[name=name]", "北京朝外小微餐饮店")
    page.fill("input[name=uscc]", wrong)
    page.select_option("select[name=industry]", "H")
    page.select_option("select[name=ownership]", "non_public")
    page.select_option("select[name=size]", "micro")
    page.fill("input[name=headcount]", "6")
    page.select_option("select[name=district]", str(city.chaoyang.pk))
    page.select_option("select[name=unit]", str(city.chaoyang_cju.pk))
    submit(page)
    expect(page.locator("body")).to_contain_text("统一社会信用代码校验位不正确")
    with scopes_disabled():
        from gonghui.orgs.models import Employer

        assert not Employer.objects.filter(name="北京朝外小微餐饮店").exists()

    page.fill("input[name=uscc]", good)
    submit(page)
    expect(page.locator("body")).to_contain_text("已登记用人单位")
    expect(page.locator("body")).to_contain_text(good)


def test_lockout_after_five_failures(page, city, district_officer):
    for _ in range(5):
        sign_in(page, "cy_officer", "wrong-password")
    expect(page.locator("body")).to_contain_text("已被锁定")
    sign_in(page, "cy_officer")
    expect(page.locator("body")).to_contain_text("已被锁定")


def test_administrator_enrols_an_authenticator_and_manages_staff(page, city):
    admin = make_staff(city.chaoyang, "unit_admin", username="cy_admin", full_name="陈静")
    sign_in(page, "cy_admin")
    expect(page).to_have_url(re.compile(r"/accounts/login/verify/$"))
    expect(page.locator("img[src^='data:image/svg+xml']")).to_be_visible()
    device = TOTPDevice.objects.get(user=admin)
    page.fill("input[name=token]", f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}")
    submit(page)
    expect(page.locator("body")).to_contain_text("陈静")

    page.goto(page.base + "/accounts/staff/new/")
    page.fill("input[name=username]", "jianwai_sw")
    page.fill("input[name=full_name]", "刘洋")
    page.select_option("select[name=unit]", str(city.chaoyang_station.pk))
    page.check("input[name=roles][value=social_worker]")
    page.fill("input[name=password]", "password")
    submit(page)
    expect(page.locator("body")).to_contain_text("密码")  # refused: too common / too few classes
    page.fill("input[name=password]", "Jianwai-2024!")
    submit(page)
    expect(page.locator("body")).to_contain_text("已创建账号")


def test_auditor_reads_the_audit_log_and_cannot_edit(page, city, district_officer):
    make_staff(city.chaoyang, "auditor", username="cy_auditor")
    sign_in(page, "cy_officer")  # leaves a login event in the district
    page.goto(page.base + "/accounts/login/")
    sign_in(page, "cy_auditor")
    page.goto(page.base + "/audit/")
    expect(page.locator("table")).to_contain_text("cy_officer")
    page.goto(page.base + f"/orgs/employers/{city.employer_cy.pk}/")
    expect(page.locator("body")).to_contain_text(city.employer_cy.name)
    expect(page.locator(f"a[href$='/orgs/employers/{city.employer_cy.pk}/edit/']")).to_have_count(0)
    response = page.goto(page.base + f"/orgs/employers/{city.employer_cy.pk}/edit/")
    assert response.status == 403
    with scopes_disabled():
        assert AuditEntry.objects.filter(actor_name="cy_auditor", action="login").exists()


def test_public_service_point_page_on_a_phone(browser, live_server, city):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(live_server.url + f"/p/{city.point_cy.code}/")
    body = page.locator("body")
    for heading in ["亮牌子", "亮身份", "亮制度", "亮服务项目", "亮流程"]:
        expect(body).to_contain_text(heading)
    expect(body).to_contain_text("建外街道职工之家")
    for step in ["登记", "受理", "办结"]:
        expect(body).to_contain_text(step)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the public page must not scroll sideways on a phone"
    context.close()


def test_workspace_switches_to_english(page, city, district_officer):
    sign_in(page, "cy_officer")
    page.goto(page.base + "/orgs/employers/")
    page.locator("header button[name=language][value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("nav.sidenav")).to_contain_text("Employers")
