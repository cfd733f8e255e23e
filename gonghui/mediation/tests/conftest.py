"""Mediation fixtures: a 朝阳 street mediation room with two mediators, a handler in it,
the 朝阳 district officer above it, and the 海淀 outsider (root conftest)."""

import datetime as dt

import pytest

from conftest import make_staff
from gonghui.core.scoping import scopes_disabled


@pytest.fixture
def handler(city):
    return make_staff(city.chaoyang_station, "mediator", username="cy_mediator", full_name="孙调解")


@pytest.fixture
def body(city):
    from gonghui.mediation.services import body_create

    admin = make_staff(city.chaoyang, "unit_admin", username="cy_admin_med")
    with scopes_disabled():
        return body_create(by=admin, kind="street_room", name="建外街道劳动争议调解室", unit=city.chaoyang_station)


@pytest.fixture
def mediators(city, body, handler):
    from gonghui.mediation.services import mediator_add

    admin = make_staff(city.chaoyang, "unit_admin", username="cy_admin_med2")
    with scopes_disabled():
        first = mediator_add(by=admin, body=body, kind="union_staff", staff=handler)
        second = mediator_add(by=admin, body=body, kind="other", name="钱调解", qualifications="人民调解员证")
    return first, second


SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许"
GIVEN = "建国志强秀英丽华明伟芳军"


def worker_rows(n):
    return [
        {"name": SURNAMES[i % 20] + GIVEN[i % 12] + GIVEN[(i * 7) % 12], "phone": f"1390000{i:04d}"}
        for i in range(1, n + 1)
    ]


def open_case(by, body, employer, *, n=2, claims=None, applied_on=None, **kw):
    from gonghui.core.scoping import user_scope
    from gonghui.mediation.services import case_open

    with user_scope(by):
        return case_open(
            by=by,
            body=body,
            employer=employer,
            source=kw.pop("source", "walk_in"),
            description="拖欠工资和加班费，申请调解。",
            workers=worker_rows(n),
            claims=claims or [{"type": "wages", "amount": "20000"}, {"type": "overtime", "amount": "5000"}],
            applied_on=applied_on,
            **kw,
        )


@pytest.fixture
def case(city, body, mediators, handler):
    return open_case(handler, body, city.employer_cy)


@pytest.fixture
def case_in_mediation(case, handler):
    from django.utils import timezone

    from gonghui.core.scoping import user_scope
    from gonghui.mediation.services import case_accept, session_schedule

    with user_scope(handler):
        case_accept(by=handler, case=case)
        session_schedule(
            by=handler,
            case=case,
            scheduled_at=timezone.now() + dt.timedelta(days=1),
            mode="in_person",
            location="调解室",
        )
    case.refresh_from_db()
    return case


@pytest.fixture(autouse=True)
def _handler_scope(request):
    """A test that uses the handler runs in the handler's organisation scope, as their
    requests do; a test switches to another actor with ``user_scope`` around the call."""
    if "handler" not in request.fixturenames:
        yield
        return
    from gonghui.core.scoping import user_scope

    handler = request.getfixturevalue("handler")
    with user_scope(handler):
        yield
