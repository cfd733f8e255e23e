"""Walks every route of the platform.

- As a 朝阳区 user holding every non-system role, no page, list or API answer shows a row of
  海淀区, and every detail route asked for a 海淀区 object answers 404 — exactly as an id that
  does not exist.
- As an anonymous visitor, every route that is not public refuses.

A new route that this test cannot classify makes it fail: add it to ROUTE_OBJECTS or PUBLIC.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from conftest import login, make_staff

# Routes anyone may open (no data behind them, or public by design).
PUBLIC = {
    "healthz",
    "accounts/login/",
    "accounts/login/verify/",
    "accounts/logout/",
    "p/<slug:code>/",
    "i18n/setlang/",
    "favicon.ico",
    "api/v1/openapi.json",
    "api/v1/docs",
    "venue/",  # the partner venue's terminal page: its own token, no staff data
    "api/v1/",  # django-ninja's root: no operation, answers 404
    # The members' portal: public to staff, it signs members in by SMS code itself.
    "my/",
    "my/signin/",
    "my/signin/code/",
    "my/signout/",
    "my/qr.json",
    "my/redemptions/",
    "my/mutualaid/",
    "my/requests/",
    "my/data.json",
    "my/signin/password/",
    "my/benefits/",
    "my/join/",
    "my/transfer/",
    "my/applications/<int:pk>/withdraw/",
    "my/employers.json",
    "my/contact/",
    "my/password/",
    "my/appeals/",
    "track/",  # a worker follows an appeal with ticket + phone; nothing shown without both
    # The kiosk device's pages, like the venue terminal: the device signs in with its own
    # token (a signed device cookie), no staff data behind them.
    "kiosk/<slug:code>/",
    "kiosk/<slug:code>/book/",
    "kiosk/<slug:code>/appeal/",
    "kiosk/<slug:code>/mediation/",
    "kiosk/<slug:code>/track/",
}

# Routes for partner venues' terminals (their own token); staff sessions get 401 there.
VENUE_ONLY = {"api/v1/venue/verify", "api/v1/venue/redemptions", "api/v1/sms/inbound"}

# route prefix → the fixture attribute of the *other district's* object to put in the URL
ROUTE_OBJECTS = {
    "orgs/units/": "haidian",
    "orgs/employers/": "employer_hd",
    "orgs/service-points/": "point_hd",
    "accounts/staff/": "outsider",
    "api/v1/units/": "haidian",
    "api/v1/employers/": "employer_hd",
    "api/v1/service-points/": "point_hd",
    # The fixture city has no import job; an id that is no job of 朝阳 must answer 404 like
    # a 海淀 job does (gonghui/imports/tests/test_views.py checks a real 海淀 job).
    "data/jobs/": "haidian",
    "data/templates/": "haidian",  # <kind> is not an object: an unknown kind is 404
    "api/v1/members/": "member_hd",
    "members/requests/": "data_request_hd",
    "members/applications/": "application_hd",
    # Before "appeals/": the first prefix that matches wins.
    "appeals/alerts/": "alert_hd",
    # Routing rules and deadline policies are city-wide settings kept by the city federation;
    # no district owns one. Their edit pages exist only for the city's configurers: to anyone
    # else every id answers 404, as an object outside their subtree does. routing_rule_hd is
    # a real (switched-off) rule about 海淀, which the 朝阳 list must not show either; a
    # deadline policy names no unit at all, so the 海淀 unit's id stands in for any id
    # (gonghui/appeals/tests/test_oversight_settings.py opens a real policy).
    "appeals/settings/routing/": "routing_rule_hd",
    "appeals/settings/deadlines/": "haidian",
    "appeals/": "appeal_hd",
    "api/v1/appeals/": "appeal_hd",
    # A worker's own application; the portal test below checks a stranger's answers 404.
    "my/applications/": "application_hd",
    "members/": "member_hd",
    "cards/venues/": "venue_hd",
    "cards/benefits/": "benefit_hd",
    "cards/issue/": "member_hd",
    "cards/bulk/": "haidian",
    "cards/": "card_hd",
    # Booking actions sit under their slot: a 海淀 slot is not found before the booking is.
    "kiosk/manage/slots/": "slot_hd",
    "kiosk/manage/mediation/": "mediation_hd",
    "kiosk/manage/devices/": "kiosk_hd",
    "mediation/handoffs/": "mediation_handoff_hd",
    "mediation/bodies/": "mediation_body_hd",
    # The fixture city has no representation; an id that is none of 朝阳's must answer 404
    # (gonghui/mediation/tests/test_legalaid.py checks a real 海淀 one and a lawyer's).
    "mediation/legal-aid/representations/": "mediation_case_hd",
    "mediation/": "mediation_case_hd",
    "api/v1/mediation/": "mediation_case_hd",
    # 困难帮扶: the fixture city has no 海淀 application or batch; an id that is none of
    # 朝阳's must answer 404 (gonghui/hardship/tests/test_views.py checks real 海淀 ones).
    "hardship/applications/": "hardship_file_hd",
    "hardship/batches/": "hardship_programme_hd",
    "hardship/programmes/": "hardship_programme_hd",
    "hardship/": "hardship_file_hd",
    # 职工互助保障: the fixture city has no mutual-aid plan (a plan opens a ledger account,
    # which the fund tests' account lists would then show); an id that is none of 朝阳's must
    # answer 404 (gonghui/mutualaid/tests/test_views.py checks a real plan, batch and claim
    # against an officer of another district).
    "mutualaid/plans/": "haidian",
    "mutualaid/batches/": "haidian",
    "mutualaid/claims/": "haidian",
    "fund/accounts/": "fund_account_hd",
    "fund/transactions/": "fund_txn_hd",
}

# What of 海淀区 must never appear in a 朝阳区 user's answer.
FOREIGN_MARKERS = ["海淀", "中关村", "hd_officer", "hd-books"]


def all_routes():
    def walk(resolver, prefix=""):
        for p in resolver.url_patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                if route.startswith("admin/"):
                    continue  # the admin has its own walk below
                yield from walk(p, route)
            elif isinstance(p, URLPattern):
                yield route

    return sorted(set(walk(get_resolver())))


def concrete(route, city, outsider):
    params = re.findall(r"<(?:\w+:)?(\w+)>", route)
    if not params:
        return route
    for prefix, attr in ROUTE_OBJECTS.items():
        if route.startswith(prefix):
            obj = outsider if attr == "outsider" else getattr(city, attr)
            return re.sub(r"<(?:\w+:)?\w+>", str(obj.pk), route)
    if route == "p/<slug:code>/":
        return f"p/{city.point_hd.code}/"
    if route.startswith("kiosk/<slug:code>/"):
        return route.replace("<slug:code>", city.kiosk_hd.code)
    pytest.fail(f"route {route!r} is not classified in test_url_scoping.py")


@pytest.fixture
def district_user(city):
    return make_staff(city.chaoyang, "unit_admin", "officer", "auditor", username="cy_all_roles")


def test_every_route_is_classified(city, outsider):
    for route in all_routes():
        concrete(route, city, outsider)


def test_district_user_sees_nothing_of_another_district(client, city, outsider, district_user):
    login(client, district_user)
    checked = 0
    for route in all_routes():
        if route in PUBLIC or route.startswith("i18n/") or route.startswith("static/"):
            continue
        url = "/" + concrete(route, city, outsider)
        response = client.get(url)
        if route in VENUE_ONLY:
            assert response.status_code in (401, 405), url
            checked += 1
            continue
        has_object = "<" in route
        if has_object and response.status_code == 405:
            # A write-only route: a foreign id must answer exactly as an id that does not exist.
            foreign = client.post(url, {}, content_type="application/json")
            missing = client.post(re.sub(r"/\d+(?=/|$)", "/999999", url, count=1), {}, content_type="application/json")
            assert foreign.status_code in (403, 404, 422), url
            assert foreign.status_code == missing.status_code, url
            if foreign["Content-Type"].startswith("application/json"):
                assert foreign.json() == missing.json(), url
        elif has_object:
            assert response.status_code == 404, f"{url} answered {response.status_code} for a foreign object"
        else:
            assert response.status_code in (200, 405), f"{url} answered {response.status_code}"
            body = response.content.decode()
            for marker in FOREIGN_MARKERS:
                assert marker not in body, f"{url} shows {marker!r} to a 朝阳区 user"
        checked += 1
    assert checked >= 15


def test_own_district_objects_are_visible(client, city, district_user, district_officer):
    login(client, district_user)
    for url in [
        f"/orgs/units/{city.chaoyang_station.pk}/",
        f"/orgs/employers/{city.employer_cy.pk}/",
        f"/orgs/service-points/{city.point_cy.pk}/",
        f"/accounts/staff/{district_officer.pk}/",
        f"/api/v1/employers/{city.employer_cy.pk}",
    ]:
        assert client.get(url).status_code == 200, url


def test_parent_unit_sees_both_districts(client, city, city_officer):
    login(client, city_officer)
    body = client.get("/orgs/employers/").content.decode()
    assert city.employer_cy.name in body and city.employer_hd.name in body


def test_anonymous_is_refused_everywhere_but_public_routes(client, city, outsider):
    for route in all_routes():
        if route in PUBLIC or route.startswith("i18n/") or route.startswith("static/"):
            continue
        url = "/" + concrete(route, city, outsider)
        response = client.get(url)
        if response.status_code == 405:
            response = client.post(url, {}, content_type="application/json")
        if route.startswith("api/"):
            assert response.status_code == 401, url
        else:
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    assert client.get("/admin/").status_code == 302


def test_staff_see_nothing_of_another_district_in_the_members_portal(client, city, district_user):
    """Staff are not members: every portal route answers them with its sign-in page or a
    redirect there, and shows nothing of 海淀区 (海淀会员 even holds a card)."""
    login(client, district_user)
    portal = [r for r in all_routes() if r.startswith("my/")]
    assert len(portal) == 18
    for route in portal:
        url = "/" + route.replace("<int:pk>", str(city.application_hd.pk))
        response = client.get(url)
        if response.status_code == 405:
            response = client.post(url)
        if response.status_code == 302:
            assert response["Location"] == "/my/signin/", url
            response = client.get(response["Location"])
        assert response.status_code in (200, 400), url
        body = response.content.decode()
        assert 'name="phone"' in body or 'name="id_number"' in body, url
        for marker in [*FOREIGN_MARKERS, "海淀会员", city.card_hd.masked_number]:
            assert marker not in body, f"{url} shows {marker!r} to a 朝阳区 user"


def test_admin_lists_are_scoped(client, city, outsider):
    sysadmin = make_staff(city.chaoyang, "sysadmin")
    login(client, sysadmin)
    for url in [
        "/admin/orgs/unit/",
        "/admin/orgs/employer/",
        "/admin/orgs/servicepoint/",
        "/admin/accounts/staff/",
        "/admin/core/auditentry/",
        "/admin/cards/card/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        for marker in FOREIGN_MARKERS:
            assert marker not in body, f"{url} shows {marker!r}"
    for url in [
        f"/admin/orgs/employer/{city.employer_hd.pk}/change/",
        f"/admin/orgs/unit/{city.haidian.pk}/change/",
        f"/admin/accounts/staff/{outsider.pk}/change/",
    ]:
        response = client.get(url)
        # the admin redirects to its index with "does not exist" for an unknown id
        assert response.status_code in (302, 404), url
        if response.status_code == 302:
            assert response["Location"] == "/admin/", url


def test_officer_cannot_open_the_admin(client, district_user):
    login(client, district_user)
    assert client.get("/admin/").status_code == 302
