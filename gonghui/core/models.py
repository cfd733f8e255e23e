"""The audit trail: append-only, hash-chained, scoped like everything else."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.core.scoping import org_scoped_manager


class AuditAction(models.TextChoices):
    CREATE = "create", _("新建")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    REVEAL = "reveal", _("查看明文")
    EXPORT = "export", _("导出")
    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOCKED = "locked", _("账号锁定")
    LOGOUT = "logout", _("退出")
    OTP_ENROLLED = "otp_enrolled", _("绑定双因素认证")
    TOKEN_CREATED = "token_created", _("创建接口令牌")


class AuditEntry(models.Model):
    """One audited event. Rows are never updated or deleted (a database trigger refuses it
    on PostgreSQL); each row carries the SHA-256 of its content and of the row before it,
    so `manage.py audit_verify` finds any edit, deletion or insertion in the middle."""

    seq = models.BigIntegerField(_("序号"), unique=True)
    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField(_("操作人账号"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    user_agent = models.CharField(_("客户端"), max_length=255, blank=True)
    action = models.CharField(_("动作"), max_length=32, choices=AuditAction.choices, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True, db_index=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=255, blank=True)
    scope_path = models.CharField(_("所属组织路径"), max_length=255, blank=True, db_index=True)
    changes = models.JSONField(_("变更"), default=dict, blank=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = org_scoped_manager("scope_path__startswith")

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-seq"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"#{self.seq} {self.at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.action} {self.object_repr}"


class AuditChainHead(models.Model):
    """The single row that serialises appends to the chain: locked, read, advanced."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("审计链头")

    def __str__(self):
        return f"#{self.seq} {self.hash[:12]}"


class CalendarDay(models.Model):
    """A date on which the working-day calendar (工作日历) differs from, or names, the
    default week of Monday–Friday work and Saturday–Sunday rest: a public holiday (放假) or
    a make-up working day (调休上班). Deadlines counted in working days read these rows
    through ``gonghui.core.workdays``; they are written only by ``calendar_day_set`` and
    ``calendar_day_clear``. The calendar is one for the whole city, not tree-scoped data."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("工作日"), help_text=_("勾选为上班（如调休上班），不勾选为放假。"))
    name = models.CharField(_("名称"), max_length=40, help_text=_("如：春节、国庆节、春节调休上班。"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修改人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("工作日历")
        verbose_name_plural = _("工作日历")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name}"


class EvidenceFile(models.Model):
    """A photo or PDF given as evidence (a hardship file's certificates, a mutual-aid
    claim's hospital papers): checked by its content and stored under a name of ours
    (core.uploads). Each domain adds what it belongs to and where it is stored."""

    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=40)
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["id"]

    def __str__(self):
        return self.original_name
