"""The README's promise: the demo logins printed by the first command get a district officer
into the workspace, where only that district is visible."""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from gonghui.core.scoping import scopes_disabled
from gonghui.orgs.models import Employer, ServicePoint, Unit
from tests.browser.conftest import sign_in


@pytest.fixture
def demo_city(transactional_db):
    out = io.StringIO()
    call_command("seed_city", scale=0.02, stdout=out)
    return out.getvalue()


def test_printed_district_officer_login_sees_only_chaoyang(page, demo_city):
    assert "chaoyang_officer" in demo_city and "Gonghui@2024" in demo_city
    sign_in(page, "chaoyang_officer", "Gonghui@2024")
    body = page.locator("body")
    expect(body).to_contain_text("北京市朝阳区总工会")
    text = body.inner_text()
    for name in ["海淀区", "东城区", "大兴区", "北京经济技术开发区"]:
        assert name not in text

    with scopes_disabled():
        chaoyang = Unit.objects.get(name="北京市朝阳区总工会")
        foreign = set(Unit.objects.exclude(path__startswith=chaoyang.path).values_list("name", flat=True))
        foreign |= set(Employer.objects.exclude(unit__path__startswith=chaoyang.path).values_list("name", flat=True))
        foreign |= set(
            ServicePoint.objects.exclude(unit__path__startswith=chaoyang.path).values_list("name", flat=True)
        )
        own = set(Employer.objects.filter(unit__path__startswith=chaoyang.path).values_list("name", flat=True))
        own |= set(Unit.objects.filter(path__startswith=chaoyang.path).values_list("name", flat=True))
    # names can repeat across districts (八里庄街道 is in both 朝阳区 and 海淀区)
    foreign -= own | {"北京市总工会"}
    for path in ["/orgs/employers/", "/orgs/service-points/", "/orgs/units/", "/orgs/employers/?page=2"]:
        page.goto(page.base + path)
        text = page.locator("main").inner_text()
        assert text.strip(), path
        leaked = [name for name in foreign if name in text]
        assert not leaked, f"{path} shows {leaked[:3]}"
    page.goto(page.base + "/orgs/employers/")
    expect(page.locator("table tbody tr").first).to_be_visible()
