from django.contrib import admin

from gonghui.cards.models import Benefit, Card, Venue
from gonghui.core.admin_site import AuditedModelAdmin, ReadOnlyAdmin


@admin.register(Venue)
class VenueAdmin(AuditedModelAdmin):
    list_display = ("name", "unit", "is_active")
    search_fields = ("name",)
    exclude = ("token_digest",)
    list_select_related = ("unit",)


@admin.register(Benefit)
class BenefitAdmin(AuditedModelAdmin):
    list_display = ("name", "venue", "kind", "eligibility", "valid_from", "valid_to", "capacity", "redeemed")
    list_filter = ("kind", "eligibility", "is_active")
    readonly_fields = ("redeemed",)
    list_select_related = ("venue",)


@admin.register(Card)
class CardAdmin(ReadOnlyAdmin):
    list_display = ("masked_number", "status", "issued_at")
    list_filter = ("status",)
    exclude = ("number",)
