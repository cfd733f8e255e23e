"""Members (会员): real-name records with their personal data encrypted at rest."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.core.scoping import org_scoped_manager


class MemberStatus(models.TextChoices):
    ACTIVE = "active", _("在会")
    LEFT = "left", _("已退会")
    MERGED = "merged", _("已合并")


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Platform(models.TextChoices):
    """新就业形态: the platform a new-form worker works through."""

    DELIVERY = "delivery", _("外卖配送")
    RIDE_HAILING = "ride_hailing", _("网约车")
    COURIER = "courier", _("快递物流")
    TRUCKING = "trucking", _("货车司机")
    DOMESTIC = "domestic", _("家政服务")
    LIVESTREAM = "livestream", _("网络主播")
    OTHER = "other", _("其他平台")


class Member(models.Model):
    """A member. The ID number and phone exist only as ciphertext, a keyed hash (for exact
    look-up and uniqueness) and a mask (for display); see core/pii.py."""

    name = models.CharField(_("姓名"), max_length=40)
    name_pinyin = models.CharField(_("姓名拼音"), max_length=120)
    name_initials = models.CharField(_("拼音首字母"), max_length=40)
    id_number_cipher = models.BinaryField(_("身份证号（密文）"))
    id_number_hash = models.BinaryField(_("身份证号（索引）"), max_length=32, unique=True)
    id_number_masked = models.CharField(_("身份证号"), max_length=18)
    birth_date = models.DateField(_("出生日期"))
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices)
    phone_cipher = models.BinaryField(_("手机号（密文）"), null=True, blank=True)
    phone_hash = models.BinaryField(_("手机号（索引）"), max_length=32, null=True, blank=True, db_index=True)
    phone_masked = models.CharField(_("手机号"), max_length=11, blank=True)
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("所属工会"), on_delete=models.PROTECT, related_name="members")
    employer = models.ForeignKey(
        "orgs.Employer",
        verbose_name=_("工作单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    is_new_form_worker = models.BooleanField(_("新就业形态劳动者"), default=False)
    platform = models.CharField(_("平台类型"), max_length=16, choices=Platform.choices, blank=True)
    # Markers that benefits can be limited to. db_default keeps bulk loaders that do not
    # name these columns (seeding's COPY) working.
    is_model_worker = models.BooleanField(_("劳动模范"), default=False, db_default=False)
    in_hardship = models.BooleanField(
        _("困难职工"),
        default=False,
        db_default=False,
        help_text=_("在册困难职工（建档后由困难帮扶业务维护）。"),
    )
    status = models.CharField(_("会籍状态"), max_length=8, choices=MemberStatus.choices, default=MemberStatus.ACTIVE)
    joined_on = models.DateField(_("入会日期"))
    left_on = models.DateField(_("退会日期"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", verbose_name=_("合并至"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Set when the member's personal data was erased on their request (删除个人信息): the
    # row stays, stripped of everything that identifies the person, so counts and the
    # history of their union remain true.
    erased_at = models.DateTimeField(_("个人信息删除时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = org_scoped_manager("unit__path__startswith")

    class Meta:
        verbose_name = _("会员")
        verbose_name_plural = _("会员")
        indexes = [
            models.Index(fields=["unit", "status"], name="member_unit_status"),
            # The orders of a search's pages (member_search, keyset_page): a prefix is read
            # as one range of the index, already in page order, ties broken by id.
            models.Index(fields=["name", "id"], name="member_name_id"),
            models.Index(fields=["name_initials", "name_pinyin", "id"], name="member_initials_pinyin_id"),
            # No index on (name_pinyin, id) nor on is_new_form_worker: no query reads them (0
            # scans in a whole benchmark run at 10 M), and every member written paid for both
            # (1.2 GB at 10 M; members.0007).
        ]

    def __str__(self):
        return self.name

    def audit_scope_path(self):
        return self.unit.path


class MembershipEventKind(models.TextChoices):
    JOIN = "join", _("入会")
    TRANSFER = "transfer", _("会员关系转接")
    LEAVE = "leave", _("退会")
    REJOIN = "rejoin", _("重新入会")
    MERGE = "merge", _("合并重复记录")


class MembershipEvent(models.Model):
    """One step in a member's history: joins, transfers between unions, leaving."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("事项"), max_length=16, choices=MembershipEventKind.choices)
    from_unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("转出工会"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("转入工会"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    occurred_on = models.DateField(_("日期"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("经办人"), null=True, blank=True, on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects = org_scoped_manager("member__unit__path__startswith")

    class Meta:
        verbose_name = _("会籍变动")
        verbose_name_plural = _("会籍变动")
        ordering = ["occurred_on", "id"]

    def __str__(self):
        return f"{self.member_id} {self.kind} {self.occurred_on}"


class DataRequestKind(models.TextChoices):
    COPY = "copy", _("获取个人信息副本")
    CORRECTION = "correction", _("更正个人信息")
    DELETION = "deletion", _("删除个人信息")


class DataRequestStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    DONE = "done", _("已办结")
    REJECTED = "rejected", _("不予办理")


class DataRightsRequest(models.Model):
    """A member's request about their personal data (个人信息权利), due within 30 days."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="data_requests")
    kind = models.CharField(_("事项"), max_length=16, choices=DataRequestKind.choices)
    details = models.CharField(_("说明"), max_length=500, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=DataRequestStatus.choices, default=DataRequestStatus.OPEN, db_index=True
    )
    due_on = models.DateField(_("办理期限"), db_index=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("经办人"), null=True, blank=True, on_delete=models.PROTECT
    )
    handled_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    response = models.CharField(_("答复"), max_length=500, blank=True)

    objects = org_scoped_manager("member__unit__path__startswith")

    class Meta:
        verbose_name = _("个人信息权利请求")
        verbose_name_plural = _("个人信息权利请求")
        ordering = ["due_on", "id"]

    def __str__(self):
        return f"{self.member_id} {self.kind} {self.due_on}"

    def audit_scope_path(self):
        return self.member.unit.path


class ApplicationKind(models.TextChoices):
    JOIN = "join", _("入会申请")
    TRANSFER = "transfer", _("会员关系转接申请")


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("未批准")
    WITHDRAWN = "withdrawn", _("已撤回")


class MembershipApplication(models.Model):
    """A worker's application, made in the portal, to join a union or to move their
    membership to another one. It lands with the unit it is routed to: the union of the
    worker's employer, else the community joint union or station where they work.

    The applicant's ID number and phone are protected as a member's are. ``phone_hash`` is
    the portal account's verified number: it is how the applicant finds their applications.
    """

    kind = models.CharField(_("申请事项"), max_length=10, choices=ApplicationKind.choices)
    status = models.CharField(
        _("状态"), max_length=10, choices=ApplicationStatus.choices, default=ApplicationStatus.PENDING
    )
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("受理工会"), on_delete=models.PROTECT, related_name="membership_applications"
    )
    member = models.ForeignKey(
        Member,
        verbose_name=_("会员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
        help_text=_("转接申请为申请人；入会申请批准后为新会员记录。"),
    )
    name = models.CharField(_("姓名"), max_length=40)
    id_number_cipher = models.BinaryField(_("身份证号（密文）"))
    id_number_hash = models.BinaryField(_("身份证号（索引）"), max_length=32, db_index=True)
    id_number_masked = models.CharField(_("身份证号"), max_length=18)
    phone_cipher = models.BinaryField(_("手机号（密文）"))
    phone_hash = models.BinaryField(_("手机号（索引）"), max_length=32, db_index=True)
    phone_masked = models.CharField(_("手机号"), max_length=11)
    employer = models.ForeignKey(
        "orgs.Employer", verbose_name=_("工作单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    employer_name = models.CharField(_("工作单位（填写）"), max_length=200, blank=True)
    workplace = models.CharField(_("工作地点"), max_length=200, blank=True)
    is_new_form_worker = models.BooleanField(_("新就业形态劳动者"), default=False)
    platform = models.CharField(_("平台类型"), max_length=16, choices=Platform.choices, blank=True)
    note = models.CharField(_("申请说明"), max_length=500, blank=True)
    decision_reason = models.CharField(_("审核意见"), max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审核人"), null=True, blank=True, on_delete=models.PROTECT
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    objects = org_scoped_manager("unit__path__startswith")

    class Meta:
        verbose_name = _("会籍申请")
        verbose_name_plural = _("会籍申请")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One open application per person: a double click or a second tab cannot file two.
            models.UniqueConstraint(
                fields=["id_number_hash"],
                condition=models.Q(status="pending"),
                name="one_pending_application_per_person",
            )
        ]
        indexes = [models.Index(fields=["unit", "status"], name="application_unit_status")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.name}"

    def audit_scope_path(self):
        return self.unit.path
