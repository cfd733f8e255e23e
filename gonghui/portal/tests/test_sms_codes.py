import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from gonghui.core.scoping import scopes_disabled
from gonghui.members.models import MemberStatus
from gonghui.portal import services
from gonghui.portal.models import SmsCode

PHONE = "13501010101"  # 周建国 of 朝阳
UNKNOWN = "13999999999"


@pytest.fixture
def clock(monkeypatch):
    """Move time forward: everything in the service reads django.utils.timezone.now."""
    state = {"now": timezone.now()}
    monkeypatch.setattr(timezone, "now", lambda: state["now"])

    def advance(**delta):
        state["now"] += dt.timedelta(**delta)

    return advance


def last_code(outbox):
    phone, text = outbox[-1]
    return re.search(r"\d{6}", text).group()


def send(phone=PHONE, ip="10.0.0.1"):
    services.sms_code_send(phone=phone, ip=ip)


def test_code_is_six_digits_stored_only_as_hash_and_proves_the_number(city, outbox):
    send()
    assert len(outbox) == 1 and outbox[0][0] == PHONE
    code = last_code(outbox)
    row = SmsCode.objects.get()
    assert code not in row.code_hash and len(row.code_hash) == 64
    assert row.expires_at - row.created_at == dt.timedelta(minutes=5)
    assert services.sms_code_verify(phone=PHONE, code=code) == PHONE


def test_code_expires_after_five_minutes(city, outbox, clock):
    send()
    code = last_code(outbox)
    clock(minutes=5, seconds=1)
    with pytest.raises(ValidationError, match="已过期"):
        services.sms_code_verify(phone=PHONE, code=code)


def test_code_still_works_just_before_expiry(city, outbox, clock):
    send()
    code = last_code(outbox)
    clock(minutes=4, seconds=59)
    assert services.sms_code_verify(phone=PHONE, code=code) == PHONE


def test_code_is_single_use_and_a_replay_is_refused(city, outbox):
    send()
    code = last_code(outbox)
    services.sms_code_verify(phone=PHONE, code=code)
    with pytest.raises(ValidationError, match="已使用"):
        services.sms_code_verify(phone=PHONE, code=code)


def test_five_wrong_attempts_burn_the_code(city, outbox):
    send()
    code = last_code(outbox)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for left in (4, 3, 2, 1):
        with pytest.raises(ValidationError, match=f"还可尝试 {left} 次"):
            services.sms_code_verify(phone=PHONE, code=wrong)
    with pytest.raises(ValidationError, match="错误次数过多"):
        services.sms_code_verify(phone=PHONE, code=wrong)
    with pytest.raises(ValidationError, match="错误次数过多"):
        services.sms_code_verify(phone=PHONE, code=code)  # even the right code, now
    assert SmsCode.objects.get().attempts == 5


def test_only_the_newest_code_counts(city, outbox, clock):
    send()
    first = last_code(outbox)
    clock(seconds=61)
    send()
    second = last_code(outbox)
    if first != second:
        with pytest.raises(ValidationError):
            services.sms_code_verify(phone=PHONE, code=first)
    assert services.sms_code_verify(phone=PHONE, code=second) == PHONE


def test_one_code_per_phone_per_minute(city, outbox, clock):
    send()
    clock(seconds=30)
    with pytest.raises(ValidationError, match="过于频繁") as e:
        send()
    assert "31 秒" in e.value.messages[0]
    clock(seconds=31)
    send()
    assert len(outbox) == 2


def test_five_codes_per_phone_per_hour(city, outbox, clock):
    for _ in range(5):
        send()
        clock(seconds=61)
    with pytest.raises(ValidationError, match="一小时内"):
        send()
    clock(minutes=56)  # the first of the five is now more than an hour old
    send()
    assert len(outbox) == 6


def test_twenty_codes_per_ip_per_hour(city, outbox, clock):
    for i in range(20):
        send(phone=f"1380000{i:04d}", ip="10.9.9.9")
    with pytest.raises(ValidationError, match="当前网络"):
        send(ip="10.9.9.9")
    send(ip="10.9.9.10")  # another address is not affected
    assert len(outbox) == 21  # twenty from the first address, one from the second


def test_a_number_that_is_no_members_gets_a_code_too(city, outbox, clock):
    """Workers who are not members sign in to apply to join; the limits apply the same."""
    send(phone=UNKNOWN)
    assert outbox[-1][0] == UNKNOWN
    assert services.sms_code_verify(phone=UNKNOWN, code=last_code(outbox)) == UNKNOWN
    account = services.account_for_phone(UNKNOWN)
    assert account.member is None and account.phone_masked == "139****9999"
    clock(seconds=10)
    with pytest.raises(ValidationError, match="过于频繁"):
        send(phone=UNKNOWN)


def test_sign_in_links_the_account_to_the_active_member_with_that_number(city, outbox):
    account = services.account_for_phone(PHONE)
    assert account.member == city.member_cy
    assert services.account_for_phone(PHONE).pk == account.pk  # one account per number


def test_member_who_left_keeps_the_link_to_the_former_record(city, outbox):
    from gonghui.portal.selectors import active_member

    account = services.account_for_phone(PHONE)
    assert account.member == city.member_cy
    with scopes_disabled():
        city.member_cy.status = MemberStatus.LEFT
        city.member_cy.save(update_fields=["status"])
    account = services.account_for_phone(PHONE)
    assert account.member == city.member_cy and active_member(account) is None


def test_invalid_phone_is_refused(city, outbox):
    with pytest.raises(ValidationError, match="不是有效"):
        send(phone="12345")
    assert SmsCode.objects.count() == 0
