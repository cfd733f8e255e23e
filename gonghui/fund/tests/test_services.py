import datetime as dt
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from conftest import make_staff
from gonghui.core.models import AuditEntry
from gonghui.core.scoping import scopes_disabled, user_scope
from gonghui.fund import selectors, services
from gonghui.fund.models import Account, AppendOnly, Entry, Transaction
from gonghui.fund.tests.conftest import fund

pytestmark = pytest.mark.django_db


def balances(*accounts):
    with scopes_disabled():
        return [Account.objects.get(pk=a.pk).balance for a in accounts]


def test_a_donation_moves_money_and_the_books_agree(books, fund_manager):
    txn = fund(books, fund_manager, "1000.00")
    assert balances(books["donations"], books["district"]) == [Decimal("-1000.00"), Decimal("1000.00")]
    with scopes_disabled():
        assert sorted(e.amount for e in txn.entries.all()) == [Decimal("-1000.00"), Decimal("1000.00")]
        assert services.balance_check() == []


def test_unbalanced_zero_and_malformed_entries_are_refused(books, fund_manager):
    with scopes_disabled():
        for entries, code in [
            ([(books["district"], "10"), (books["donations"], "-9")], "unbalanced"),
            ([(books["district"], "0"), (books["donations"], "0")], "amount_zero"),
            ([(books["district"], "10")], "entries_missing"),
            ([(books["district"], "1.005"), (books["donations"], "-1.005")], "amount_invalid"),
        ]:
            with pytest.raises(ValidationError) as e:
                services.transaction_post(by=fund_manager, entries=entries, memo="x", idempotency_key=f"k-{code}")
            assert e.value.code == code
        assert not Transaction.objects.filter(idempotency_key__startswith="k-").exists()


def test_an_account_never_goes_below_zero(books, fund_manager):
    fund(books, fund_manager, "100")
    with scopes_disabled(), pytest.raises(services.InsufficientFunds, match="余额不足"):
        services.transfer(
            by=fund_manager,
            source=books["district"],
            target=books["programme"],
            amount="100.01",
            memo="拨付",
            idempotency_key="k2",
        )
    assert balances(books["district"], books["programme"]) == [Decimal("100.00"), Decimal("0.00")]


def test_the_database_refuses_a_negative_balance_even_if_the_code_does_not_check(books):
    with scopes_disabled(), pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=books["district"].pk).update(balance=Decimal("-1"))
    # A source account opened to carry a credit balance may.
    with scopes_disabled():
        Account.objects.filter(pk=books["donations"].pk).update(balance=Decimal("-1"))


def test_the_same_idempotency_key_posts_once(books, fund_manager):
    first = fund(books, fund_manager, "50", key="donation-2025-001")
    again = fund(books, fund_manager, "50", key="donation-2025-001")
    assert first.pk == again.pk
    assert balances(books["district"]) == [Decimal("50.00")]


def test_a_correction_is_a_reversing_transaction_never_an_edit(books, fund_manager):
    txn = fund(books, fund_manager, "80")
    with scopes_disabled():
        reversal = services.transaction_reverse(by=fund_manager, txn=txn, reason="录入错误")
        assert reversal.reverses_id == txn.pk
        assert Entry.objects.filter(transaction=txn).count() == 2  # the original stays
        with pytest.raises(ValidationError, match="已冲正"):
            services.transaction_reverse(by=fund_manager, txn=txn, reason="再次")
        assert services.balance_check() == []
    assert balances(books["district"], books["donations"]) == [Decimal("0.00"), Decimal("0.00")]


def test_posted_rows_refuse_changes_in_python(books, fund_manager):
    txn = fund(books, fund_manager, "10")
    with scopes_disabled():
        entry = Entry.objects.filter(transaction=txn).first()
        entry.amount = Decimal("99")
        with pytest.raises(AppendOnly):
            entry.save()
        with pytest.raises(AppendOnly):
            entry.delete()
        with pytest.raises(AppendOnly):
            Entry.objects.filter(pk=entry.pk).update(amount=1)
        with pytest.raises(AppendOnly):
            Transaction.objects.filter(pk=txn.pk).delete()


@pytest.mark.postgres
def test_posted_rows_refuse_changes_in_sql_on_postgresql(books, fund_manager):
    txn = fund(books, fund_manager, "10")
    for sql in [
        "UPDATE fund_entry SET amount = 99 WHERE transaction_id = %s",
        "DELETE FROM fund_entry WHERE transaction_id = %s",
    ]:
        with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [txn.pk])


def _behind_the_apps_back(table, sql, params):
    """Change a posted ledger row in SQL, as a bug or a hand-typed statement would (what
    the balance check is for). On PostgreSQL the append-only trigger is switched off for
    the statement; the pending foreign-key checks are run first so the table may be altered."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")


def _tamper(entry_pk, amount):
    _behind_the_apps_back("fund_entry", "UPDATE fund_entry SET amount = %s WHERE id = %s", [amount, entry_pk])


def test_the_balance_check_reports_a_ledger_row_changed_in_sql(books, fund_manager):
    txn = fund(books, fund_manager, "300")
    with scopes_disabled():
        assert services.balance_check() == []
        entry = Entry.objects.get(transaction=txn, account=books["district"])
    _tamper(entry.pk, "250.00")
    with scopes_disabled():
        report = services.balance_check()
    assert [(m.account.code, m.stored, m.ledger) for m in report] == [("CY-DIST", Decimal("300.00"), Decimal("250.00"))]
    assert report[0].difference == Decimal("50.00")


def test_statement_has_opening_rows_and_closing_and_exports_audited(books, fund_manager):
    fund(books, fund_manager, "500", key="old")  # moved into last month below
    _behind_the_apps_back(
        "fund_transaction",
        "UPDATE fund_transaction SET posted_at = %s WHERE idempotency_key = 'old'",
        [timezone.now() - dt.timedelta(days=40)],
    )
    fund(books, fund_manager, "200", key="new")
    with scopes_disabled():
        services.transfer(
            by=fund_manager,
            source=books["district"],
            target=books["programme"],
            amount="120",
            memo="拨付春节项目",
            idempotency_key="alloc",
        )
    today = timezone.localdate()
    with user_scope(fund_manager):
        account = selectors.account_get(books["district"].pk)
        st = selectors.account_statement(account=account, start=today - dt.timedelta(days=7), end=today)
        assert st.opening == Decimal("500.00")
        assert [(e.amount, run) for e, run in st.rows] == [
            (Decimal("200.00"), Decimal("700.00")),
            (Decimal("-120.00"), Decimal("580.00")),
        ]
        assert st.closing == Decimal("580.00") == Account.objects.get(pk=account.pk).balance
        sheet = selectors.statement_export(
            by=fund_manager, account=account, start=today - dt.timedelta(days=7), end=today
        )
    book = openpyxl.load_workbook(sheet.file)
    rows = list(book.active.values)
    assert rows[1][0] == "期初余额" and rows[1][6] == 500
    assert rows[-1][0] == "期末余额" and rows[-1][6] == 580
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="export", object_type="fund.account").count() == 1


def test_a_station_officer_does_not_keep_the_books(city, books):
    station_officer = make_staff(city.chaoyang_station, "officer")
    with scopes_disabled(), pytest.raises(PermissionDenied):
        services.transfer(
            by=station_officer,
            source=books["donations"],
            target=books["district"],
            amount="1",
            memo="x",
            idempotency_key="s",
        )


def test_outsider_sees_no_account_and_cannot_move_money(city, books, fund_manager, outsider):
    fund(books, fund_manager, "10")
    with user_scope(outsider):
        assert [a.code for a in selectors.account_list()] == ["HD-DON", "HD-SPRING"]  # 海淀's own only
        assert {e.account.code for e in Entry.objects.select_related("account")} == {"HD-DON", "HD-SPRING"}
        assert services.balance_check() == []
        with pytest.raises(PermissionDenied):
            services.transfer(
                by=outsider,
                source=books["district"],
                target=books["programme"],
                amount="1",
                memo="x",
                idempotency_key="o",
            )


@pytest.mark.parametrize("value", ["1e30", "-1e15", "NaN", "Infinity", "12,5", "", "0.001"])
def test_absurd_amounts_are_a_clear_error_not_a_crash(value):
    with pytest.raises(ValidationError) as e:
        services.money(value)
    assert e.value.code == "amount_invalid"
