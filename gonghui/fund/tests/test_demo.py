"""The demo warmth fund (gonghui/fund/demo.py) on the shared test city."""

import pytest

from gonghui.core.scoping import scopes_disabled
from gonghui.fund import demo, services
from gonghui.fund.models import Account, AccountKind, Transaction

pytestmark = pytest.mark.django_db


def test_demo_fund_books_donations_and_allocations_once(city):
    made = demo.seed_demo_fund()
    assert made["accounts"] == 4  # city fund, donations, 朝阳 and 海淀 (the test city's districts)
    assert made["transactions"] >= 10
    with scopes_disabled():
        fund = Account.objects.get(code=demo.CITY_FUND)
        donations = Account.objects.get(code=demo.CITY_DONATIONS)
        assert fund.kind == AccountKind.FUND and fund.unit == city.root
        assert donations.allow_negative and donations.balance < 0
        districts = Account.objects.filter(kind=AccountKind.DISTRICT)
        assert {a.unit for a in districts} == {city.chaoyang, city.haidian}
        assert all(a.balance > 0 for a in districts)
        assert fund.balance + sum(a.balance for a in districts) == -donations.balance
        assert services.balance_check(accounts=Account.objects.all()) == []
        count = Transaction.objects.count()

    assert demo.seed_demo_fund() == {"accounts": 0, "transactions": 0}
    with scopes_disabled():
        assert Transaction.objects.count() == count


def test_demo_fund_without_a_city_does_nothing(db):
    assert demo.seed_demo_fund() == {"accounts": 0, "transactions": 0}
