import hashlib

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from gonghui.accounts.roles import ROLE_PERMISSIONS, Role
from gonghui.core.scoping import org_scoped_manager


class Staff(AbstractUser):
    """A union staff account, bound to one unit of the tree and seeing only its subtree."""

    full_name = models.CharField(_("姓名"), max_length=60, blank=True)
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("所属单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    title = models.CharField(_("职务"), max_length=60, blank=True)
    failed_logins = models.PositiveSmallIntegerField(_("连续登录失败次数"), default=0)
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)

    objects = org_scoped_manager("unit__path__startswith", UserManager)

    class Meta:
        verbose_name = _("工作人员")
        verbose_name_plural = _("工作人员")
        ordering = ["username"]

    def __str__(self):
        return self.full_name or self.username

    def audit_scope_path(self):
        return self.unit.path if self.unit_id else ""

    @cached_property
    def role_set(self) -> frozenset[str]:
        # .all() so that a prefetch_related("roles") on a list is used
        return frozenset(r.role for r in self.roles.all())

    def role_labels(self):
        return [Role(r).label for r in sorted(self.role_set)]

    @cached_property
    def permissions(self) -> frozenset[str]:
        if not self.is_active:
            return frozenset()
        perms = set()
        for role in self.role_set:
            perms |= ROLE_PERMISSIONS.get(role, frozenset())
        return frozenset(perms)

    def can(self, permission: str) -> bool:
        return permission in self.permissions

    @property
    def needs_two_factor(self) -> bool:
        from django.conf import settings

        return bool(self.role_set & set(settings.GONGHUI_2FA_ROLES))

    def is_locked(self, now=None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or timezone.now())


class StaffRole(models.Model):
    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    granted_at = models.DateTimeField(_("授予时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("角色")
        verbose_name_plural = _("角色")
        constraints = [models.UniqueConstraint(fields=["staff", "role"], name="staffrole_unique")]

    def __str__(self):
        return f"{self.staff_id}:{self.role}"


class ApiToken(models.Model):
    """A bearer token for integrators. Only its SHA-256 is stored; the token itself is
    shown once when created."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("用途"), max_length=100, blank=True)
    prefix = models.CharField(_("前缀"), max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("过期时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self):
        return f"{self.prefix}… ({self.name})"

    @staticmethod
    def digest_of(raw: str) -> str:
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
