"""温暖基金: the warmth fund as a double-entry ledger.

Every movement of money is one ``Transaction`` whose ``Entry`` rows sum to zero. An
account's ``balance`` is a guarded counter: only ``transaction_post`` changes it, with
``F()`` under a row lock, in the same database transaction as the entries, and the
database refuses a negative balance for an account that may not go below zero
(``balance_check`` compares every counter with the sum of its entries). Transactions and
entries are append-only: a correction is a reversing transaction, never an edit. On
PostgreSQL and SQLite a trigger refuses UPDATE and DELETE; the models refuse in Python too.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gonghui.core.scoping import org_scoped_manager

MONEY = {"max_digits": 14, "decimal_places": 2}


class AccountKind(models.TextChoices):
    FUND = "fund", _("市级基金")
    DISTRICT = "district", _("区级拨付")
    PROGRAMME = "programme", _("帮扶项目")
    DONATIONS = "donations", _("捐赠收入")
    PAYMENTS_OUT = "payments_out", _("帮扶支出")
    PLAN = "plan", _("互助保障计划")


class AppendOnly(Exception):
    """A posted ledger row was about to be changed or deleted."""


class Account(models.Model):
    """A ledger account. Asset accounts (fund, district, programme, plan) and the expense
    account never go below zero; a source account such as donations received carries a
    negative (credit) balance and is opened with ``allow_negative``."""

    code = models.CharField(_("科目代码"), max_length=40, unique=True)
    name = models.CharField(_("科目名称"), max_length=120)
    kind = models.CharField(_("科目类型"), max_length=16, choices=AccountKind.choices)
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("所属工会"), on_delete=models.PROTECT, related_name="+")
    balance = models.DecimalField(_("余额"), default=0, **MONEY)
    allow_negative = models.BooleanField(
        _("允许负余额"), default=False, help_text=_("仅用于捐赠收入等来源科目（贷方余额）。")
    )
    created_at = models.DateTimeField(_("开立时间"), auto_now_add=True)

    objects = org_scoped_manager("unit__path__startswith")

    class Meta:
        verbose_name = _("基金科目")
        verbose_name_plural = _("基金科目")
        ordering = ["unit__path", "code"]
        constraints = [
            # The last line: whatever the code does, an account that may not go below zero
            # never does.
            models.CheckConstraint(
                condition=Q(allow_negative=True) | Q(balance__gte=0), name="fund_account_balance_not_negative"
            )
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def audit_scope_path(self):
        return self.unit.path


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("ledger rows are append-only")

    def delete(self):
        raise AppendOnly("ledger rows are append-only")


AppendOnlyManager = models.Manager.from_queryset(AppendOnlyQuerySet)


class AppendOnlyModel(models.Model):
    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # Not business logic: a guard that a posted row is never written a second time.
        if not self._state.adding:
            raise AppendOnly("ledger rows are append-only")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("ledger rows are append-only")


class Transaction(AppendOnlyModel):
    """One balanced movement, traced to the decision that authorised it (``ref_type`` /
    ``ref_id``, e.g. ``hardship.application`` / ``42``)."""

    posted_at = models.DateTimeField(_("记账时间"), db_index=True)
    memo = models.CharField(_("摘要"), max_length=200)
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("经办单位"), on_delete=models.PROTECT, related_name="+")
    authorised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("批准人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    ref_type = models.CharField(_("依据类型"), max_length=40, blank=True)
    ref_id = models.CharField(_("依据编号"), max_length=40, blank=True)
    idempotency_key = models.CharField(_("请求编号"), max_length=100, unique=True)
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("冲正的交易"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )

    objects = org_scoped_manager("unit__path__startswith", AppendOnlyManager)

    class Meta:
        verbose_name = _("记账凭证")
        verbose_name_plural = _("记账凭证")
        ordering = ["-posted_at", "-id"]
        indexes = [models.Index(fields=["ref_type", "ref_id"], name="fund_txn_ref")]

    def __str__(self):
        return f"#{self.pk} {self.memo}"

    def audit_scope_path(self):
        return self.unit.path


class Entry(AppendOnlyModel):
    """One line of a transaction: a signed amount on one account (debit +, credit −)."""

    transaction = models.ForeignKey(Transaction, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(Account, verbose_name=_("科目"), on_delete=models.PROTECT, related_name="entries")
    amount = models.DecimalField(_("金额"), **MONEY)

    objects = org_scoped_manager("account__unit__path__startswith", AppendOnlyManager)

    class Meta:
        verbose_name = _("分录")
        verbose_name_plural = _("分录")
        ordering = ["transaction__posted_at", "transaction_id", "id"]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="fund_entry_amount_not_zero")]

    def __str__(self):
        return f"{self.account_id} {self.amount}"

    @property
    def inflow(self):
        return self.amount if self.amount > 0 else None

    @property
    def outflow(self):
        return -self.amount if self.amount < 0 else None
