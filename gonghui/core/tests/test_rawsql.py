"""Fixed statements give back the same instances the ORM would: every column converted as
the ORM converts it (SQLite's dates, booleans, decimals and naive datetimes), and no query
left for later."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import make_staff
from gonghui.accounts.models import ApiToken
from gonghui.accounts.services import api_token_authenticate, api_token_create
from gonghui.cards import hotpath
from gonghui.cards.models import Benefit, Venue
from gonghui.core import rawsql
from gonghui.core.scoping import scopes_disabled

pytestmark = pytest.mark.django_db


def _fields(obj, cols):
    return {c: getattr(obj, c) for c in cols}


def test_an_instance_from_a_fixed_statement_equals_the_orms(city):
    with scopes_disabled():
        venue = Venue.objects.create(name="劳动人民文化宫", unit=city.root)
        benefit = Benefit.objects.create(
            venue=venue,
            name="会员价游泳",
            kind="price",
            member_price=Decimal("12.50"),
            valid_from=dt.date(2026, 1, 1),
            valid_to=dt.date(2026, 12, 31),
            per_member_day=1,
            is_active=False,
        )
        orm = Benefit.objects.get(pk=benefit.pk)
    raw = hotpath.benefit_locked(benefit.pk)
    cols = rawsql.columns(Benefit)
    assert _fields(raw, cols) == _fields(orm, cols)
    assert type(raw.valid_from) is dt.date and raw.is_active is False and raw.member_price == Decimal("12.50")
    assert hotpath.benefit_locked(benefit.pk + 1000) is None


def test_bearer_authentication_loads_the_staff_unit_and_roles_in_two_statements(city):
    officer = make_staff(city.chaoyang, "officer", username="cy_api")
    token, raw = api_token_create(staff=officer, name="integration")
    with CaptureQueriesContext(connection) as first:
        found = api_token_authenticate(raw)
    assert found.pk == token.pk and found.staff.pk == officer.pk
    assert found.staff.unit.path == city.chaoyang.path and found.staff.can("members.view")
    assert found.last_used_at is None and isinstance(found.created_at, dt.datetime)
    assert timezone.is_aware(found.created_at)
    assert len(first.captured_queries) == 3  # token with staff and unit, roles, last used
    with CaptureQueriesContext(connection) as again:
        found = api_token_authenticate(raw)
        assert found.staff.can("orgs.view") and found.staff.unit.name  # nothing more is read
    assert len(again.captured_queries) == 2


def test_expired_revoked_and_inactive_tokens_authenticate_nobody(city):
    officer = make_staff(city.chaoyang, "officer", username="cy_api2")
    token, raw = api_token_create(staff=officer)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert api_token_authenticate(raw) is None
    ApiToken.objects.filter(pk=token.pk).update(expires_at=None, revoked_at=timezone.now())
    assert api_token_authenticate(raw) is None
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=None)
    assert api_token_authenticate(raw) is not None
    with scopes_disabled():
        type(officer).objects.filter(pk=officer.pk).update(is_active=False)
    assert api_token_authenticate(raw) is None
    assert api_token_authenticate(raw + "x") is None
