"""职工互助保障: mutual-aid insurance run by a city or district union.

A ``Plan`` (hospitalisation, critical illness, accident) covers the members enrolled in
it for one year. A unit's members are enrolled in one ``EnrolmentBatch``; confirming the
batch posts the premiums to the plan's own ledger account (``AccountKind.PLAN``). A
``Claim`` is registered for an enrolled member, reviewed by the station or unit, approved
by the district or city (not by the reviewer) within the plan's limits, and paid from the
plan's account through the fund ledger — once, whatever happens.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gonghui.core.models import EvidenceFile
from gonghui.core.scoping import org_scoped_manager

MONEY = {"max_digits": 12, "decimal_places": 2}


class PlanKind(models.TextChoices):
    HOSPITALISATION = "hospitalisation", _("住院医疗互助")
    CRITICAL_ILLNESS = "critical_illness", _("重大疾病互助")
    ACCIDENT = "accident", _("意外伤害互助")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("筹备中")
    OPEN = "open", _("参保中")
    CLOSED = "closed", _("已结束")


PLAN_PIPELINE = {
    PlanStatus.DRAFT: {PlanStatus.OPEN},
    PlanStatus.OPEN: {PlanStatus.CLOSED},
    PlanStatus.CLOSED: set(),
}


class Plan(models.Model):
    """互助保障计划: one kind of cover for one year. What a claim may pay: for a
    hospitalisation plan the days in hospital at the daily allowance (住院津贴), for the
    others the expenses at the reimbursement ratio; in any case at most ``claim_limit`` per
    claim and ``yearly_limit`` per member in the plan's year."""

    name = models.CharField(_("计划名称"), max_length=80)
    kind = models.CharField(_("保障类型"), max_length=20, choices=PlanKind.choices)
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("主办单位"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("保障年度"))
    premium = models.DecimalField(_("每人年度互助金（元）"), **MONEY)
    claim_limit = models.DecimalField(_("单次给付限额（元）"), **MONEY)
    yearly_limit = models.DecimalField(_("每人年度给付限额（元）"), **MONEY)
    daily_allowance = models.DecimalField(
        _("住院日津贴（元/天）"), null=True, blank=True, help_text=_("仅住院医疗互助：按住院天数给付。"), **MONEY
    )
    reimbursement_ratio = models.DecimalField(
        _("给付比例"),
        max_digits=3,
        decimal_places=2,
        default=1,
        help_text=_("重大疾病、意外伤害互助：按费用的该比例给付，如0.80。"),
    )
    waiting_days = models.PositiveSmallIntegerField(
        _("等待期（天）"), default=0, help_text=_("自参保之日起，等待期内发生的事件不予给付。")
    )
    account = models.OneToOneField(
        "fund.Account", verbose_name=_("互助金科目"), on_delete=models.PROTECT, related_name="mutualaid_plan"
    )
    status = models.CharField(_("状态"), max_length=8, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = org_scoped_manager("unit__path__startswith")

    class Meta:
        verbose_name = _("互助保障计划")
        verbose_name_plural = _("互助保障计划")
        ordering = ["-year", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(premium__gt=0)
                & Q(claim_limit__gt=0)
                & Q(yearly_limit__gte=models.F("claim_limit"))
                & Q(reimbursement_ratio__gt=0)
                & Q(reimbursement_ratio__lte=1),
                name="mutualaid_plan_amounts",
            ),
        ]

    def __str__(self):
        return f"{self.year} {self.name}"

    def audit_scope_path(self):
        return self.unit.path

    @property
    def per_day(self) -> bool:
        return self.kind == PlanKind.HOSPITALISATION and self.daily_allowance is not None


class BatchStatus(models.TextChoices):
    DRAFT = "draft", _("待确认")
    CONFIRMED = "confirmed", _("已确认缴费")


class EnrolmentBatch(models.Model):
    """One unit's members enrolled in a plan at once: every active member of the unit's
    subtree not yet enrolled. The figures are computed when the batch is drawn up and again,
    definitively, when it is confirmed and the premiums are posted."""

    plan = models.ForeignKey(Plan, verbose_name=_("互助保障计划"), on_delete=models.PROTECT, related_name="batches")
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("参保单位"), on_delete=models.PROTECT, related_name="+")
    source = models.ForeignKey(
        "fund.Account", verbose_name=_("缴费来源科目"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=10, choices=BatchStatus.choices, default=BatchStatus.DRAFT)
    members = models.PositiveIntegerField(_("参保人数"), default=0)
    premium_total = models.DecimalField(_("互助金合计（元）"), default=0, **MONEY)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("经办人"), on_delete=models.PROTECT, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("确认人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    transaction = models.OneToOneField(
        "fund.Transaction",
        verbose_name=_("缴费凭证"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = org_scoped_manager("unit__path__startswith")

    class Meta:
        verbose_name = _("参保批次")
        verbose_name_plural = _("参保批次")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.plan} · {self.unit}"

    def audit_scope_path(self):
        return self.unit.path


class Enrolment(models.Model):
    """A member covered by a plan for its year. ``covered_from`` is the end of the waiting
    period: events before it are not paid. The row is also what claims of the member lock,
    so two approvals cannot both use the last of the yearly limit."""

    plan = models.ForeignKey(Plan, verbose_name=_("互助保障计划"), on_delete=models.PROTECT, related_name="enrolments")
    member = models.ForeignKey(
        "members.Member", verbose_name=_("会员"), on_delete=models.PROTECT, related_name="mutualaid_enrolments"
    )
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("所属工会"), on_delete=models.PROTECT, related_name="+")
    batch = models.ForeignKey(
        EnrolmentBatch, verbose_name=_("参保批次"), on_delete=models.PROTECT, related_name="enrolments"
    )
    premium = models.DecimalField(_("互助金（元）"), **MONEY)
    enrolled_on = models.DateField(_("参保日期"))
    covered_from = models.DateField(_("保障起始日"))

    objects = org_scoped_manager("unit__path__startswith")

    class Meta:
        verbose_name = _("参保记录")
        verbose_name_plural = _("参保记录")
        ordering = ["-enrolled_on", "-id"]
        constraints = [
            # A plan is one year: one enrolment per member per plan-year.
            models.UniqueConstraint(fields=["plan", "member"], name="one_mutualaid_enrolment_per_member_plan"),
        ]

    def __str__(self):
        return f"{self.plan} · {self.member.name}"

    def audit_scope_path(self):
        return self.unit.path


class ClaimStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    REVIEWED = "reviewed", _("待审批")
    APPROVED = "approved", _("已批准待给付")
    PAID = "paid", _("已给付")
    REJECTED = "rejected", _("不予给付")


CLAIM_PIPELINE = {
    ClaimStatus.SUBMITTED: {ClaimStatus.REVIEWED, ClaimStatus.REJECTED},
    ClaimStatus.REVIEWED: {ClaimStatus.APPROVED, ClaimStatus.REJECTED},
    ClaimStatus.APPROVED: {ClaimStatus.PAID},
    ClaimStatus.PAID: set(),
    ClaimStatus.REJECTED: set(),
}
# What counts against a member's yearly limit.
COMMITTED = (ClaimStatus.APPROVED, ClaimStatus.PAID)


class Claim(models.Model):
    """互助金给付申请. Paid through the fund ledger with the idempotency key
    ``mutualaid:claim:<id>``: never paid twice."""

    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("参保记录"), on_delete=models.PROTECT, related_name="claims"
    )
    plan = models.ForeignKey(Plan, verbose_name=_("互助保障计划"), on_delete=models.PROTECT, related_name="claims")
    member = models.ForeignKey("members.Member", verbose_name=_("会员"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("所属工会"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("状态"), max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.SUBMITTED, db_index=True
    )
    event_date = models.DateField(_("出险日期"))
    hospital_days = models.PositiveSmallIntegerField(_("住院天数"), null=True, blank=True)
    expenses = models.DecimalField(_("医疗费用（元）"), null=True, blank=True, **MONEY)
    description = models.CharField(_("事由"), max_length=500, blank=True)
    amount_claimed = models.DecimalField(_("申请给付金额（元）"), **MONEY)
    amount_approved = models.DecimalField(_("核定给付金额（元）"), null=True, blank=True, **MONEY)
    decision_note = models.CharField(_("审核意见"), max_length=500, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审核人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审批人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    transaction = models.OneToOneField(
        "fund.Transaction",
        verbose_name=_("给付凭证"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    paid_at = models.DateTimeField(_("给付时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = org_scoped_manager("unit__path__startswith")

    class Meta:
        verbose_name = _("互助金给付申请")
        verbose_name_plural = _("互助金给付申请")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_claimed__gt=0), name="mutualaid_claim_amount_positive"),
            models.CheckConstraint(
                condition=Q(amount_approved__isnull=True) | Q(amount_approved__gt=0),
                name="mutualaid_claim_approved_positive",
            ),
        ]
        indexes = [models.Index(fields=["enrolment", "status"], name="mutualaid_claim_enrol_status")]

    def __str__(self):
        return f"{self.number} {self.member.name}" if self.pk else str(_("互助金给付申请"))

    @property
    def number(self):
        return f"MA{self.pk:06d}"

    def audit_scope_path(self):
        return self.unit.path


class ClaimEvent(models.Model):
    """The history of a claim: every status change with who, when and why."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("原状态"), max_length=10, choices=ClaimStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=10, choices=ClaimStatus.choices)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("经办人"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    objects = org_scoped_manager("claim__unit__path__startswith")

    class Meta:
        verbose_name = _("给付办理记录")
        verbose_name_plural = _("给付办理记录")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.claim_id} {self.from_status}→{self.to_status}"


class ClaimDocument(EvidenceFile):
    """Evidence (住院病历, 诊断证明, 费用清单, 事故证明…): photos or PDFs, checked by content."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="documents")
    stored = models.FileField(_("文件"), upload_to="mutualaid/%Y/%m/")

    objects = org_scoped_manager("claim__unit__path__startswith")

    class Meta(EvidenceFile.Meta):
        verbose_name = _("给付证明材料")
        verbose_name_plural = _("给付证明材料")
