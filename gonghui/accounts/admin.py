from django.contrib import admin

from gonghui.accounts.models import ApiToken, Staff
from gonghui.core.admin_site import ReadOnlyAdmin


@admin.register(Staff)
class StaffAdmin(ReadOnlyAdmin):
    list_display = ("username", "full_name", "unit", "is_active", "locked_until", "last_login")
    search_fields = ("username", "full_name")
    list_select_related = ("unit",)
    exclude = ("password", "user_permissions", "groups")


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ("prefix", "name", "staff", "created_at", "expires_at", "last_used_at", "revoked_at")
    exclude = ("digest",)
