"""Import jobs: a spreadsheet of members or employers on its way into the register.

A job is a status field plus an explicit map of the allowed next statuses (as in
django-oscar's order pipeline): uploaded → validating → validated → importing → done, with
failed and cancelled as the ways out.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.core.scoping import org_scoped_manager


class ImportKind(models.TextChoices):
    MEMBERS = "members", _("会员")
    EMPLOYERS = "employers", _("用人单位")


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("已上传")
    VALIDATING = "validating", _("校验中")
    VALIDATED = "validated", _("待确认")
    IMPORTING = "importing", _("导入中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")
    CANCELLED = "cancelled", _("已取消")


NEXT_STATUSES = {
    ImportStatus.UPLOADED: {ImportStatus.VALIDATING, ImportStatus.FAILED, ImportStatus.CANCELLED},
    ImportStatus.VALIDATING: {ImportStatus.VALIDATED, ImportStatus.FAILED, ImportStatus.CANCELLED},
    ImportStatus.VALIDATED: {ImportStatus.IMPORTING, ImportStatus.CANCELLED, ImportStatus.FAILED},
    ImportStatus.IMPORTING: {ImportStatus.DONE, ImportStatus.FAILED},
    ImportStatus.DONE: set(),
    ImportStatus.FAILED: set(),
    ImportStatus.CANCELLED: set(),
}
FINISHED = frozenset({ImportStatus.DONE, ImportStatus.FAILED, ImportStatus.CANCELLED})
WORKING = frozenset({ImportStatus.UPLOADED, ImportStatus.VALIDATING, ImportStatus.IMPORTING})


class ImportJob(models.Model):
    """One uploaded file and what became of it.

    The file holds personal data in plain text, so it is deleted from storage as soon as the
    job is finished; the per-row report (row, column, reason — never the values of ID
    numbers) stays."""

    kind = models.CharField(_("导入内容"), max_length=16, choices=ImportKind.choices)
    original_name = models.CharField(_("文件名"), max_length=255)
    file = models.FileField(_("文件"), upload_to="imports/%Y/%m/", max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("状态"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.UPLOADED, db_index=True
    )
    total_rows = models.PositiveIntegerField(_("数据行数"), default=0)
    valid_rows = models.PositiveIntegerField(_("有效行数"), default=0)
    error_rows = models.PositiveIntegerField(_("有误行数"), default=0)
    imported_rows = models.PositiveIntegerField(_("已导入行数"), default=0)
    skipped_rows = models.PositiveIntegerField(_("导入时跳过行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("已处理行数"), default=0)
    # [{"row": 5, "column": "身份证号码", "reason": "…"}], at most IMPORT_MAX_REPORTED_ERRORS
    # entries; error_rows keeps the true count of rows with errors.
    errors = models.JSONField(_("错误明细"), default=list, blank=True)
    errors_truncated = models.BooleanField(_("错误明细已截断"), default=False)
    # One bit per spreadsheet row that failed validation: the write phase imports only rows
    # the user was shown as valid, even if the database changed in between.
    error_row_map = models.BinaryField(default=b"", blank=True)
    failure = models.CharField(_("失败原因"), max_length=500, blank=True)
    only_valid = models.BooleanField(_("只导入有效行"), default=False)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    validated_at = models.DateTimeField(_("校验完成时间"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("确认导入时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = org_scoped_manager("unit__path__startswith")

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"#{self.pk} {self.original_name}"

    def audit_scope_path(self):
        return self.unit.path

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED

    @property
    def is_working(self) -> bool:
        return self.status in WORKING
