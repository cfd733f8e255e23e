from conftest import login, make_staff
from gonghui.cards.models import Card, CardStatus
from gonghui.core.scoping import scopes_disabled


def test_issue_report_lost_and_replace_from_the_member_page(client, city):
    login(client, make_staff(city.chaoyang_station, "social_worker"))
    member = city.member_cy
    page = client.get(f"/members/{member.pk}/").content.decode()
    assert "没有有效的服务卡" in page
    client.post(f"/cards/issue/{member.pk}/")
    with scopes_disabled():
        card = Card.objects.get(member=member)
    page = client.get(f"/members/{member.pk}/").content.decode()
    assert card.masked_number in page and card.number not in page
    client.post(f"/cards/{card.pk}/action/", {"action": "lost", "reason": "丢失"})
    client.post(f"/cards/{card.pk}/action/", {"action": "replace", "reason": "补卡"})
    with scopes_disabled():
        card.refresh_from_db()
        new = Card.objects.get(replaces=card)
    assert card.status == CardStatus.REPLACED and new.status == CardStatus.ISSUED
    page = client.get(f"/members/{member.pk}/").content.decode()
    assert new.masked_number in page and "已挂失" in page  # history lists the old card's moves


def test_bulk_issue_for_a_unit_runs_as_a_task_with_progress(client, city):
    from gonghui.core.scoping import scope
    from gonghui.members import services as member_services
    from gonghui.members.tests.test_services import make_id

    worker = make_staff(city.chaoyang_station, "social_worker")
    with scope(org=worker.unit.path):
        for i in range(3):
            member_services.member_create(
                by=worker,
                name="赵" + "一二三"[i],
                id_number=make_id(seq=f"7{i}1"),
                phone=f"1370000000{i}",
                unit=city.chaoyang_cju,
            )
    login(client, worker)
    client.post(f"/cards/bulk/{city.chaoyang_station.pk}/")  # tasks run at once in tests
    progress = client.get(f"/cards/bulk/{city.chaoyang_station.pk}/progress").json()
    assert progress == {"state": "done", "issued": 4}  # three new members and 周建国
    with scopes_disabled():
        assert Card.objects.filter(member__unit__path__startswith=city.chaoyang.path).count() == 4
        assert not Card.objects.filter(member=city.member_hd).exclude(pk=city.card_hd.pk).exists()


def test_venue_page_verifies_and_staff_statistics_count_it(client, city, card, venue):
    from gonghui.cards import services
    from gonghui.cards.tests.test_api import venue_token
    from gonghui.cards.tests.test_services import make_benefit

    benefit = make_benefit(venue, name="免费游泳", per_member_day=3)
    raw = venue_token(city, venue)
    assert (
        "场馆令牌无效"
        in client.post("/venue/", {"action": "signin", "venue_token": "gv_nope"}, follow=True).content.decode()
    )
    client.post("/venue/", {"action": "signin", "venue_token": raw})
    page = client.post(
        "/venue/",
        {"benefit": benefit.pk, "idempotency_key": "abc", "token": services.card_qr_token(card)},
    ).content.decode()
    assert "核验通过" in page and "周**" in page
    verdict = page.split('id="verdict"')[1].split("</div>")[0]
    assert "今日 2" in verdict and "day" not in verdict  # quota periods in words
    page = client.post(
        "/venue/", {"benefit": benefit.pk, "idempotency_key": "abd", "token": "garbage"}
    ).content.decode()
    assert "二维码无效" in page
    client.post("/venue/", {"action": "signout"})

    login(client, make_staff(city.chaoyang, "officer"))
    stats = client.get("/cards/stats/").content.decode()
    assert "免费游泳" in stats
    login(client, make_staff(city.haidian, "officer"))
    assert "免费游泳" not in client.get("/cards/stats/").content.decode()
