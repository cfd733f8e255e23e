"""Writes to the warmth fund ledger. ``transaction_post`` is the only function that moves
money; everything else (donations, allocations, payments, corrections) calls it.

Why it cannot overdraw or pay twice:

* The accounts a transaction touches are locked in one fixed order (by primary key), so
  two postings on the same accounts queue instead of both reading the old balance, and
  two postings on overlapping accounts cannot deadlock.
* Balances change by ``F()`` expressions in the same database transaction as the entries;
  the ``fund_account_balance_not_negative`` CHECK constraint is the last line should any
  code path skip the check here.
* The idempotency key is UNIQUE: a retry, a double click or a second approver gets the
  transaction that was already posted, not a new one.

The race tests (tests/test_races.py) switch the lock off first to show each of these is
needed.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core.audit import audit_record
from gonghui.core.models import AuditAction
from gonghui.core.scoping import path_in_scope, scopes_disabled
from gonghui.fund.models import Account, AccountKind, Entry, Transaction

CENT = Decimal("0.01")
# max_digits 14, decimal_places 2 (models.MONEY): below a trillion yuan.
MAX_AMOUNT = Decimal("1e12")


class InsufficientFunds(ValidationError):
    def __init__(self, account: Account, needed: Decimal):
        self.account = account
        super().__init__(
            _("科目“%(a)s”余额不足：余额 %(b)s 元，本笔需支出 %(n)s 元。")
            % {"a": account.name, "b": account.balance, "n": needed},
            code="insufficient_funds",
        )


def check_permission(by, permission):
    if by is None or not by.can(permission):
        raise PermissionDenied(_("您没有执行此操作的权限。"))


def check_fund_manager(by):
    """'fund.manage' for a unit admin anywhere, for an officer only at city or district
    level: a street station files and applies, it does not keep the books."""
    from gonghui.orgs.models import UnitKind

    check_permission(by, "fund.manage")
    if "unit_admin" in by.role_set:
        return
    if by.unit is None or by.unit.kind not in (UnitKind.CITY_FEDERATION, UnitKind.DISTRICT_UNION):
        raise PermissionDenied(_("只有市、区总工会的工作人员可以管理温暖基金。"))


def money(value) -> Decimal:
    """A positive or negative amount of yuan to the fen; refuses anything else."""
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(_("金额“%(v)s”不是有效的数字。") % {"v": value}, code="amount_invalid") from None
    if not amount.is_finite():
        raise ValidationError(_("金额“%(v)s”不是有效的数字。") % {"v": value}, code="amount_invalid")
    if abs(amount) >= MAX_AMOUNT:
        # Beyond what the columns hold (and quantize() would raise on "1e30").
        raise ValidationError(_("金额过大，请核对。"), code="amount_invalid")
    if amount != amount.quantize(CENT):
        raise ValidationError(_("金额最多保留两位小数（分）。"), code="amount_invalid")
    return amount.quantize(CENT)


def account_open(*, by, code: str, name: str, kind: str, unit, allow_negative: bool = False) -> Account:
    check_fund_manager(by)
    if kind not in AccountKind.values:
        raise ValidationError({"kind": _("未知的科目类型。")})
    if not path_in_scope(unit.path):
        raise ValidationError({"unit": _("只能为本单位及下级开立科目。")})
    code, name = (code or "").strip(), (name or "").strip()
    if not code or not name:
        raise ValidationError(_("科目代码和名称必填。"))
    if allow_negative and kind != AccountKind.DONATIONS:
        # Only a source of money carries a credit balance; an asset or expense account that
        # could go negative would let the fund pay out money it does not have.
        raise ValidationError({"allow_negative": _("只有“捐赠收入”科目可以允许负余额。")})
    try:
        with transaction.atomic():
            account = Account.objects.create(
                code=code, name=name, kind=kind, unit=unit, allow_negative=bool(allow_negative)
            )
            audit_record(
                actor=by,
                action=AuditAction.CREATE,
                obj=account,
                changes={"code": [None, code], "kind": [None, kind], "allow_negative": [None, bool(allow_negative)]},
            )
    except IntegrityError:
        raise ValidationError({"code": _("科目代码“%(c)s”已存在。") % {"c": code}}) from None
    return account


def payout_account_for(unit) -> Account:
    """The unit's expense account (帮扶支出), opened on first use."""
    code = f"OUT-{unit.pk}"
    with scopes_disabled():
        existing = Account.objects.filter(code=code).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                return Account.objects.create(
                    code=code, name=_("%(u)s帮扶支出") % {"u": unit.label}, kind=AccountKind.PAYMENTS_OUT, unit=unit
                )
        except IntegrityError:  # opened by a concurrent first payment
            return Account.objects.get(code=code)


def lock_accounts(ids) -> dict[int, Account]:
    """Lock the accounts in primary-key order (the race tests switch this off)."""
    with scopes_disabled():
        return {a.pk: a for a in Account.objects.select_for_update().filter(pk__in=sorted(ids)).order_by("pk")}


def _apply_balance(account: Account, delta: Decimal) -> None:
    with scopes_disabled():
        Account.objects.filter(pk=account.pk).update(balance=F("balance") + delta)


def _existing(key: str) -> Transaction | None:
    with scopes_disabled():
        return Transaction.objects.filter(idempotency_key=key).first()


def _clean_entries(entries) -> dict[int, tuple[Account, Decimal]]:
    if not entries or len(entries) < 2:
        raise ValidationError(_("一笔交易至少要有两条分录。"), code="entries_missing")
    merged: dict[int, list] = {}
    for account, amount in entries:
        amount = money(amount)
        if amount == 0:
            raise ValidationError(_("分录金额不能为零。"), code="amount_zero")
        if account.pk in merged:
            merged[account.pk][1] += amount
        else:
            merged[account.pk] = [account, amount]
    total = sum((a for _acc, a in merged.values()), Decimal("0"))
    if total != 0:
        raise ValidationError(_("借贷不平衡：分录合计为 %(t)s 元，应为 0。") % {"t": total}, code="unbalanced")
    return {pk: (acc, amt) for pk, (acc, amt) in merged.items() if amt != 0}


def transaction_post(
    *,
    by,
    entries,
    memo: str,
    ref: tuple[str, str] = ("", ""),
    idempotency_key: str,
    unit=None,
    reverses: Transaction | None = None,
) -> Transaction:
    """Post one balanced transaction; with a key that was already posted, return that
    transaction and change nothing. ``entries`` are ``(account, amount)`` pairs whose
    amounts sum to zero; ``ref`` names the decision that authorised it. The caller has
    checked that ``by`` may authorise it (the application, batch or transfer it belongs to)."""
    key = (idempotency_key or "").strip()[:100]
    if not key:
        raise ValidationError(_("缺少请求编号（idempotency key）。"), code="key_missing")
    existing = _existing(key)
    if existing is not None:
        return existing
    lines = _clean_entries(entries)
    if not lines:
        raise ValidationError(_("各分录相互抵消，没有可记账的金额。"), code="entries_cancel")
    memo = (memo or "").strip()[:200]
    if not memo:
        raise ValidationError(_("请填写摘要。"), code="memo_missing")
    if unit is None:
        unit = next(iter(lines.values()))[0].unit
    with transaction.atomic():
        locked = lock_accounts(lines.keys())
        # A concurrent posting with the same key committed while we waited for the lock.
        existing = _existing(key)
        if existing is not None:
            return existing
        for pk, (_account, amount) in sorted(lines.items()):
            account = locked[pk]
            if amount < 0 and not account.allow_negative and account.balance + amount < 0:
                raise InsufficientFunds(account, -amount)
        try:
            with transaction.atomic():
                txn = Transaction(
                    posted_at=timezone.now(),
                    memo=memo,
                    unit=unit,
                    authorised_by=by if getattr(by, "is_authenticated", False) else None,
                    ref_type=ref[0][:40],
                    ref_id=str(ref[1])[:40],
                    idempotency_key=key,
                    reverses=reverses,
                )
                txn.save()
                with scopes_disabled():
                    Entry.objects.bulk_create(
                        [
                            Entry(transaction=txn, account=locked[pk], amount=amt)
                            for pk, (_a, amt) in sorted(lines.items())
                        ]
                    )
                for pk, (_account, amount) in sorted(lines.items()):
                    _apply_balance(locked[pk], amount)
        except IntegrityError as e:
            existing = _existing(key)
            if existing is not None:
                return existing
            if "balance_not_negative" in str(e):
                raise ValidationError(
                    _("余额不足：数据库拒绝了使余额为负的记账。"), code="insufficient_funds"
                ) from None
            if reverses is not None and "reverses" in str(e):
                raise ValidationError(_("该笔交易已冲正过。"), code="already_reversed") from None
            raise
        audit_record(
            actor=by,
            action=AuditAction.CREATE,
            obj=txn,
            changes={"entries": [[pk, str(amt)] for pk, (_a, amt) in sorted(lines.items())]},
            note=f"{ref[0]}:{ref[1]}" if ref[0] else "",
        )
    return txn


def transaction_reverse(*, by, txn: Transaction, reason: str) -> Transaction:
    """Correct a posted transaction by posting its mirror image; the original stays."""
    check_fund_manager(by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写冲正原因。"))
    if txn.reverses_id is not None:
        raise ValidationError(_("冲正凭证不能再冲正；如有错误请重新记账。"))
    with scopes_disabled():
        entries = [(e.account, -e.amount) for e in Entry.objects.filter(transaction=txn).select_related("account")]
        if Transaction.objects.filter(reverses=txn).exists():
            raise ValidationError(_("该笔交易已冲正过。"), code="already_reversed")
    return transaction_post(
        by=by,
        entries=entries,
        memo=_("冲正 #%(n)s：%(r)s") % {"n": txn.pk, "r": reason},
        ref=("fund.transaction", str(txn.pk)),
        idempotency_key=f"reverse-{txn.pk}",
        unit=txn.unit,
        reverses=txn,
    )


def transfer(*, by, source: Account, target: Account, amount, memo: str, idempotency_key: str) -> Transaction:
    """Move money between two accounts in scope: a donation received (donations → fund),
    an allocation (city fund → district → programme). Staff with 'fund.manage' only."""
    check_fund_manager(by)
    amount = money(amount)
    if amount <= 0:
        raise ValidationError({"amount": _("金额必须大于零。")})
    if source.pk == target.pk:
        raise ValidationError(_("转出和转入科目不能相同。"))
    for account in (source, target):
        if not path_in_scope(account.unit.path):
            raise PermissionDenied(_("只能在本单位及下级的科目之间记账。"))
    return transaction_post(
        by=by,
        entries=[(source, -amount), (target, amount)],
        memo=memo,
        ref=("fund.transfer", by.username if by else ""),
        idempotency_key=idempotency_key,
        unit=by.unit if by is not None and by.unit_id else source.unit,
    )


@dataclass
class BalanceMismatch:
    account: Account
    stored: Decimal
    ledger: Decimal

    @property
    def difference(self) -> Decimal:
        return self.stored - self.ledger


def balance_check(*, accounts=None) -> list[BalanceMismatch]:
    """Every account (of those given, else in scope) whose stored balance differs from the
    sum of its ledger entries. Empty means the books agree."""
    qs = accounts if accounts is not None else Account.objects.all()
    sums = dict(
        Entry.objects.filter(account__in=qs)
        .values("account")
        .annotate(total=Sum("amount"))
        .values_list("account", "total")
    )
    report = []
    for account in qs.select_related("unit"):
        ledger = sums.get(account.pk) or Decimal("0")
        if account.balance != ledger:
            report.append(BalanceMismatch(account, account.balance, ledger))
    return report
