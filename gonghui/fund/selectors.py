"""Scoped reads of the ledger: accounts, statements, exports."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core.audit import audit_record
from gonghui.core.models import AuditAction
from gonghui.core.scoping import path_in_scope, scopes_disabled
from gonghui.fund.models import Account, Entry, Transaction


def account_list(*, kind=None):
    qs = Account.objects.select_related("unit")
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("unit__path", "code")


def account_get(pk) -> Account:
    return get_object_or_404(Account.objects.select_related("unit"), pk=pk)


@dataclass
class Statement:
    account: Account
    start: dt.date
    end: dt.date
    opening: Decimal
    rows: list  # (entry, running balance)
    closing: Decimal
    debits: Decimal
    credits: Decimal


def _day_bounds(start: dt.date, end: dt.date):
    tz = timezone.get_current_timezone()
    lo = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return lo, hi


def account_statement(*, account: Account, start: dt.date, end: dt.date) -> Statement:
    """Opening balance before ``start``, every entry from ``start`` to ``end`` (local
    dates, inclusive) with the running balance, and the closing balance."""
    if end < start:
        start, end = end, start
    lo, hi = _day_bounds(start, end)
    entries = Entry.objects.filter(account=account)
    opening = entries.filter(transaction__posted_at__lt=lo).aggregate(s=Sum("amount"))["s"] or Decimal("0")
    rows, running, debits, credits = [], opening, Decimal("0"), Decimal("0")
    period = (
        entries.filter(transaction__posted_at__gte=lo, transaction__posted_at__lt=hi)
        .select_related("transaction", "transaction__authorised_by")
        .order_by("transaction__posted_at", "transaction_id", "id")
    )
    for entry in period:
        running += entry.amount
        if entry.amount > 0:
            debits += entry.amount
        else:
            credits -= entry.amount
        rows.append((entry, running))
    return Statement(account, start, end, opening, rows, running, debits, credits)


def statement_export(*, by, account: Account, start: dt.date, end: dt.date):
    """The statement as .xlsx, audited as an export."""
    from gonghui.imports.exports import Spreadsheet, _save, _stamp, _write_only

    if by is None or not by.can("fund.view"):
        raise PermissionDenied(_("您没有执行此操作的权限。"))
    statement = account_statement(account=account, start=start, end=end)
    headers = (_("记账时间"), _("凭证号"), _("摘要"), _("依据"), _("收入"), _("支出"), _("余额"), _("批准人"))
    book, sheet = _write_only(_("科目明细账"), headers, (18, 8, 40, 24, 12, 12, 14, 12))
    sheet.append([_("期初余额"), "", "", "", "", "", float(statement.opening), ""])
    for entry, running in statement.rows:
        txn = entry.transaction
        sheet.append(
            [
                timezone.localtime(txn.posted_at).strftime("%Y-%m-%d %H:%M"),
                txn.pk,
                txn.memo,
                f"{txn.ref_type}:{txn.ref_id}" if txn.ref_type else "",
                float(entry.amount) if entry.amount > 0 else None,
                float(-entry.amount) if entry.amount < 0 else None,
                float(running),
                txn.authorised_by.get_username() if txn.authorised_by_id else "",
            ]
        )
    sheet.append(
        [_("期末余额"), "", "", "", float(statement.debits), float(statement.credits), float(statement.closing), ""]
    )
    out = _save(book)
    audit_record(
        actor=by,
        action=AuditAction.EXPORT,
        obj=account,
        changes={"start": start, "end": end, "rows": len(statement.rows)},
        note=_("导出科目明细账 %(c)s，%(s)s 至 %(e)s，%(n)d 笔")
        % {"c": account.code, "s": start, "e": end, "n": len(statement.rows)},
    )
    return Spreadsheet(f"{_('科目明细账')}-{account.code}-{_stamp()}.xlsx", out, len(statement.rows))


def transaction_get(pk) -> Transaction:
    """A transaction the user may see: one their unit authorised, or one that touches an
    account in their subtree (a station sees the district's payment into its account)."""
    with scopes_disabled():
        txn = (
            Transaction.objects.select_related("unit", "authorised_by", "reverses")
            .prefetch_related("entries__account__unit")
            .filter(pk=pk)
            .first()
        )
    if txn is None:
        raise Http404
    if not path_in_scope(txn.unit.path) and not any(path_in_scope(e.account.unit.path) for e in txn.entries.all()):
        raise Http404
    return txn


def transaction_reversal(txn: Transaction) -> Transaction | None:
    with scopes_disabled():
        return Transaction.objects.filter(reverses=txn).first()


def transaction_ref_url(txn: Transaction) -> str | None:
    """The page of the decision that authorised a transaction, where there is one."""
    if txn.ref_type == "fund.transaction" and txn.reverses_id:
        return reverse("fund:transaction_detail", args=[txn.reverses_id])
    if txn.ref_type == "hardship.application" and txn.ref_id.isdigit():
        from gonghui.hardship.models import AssistanceApplication

        file_id = AssistanceApplication.objects.filter(pk=int(txn.ref_id)).values_list("file_id", flat=True).first()
        return reverse("hardship:file_detail", args=[file_id]) if file_id else None
    return None
