from django.contrib import admin

from gonghui.core.audit import audit_record
from gonghui.core.models import AuditAction


class GonghuiAdminSite(admin.AdminSite):
    """Django admin for system administrators only (role ``sysadmin``, two-factor verified).
    Its lists are scoped like every other query, by the organisation-scope middleware."""

    site_header = "Gonghui 工会服务平台 · 系统管理"
    site_title = "Gonghui"

    def has_permission(self, request):
        user = request.user
        return bool(
            user.is_active
            and user.is_authenticated
            and getattr(user, "can", None)
            and user.can("admin.access")
            and user.is_verified()
        )


class AuditedModelAdmin(admin.ModelAdmin):
    """Role-based permissions instead of Django's per-model ones, and every change in the
    admin written to the audit trail like a change made anywhere else."""

    def _allowed(self, request):
        return request.user.is_authenticated and request.user.can("admin.access")

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return False  # records are deactivated, never deleted

    def save_model(self, request, obj, form, change):
        changes = {f: [form.initial.get(f), form.cleaned_data.get(f)] for f in form.changed_data}
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action=AuditAction.UPDATE if change else AuditAction.CREATE,
            obj=obj,
            changes=changes,
            note="admin",
        )


class ReadOnlyAdmin(AuditedModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
