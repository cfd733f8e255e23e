"""The benefit catalogue kept by staff: venues and their benefits, services and pages."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from conftest import login, make_staff
from gonghui.cards import services
from gonghui.cards.models import Benefit, Venue
from gonghui.core.models import AuditAction, AuditEntry
from gonghui.core.scoping import scope, scopes_disabled

TODAY = timezone.localdate()


def as_actor(actor):
    return scope(org=actor.unit.path)


@pytest.fixture
def venue_cy(city, district_officer):
    with as_actor(district_officer):
        return services.venue_create(by=district_officer, name="建外职工活动中心", unit=city.chaoyang_station)


def benefit_fields(**over):
    fields = {
        "name": "羽毛球场免费",
        "kind": "free",
        "valid_from": TODAY - dt.timedelta(days=1),
        "valid_to": TODAY + dt.timedelta(days=30),
    }
    fields.update(over)
    return fields


@pytest.fixture
def benefit_cy(venue_cy, district_officer):
    with as_actor(district_officer):
        return services.benefit_create(by=district_officer, venue=venue_cy, **benefit_fields())


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


def last_audit(obj):
    with scopes_disabled():
        return AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).order_by("-seq")[0]


# --- Services ------------------------------------------------------------------------------


def test_venue_create_is_audited_in_the_venues_unit(city, district_officer, venue_cy):
    entry = last_audit(venue_cy)
    assert entry.action == AuditAction.CREATE and entry.actor_id == district_officer.pk
    assert entry.scope_path == city.chaoyang_station.path
    assert entry.changes["name"] == [None, "建外职工活动中心"]


def test_venue_outside_scope_is_refused(city, outsider):
    with as_actor(outsider), pytest.raises(ValidationError) as e:
        services.venue_create(by=outsider, name="越界场馆", unit=city.chaoyang_station)
    assert "unit" in errors_of(e)
    with scopes_disabled():
        assert not Venue.objects.filter(name="越界场馆").exists()


def test_venue_update_records_old_and_new_and_refuses_an_outsider(city, district_officer, outsider, venue_cy):
    with as_actor(district_officer):
        services.venue_update(by=district_officer, venue=venue_cy, address="朝阳区建国路1号", is_active=False)
    entry = last_audit(venue_cy)
    assert entry.action == AuditAction.UPDATE
    assert entry.changes == {"address": ["", "朝阳区建国路1号"], "is_active": [True, False]}
    with as_actor(outsider), pytest.raises(ValidationError):
        services.venue_update(by=outsider, venue=venue_cy, name="改名")
    with as_actor(district_officer), pytest.raises(ValidationError) as e:
        services.venue_update(by=district_officer, venue=venue_cy, unit=city.haidian)  # moved out of scope
    assert "unit" in errors_of(e)


def test_a_role_without_cards_manage_is_refused(city, venue_cy, benefit_cy):
    mediator = make_staff(city.chaoyang, "mediator")
    with as_actor(mediator):
        with pytest.raises(PermissionDenied):
            services.venue_create(by=mediator, name="调解员的场馆", unit=city.chaoyang)
        with pytest.raises(PermissionDenied):
            services.benefit_create(by=mediator, venue=venue_cy, **benefit_fields())
        with pytest.raises(PermissionDenied):
            services.benefit_set_active(by=mediator, benefit=benefit_cy, active=False)


def test_benefit_create_is_audited(venue_cy, benefit_cy, district_officer):
    entry = last_audit(benefit_cy)
    assert entry.action == AuditAction.CREATE and entry.actor_id == district_officer.pk
    assert entry.scope_path == venue_cy.unit.path
    assert entry.changes["kind"] == [None, "free"] and entry.changes["venue"] == [None, venue_cy.pk]


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"kind": "discount"}, "discount_percent"),
        ({"kind": "discount", "discount_percent": 0}, "discount_percent"),
        ({"kind": "discount", "discount_percent": 100}, "discount_percent"),
        ({"kind": "discount", "discount_percent": 80, "member_price": Decimal("10")}, "member_price"),
        ({"kind": "member_price"}, "member_price"),
        ({"kind": "member_price", "member_price": Decimal("-1")}, "member_price"),
        ({"kind": "free", "discount_percent": 80}, "discount_percent"),
        ({"kind": "free", "member_price": Decimal("0")}, "member_price"),
        ({"valid_to": TODAY - dt.timedelta(days=2)}, "valid_to"),
        ({"eligibility": "subtree"}, "eligible_unit"),
        ({"eligibility": "all", "eligible_unit": "chaoyang"}, "eligible_unit"),
        ({"eligibility": "subtree", "eligible_unit": "haidian"}, "eligible_unit"),
        ({"per_member_day": 0}, "per_member_day"),
        ({"name": ""}, "name"),
    ],
)
def test_benefit_rules_are_reported_under_their_field(city, district_officer, venue_cy, over, field):
    if isinstance(over.get("eligible_unit"), str):
        over = {**over, "eligible_unit": getattr(city, over["eligible_unit"])}
    with as_actor(district_officer), pytest.raises(ValidationError) as e:
        services.benefit_create(by=district_officer, venue=venue_cy, **benefit_fields(**over))
    assert field in errors_of(e)
    assert all(re.search("[\u4e00-\u9fff]", message) for message in errors_of(e)[field])  # in Chinese
    with scopes_disabled():
        assert not Benefit.objects.filter(venue=venue_cy).exists()


def test_valid_kinds_are_accepted(city, district_officer, venue_cy):
    with as_actor(district_officer):
        discount = services.benefit_create(
            by=district_officer, venue=venue_cy, **benefit_fields(kind="discount", discount_percent=80)
        )
        price = services.benefit_create(
            by=district_officer, venue=venue_cy, **benefit_fields(kind="member_price", member_price=Decimal("0"))
        )
        subtree = services.benefit_create(
            by=district_officer,
            venue=venue_cy,
            **benefit_fields(eligibility="subtree", eligible_unit=city.chaoyang_cju, valid_to=TODAY),
        )
    assert discount.discount_percent == 80 and price.member_price == 0 and subtree.eligible_unit == city.chaoyang_cju


def test_benefit_of_a_venue_outside_scope_is_refused(city, outsider, venue_cy, benefit_cy):
    with as_actor(outsider):
        with pytest.raises(ValidationError) as e:
            services.benefit_create(by=outsider, venue=venue_cy, **benefit_fields())
        assert "venue" in errors_of(e)
        with pytest.raises(ValidationError):
            services.benefit_update(by=outsider, benefit=benefit_cy, name="越界修改")
        with pytest.raises(ValidationError):
            services.benefit_set_active(by=outsider, benefit=benefit_cy, active=False)
    with scopes_disabled():
        benefit_cy.refresh_from_db()
    assert benefit_cy.name == "羽毛球场免费" and benefit_cy.is_active


def test_benefit_update_changes_terms_and_audits_exactly(district_officer, benefit_cy):
    with as_actor(district_officer):
        services.benefit_update(
            by=district_officer, benefit=benefit_cy, kind="discount", discount_percent=90, capacity=100
        )
    entry = last_audit(benefit_cy)
    assert entry.action == AuditAction.UPDATE
    assert entry.changes == {"kind": ["free", "discount"], "discount_percent": [None, 90], "capacity": [None, 100]}


def test_benefit_venue_cannot_be_changed(city, district_officer, benefit_cy):
    with as_actor(district_officer):
        other = services.venue_create(by=district_officer, name="另一场馆", unit=city.chaoyang)
        with pytest.raises(ValidationError) as e:
            services.benefit_update(by=district_officer, benefit=benefit_cy, venue=other)
    assert "venue" in errors_of(e)


def test_capacity_cannot_go_below_what_is_already_redeemed(city, district_officer, venue_cy, benefit_cy, card):
    from gonghui.cards.tests.test_services import redeem

    assert redeem(venue_cy, benefit_cy, card, key="a").ok
    assert redeem(venue_cy, benefit_cy, card, key="b").ok
    with as_actor(district_officer):
        with pytest.raises(ValidationError) as e:
            services.benefit_update(by=district_officer, benefit=benefit_cy, capacity=1)
        assert "capacity" in errors_of(e) and "2" in errors_of(e)["capacity"][0]
        services.benefit_update(by=district_officer, benefit=benefit_cy, capacity=2)
    with scopes_disabled():
        benefit_cy.refresh_from_db()
    assert (benefit_cy.capacity, benefit_cy.redeemed) == (2, 2)
    assert redeem(venue_cy, benefit_cy, card, key="c").code == "capacity_full"


def test_switching_a_benefit_off_stops_redemption_and_is_audited(district_officer, venue_cy, benefit_cy, card):
    from gonghui.cards.tests.test_services import redeem

    with as_actor(district_officer):
        services.benefit_set_active(by=district_officer, benefit=benefit_cy, active=False)
        services.benefit_set_active(by=district_officer, benefit=benefit_cy, active=False)  # no change, no row
    assert redeem(venue_cy, benefit_cy, card).code == "benefit_unknown"
    with scopes_disabled():
        entries = list(AuditEntry.objects.filter(object_type="cards.benefit", object_id=str(benefit_cy.pk)))
    assert [e.changes for e in entries if e.action == AuditAction.UPDATE] == [{"is_active": [True, False]}]


# --- Pages ---------------------------------------------------------------------------------


def test_lists_show_only_rows_in_scope(client, city, district_officer, benefit_cy):
    login(client, district_officer)
    benefits = client.get("/cards/benefits/").content.decode()
    assert "羽毛球场免费" in benefits and city.benefit_hd.name not in benefits
    venues = client.get("/cards/venues/").content.decode()
    assert "建外职工活动中心" in venues and city.venue_hd.name not in venues
    assert client.get(f"/cards/benefits/{city.benefit_hd.pk}/").status_code == 404
    assert client.get(f"/cards/venues/{city.venue_hd.pk}/").status_code == 404


def test_the_parent_union_sees_both_districts(client, city, city_officer, benefit_cy):
    login(client, city_officer)
    body = client.get("/cards/benefits/").content.decode()
    assert "羽毛球场免费" in body and city.benefit_hd.name in body


def test_benefit_list_filters(client, city, district_officer, venue_cy, benefit_cy):
    with as_actor(district_officer):
        services.benefit_create(
            by=district_officer, venue=venue_cy, **benefit_fields(name="健身八折", kind="discount", discount_percent=80)
        )
    login(client, district_officer)
    assert "健身八折" not in client.get("/cards/benefits/?kind=free").content.decode()
    body = client.get("/cards/benefits/?q=健身").content.decode()
    assert "健身八折" in body and "羽毛球场免费" not in body
    assert "羽毛球场免费" in client.get(f"/cards/benefits/?venue={venue_cy.pk}&active=yes").content.decode()
    assert "羽毛球场免费" not in client.get("/cards/benefits/?active=no").content.decode()


def test_create_and_edit_round_trip(client, city, district_officer):
    login(client, district_officer)
    assert client.get("/cards/venues/new/").status_code == 200
    response = client.post(
        "/cards/venues/new/", {"name": "朝阳工人文化宫", "unit": city.chaoyang.pk, "address": "朝阳路1号"}
    )
    with scopes_disabled():
        venue = Venue.objects.get(name="朝阳工人文化宫")
    assert response.status_code == 302 and response["Location"] == f"/cards/venues/{venue.pk}/"

    form = {
        "venue": venue.pk,
        "name": "观影八折",
        "kind": "discount",
        "discount_percent": "100",
        "eligibility": "all",
        "valid_from": TODAY.isoformat(),
        "valid_to": (TODAY + dt.timedelta(days=90)).isoformat(),
        "per_member_month": "2",
    }
    page = client.post("/cards/benefits/new/", form).content.decode()
    assert "折扣请填写 1 至 99 之间的整数" in page  # the service's message, on the form
    response = client.post("/cards/benefits/new/", {**form, "discount_percent": "80"})
    with scopes_disabled():
        benefit = Benefit.objects.get(name="观影八折")
    assert response["Location"] == f"/cards/benefits/{benefit.pk}/"
    assert benefit.discount_percent == 80 and benefit.per_member_month == 2 and benefit.venue == venue

    edit = client.get(f"/cards/benefits/{benefit.pk}/edit/").content.decode()
    assert 'value="观影八折"' in edit and 'name="venue"' not in edit
    del form["venue"]
    client.post(f"/cards/benefits/{benefit.pk}/edit/", {**form, "discount_percent": "70", "capacity": "50"})
    with scopes_disabled():
        benefit.refresh_from_db()
    assert (benefit.discount_percent, benefit.capacity) == (70, 50)
    detail = client.get(f"/cards/benefits/{benefit.pk}/").content.decode()
    assert "按原价 70%" in detail and f"/cards/stats/?benefit={benefit.pk}" in detail

    client.post(f"/cards/benefits/{benefit.pk}/active/", {"active": "0"})
    with scopes_disabled():
        benefit.refresh_from_db()
    assert not benefit.is_active
    client.post(f"/cards/venues/{venue.pk}/edit/", {"name": "朝阳区工人文化宫", "unit": city.chaoyang.pk})
    with scopes_disabled():
        venue.refresh_from_db()
    assert venue.name == "朝阳区工人文化宫" and venue.is_active is False  # an unticked box switches it off


def test_terminal_token_is_shown_once_and_signs_the_venue_in(client, district_officer, venue_cy):
    login(client, district_officer)
    response = client.post(f"/cards/venues/{venue_cy.pk}/token/")
    raw = response.context["raw_token"]
    assert raw.startswith("gv_") and raw in response.content.decode() and "已签发" in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert raw not in client.get(f"/cards/venues/{venue_cy.pk}/").content.decode()
    assert services.venue_authenticate(raw) == venue_cy
    assert client.get(f"/cards/venues/{venue_cy.pk}/token/").status_code == 405


def test_a_mediator_reads_but_cannot_change_the_catalogue(client, city, venue_cy, benefit_cy):
    login(client, make_staff(city.chaoyang, "mediator"))
    body = client.get("/cards/benefits/").content.decode()
    assert "羽毛球场免费" in body and "/cards/benefits/new/" not in body
    assert client.get(f"/cards/benefits/{benefit_cy.pk}/").status_code == 200
    assert client.get("/cards/benefits/new/").status_code == 403
    assert client.get("/cards/venues/new/").status_code == 403
    assert client.get(f"/cards/venues/{venue_cy.pk}/edit/").status_code == 403
    assert client.post(f"/cards/benefits/{benefit_cy.pk}/active/", {"active": "0"}).status_code == 403
    assert client.post(f"/cards/venues/{venue_cy.pk}/token/").status_code == 403
    with scopes_disabled():
        benefit_cy.refresh_from_db()
        venue_cy.refresh_from_db()
    assert benefit_cy.is_active and not venue_cy.token_digest


def test_the_forms_offer_only_units_and_venues_in_scope(client, city, district_officer, venue_cy):
    login(client, district_officer)
    body = client.get("/cards/benefits/new/").content.decode()
    assert venue_cy.name in body and city.venue_hd.name not in body and city.haidian.name not in body
    response = client.post(
        "/cards/benefits/new/", {"venue": city.venue_hd.pk, **benefit_fields(name="越界", eligibility="all")}
    )
    assert response.status_code == 200  # not a choice: the form refuses it before any service
    with scopes_disabled():
        assert not Benefit.objects.filter(name="越界").exists()


def test_benefit_pages_link_to_its_redemption_statistics(client, city, district_officer, venue_cy, benefit_cy, card):
    from gonghui.cards.tests.test_services import make_benefit, redeem

    other = make_benefit(venue_cy, name="乒乓球免费")
    assert redeem(venue_cy, benefit_cy, card, key="a").ok
    assert redeem(venue_cy, other, card, key="b").ok
    login(client, district_officer)
    detail = client.get(f"/cards/benefits/{benefit_cy.pk}/")
    assert list(detail.context["usage"]) == [{"month": TODAY.replace(day=1), "uses": 1, "members": 1}]
    assert f'href="/cards/stats/?benefit={benefit_cy.pk}"' in client.get("/cards/benefits/").content.decode()
    stats = client.get(f"/cards/stats/?benefit={benefit_cy.pk}").content.decode()
    assert "羽毛球场免费" in stats and "乒乓球免费" not in stats
    assert "乒乓球免费" in client.get("/cards/stats/").content.decode()
