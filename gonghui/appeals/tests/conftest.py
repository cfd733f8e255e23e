import datetime as dt

import pytest
from django.utils import timezone

from conftest import make_staff
from gonghui.portal.sms import ConsoleBackend


@pytest.fixture(autouse=True)
def outbox():
    ConsoleBackend.outbox.clear()
    yield ConsoleBackend.outbox
    ConsoleBackend.outbox.clear()


@pytest.fixture
def operator(city):
    """A 12351 hotline operator at the city federation."""
    return make_staff(city.root, "officer", username="hotline_op")


@pytest.fixture
def cju_worker(city):
    """A social worker of 永安里社区联合工会 (covers 北京国贸餐饮)."""
    return make_staff(city.chaoyang_cju, "social_worker", username="cju_sw")


@pytest.fixture
def clock(monkeypatch):
    """Move time: everything reads django.utils.timezone.now."""
    state = {"now": timezone.now()}
    monkeypatch.setattr(timezone, "now", lambda: state["now"])

    def advance(**delta):
        state["now"] += dt.timedelta(**delta)
        return state["now"]

    advance.now = lambda: state["now"]
    return advance
