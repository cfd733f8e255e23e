"""Labour-dispute mediation (劳动争议调解) and legal aid (法律援助).

A case (``MediationCase``) belongs to a mediation body, and through the body's unit to a
part of the organisation tree: the subtree above sees it. Its workflow is the status field
plus ``CASE_PIPELINE``, with a ``CaseEvent`` row for every change. Money is append-only:
claims, agreed amounts and payments are rows; totals are sums.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gonghui.core.scoping import org_scoped_manager

MONEY = {"max_digits": 14, "decimal_places": 2}


class BodyKind(models.TextChoices):
    CITY_CENTRE = "city_centre", _("市级劳动争议调解中心")
    DISTRICT_CENTRE = "district_centre", _("区级劳动争议调解中心")
    INDUSTRY_CENTRE = "industry_centre", _("行业调解中心")
    STREET_ROOM = "street_room", _("街道（乡镇）调解室")
    ENTERPRISE_COMMITTEE = "enterprise_committee", _("企业劳动争议调解委员会")


class MediationBody(models.Model):
    """One mediation organisation of the six-party network, attached to a unit of the tree.

    Competence (which employers' disputes it may take): employers in the unit's subtree
    (by the union covering them or the district they are in) when ``covers_subtree``;
    limited to ``industries`` (GB/T 4754 section letters) when given; an enterprise
    committee takes only its own ``employer``."""

    kind = models.CharField(_("类型"), max_length=24, choices=BodyKind.choices)
    name = models.CharField(_("名称"), max_length=120)
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="mediation_bodies"
    )
    covers_subtree = models.BooleanField(
        _("受理辖区内用人单位"), default=True, help_text=_("受理所属单位及其下级范围内用人单位的争议。")
    )
    industries = models.CharField(
        _("受理行业"), max_length=60, blank=True, help_text=_("行业门类字母，逗号分隔；留空为不限行业。")
    )
    employer = models.ForeignKey(
        "orgs.Employer",
        verbose_name=_("所在企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("企业调解委员会只受理本企业的争议。"),
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = org_scoped_manager("unit__path__startswith")

    class Meta:
        verbose_name = _("调解组织")
        verbose_name_plural = _("调解组织")
        ordering = ["unit__path", "name"]

    def __str__(self):
        return self.name

    def audit_scope_path(self):
        return self.unit.path

    @property
    def industry_list(self) -> list[str]:
        return [c.strip().upper() for c in self.industries.split(",") if c.strip()]


class MediatorKind(models.TextChoices):
    UNION_STAFF = "union_staff", _("工会工作人员")
    LAWYER = "lawyer", _("签约律师")
    OTHER = "other", _("其他调解员")


class Mediator(models.Model):
    """A mediator of a body: a staff account (union staff, contracted lawyers) or an
    outside person known by name only."""

    body = models.ForeignKey(
        MediationBody, verbose_name=_("调解组织"), on_delete=models.PROTECT, related_name="mediators"
    )
    kind = models.CharField(_("类别"), max_length=12, choices=MediatorKind.choices)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("工作人员账号"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mediator_roles",
    )
    name = models.CharField(_("姓名"), max_length=60)
    qualifications = models.CharField(_("资质"), max_length=300, blank=True)
    is_active = models.BooleanField(_("在岗"), default=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = org_scoped_manager("body__unit__path__startswith")

    class Meta:
        verbose_name = _("调解员")
        verbose_name_plural = _("调解员")
        ordering = ["body", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "staff"], condition=Q(staff__isnull=False), name="one_mediator_per_staff_per_body"
            )
        ]

    def __str__(self):
        return self.name

    def audit_scope_path(self):
        return self.body.unit.path


class CaseStatus(models.TextChoices):
    APPLIED = "applied", _("已申请")
    ACCEPTED = "accepted", _("已受理")
    IN_MEDIATION = "in_mediation", _("调解中")
    AGREED = "agreed", _("达成协议")
    NO_AGREEMENT = "no_agreement", _("调解不成（转仲裁）")
    WITHDRAWN = "withdrawn", _("已撤回")
    CLOSED = "closed", _("已结案")


# The workflow (django-oscar's pipeline): from each status, the statuses it may move to.
CASE_PIPELINE: dict[str, set[str]] = {
    CaseStatus.APPLIED: {CaseStatus.ACCEPTED, CaseStatus.WITHDRAWN},
    CaseStatus.ACCEPTED: {CaseStatus.IN_MEDIATION, CaseStatus.NO_AGREEMENT, CaseStatus.WITHDRAWN},
    CaseStatus.IN_MEDIATION: {CaseStatus.AGREED, CaseStatus.NO_AGREEMENT, CaseStatus.WITHDRAWN},
    CaseStatus.AGREED: {CaseStatus.CLOSED},
    CaseStatus.NO_AGREEMENT: {CaseStatus.CLOSED},
    CaseStatus.WITHDRAWN: {CaseStatus.CLOSED},
    CaseStatus.CLOSED: set(),
}
OPEN_STATUSES = (CaseStatus.APPLIED, CaseStatus.ACCEPTED, CaseStatus.IN_MEDIATION)
OUTCOME_STATUSES = (CaseStatus.AGREED, CaseStatus.NO_AGREEMENT, CaseStatus.WITHDRAWN)


class CaseSource(models.TextChoices):
    APPEAL = "appeal", _("12351诉求转办")
    WALK_IN = "walk_in", _("来访申请")
    ARBITRATION = "arbitration", _("仲裁委委托")
    COURT = "court", _("法院委托")


class CaseNumberCounter(models.Model):
    """The last case number given in a year: TJ2026-000123 (locked row, no gaps from races)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}:{self.last}"


class MediationCase(models.Model):
    """A labour-dispute mediation case: one or many workers against one employer."""

    number = models.CharField(_("案件编号"), max_length=16, unique=True)
    body = models.ForeignKey(MediationBody, verbose_name=_("调解组织"), on_delete=models.PROTECT, related_name="cases")
    employer = models.ForeignKey(
        "orgs.Employer", verbose_name=_("用人单位"), on_delete=models.PROTECT, related_name="mediation_cases"
    )
    source = models.CharField(_("案件来源"), max_length=12, choices=CaseSource.choices)
    appeal = models.ForeignKey(
        "appeals.Appeal",
        verbose_name=_("来源诉求"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mediation_cases",
    )
    referral_ref = models.CharField(_("委托文号"), max_length=60, blank=True)
    status = models.CharField(
        _("状态"), max_length=14, choices=CaseStatus.choices, default=CaseStatus.APPLIED, db_index=True
    )
    description = models.TextField(_("争议事项"), max_length=5000)
    applied_on = models.DateField(_("申请日期"), db_index=True)
    # 劳动争议调解仲裁法 第十四条: 自收到调解申请之日起十五日内未达成调解协议的，当事人
    # 可以依法申请仲裁 — calendar days (日), the application day not counted.
    due_on = models.DateField(_("调解期限"), db_index=True)
    extended_until = models.DateField(_("延长至"), null=True, blank=True)
    extension_note = models.CharField(_("延期说明"), max_length=500, blank=True)
    extension_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("延期登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    extension_at = models.DateTimeField(_("延期登记时间"), null=True, blank=True)
    flagged_at = models.DateTimeField(_("期满提示时间"), null=True, blank=True)
    limitation_warning = models.BooleanField(_("可能超过仲裁时效"), default=False)
    outcome_at = models.DateTimeField(_("调解结果时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = org_scoped_manager("body__unit__path__startswith")

    class Meta:
        verbose_name = _("调解案件")
        verbose_name_plural = _("调解案件")
        ordering = ["-applied_on", "-id"]
        indexes = [models.Index(fields=["status", "due_on"], name="mediation_case_status_due")]

    def __str__(self):
        return self.number

    def audit_scope_path(self):
        return self.body.unit.path

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def effective_due(self):
        return self.extended_until or self.due_on


class CaseWorker(models.Model):
    """A worker party. Linked to the member when the ID number or phone matches one; the
    ID number and phone are kept like a member's (ciphertext, blind index, mask)."""

    case = models.ForeignKey(MediationCase, on_delete=models.CASCADE, related_name="workers")
    member = models.ForeignKey(
        "members.Member", verbose_name=_("会员"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(_("姓名"), max_length=40)
    id_number_cipher = models.BinaryField(_("身份证号（密文）"), null=True, blank=True)
    id_number_hash = models.BinaryField(_("身份证号（索引）"), max_length=32, null=True, blank=True, db_index=True)
    id_number_masked = models.CharField(_("身份证号"), max_length=18, blank=True)
    phone_cipher = models.BinaryField(_("手机号（密文）"))
    phone_hash = models.BinaryField(_("手机号（索引）"), max_length=32, db_index=True)
    phone_masked = models.CharField(_("手机号"), max_length=11)

    objects = org_scoped_manager("case__body__unit__path__startswith")

    class Meta:
        verbose_name = _("申请人（职工）")
        verbose_name_plural = _("申请人（职工）")
        ordering = ["id"]

    def __str__(self):
        return self.name


class ClaimType(models.TextChoices):
    WAGES = "wages", _("拖欠工资")
    OVERTIME = "overtime", _("加班费")
    SEVERANCE = "severance", _("经济补偿金")
    WORK_INJURY = "work_injury", _("工伤待遇")
    SOCIAL_INSURANCE = "social_insurance", _("社会保险")
    OTHER = "other", _("其他")


class Claim(models.Model):
    """One request of the workers, with the amount claimed."""

    case = models.ForeignKey(MediationCase, on_delete=models.CASCADE, related_name="claims")
    type = models.CharField(_("请求类型"), max_length=18, choices=ClaimType.choices)
    amount = models.DecimalField(_("请求金额（元）"), **MONEY)
    arose_on = models.DateField(_("争议发生日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    objects = org_scoped_manager("case__body__unit__path__startswith")

    class Meta:
        verbose_name = _("请求事项")
        verbose_name_plural = _("请求事项")
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="claim_amount_positive")]

    def __str__(self):
        return f"{self.get_type_display()} {self.amount}"


class CaseAssignment(models.Model):
    """A mediator on a case (manual or by the least open caseload)."""

    case = models.ForeignKey(MediationCase, on_delete=models.CASCADE, related_name="assignments")
    mediator = models.ForeignKey(Mediator, on_delete=models.PROTECT, related_name="assignments")
    is_lead = models.BooleanField(_("主调解员"), default=False)
    assigned_at = models.DateTimeField(_("指派时间"), auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    objects = org_scoped_manager("case__body__unit__path__startswith")

    class Meta:
        verbose_name = _("指派调解员")
        verbose_name_plural = _("指派调解员")
        constraints = [models.UniqueConstraint(fields=["case", "mediator"], name="one_assignment_per_mediator")]

    def __str__(self):
        return f"{self.case_id}:{self.mediator_id}"


class SessionMode(models.TextChoices):
    IN_PERSON = "in_person", _("现场调解")
    REMOTE = "remote", _("远程视频调解")


class MediationSession(models.Model):
    case = models.ForeignKey(MediationCase, on_delete=models.CASCADE, related_name="sessions")
    scheduled_at = models.DateTimeField(_("调解时间"))
    mode = models.CharField(_("方式"), max_length=10, choices=SessionMode.choices)
    location = models.CharField(_("地点"), max_length=200, blank=True)
    meeting_link = models.CharField(_("视频会议链接"), max_length=300, blank=True)
    attended = models.BooleanField(_("已到场"), null=True, blank=True)
    minutes = models.TextField(_("调解笔录"), max_length=10000, blank=True)
    recorded_at = models.DateTimeField(_("记录时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("安排时间"), auto_now_add=True)

    objects = org_scoped_manager("case__body__unit__path__startswith")

    class Meta:
        verbose_name = _("调解会")
        verbose_name_plural = _("调解会")
        ordering = ["scheduled_at", "id"]

    def __str__(self):
        return f"{self.case_id} {self.scheduled_at:%Y-%m-%d %H:%M}"


class Agreement(models.Model):
    """调解协议: what was agreed per claim (``AgreementItem``) and when it is paid
    (``ScheduledPayment``). Written once; payments made are ``Payment`` rows."""

    case = models.OneToOneField(MediationCase, on_delete=models.CASCADE, related_name="agreement")
    terms = models.TextField(_("协议内容"), max_length=5000, blank=True)
    signed_on = models.DateField(_("签订日期"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = org_scoped_manager("case__body__unit__path__startswith")

    class Meta:
        verbose_name = _("调解协议")
        verbose_name_plural = _("调解协议")

    def __str__(self):
        return f"{self.case_id}"

    def audit_scope_path(self):
        return self.case.body.unit.path


class AgreementItem(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="items")
    claim = models.OneToOneField(Claim, on_delete=models.PROTECT, related_name="agreed")
    amount = models.DecimalField(_("协议金额（元）"), **MONEY)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("协议金额")
        ordering = ["claim_id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="agreement_item_not_negative")]

    def __str__(self):
        return f"{self.claim_id}: {self.amount}"


class ScheduledPayment(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="schedule")
    due_on = models.DateField(_("支付期限"))
    amount = models.DecimalField(_("金额（元）"), **MONEY)

    class Meta:
        verbose_name = _("支付计划")
        ordering = ["due_on", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="scheduled_payment_positive")]

    def __str__(self):
        return f"{self.due_on} {self.amount}"


class Payment(models.Model):
    """A payment the employer made under the agreement: append-only rows, their sum
    never more than the agreed total (checked under the agreement's lock)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="payments")
    paid_on = models.DateField(_("支付日期"), db_index=True)
    amount = models.DecimalField(_("金额（元）"), **MONEY)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = org_scoped_manager("agreement__case__body__unit__path__startswith")

    class Meta:
        verbose_name = _("履行付款")
        verbose_name_plural = _("履行付款")
        ordering = ["paid_on", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive")]

    def __str__(self):
        return f"{self.paid_on} {self.amount}"


class CaseEventKind(models.TextChoices):
    STATUS = "status", _("状态变更")
    ASSIGN = "assign", _("指派调解员")
    SESSION = "session", _("调解会")
    AGREEMENT = "agreement", _("调解协议")
    PAYMENT = "payment", _("履行付款")
    EXTEND = "extend", _("延长调解期限")
    FLAG = "flag", _("调解期满提示")
    NOTIFY = "notify", _("通知")
    WARNING = "warning", _("提示")
    NOTE = "note", _("办理记录")
    EXPORT = "export", _("导出")


class CaseEvent(models.Model):
    """One step in a case's history (history and audit: every change writes one)."""

    case = models.ForeignKey(MediationCase, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("事项"), max_length=10, choices=CaseEventKind.choices)
    from_status = models.CharField(max_length=14, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(max_length=14, choices=CaseStatus.choices, blank=True)
    note = models.TextField(_("说明"), max_length=2000, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("经办人"), null=True, on_delete=models.PROTECT)
    actor_name = models.CharField(_("经办"), max_length=80, blank=True)
    at = models.DateTimeField(_("时间"), db_index=True)

    objects = org_scoped_manager("case__body__unit__path__startswith")

    class Meta:
        verbose_name = _("案件办理记录")
        verbose_name_plural = _("案件办理记录")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.case_id} {self.kind}"


# --- Legal aid (法律援助) ------------------------------------------------------------------


class ConsultationChannel(models.TextChoices):
    WALK_IN = "walk_in", _("来访")
    KIOSK_BOOKING = "kiosk_booking", _("智能舱预约")
    HOTLINE = "hotline", _("热线")


class Consultation(models.Model):
    """A legal consultation given by a contracted lawyer (or union staff)."""

    unit = models.ForeignKey("orgs.Unit", verbose_name=_("服务单位"), on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("渠道"), max_length=14, choices=ConsultationChannel.choices)
    lawyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("律师"), on_delete=models.PROTECT, related_name="consultations"
    )
    booking = models.OneToOneField(
        "kiosk.SlotBooking",
        verbose_name=_("预约"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="legal_consultation",
    )
    client_name = models.CharField(_("咨询人"), max_length=40)
    phone_cipher = models.BinaryField(_("手机号（密文）"), null=True, blank=True)
    phone_hash = models.BinaryField(_("手机号（索引）"), max_length=32, null=True, blank=True)
    phone_masked = models.CharField(_("手机号"), max_length=11, blank=True)
    topic = models.CharField(_("咨询事项"), max_length=200)
    notes = models.TextField(_("解答要点"), max_length=5000, blank=True)
    outcome = models.CharField(_("结果"), max_length=200, blank=True)
    held_at = models.DateTimeField(_("咨询时间"), db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = org_scoped_manager("unit__path__startswith")

    class Meta:
        verbose_name = _("法律咨询")
        verbose_name_plural = _("法律咨询")
        ordering = ["-held_at", "-id"]

    def __str__(self):
        return f"{self.client_name} {self.topic}"

    def audit_scope_path(self):
        return self.unit.path


class RepresentationStatus(models.TextChoices):
    OPEN = "open", _("代理中")
    CLOSED = "closed", _("已结束")


class Representation(models.Model):
    """Representation of a worker by a contracted lawyer, for a mediation case or an
    appeal, with the hours spent (``RepresentationHours`` rows) and the outcome."""

    unit = models.ForeignKey("orgs.Unit", verbose_name=_("服务单位"), on_delete=models.PROTECT, related_name="+")
    lawyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("律师"), on_delete=models.PROTECT, related_name="representations"
    )
    case = models.ForeignKey(
        MediationCase, verbose_name=_("调解案件"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    appeal = models.ForeignKey(
        "appeals.Appeal", verbose_name=_("诉求"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    client_name = models.CharField(_("受援人"), max_length=40)
    matter = models.CharField(_("代理事项"), max_length=300)
    status = models.CharField(_("状态"), max_length=8, choices=RepresentationStatus.choices, default="open")
    outcome = models.TextField(_("结果"), max_length=2000, blank=True)
    assigned_at = models.DateTimeField(_("指派时间"), auto_now_add=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    objects = org_scoped_manager("unit__path__startswith")

    class Meta:
        verbose_name = _("法律援助代理")
        verbose_name_plural = _("法律援助代理")
        ordering = ["-assigned_at", "-id"]

    def __str__(self):
        return f"{self.client_name} {self.matter[:20]}"

    def audit_scope_path(self):
        return self.unit.path


class RepresentationHours(models.Model):
    representation = models.ForeignKey(Representation, on_delete=models.CASCADE, related_name="hours")
    worked_on = models.DateField(_("日期"))
    hours = models.DecimalField(_("工时（小时）"), max_digits=5, decimal_places=1)
    note = models.CharField(_("工作内容"), max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("代理工时")
        ordering = ["worked_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=Decimal("0")), name="representation_hours_positive")
        ]

    def __str__(self):
        return f"{self.worked_on} {self.hours}"
