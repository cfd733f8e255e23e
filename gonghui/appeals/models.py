"""Appeals (诉求), their history, attachments, routing rules, deadline policies and
early-warning alerts."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gonghui.appeals.categories import AppealCategory
from gonghui.core.scoping import org_scoped_manager


class Channel(models.TextChoices):
    HOTLINE = "hotline", _("12351热线")
    SMS = "sms", _("短信")
    PORTAL = "portal", _("网上自助服务")
    WALK_IN = "walk_in", _("来访登记")
    KIOSK = "kiosk", _("自助服务终端")


class AppealStatus(models.TextChoices):
    RECEIVED = "received", _("已登记")
    ACCEPTED = "accepted", _("已受理")
    IN_PROGRESS = "in_progress", _("办理中")
    WAITING = "waiting", _("等待职工补充材料")
    REPLIED = "replied", _("已答复")
    CLOSED = "closed", _("已办结")
    REJECTED = "rejected", _("不予受理")
    DUPLICATE = "duplicate", _("重复诉求（已合并）")
    WITHDRAWN = "withdrawn", _("已撤回")


# The workflow (django-oscar's pipeline): from each status, the statuses it may move to.
APPEAL_PIPELINE: dict[str, set[str]] = {
    AppealStatus.RECEIVED: {
        AppealStatus.ACCEPTED,
        AppealStatus.REJECTED,
        AppealStatus.DUPLICATE,
        AppealStatus.WITHDRAWN,
    },
    AppealStatus.ACCEPTED: {
        AppealStatus.IN_PROGRESS,
        AppealStatus.WAITING,
        AppealStatus.REPLIED,
        AppealStatus.DUPLICATE,
        AppealStatus.WITHDRAWN,
    },
    AppealStatus.IN_PROGRESS: {AppealStatus.WAITING, AppealStatus.REPLIED, AppealStatus.WITHDRAWN},
    AppealStatus.WAITING: {AppealStatus.IN_PROGRESS, AppealStatus.WITHDRAWN},
    # A worker unhappy with the reply reopens it; otherwise the return visit closes it.
    AppealStatus.REPLIED: {AppealStatus.CLOSED, AppealStatus.IN_PROGRESS},
    AppealStatus.CLOSED: set(),
    AppealStatus.REJECTED: set(),
    AppealStatus.DUPLICATE: set(),
    AppealStatus.WITHDRAWN: set(),
}
OPEN_STATUSES = (
    AppealStatus.RECEIVED,
    AppealStatus.ACCEPTED,
    AppealStatus.IN_PROGRESS,
    AppealStatus.WAITING,
)
# Statuses whose clock runs: reminders and escalation look at these (waiting is paused; a
# replied appeal still has to be closed after the return visit by the resolve deadline).
DEADLINE_STATUSES = (
    AppealStatus.RECEIVED,
    AppealStatus.ACCEPTED,
    AppealStatus.IN_PROGRESS,
    AppealStatus.REPLIED,
)
FINAL_STATUSES = (AppealStatus.CLOSED, AppealStatus.REJECTED, AppealStatus.DUPLICATE, AppealStatus.WITHDRAWN)


class Difficulty(models.TextChoices):
    NORMAL = "normal", _("一般")
    COMPLEX = "complex", _("复杂")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY = "basically", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")
    UNREACHABLE = "unreachable", _("回访未接通")


class DeadlinePolicy(models.Model):
    """How many working days an appeal of a category and difficulty has to be accepted,
    replied to and resolved. A blank category is the default for every category."""

    category = models.CharField(_("诉求类别"), max_length=24, choices=AppealCategory.choices, blank=True)
    difficulty = models.CharField(_("难度"), max_length=10, choices=Difficulty.choices, default=Difficulty.NORMAL)
    accept_days = models.PositiveSmallIntegerField(_("受理时限（工作日）"), default=1)
    reply_days = models.PositiveSmallIntegerField(_("答复时限（工作日）"), default=5)
    resolve_days = models.PositiveSmallIntegerField(_("办结时限（工作日）"), default=15)
    remind_days = models.PositiveSmallIntegerField(
        _("提前提醒（工作日）"), default=1, help_text=_("到期前多少个工作日提醒承办单位。")
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("修改人"), null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = _("办理时限")
        verbose_name_plural = _("办理时限")
        ordering = ["category", "difficulty"]
        constraints = [
            models.UniqueConstraint(fields=["category", "difficulty"], name="one_deadline_policy_per_kind"),
            models.CheckConstraint(
                condition=Q(accept_days__lte=models.F("reply_days")) & Q(reply_days__lte=models.F("resolve_days")),
                name="deadline_policy_in_order",
            ),
        ]

    def __str__(self):
        return f"{self.get_category_display() or '*'} / {self.get_difficulty_display()}"


class Appeal(models.Model):
    """One worker's appeal. ``unit`` is the union responsible for handling it: the whole
    subtree above it sees it (the district supervises its stations' appeals)."""

    ticket = models.CharField(_("受理编号"), max_length=16, unique=True)
    channel = models.CharField(_("来源渠道"), max_length=10, choices=Channel.choices)
    status = models.CharField(
        _("状态"), max_length=12, choices=AppealStatus.choices, default=AppealStatus.RECEIVED, db_index=True
    )
    category = models.CharField(_("诉求类别"), max_length=24, choices=AppealCategory.choices)
    category_suggested = models.CharField(_("系统建议类别"), max_length=24, choices=AppealCategory.choices, blank=True)
    category_confidence = models.FloatField(_("建议置信度"), null=True, blank=True)
    difficulty = models.CharField(_("难度"), max_length=10, choices=Difficulty.choices, default=Difficulty.NORMAL)
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("承办单位"), on_delete=models.PROTECT, related_name="appeals")
    district_suggested = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("系统建议区"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The worker: a member when the phone matches one, else just a name and a number.
    member = models.ForeignKey(
        "members.Member", verbose_name=_("会员"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    worker_name = models.CharField(_("职工姓名"), max_length=40)
    phone_cipher = models.BinaryField(_("联系电话（密文）"))
    phone_hash = models.BinaryField(_("联系电话（索引）"), max_length=32, db_index=True)
    phone_masked = models.CharField(_("联系电话"), max_length=11)
    employer = models.ForeignKey(
        "orgs.Employer",
        verbose_name=_("用人单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
    )
    employer_name = models.CharField(_("用人单位（填写）"), max_length=200, blank=True)
    workplace = models.CharField(_("工作地点"), max_length=200, blank=True)
    description = models.TextField(_("诉求内容"), max_length=5000)
    workers_involved = models.PositiveIntegerField(_("涉及人数"), default=1)
    amount = models.DecimalField(_("涉及金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    reply = models.TextField(_("答复内容"), max_length=5000, blank=True)
    satisfaction = models.CharField(_("回访满意度"), max_length=12, choices=Satisfaction.choices, blank=True)
    satisfaction_note = models.CharField(_("回访记录"), max_length=500, blank=True)
    duplicate_of = models.ForeignKey(
        "self", verbose_name=_("合并至"), null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates"
    )
    received_at = models.DateTimeField(_("登记时间"), db_index=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    accept_due = models.DateTimeField(_("受理期限"))
    reply_due = models.DateTimeField(_("答复期限"))
    resolve_due = models.DateTimeField(_("办结期限"), db_index=True)
    paused_at = models.DateTimeField(_("暂停计时"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("最近提醒"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("督办层级"), default=0)
    escalated_to = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("督办单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="escalated_appeals",
    )
    escalated_at = models.DateTimeField(_("督办时间"), null=True, blank=True)
    # The deadline the last escalation was for: each missed deadline escalates once.
    escalated_for = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = org_scoped_manager("unit__path__startswith")

    class Meta:
        verbose_name = _("诉求")
        verbose_name_plural = _("诉求")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["unit", "status"], name="appeal_unit_status"),
            models.Index(fields=["employer", "received_at"], name="appeal_employer_received"),
            models.Index(fields=["phone_hash", "received_at"], name="appeal_phone_received"),
            models.Index(fields=["status", "resolve_due"], name="appeal_status_due"),
        ]

    def __str__(self):
        return self.ticket

    def audit_scope_path(self):
        return self.unit.path

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def current_due(self):
        """The deadline that matters now: acceptance, then the reply, then resolution."""
        if self.status == AppealStatus.RECEIVED:
            return self.accept_due
        if self.status in (AppealStatus.ACCEPTED, AppealStatus.IN_PROGRESS, AppealStatus.WAITING):
            return self.reply_due if self.replied_at is None else self.resolve_due
        if self.status == AppealStatus.REPLIED:
            return self.resolve_due
        return None

    @property
    def overdue(self) -> bool:
        from django.utils import timezone

        due = self.current_due
        return due is not None and self.paused_at is None and due < timezone.now()


class AppealEventKind(models.TextChoices):
    STATUS = "status", _("状态变更")
    NOTE = "note", _("办理记录")
    ASSIGN = "assign", _("改派")
    ESCALATE = "escalate", _("超期督办")
    REMIND = "remind", _("到期提醒")
    HANDOFF = "handoff", _("转办")
    ATTACHMENT = "attachment", _("附件")
    CATEGORY = "category", _("类别确认")


class AppealEvent(models.Model):
    """One step in an appeal's history. ``public`` steps are shown to the worker."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("事项"), max_length=12, choices=AppealEventKind.choices)
    from_status = models.CharField(max_length=12, choices=AppealStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=AppealStatus.choices, blank=True)
    note = models.TextField(_("说明"), max_length=2000, blank=True)
    public = models.BooleanField(_("职工可见"), default=False)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("经办人"), null=True, blank=True, on_delete=models.PROTECT
    )
    actor_name = models.CharField(_("经办"), max_length=80, blank=True)
    at = models.DateTimeField(_("时间"), db_index=True)

    objects = org_scoped_manager("appeal__unit__path__startswith")

    class Meta:
        verbose_name = _("诉求办理记录")
        verbose_name_plural = _("诉求办理记录")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.appeal_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class AppealAttachment(models.Model):
    """A photo or PDF the worker gave. Stored through Django's storage API (object storage
    in production); the type is the one its content shows, not its name."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("文件"), upload_to="appeals/%Y/%m/")
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=40)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = org_scoped_manager("appeal__unit__path__startswith")

    class Meta:
        verbose_name = _("诉求附件")
        verbose_name_plural = _("诉求附件")

    def __str__(self):
        return self.original_name


class HandoffKind(models.TextChoices):
    MEDIATION = "mediation", _("劳动争议调解")
    LEGAL_AID = "legal_aid", _("法律援助")
    HARDSHIP = "hardship", _("困难帮扶")


class HandoffStatus(models.TextChoices):
    REQUESTED = "requested", _("已转出")
    TAKEN = "taken", _("已接收")
    DONE = "done", _("已办结")


class AppealHandoff(models.Model):
    """An appeal passed to another service: mediation, legal aid or hardship help. The
    receiving domain takes it by setting ``target_ref`` to its own case and reports back
    through ``status``; until those domains exist the hand-off is recorded and followed
    here (see docs/appeals.md)."""

    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="handoffs")
    kind = models.CharField(_("转办事项"), max_length=12, choices=HandoffKind.choices)
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("接收单位"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=10, choices=HandoffStatus.choices, default=HandoffStatus.REQUESTED)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    target_ref = models.CharField(_("接收方案件号"), max_length=40, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("经办人"), on_delete=models.PROTECT)
    created_at = models.DateTimeField(_("转办时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = org_scoped_manager("appeal__unit__path__startswith")

    class Meta:
        verbose_name = _("转办")
        verbose_name_plural = _("转办")
        constraints = [
            models.UniqueConstraint(
                fields=["appeal", "kind"], condition=~Q(status="done"), name="one_open_handoff_per_kind"
            )
        ]

    def __str__(self):
        return f"{self.appeal_id} → {self.kind}"


class RoutingRule(models.Model):
    """An explicit routing rule, tried in priority order before the default routing
    (the employer's union → the station of the workplace → the district). City staff keep
    them: e.g. every new-form workers' appeal in a district to its riders' service
    station."""

    name = models.CharField(_("规则名称"), max_length=80)
    priority = models.PositiveSmallIntegerField(_("优先级"), default=100, help_text=_("数字小的先匹配。"))
    category = models.CharField(_("诉求类别"), max_length=24, choices=AppealCategory.choices, blank=True)
    district = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("所在区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("只匹配识别为该区的诉求；留空为不限。"),
    )
    keyword = models.CharField(
        _("关键词"), max_length=40, blank=True, help_text=_("诉求内容包含该词时匹配；留空为不限。")
    )
    target = models.ForeignKey("orgs.Unit", verbose_name=_("承办单位"), on_delete=models.PROTECT, related_name="+")
    is_active = models.BooleanField(_("启用"), default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("修改人"), null=True, blank=True, on_delete=models.PROTECT
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("分派规则")
        verbose_name_plural = _("分派规则")
        ordering = ["priority", "id"]

    def __str__(self):
        return self.name


class AlertKind(models.TextChoices):
    SAME_EMPLOYER = "same_employer", _("同一单位集中诉求")
    MANY_WORKERS = "many_workers", _("涉及人数众多")
    KEYWORDS = "keywords", _("群体性事件苗头")
    REPEAT_WORKER = "repeat_worker", _("同一职工反复诉求")


class AlertRule(models.Model):
    """早发现、早报告: thresholds for raising an alert, one row per kind, editable by city
    staff. ``threshold`` is a count of appeals (same employer, same worker) or of workers
    (many workers); ``window_days`` the look-back; ``keywords`` one word or phrase a line."""

    kind = models.CharField(_("预警类型"), max_length=16, choices=AlertKind.choices, unique=True)
    threshold = models.PositiveIntegerField(_("阈值"))
    window_days = models.PositiveSmallIntegerField(_("统计天数"), default=7)
    keywords = models.TextField(_("关键词"), blank=True, help_text=_("每行一个。"))
    holiday_keywords = models.TextField(
        _("节前关键词"), blank=True, help_text=_("节假日前的统计天数内出现即预警（如节前欠薪），每行一个。")
    )
    is_active = models.BooleanField(_("启用"), default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("修改人"), null=True, blank=True, on_delete=models.PROTECT
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("预警规则")
        verbose_name_plural = _("预警规则")

    def __str__(self):
        return self.get_kind_display()

    def keyword_list(self) -> list[str]:
        return [w.strip() for w in self.keywords.splitlines() if w.strip()]

    def holiday_keyword_list(self) -> list[str]:
        return [w.strip() for w in self.holiday_keywords.splitlines() if w.strip()]


class AlertStatus(models.TextChoices):
    OPEN = "open", _("待签收")
    ACKNOWLEDGED = "acknowledged", _("已签收")
    HANDLING = "handling", _("处置中")
    CLOSED = "closed", _("已关闭")


ALERT_PIPELINE: dict[str, set[str]] = {
    AlertStatus.OPEN: {AlertStatus.ACKNOWLEDGED, AlertStatus.CLOSED},
    AlertStatus.ACKNOWLEDGED: {AlertStatus.HANDLING, AlertStatus.CLOSED},
    AlertStatus.HANDLING: {AlertStatus.CLOSED},
    AlertStatus.CLOSED: set(),
}


class Alert(models.Model):
    """An early warning. It belongs to a district union (``unit``), so the district and the
    city see it and no other district does; ``key`` says what it is about (an employer, a
    phone, an appeal) so one situation raises one open alert that later appeals join."""

    kind = models.CharField(_("预警类型"), max_length=16, choices=AlertKind.choices)
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("所属区"), on_delete=models.PROTECT, related_name="alerts")
    key = models.CharField(max_length=80)
    title = models.CharField(_("预警事项"), max_length=200)
    employer = models.ForeignKey(
        "orgs.Employer", verbose_name=_("用人单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    appeals = models.ManyToManyField(Appeal, verbose_name=_("相关诉求"), related_name="alerts")
    status = models.CharField(_("状态"), max_length=12, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    raised_at = models.DateTimeField(_("预警时间"), db_index=True)
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签收人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("关闭人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("处置情况"), max_length=2000, blank=True)

    objects = org_scoped_manager("unit__path__startswith")

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        ordering = ["-raised_at", "-id"]
        constraints = [
            # One open alert per situation: concurrent appeals join it instead of raising a second.
            models.UniqueConstraint(
                fields=["kind", "key"], condition=~Q(status="closed"), name="one_open_alert_per_key"
            )
        ]

    def __str__(self):
        return self.title

    def audit_scope_path(self):
        return self.unit.path


class AlertEvent(models.Model):
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=12, choices=AlertStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=AlertStatus.choices, blank=True)
    note = models.TextField(_("说明"), max_length=2000, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    at = models.DateTimeField(_("时间"))

    objects = org_scoped_manager("alert__unit__path__startswith")

    class Meta:
        verbose_name = _("预警处置记录")
        verbose_name_plural = _("预警处置记录")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.alert_id} {self.to_status}"
