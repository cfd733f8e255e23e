from django.contrib import admin

from gonghui.core.admin_site import AuditedModelAdmin
from gonghui.orgs.models import Employer, ServicePoint, Unit


@admin.register(Unit)
class UnitAdmin(AuditedModelAdmin):
    list_display = ("name", "kind", "division_code", "depth", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "short_name", "division_code")
    fields = ("name", "short_name", "division_code", "address", "phone", "chair_name", "is_active")
    ordering = ("path",)

    def has_add_permission(self, request):
        return False  # new units are created in the tree, where their place is checked


@admin.register(Employer)
class EmployerAdmin(AuditedModelAdmin):
    list_display = ("name", "uscc", "industry", "ownership", "size", "has_own_union", "unit")
    list_filter = ("industry", "ownership", "size", "has_own_union")
    search_fields = ("name", "uscc")
    list_select_related = ("unit",)
    readonly_fields = ("uscc", "unit", "district")

    def has_add_permission(self, request):
        return False


@admin.register(ServicePoint)
class ServicePointAdmin(AuditedModelAdmin):
    list_display = ("name", "kind", "unit", "is_public")
    list_filter = ("kind", "is_public")
    search_fields = ("name", "address", "code")
    list_select_related = ("unit",)
    readonly_fields = ("unit", "code")

    def has_add_permission(self, request):
        return False
