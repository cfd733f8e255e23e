"""The home page's figures come from the per-unit tallies: service cards are counted there by
the card services, and the page costs the same few queries however big the city is."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import login, make_staff
from gonghui.cards import services as card_services
from gonghui.cards.models import CardStatus
from gonghui.core.scoping import scope, scopes_disabled
from gonghui.members import services as member_services
from gonghui.members.tests.test_services import make_id
from gonghui.orgs import selectors
from gonghui.orgs.models import UnitCounts


def cards_at(unit):
    with scopes_disabled():
        return UnitCounts.objects.get(unit=unit).cards


def test_card_services_keep_the_holders_union_card_count(city):
    clerk = make_staff(city.chaoyang_station, "social_worker", username="cy_cards")
    with scope(org=clerk.unit.path):
        card = card_services.card_issue(by=clerk, member=city.member_cy)
        assert cards_at(city.member_cy.unit) == 1
        card = card_services.card_change_status(by=clerk, card=card, to=CardStatus.LOST, reason="遗失")
        assert cards_at(city.member_cy.unit) == 1  # a lost card is still held until replaced
        card_services.card_replace(by=clerk, card=card, reason="补卡")
        assert cards_at(city.member_cy.unit) == 1  # the old one replaced, a new one issued
        held = city.member_cy.cards.get(status=CardStatus.ISSUED)
        card_services.card_change_status(by=clerk, card=held, to=CardStatus.CANCELLED, reason="注销")
        assert cards_at(city.member_cy.unit) == 0


def test_a_transfer_moves_the_holders_card_count(city):
    officer = make_staff(city.root, "officer", username="city_cards")
    with scope(org=city.root.path):
        member = member_services.member_create(
            by=officer, name="李四", id_number=make_id(seq="777"), phone="13911112222", unit=city.chaoyang_cju
        )
        card_services.card_issue(by=officer, member=member)
        before_cy, before_hd = cards_at(city.chaoyang_cju), cards_at(city.haidian_station)
        member_services.member_transfer(by=officer, member=member, to_unit=city.haidian_station, reason="工作调动")
    assert (cards_at(city.chaoyang_cju), cards_at(city.haidian_station)) == (before_cy - 1, before_hd + 1)


def test_home_page_shows_cards_with_a_fixed_number_of_queries(client, city):
    officer = make_staff(city.root, "officer", username="city_home")
    login(client, officer)
    client.get("/")  # first request: session, language, caches
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    with scope(org=city.root.path):
        before = selectors.subtree_totals(city.root)["cards"]
        card_services.card_issue(by=officer, member=city.member_cy)
        for i in range(5):
            member = member_services.member_create(
                by=officer,
                name="王" + "一二三四五"[i],
                id_number=make_id(seq=f"6{i:02d}"),
                phone=f"1391111{i:04d}",
                unit=city.haidian_station,
            )
            card_services.card_issue(by=officer, member=member)
        assert selectors.subtree_totals(city.root)["cards"] == before + 6
    with CaptureQueriesContext(connection) as many:
        response = client.get("/")
    assert response.status_code == 200
    assert f'<span class="stat-value" data-stat="cards">{before + 6}</span>' in response.content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)
    sql = [q["sql"] for q in many.captured_queries]
    # The figures: one sum over the subtree's tallies, one grouped by child — never a count
    # over members or cards (millions of rows at city scale).
    assert len([q for q in sql if "orgs_unitcounts" in q]) == 2
    assert not [q for q in sql if 'FROM "members_member"' in q or 'FROM "cards_card"' in q]


def test_demo_cards_are_counted_like_issued_ones(city):
    from gonghui.cards.demo import seed_demo_cards
    from gonghui.cards.models import HELD, Card

    with scopes_disabled():
        seed_demo_cards(cards=10)
        held = Card.objects.filter(status__in=HELD).count()
        assert held > 0
        assert selectors.subtree_totals(city.root)["cards"] == held
