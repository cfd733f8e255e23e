"""Simultaneous requests for a code to one number: the per-number limit holds."""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from gonghui.portal import services
from gonghui.portal.models import SmsCode

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PHONE = "13700009999"


def race(n=4):
    start = threading.Barrier(n, timeout=10)
    outcomes = []

    def request(i):
        try:
            start.wait()
            services.sms_code_send(phone=PHONE, ip=f"10.0.0.{i}")
            outcomes.append("sent")
        except ValidationError as e:
            outcomes.append(e.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=request, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


@pytest.fixture
def slow_insert(monkeypatch):
    """Widen the gap between the checks and the insert, as a busy server would."""
    real = services._code_row_create

    def slow(*args):
        time.sleep(0.3)
        return real(*args)

    monkeypatch.setattr(services, "_code_row_create", slow)


def test_without_the_lock_simultaneous_requests_all_pass_the_limit(db, slow_insert, monkeypatch, outbox):
    """The control run: with the lock switched off every request sees no recent code."""
    monkeypatch.setattr(services, "advisory_xact_lock", lambda *args: None)
    assert race() == ["sent"] * 4
    assert SmsCode.objects.count() == 4


def test_with_the_lock_exactly_one_code_is_sent(db, slow_insert, outbox):
    outcomes = race()
    assert sorted(outcomes) == ["phone_interval"] * 3 + ["sent"]
    assert SmsCode.objects.count() == 1 and len(outbox) == 1
