import pytest

from conftest import make_staff
from gonghui.core.scoping import scopes_disabled
from gonghui.fund import services


@pytest.fixture
def fund_manager(city):
    """A finance officer of 朝阳区 (the user in the right unit)."""
    return make_staff(city.chaoyang, "officer", username="cy_fund_officer", full_name="钱会计")


@pytest.fixture
def books(city, fund_manager):
    """朝阳's donations account (a source, may go negative) and its district account."""
    with scopes_disabled():
        donations = services.account_open(
            by=fund_manager,
            code="CY-DON",
            name="朝阳捐赠收入",
            kind="donations",
            unit=city.chaoyang,
            allow_negative=True,
        )
        district = services.account_open(
            by=fund_manager, code="CY-DIST", name="朝阳区温暖基金", kind="district", unit=city.chaoyang
        )
        programme = services.account_open(
            by=fund_manager, code="CY-SPRING", name="朝阳春节送温暖", kind="programme", unit=city.chaoyang
        )
        out = services.payout_account_for(city.chaoyang)
    return {"donations": donations, "district": district, "programme": programme, "out": out}


def fund(books, by, amount, *, key="seed", target="district"):
    """Money in: a donation received into ``target``."""
    with scopes_disabled():
        return services.transfer(
            by=by, source=books["donations"], target=books[target], amount=amount, memo="社会捐赠", idempotency_key=key
        )
