import re

import pytest

from conftest import login, make_staff
from gonghui.cards import services as card_services
from gonghui.cards.models import Benefit, Redemption, Venue
from gonghui.cards.tests.test_services import make_benefit
from gonghui.core.models import AuditEntry
from gonghui.core.scoping import scope, scopes_disabled
from gonghui.members.models import MemberStatus
from gonghui.portal.models import PortalAccount

CY_PHONE, HD_PHONE = "13501010101", "13602020202"


@pytest.fixture
def card_cy(city):
    clerk = make_staff(city.chaoyang_station, "social_worker")
    with scope(org=city.chaoyang_station.path):
        return card_services.card_issue(by=clerk, member=city.member_cy)


@pytest.fixture
def venue(city):
    with scopes_disabled():
        return Venue.objects.create(name="劳动人民文化宫", unit=city.root)


def sign_in(client, outbox, phone=CY_PHONE):
    response = client.post("/my/signin/", {"phone": phone})
    assert response.status_code == 200
    code = re.search(r"\d{6}", outbox[-1][1]).group()
    return client.post("/my/signin/code/", {"phone": phone, "code": code})


def test_anonymous_visitor_is_sent_to_sign_in(client, city):
    for url in ("/my/", "/my/qr.json", "/my/redemptions/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == "/my/signin/", url
    assert client.get("/my/signin/").status_code == 200


def test_sign_in_with_sms_code_cycles_session_and_audits(client, city, outbox):
    client.get("/my/signin/")
    before = client.cookies["sessionid"].value if "sessionid" in client.cookies else None
    response = sign_in(client, outbox)
    assert response.status_code == 302 and response["Location"] == "/my/"
    assert client.cookies["sessionid"].value != before
    account = PortalAccount.objects.get(pk=client.session["portal_account_id"])
    assert account.member == city.member_cy
    body = client.get("/my/").content.decode()
    assert "周建国" in body and city.member_cy.id_number_masked in body and "永安里社区联合工会" in body
    assert "您还没有服务卡" in body
    with scopes_disabled():
        entry = AuditEntry.objects.filter(action="login").latest("seq")
    assert entry.actor_id is None and entry.actor_name == "member:135****0101"
    assert entry.object_id == str(city.member_cy.pk) and entry.scope_path == city.member_cy.unit.path


def test_unknown_phone_gets_the_same_answer(client, city, outbox):
    known = client.post("/my/signin/", {"phone": CY_PHONE}).content.decode()
    unknown = client.post("/my/signin/", {"phone": "13999999999"}).content.decode()
    assert len(outbox) == 2  # a worker who is no member yet signs in to apply to join
    for body in (known, unknown):
        assert "验证码已发送，请查看短信。" in body

    def strip(body):  # the form differs only in the number typed and the CSRF token
        return re.sub(r'value="[^"]*"', "", body)

    assert strip(known).replace(CY_PHONE, "") == strip(unknown).replace("13999999999", "")


def test_wrong_code_is_refused_with_a_chinese_message(client, city, outbox):
    client.post("/my/signin/", {"phone": CY_PHONE})
    response = client.post("/my/signin/code/", {"phone": CY_PHONE, "code": "000000x"})
    assert response.status_code == 400 and "验证码不正确" in response.content.decode()
    assert "portal_account_id" not in client.session


def test_rate_limit_message_is_shown(client, city, outbox):
    client.post("/my/signin/", {"phone": CY_PHONE})
    response = client.post("/my/signin/", {"phone": CY_PHONE})
    assert response.status_code == 400 and "获取验证码过于频繁" in response.content.decode()


def test_home_shows_qr_and_masked_number(client, city, outbox, card_cy):
    sign_in(client, outbox)
    body = client.get("/my/").content.decode()
    assert 'src="data:image/svg+xml' in body
    assert card_cy.masked_number in body and card_cy.number not in body


def test_qr_endpoint_token_is_accepted_by_a_venue(client, city, outbox, card_cy, venue):
    sign_in(client, outbox)
    data = client.get("/my/qr.json").json()
    assert data["svg"].startswith("data:image/svg+xml")
    benefit = make_benefit(venue)
    verdict = card_services.card_verify_and_redeem(
        venue=venue, benefit_id=benefit.pk, idempotency_key="portal-1", token=data["token"]
    )
    assert verdict.ok, verdict.message
    body = client.get("/my/redemptions/").content.decode()
    assert "免费参观" in body and "劳动人民文化宫" in body


def test_a_member_never_sees_another_members_data(client, city, outbox, card_cy, venue):
    """海淀会员 signs in; nothing of 周建国 (朝阳), his card or his redemptions shows up."""
    benefit = make_benefit(venue)
    card_services.card_verify_and_redeem(
        venue=venue, benefit_id=benefit.pk, idempotency_key="cy-1", token=card_services.card_qr_token(card_cy)
    )
    with scopes_disabled():
        Benefit.objects.filter(pk=benefit.pk).update(name="朝阳专享体检")
        assert Redemption.objects.filter(member=city.member_cy).count() == 1
    sign_in(client, outbox, phone=HD_PHONE)
    pages = [client.get(url).content.decode() for url in ("/my/", "/my/redemptions/")]
    for body in pages:
        assert "海淀会员" in body
        for marker in ("周建国", city.member_cy.id_number_masked, card_cy.masked_number, "朝阳专享体检", "永安里"):
            assert marker not in body
    assert "暂无使用记录" in pages[1]
    token = client.get("/my/qr.json").json()["token"]
    verdict = card_services.card_verify_and_redeem(
        venue=venue, benefit_id=benefit.pk, idempotency_key="hd-1", token=token
    )
    assert verdict.ok and verdict.member_name == "海***"  # his own card, not 周建国's
    # A session naming another member cannot be forged from outside: the id is server-side,
    # and no portal URL takes a member or card id.


def test_a_member_who_left_keeps_the_session_but_loses_the_card(client, city, outbox, card_cy):
    sign_in(client, outbox)
    assert "card-qr" in client.get("/my/").content.decode()
    with scopes_disabled():
        city.member_cy.status = MemberStatus.LEFT
        city.member_cy.save(update_fields=["status"])
    body = client.get("/my/").content.decode()
    assert "card-qr" not in body and "申请入会" in body and "周建国" not in body
    for url in ("/my/qr.json", "/my/redemptions/", "/my/benefits/", "/my/transfer/", "/my/password/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == "/my/", url
    # A former member keeps their personal-data rights.
    assert client.get("/my/requests/").status_code == 200
    assert client.get("/my/data.json").json()["status"] == "left"


def test_sign_out_is_post_only_and_ends_the_portal_session(client, city, outbox):
    sign_in(client, outbox)
    assert client.get("/my/signout/").status_code == 405
    response = client.post("/my/signout/")
    assert response.status_code == 302 and response["Location"] == "/my/signin/"
    assert client.get("/my/").status_code == 302
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="logout", object_id=str(city.member_cy.pk)).exists()


def test_staff_session_is_not_a_member_session(client, city, outsider):
    login(client, outsider)
    for url in ("/my/", "/my/qr.json", "/my/redemptions/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == "/my/signin/", url
