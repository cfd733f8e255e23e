import datetime as dt
import time

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils import timezone

from conftest import make_staff
from gonghui.cards import services
from gonghui.cards.models import Benefit, CardStatus, Redemption, Venue
from gonghui.core.scoping import scope, scopes_disabled


@pytest.fixture
def clerk(city):
    return make_staff(city.chaoyang_station, "social_worker", username="cy_clerk")


@pytest.fixture
def card(city, clerk):
    with scope(org=clerk.unit.path):
        return services.card_issue(by=clerk, member=city.member_cy)


@pytest.fixture
def venue(city):
    with scopes_disabled():
        return Venue.objects.create(name="劳动人民文化宫", unit=city.root)


def make_benefit(venue, **over):
    today = timezone.localdate()
    fields = {
        "venue": venue,
        "name": "免费参观",
        "kind": "free",
        "valid_from": today - dt.timedelta(days=1),
        "valid_to": today + dt.timedelta(days=30),
    }
    fields.update(over)
    with scopes_disabled():
        return Benefit.objects.create(**fields)


def redeem(venue, benefit, card=None, key="k1", **kw):
    if card is not None and "number" not in kw:
        kw["token"] = services.card_qr_token(card)
    return services.card_verify_and_redeem(venue=venue, benefit_id=benefit.pk, idempotency_key=key, **kw)


def test_card_number_has_a_luhn_check_digit(card):
    assert card.number.startswith("8610") and services.card_number_valid(card.number)
    wrong = card.number[:-1] + str((int(card.number[-1]) + 1) % 10)
    assert not services.card_number_valid(wrong)


def test_one_held_card_per_member(city, clerk, card):
    with scope(org=clerk.unit.path), pytest.raises(ValidationError):
        services.card_issue(by=clerk, member=city.member_cy)


def test_redeem_with_qr_records_once_and_reports_quota(venue, card):
    benefit = make_benefit(venue, per_member_day=2, capacity=10)
    verdict = redeem(venue, benefit, card)
    assert verdict.ok and verdict.code == "ok" and verdict.member_name == "周**"
    assert verdict.quota_left == {"day": 1, "capacity": 9}
    again = redeem(venue, benefit, card)  # the same scan sent twice
    assert again.code == "already_recorded" and again.redemption_id == verdict.redemption_id
    with scopes_disabled():
        assert Redemption.objects.count() == 1
        benefit.refresh_from_db()
        assert benefit.redeemed == 1
        card.refresh_from_db()
        assert card.status == CardStatus.ACTIVE  # first use activates


def test_a_repeated_scan_gets_the_first_answer_whatever_changed_since(venue, card, monkeypatch):
    """The key is checked by the insert; a call that would now be refused (its own use took
    the day's last place; the QR code's minute is over) still answers what was recorded."""
    benefit = make_benefit(venue, per_member_day=1, capacity=1)
    token = services.card_qr_token(card)
    first = redeem(venue, benefit, token=token, key="scan-1")
    assert first.code == "ok"
    again = redeem(venue, benefit, token=token, key="scan-1")
    assert (again.code, again.redemption_id, again.member_name) == ("already_recorded", first.redemption_id, "周**")
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 300)
    assert redeem(venue, benefit, token=token, key="scan-1").code == "already_recorded"
    assert redeem(venue, benefit, token=token, key="scan-late").code == "token_expired"
    monkeypatch.setattr(time, "time", real_time)
    assert redeem(venue, benefit, card, key="scan-2").code == "capacity_full"  # a new scan is refused
    with scopes_disabled():
        assert Redemption.objects.count() == 1
        benefit.refresh_from_db()
        assert benefit.redeemed == 1


def test_an_unknown_benefit_is_refused_not_an_error(venue, card):
    verdict = services.card_verify_and_redeem(
        venue=venue, benefit_id=987654, idempotency_key="k", token=services.card_qr_token(card)
    )
    assert (verdict.ok, verdict.code) == (False, "benefit_unknown")


def test_daily_quota_and_capacity(venue, card):
    benefit = make_benefit(venue, per_member_day=1)
    assert redeem(venue, benefit, card, key="a").ok
    verdict = redeem(venue, benefit, card, key="b")
    assert (verdict.ok, verdict.code) == (False, "quota_used") and "本日次数已用完" in verdict.message
    full = make_benefit(venue, name="讲座", capacity=1)
    assert redeem(venue, full, card, key="c").ok
    assert redeem(venue, full, card, key="d").code == "capacity_full"


def test_tampered_expired_and_stale_tokens(venue, card, city, clerk, monkeypatch):
    benefit = make_benefit(venue)
    token = services.card_qr_token(card)
    assert redeem(venue, benefit, token=token[:-2] + "xx").code == "token_invalid"
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 61)
    assert redeem(venue, benefit, token=token, key="late").code == "token_expired"
    monkeypatch.setattr(time, "time", real_time)
    with scope(org=clerk.unit.path):
        services.card_change_status(by=clerk, card=card, to=CardStatus.LOST, reason="遗失")
    assert redeem(venue, benefit, token=token, key="stale").code == "token_stale"
    with scopes_disabled():
        assert not Redemption.objects.exists()


def test_replaced_card_stops_working_at_once(venue, card, city, clerk):
    benefit = make_benefit(venue)
    with scope(org=clerk.unit.path):
        services.card_change_status(by=clerk, card=card, to=CardStatus.LOST, reason="遗失")
        new = services.card_replace(by=clerk, card=card, reason="补卡")
    assert new.number != card.number and new.replaces_id == card.pk
    old = redeem(venue, benefit, number=card.number, phone_last4="0101", key="old")
    assert old.code == "card_replaced"
    assert redeem(venue, benefit, new, key="new").ok


def test_card_number_needs_the_phone_second_factor(venue, card):
    benefit = make_benefit(venue)
    assert redeem(venue, benefit, number=card.number, phone_last4="9999").code == "number_mismatch"
    assert redeem(venue, benefit, number=card.number, phone_last4="0101", key="ok").ok


def test_ended_membership_and_eligibility(venue, card, city, clerk):
    new_form_only = make_benefit(venue, eligibility="new_form")
    assert redeem(venue, new_form_only, card).code == "not_eligible"
    subtree = make_benefit(venue, name="海淀专享", eligibility="subtree", eligible_unit=city.haidian)
    assert redeem(venue, subtree, card, key="s").code == "not_eligible"
    model_only = make_benefit(venue, name="劳模疗休养", eligibility="model_worker")
    hardship_only = make_benefit(venue, name="困难职工免费体检", eligibility="hardship")
    refused = redeem(venue, model_only, card, key="m")
    assert refused.code == "not_eligible" and "劳动模范" in refused.message
    assert redeem(venue, hardship_only, card, key="h").code == "not_eligible"
    from gonghui.members import services as member_services

    with scope(org=clerk.unit.path):
        member_services.member_update(by=clerk, member=city.member_cy, is_model_worker=True, in_hardship=True)
    assert redeem(venue, model_only, card, key="m2").ok
    assert redeem(venue, hardship_only, card, key="h2").ok

    with scope(org=clerk.unit.path):
        member_services.member_leave(by=clerk, member=city.member_cy, reason="离职")
    with scopes_disabled():
        card.refresh_from_db()
    # leaving froze the card: its old QR codes are stale and a fresh one is refused
    assert card.status == CardStatus.FROZEN
    verdict = redeem(venue, make_benefit(venue, name="x"), card, key="m")
    assert verdict.code == "card_frozen" and "已冻结" in verdict.message


def test_benefit_of_another_venue_is_refused(venue, card, city):
    with scopes_disabled():
        other = Venue.objects.create(name="工人体育场", unit=city.root)
    benefit = make_benefit(other)
    assert redeem(venue, benefit, card).code == "benefit_unknown"


def test_illegal_status_moves_are_refused(card, clerk):
    with scope(org=clerk.unit.path):
        services.card_change_status(by=clerk, card=card, to=CardStatus.CANCELLED, reason="退会")
        with pytest.raises(ValidationError):
            services.card_change_status(by=clerk, card=card, to=CardStatus.ACTIVE)


def test_signed_payload_is_not_readable_as_another_card(card):
    forged = signing.dumps([card.pk + 1, 1], salt="another-salt", compress=True)
    with pytest.raises(services.Refused):
        services._card_from_token(forged)


def test_verification_costs_a_fixed_small_number_of_queries(venue, card, django_assert_max_num_queries):
    benefit = make_benefit(venue, per_member_day=5, per_member_month=20, per_member_year=100, capacity=1000)
    for i in range(3):
        redeem(venue, benefit, card, key=f"warm{i}")  # history does not make later calls dearer
    # card and holder; the transaction: benefit lock, the three counts, insert, count the use
    # (the idempotency key is checked by the insert's unique constraint, not asked first)
    with django_assert_max_num_queries(7):
        assert redeem(venue, benefit, card, key="measured").ok


def test_verification_reads_no_personal_data_columns(venue, card):
    """A venue learns a masked name; the holder's ciphertexts and hashes never leave the
    database for it (they were most of the bytes of every verify call)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    benefit = make_benefit(venue)
    with CaptureQueriesContext(connection) as ctx:
        verdict = redeem(venue, benefit, card, key="private")
    assert verdict.ok and verdict.member_name.startswith(card.member.name[0])
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    for column in ("id_number_cipher", "id_number_hash", "phone_cipher", "phone_hash"):
        assert column not in sql
    assert len(ctx.captured_queries) <= 11  # with the first use's activation and its history row


def test_verification_by_number_checks_the_phone_with_few_columns(venue, card):
    benefit = make_benefit(venue)
    phone = card.member.phone_masked[-4:]
    assert redeem(venue, benefit, number=card.number, phone_last4=phone, key="by-number").ok
