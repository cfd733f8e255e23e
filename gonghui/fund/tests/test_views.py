"""The ledger's pages: opening an account, a transaction with its entries and the decision
behind it, and a reversal that leaves the original in place."""

from decimal import Decimal

import pytest

from conftest import login, make_staff
from gonghui.core.scoping import scopes_disabled
from gonghui.fund.models import Account, Transaction
from gonghui.fund.tests.conftest import fund

pytestmark = pytest.mark.django_db


def balance(account):
    with scopes_disabled():
        return Account.objects.get(pk=account.pk).balance


def test_a_manager_opens_an_account_and_an_asset_account_may_not_go_negative(client, city, fund_manager):
    login(client, fund_manager)
    page = client.get("/fund/accounts/new/")
    assert page.status_code == 200 and "海淀" not in page.content.decode()

    refused = client.post(
        "/fund/accounts/new/",
        {
            "code": "CY-MED",
            "name": "朝阳医疗救助",
            "kind": "programme",
            "unit": city.chaoyang.pk,
            "allow_negative": "on",
        },
    )
    assert refused.status_code == 200
    assert "只有“捐赠收入”科目可以允许负余额" in refused.content.decode()
    with scopes_disabled():
        assert not Account.objects.filter(code="CY-MED").exists()

    opened = client.post(
        "/fund/accounts/new/", {"code": "CY-MED", "name": "朝阳医疗救助", "kind": "programme", "unit": city.chaoyang.pk}
    )
    with scopes_disabled():
        account = Account.objects.get(code="CY-MED")
    assert opened.status_code == 302 and opened["Location"] == f"/fund/accounts/{account.pk}/"
    assert account.balance == 0 and not account.allow_negative

    duplicate = client.post(
        "/fund/accounts/new/", {"code": "CY-MED", "name": "又一个", "kind": "programme", "unit": city.chaoyang.pk}
    )
    assert "已存在" in duplicate.content.decode()


def test_a_station_officer_cannot_open_accounts(client, city):
    officer = make_staff(city.chaoyang_station, "officer", username="station_books")
    login(client, officer)
    response = client.post(
        "/fund/accounts/new/",
        {"code": "ST-1", "name": "站里的钱", "kind": "programme", "unit": city.chaoyang_station.pk},
    )
    assert "只有市、区总工会的工作人员可以管理温暖基金" in response.content.decode()
    with scopes_disabled():
        assert not Account.objects.filter(code="ST-1").exists()


def test_a_transaction_page_shows_its_entries_and_the_statement_links_to_it(client, books, fund_manager):
    txn = fund(books, fund_manager, "1000.00")
    login(client, fund_manager)
    statement = client.get(f"/fund/accounts/{books['district'].pk}/").content.decode()
    assert f'href="/fund/transactions/{txn.pk}/"' in statement
    body = client.get(f"/fund/transactions/{txn.pk}/").content.decode()
    assert "社会捐赠" in body and "CY-DON" in body and "CY-DIST" in body and "1,000.00" in body
    assert 'id="reverse-form"' in body


def test_a_reversal_posts_the_mirror_image_once_and_keeps_the_original(client, books, fund_manager):
    txn = fund(books, fund_manager, "1000.00")
    login(client, fund_manager)

    no_reason = client.post(f"/fund/transactions/{txn.pk}/reverse/", {"reason": " "}, follow=True)
    assert "请填写冲正原因" in no_reason.content.decode()
    assert balance(books["district"]) == Decimal("1000.00")

    done = client.post(f"/fund/transactions/{txn.pk}/reverse/", {"reason": "金额录错"})
    with scopes_disabled():
        reversal = Transaction.objects.get(reverses=txn)
        assert Transaction.objects.filter(pk=txn.pk).exists()
    assert done.status_code == 302 and done["Location"] == f"/fund/transactions/{reversal.pk}/"
    assert balance(books["district"]) == Decimal("0.00") and balance(books["donations"]) == Decimal("0.00")

    again = client.post(f"/fund/transactions/{txn.pk}/reverse/", {"reason": "再冲一次"}, follow=True)
    assert "该笔交易已冲正过" in again.content.decode()
    of_reversal = client.post(f"/fund/transactions/{reversal.pk}/reverse/", {"reason": "冲正冲正"}, follow=True)
    assert "冲正凭证不能再冲正" in of_reversal.content.decode()
    with scopes_disabled():
        assert Transaction.objects.filter(pk__gte=txn.pk).count() == 2
    original = client.get(f"/fund/transactions/{txn.pk}/").content.decode()
    assert f"#{reversal.pk}" in original and 'id="reverse-form"' not in original


def test_a_viewer_sees_no_reversal_form_and_cannot_reverse(client, city, books, fund_manager):
    txn = fund(books, fund_manager, "300")
    auditor = make_staff(city.chaoyang, "auditor", username="cy_fund_auditor")
    login(client, auditor)
    assert 'id="reverse-form"' not in client.get(f"/fund/transactions/{txn.pk}/").content.decode()
    assert client.post(f"/fund/transactions/{txn.pk}/reverse/", {"reason": "x"}).status_code == 403
    assert balance(books["district"]) == Decimal("300.00")
