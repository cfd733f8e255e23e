from gonghui.accounts.services import api_token_create
from gonghui.cards import services
from gonghui.cards.models import Venue
from gonghui.cards.tests.test_services import make_benefit
from gonghui.core.scoping import scope, scopes_disabled


def post_verify(client, raw, data):
    return client.post(
        "/api/v1/venue/verify", data, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )


def venue_token(city, venue):
    from conftest import make_staff

    admin = make_staff(city.root, "unit_admin")
    with scope(org=city.root.path):
        return services.venue_token_create(by=admin, venue=venue)


def test_terminal_verifies_and_sees_its_redemptions(client, city, card, venue):
    raw = venue_token(city, venue)
    benefit = make_benefit(venue, per_member_year=12)
    data = {"benefit_id": benefit.pk, "idempotency_key": "scan-1", "token": services.card_qr_token(card)}
    body = post_verify(client, raw, data).json()
    assert body["ok"] and body["member_name"] == "周**" and body["quota_left"] == {"year": 11}
    assert post_verify(client, raw, data).json()["code"] == "already_recorded"
    listed = client.get("/api/v1/venue/redemptions", HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    assert [r["member_name"] for r in listed] == ["周**"]


def test_a_venue_token_cannot_use_another_venues_benefit(client, city, card, venue):
    with scopes_disabled():
        other = Venue.objects.create(name="工人体育馆", unit=city.root)
    raw = venue_token(city, other)
    benefit = make_benefit(venue)
    body = post_verify(
        client, raw, {"benefit_id": benefit.pk, "idempotency_key": "x", "token": services.card_qr_token(card)}
    ).json()
    assert (body["ok"], body["code"]) == (False, "benefit_unknown")


def test_bad_tokens_are_401(client, city, card, venue, district_officer):
    benefit = make_benefit(venue)
    data = {"benefit_id": benefit.pk, "idempotency_key": "x", "token": services.card_qr_token(card)}
    assert post_verify(client, "gv_forged", data).status_code == 401
    _, staff_raw = api_token_create(staff=district_officer)
    assert post_verify(client, staff_raw, data).status_code == 401  # a staff token is not a terminal


def test_malformed_request_is_422(client, city, venue):
    raw = venue_token(city, venue)
    response = post_verify(client, raw, {"idempotency_key": ""})
    assert response.status_code == 422 and "benefit_id" in response.json()["errors"]


def test_command_prints_a_working_venue_token(client, city, card, venue, capsys):
    from django.core.management import call_command

    call_command("create_venue_token", str(venue.pk))
    raw = capsys.readouterr().out.strip()
    benefit = make_benefit(venue)
    body = post_verify(
        client, raw, {"benefit_id": benefit.pk, "idempotency_key": "cli", "token": services.card_qr_token(card)}
    ).json()
    assert body["ok"]
