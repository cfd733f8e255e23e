"""困难帮扶: hardship files (困难职工档案), their thresholds, and assistance paid from the
warmth fund (programmes, applications, batch payments)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gonghui.core.models import EvidenceFile
from gonghui.core.scoping import org_scoped_manager

MONEY = {"max_digits": 12, "decimal_places": 2}


class HardshipCategory(models.TextChoices):
    DEEP = "deep", _("深度困难")
    RELATIVE = "relative", _("相对困难")
    ACCIDENT = "accident", _("意外致困")
    NONE = "none", _("不符合困难标准")


class HardshipCause(models.TextChoices):
    ILLNESS = "illness", _("因病")
    DISABILITY = "disability", _("因残")
    ACCIDENT = "accident", _("因意外事故")
    UNEMPLOYMENT = "unemployment", _("家庭成员失业")
    EDUCATION = "education", _("子女教育")
    DISASTER = "disaster", _("因灾")


# Causes that can make a household poor at once, whatever its usual income.
SUDDEN_CAUSES = {HardshipCause.ILLNESS, HardshipCause.ACCIDENT, HardshipCause.DISASTER}


class FileStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待区总工会审核")
    APPROVED = "approved", _("已建档")
    RETURNED = "returned", _("已退回")
    UNDER_REVIEW = "under_review", _("年度复核中")
    EXITED = "exited", _("已退出")


FILE_PIPELINE = {
    FileStatus.DRAFT: {FileStatus.SUBMITTED, FileStatus.EXITED},
    FileStatus.SUBMITTED: {FileStatus.APPROVED, FileStatus.RETURNED},
    FileStatus.RETURNED: {FileStatus.SUBMITTED, FileStatus.EXITED},
    FileStatus.APPROVED: {FileStatus.UNDER_REVIEW, FileStatus.EXITED},
    FileStatus.UNDER_REVIEW: {FileStatus.SUBMITTED, FileStatus.EXITED},
    FileStatus.EXITED: set(),
}
EDITABLE = (FileStatus.DRAFT, FileStatus.RETURNED, FileStatus.UNDER_REVIEW)
# A household in hardship: assistance may be paid to these files.
IN_HARDSHIP = (FileStatus.APPROVED, FileStatus.UNDER_REVIEW)


class HardshipThreshold(models.Model):
    """The local standards a district sets for a year (e.g. 最低生活保障标准)."""

    district = models.ForeignKey("orgs.Unit", verbose_name=_("区总工会"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    min_living = models.DecimalField(_("最低生活保障标准（元/人·月）"), **MONEY)
    relative_multiplier = models.DecimalField(
        _("相对困难倍数"),
        max_digits=4,
        decimal_places=2,
        default=2,
        help_text=_("家庭月人均收入不高于最低生活保障标准的该倍数，为相对困难。"),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("修改人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = org_scoped_manager("district__path__startswith")

    class Meta:
        verbose_name = _("困难认定标准")
        verbose_name_plural = _("困难认定标准")
        ordering = ["-year", "district__path"]
        constraints = [
            models.UniqueConstraint(fields=["district", "year"], name="one_hardship_threshold_per_district_year"),
            models.CheckConstraint(condition=Q(min_living__gt=0), name="hardship_threshold_min_living_positive"),
            models.CheckConstraint(condition=Q(relative_multiplier__gte=1), name="hardship_threshold_multiplier"),
        ]

    def __str__(self):
        return f"{self.district} {self.year}"

    def audit_scope_path(self):
        return self.district.path


class HardshipFile(models.Model):
    """困难职工档案: one per household in hardship, filed by the station, approved by the
    district, reviewed every year, closed with a reason. A household is keyed by the
    member: one open file per member (the partial unique constraint), and no household
    member may appear in another open file (checked by ID number in the service)."""

    member = models.ForeignKey(
        "members.Member", verbose_name=_("会员"), on_delete=models.PROTECT, related_name="hardship_files"
    )
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("建档单位"), on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey("orgs.Unit", verbose_name=_("所在区"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("状态"), max_length=16, choices=FileStatus.choices, default=FileStatus.DRAFT, db_index=True
    )
    member_income = models.DecimalField(_("本人月收入（元）"), **MONEY)
    monthly_income = models.DecimalField(_("家庭月总收入（元）"), **MONEY)
    household_size = models.PositiveSmallIntegerField(_("家庭人口"))
    medical_expense = models.DecimalField(_("月医疗支出（元）"), default=0, **MONEY)
    education_expense = models.DecimalField(_("月教育支出（元）"), default=0, **MONEY)
    causes = models.JSONField(_("致困原因"), default=list)
    situation = models.TextField(_("家庭情况"), max_length=2000, blank=True)
    category = models.CharField(_("困难类别"), max_length=10, choices=HardshipCategory.choices, blank=True)
    category_reason = models.CharField(_("认定依据"), max_length=500, blank=True)
    threshold = models.ForeignKey(
        HardshipThreshold, verbose_name=_("认定标准"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("建档人"), on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    review_due_on = models.DateField(_("年度复核日期"), null=True, blank=True, db_index=True)
    review_reminded_on = models.DateField(
        _("复核提醒日期"), null=True, blank=True, help_text=_("调度程序最近一次提醒年度复核的日期。")
    )
    exit_reason = models.CharField(_("退出原因"), max_length=500, blank=True)
    exited_at = models.DateTimeField(_("退出时间"), null=True, blank=True)
    from_handoff = models.ForeignKey(
        "appeals.AppealHandoff",
        verbose_name=_("来源诉求转办"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("建档时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = org_scoped_manager("unit__path__startswith")

    class Meta:
        verbose_name = _("困难职工档案")
        verbose_name_plural = _("困难职工档案")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=~Q(status="exited"), name="one_open_hardship_file_per_member"
            ),
            models.CheckConstraint(
                condition=Q(member_income__gte=0)
                & Q(monthly_income__gte=0)
                & Q(medical_expense__gte=0)
                & Q(education_expense__gte=0),
                name="hardship_file_amounts_not_negative",
            ),
            models.CheckConstraint(condition=Q(household_size__gte=1), name="hardship_file_household_size"),
        ]
        indexes = [models.Index(fields=["unit", "status"], name="hardship_file_unit_status")]

    def __str__(self):
        return f"HF{self.pk:06d} {self.member.name}" if self.pk else str(_("困难职工档案"))

    @property
    def number(self):
        return f"HF{self.pk:06d}"

    def audit_scope_path(self):
        return self.unit.path

    def cause_labels(self):
        return [HardshipCause(c).label for c in self.causes if c in HardshipCause.values]

    @property
    def rigid_expense(self):
        return self.medical_expense + self.education_expense


class Relation(models.TextChoices):
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    PARENT = "parent", _("父母")
    OTHER = "other", _("其他")


class PersonStatus(models.TextChoices):
    EMPLOYED = "employed", _("在业")
    UNEMPLOYED = "unemployed", _("失业")
    STUDENT = "student", _("在读")
    RETIRED = "retired", _("退休")
    ILL = "ill", _("患病")
    DISABLED = "disabled", _("残疾")
    OTHER = "other", _("其他")


class HouseholdMember(models.Model):
    """A person living in the member's household. The ID number, when given, is protected
    as a member's is (core/pii.py)."""

    file = models.ForeignKey(HardshipFile, on_delete=models.CASCADE, related_name="household")
    name = models.CharField(_("姓名"), max_length=40)
    relation = models.CharField(_("关系"), max_length=8, choices=Relation.choices)
    status = models.CharField(_("状况"), max_length=12, choices=PersonStatus.choices)
    monthly_income = models.DecimalField(_("月收入（元）"), default=0, **MONEY)
    id_number_cipher = models.BinaryField(_("身份证号（密文）"), null=True, blank=True)
    id_number_hash = models.BinaryField(_("身份证号（索引）"), max_length=32, null=True, blank=True, db_index=True)
    id_number_masked = models.CharField(_("身份证号"), max_length=18, blank=True)

    objects = org_scoped_manager("file__unit__path__startswith")

    class Meta:
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(monthly_income__gte=0), name="household_member_income_not_negative")
        ]

    def __str__(self):
        return self.name


class FileEvent(models.Model):
    """The history of a file: every status change with who and why."""

    file = models.ForeignKey(HardshipFile, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("原状态"), max_length=16, choices=FileStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16, choices=FileStatus.choices)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    # Empty for the scheduler's own entries (the yearly review reminders).
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("经办人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    objects = org_scoped_manager("file__unit__path__startswith")

    class Meta:
        verbose_name = _("档案记录")
        verbose_name_plural = _("档案记录")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.file_id} {self.from_status}→{self.to_status}"


class FileAttachment(EvidenceFile):
    """Evidence (病历, 残疾证, 事故证明…): photos or PDFs, checked by content."""

    file = models.ForeignKey(HardshipFile, on_delete=models.CASCADE, related_name="attachments")
    stored = models.FileField(_("文件"), upload_to="hardship/%Y/%m/")

    objects = org_scoped_manager("file__unit__path__startswith")

    class Meta(EvidenceFile.Meta):
        verbose_name = _("证明材料")
        verbose_name_plural = _("证明材料")


# --- Assistance ---------------------------------------------------------------------------


class ProgrammeKind(models.TextChoices):
    REGULAR = "regular", _("定期生活救助")
    HOLIDAY = "holiday", _("节日送温暖")
    MEDICAL = "medical", _("医疗救助")
    EDUCATION = "education", _("助学救助")
    EMERGENCY = "emergency", _("临时救助")


class AmountRule(models.TextChoices):
    PER_HOUSEHOLD = "household", _("按户定额")
    PER_PERSON = "person", _("按家庭人口")


class Programme(models.Model):
    """帮扶项目: who may receive it (hardship categories), how much, at most how much a
    household receives in the year, and the fund account it is paid from."""

    name = models.CharField(_("项目名称"), max_length=80)
    kind = models.CharField(_("项目类型"), max_length=12, choices=ProgrammeKind.choices)
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("主办单位"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    eligible_categories = models.JSONField(_("适用困难类别"), default=list)
    amount_rule = models.CharField(
        _("金额规则"), max_length=10, choices=AmountRule.choices, default=AmountRule.PER_HOUSEHOLD
    )
    amount = models.DecimalField(_("标准金额（元）"), **MONEY)
    yearly_cap = models.DecimalField(_("每户年度上限（元）"), **MONEY)
    account = models.ForeignKey("fund.Account", verbose_name=_("支出科目"), on_delete=models.PROTECT, related_name="+")
    is_active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = org_scoped_manager("unit__path__startswith")

    class Meta:
        verbose_name = _("帮扶项目")
        verbose_name_plural = _("帮扶项目")
        ordering = ["-year", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0) & Q(yearly_cap__gte=models.F("amount")), name="programme_amounts"
            )
        ]

    def __str__(self):
        return self.name

    def audit_scope_path(self):
        return self.unit.path

    def category_labels(self):
        return [HardshipCategory(c).label for c in self.eligible_categories if c in HardshipCategory.values]


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待街道审核")
    STATION_REVIEWED = "station_reviewed", _("待区总工会审批")
    APPROVED = "approved", _("已批准待支付")
    PAID = "paid", _("已支付")
    REJECTED = "rejected", _("未批准")


APPLICATION_PIPELINE = {
    ApplicationStatus.SUBMITTED: {ApplicationStatus.STATION_REVIEWED, ApplicationStatus.REJECTED},
    ApplicationStatus.STATION_REVIEWED: {ApplicationStatus.APPROVED, ApplicationStatus.REJECTED},
    ApplicationStatus.APPROVED: {ApplicationStatus.PAID},
    ApplicationStatus.PAID: set(),
    ApplicationStatus.REJECTED: set(),
}
# What counts against a household's yearly cap.
COMMITTED = (ApplicationStatus.APPROVED, ApplicationStatus.PAID)


class AssistanceApplication(models.Model):
    """One household's assistance from one programme. Paid through the fund ledger with
    the idempotency key ``hardship-application-<id>``: never paid twice."""

    file = models.ForeignKey(
        HardshipFile, verbose_name=_("困难档案"), on_delete=models.PROTECT, related_name="applications"
    )
    programme = models.ForeignKey(
        Programme, verbose_name=_("帮扶项目"), on_delete=models.PROTECT, related_name="applications"
    )
    amount = models.DecimalField(_("金额（元）"), **MONEY)
    reason = models.CharField(_("申请事由"), max_length=500, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED
    )
    batch = models.ForeignKey(
        "PaymentBatch",
        verbose_name=_("批次"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    from_handoff = models.ForeignKey(
        "appeals.AppealHandoff",
        verbose_name=_("来源诉求转办"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请经办人"), on_delete=models.PROTECT, related_name="+"
    )
    station_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("街道审核人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("区总审批人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_note = models.CharField(_("审核意见"), max_length=500, blank=True)
    transaction = models.OneToOneField(
        "fund.Transaction",
        verbose_name=_("支付凭证"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    paid_at = models.DateTimeField(_("支付时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)

    objects = org_scoped_manager("file__unit__path__startswith")

    class Meta:
        verbose_name = _("帮扶申请")
        verbose_name_plural = _("帮扶申请")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="assistance_amount_positive"),
            # A batch pays a household once.
            models.UniqueConstraint(
                fields=["batch", "file"], condition=Q(batch__isnull=False), name="one_application_per_batch_file"
            ),
        ]

    def __str__(self):
        return f"{self.programme} · {self.file.member.name}"

    def audit_scope_path(self):
        return self.file.unit.path


class BatchStatus(models.TextChoices):
    COMPUTED = "computed", _("待复核")
    REVIEWED = "reviewed", _("待审批")
    APPROVED = "approved", _("已批准待支付")
    PAID = "paid", _("已支付")


class PaymentBatch(models.Model):
    """A programme paid to many households at once (e.g. every deep-hardship household
    before the Spring Festival): computed, reviewed and approved as one; each household's
    payment is its own application and its own ledger transaction."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("帮扶项目"), on_delete=models.PROTECT, related_name="batches"
    )
    title = models.CharField(_("批次名称"), max_length=80)
    status = models.CharField(_("状态"), max_length=10, choices=BatchStatus.choices, default=BatchStatus.COMPUTED)
    households = models.PositiveIntegerField(_("户数"), default=0)
    total = models.DecimalField(_("合计金额（元）"), default=0, **MONEY)
    skipped_note = models.CharField(_("未纳入说明"), max_length=1000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("生成人"), on_delete=models.PROTECT, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("复核人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审批人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    paid_at = models.DateTimeField(_("支付时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    objects = org_scoped_manager("programme__unit__path__startswith")

    class Meta:
        verbose_name = _("批量发放")
        verbose_name_plural = _("批量发放")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title

    def audit_scope_path(self):
        return self.programme.unit.path


class BatchLine(models.Model):
    """One household in a batch, as computed; the application is made when the batch is
    approved."""

    batch = models.ForeignKey(PaymentBatch, on_delete=models.CASCADE, related_name="lines")
    file = models.ForeignKey(HardshipFile, verbose_name=_("困难档案"), on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("金额（元）"), **MONEY)
    application = models.OneToOneField(
        AssistanceApplication, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = org_scoped_manager("batch__programme__unit__path__startswith")

    class Meta:
        verbose_name = _("批次明细")
        verbose_name_plural = _("批次明细")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["batch", "file"], name="one_line_per_batch_file")]

    def __str__(self):
        return f"{self.batch_id} {self.file_id}"
