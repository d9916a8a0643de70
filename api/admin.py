"""Partners, their keys (shown once on creation) and the webhook delivery log."""

from django.contrib import admin
from rest_framework_api_key.admin import APIKeyModelAdmin

from .models import Partner, PartnerAPIKey, WebhookDelivery


class PartnerAPIKeyInline(admin.TabularInline):
    model = PartnerAPIKey
    fields = ["name", "prefix", "created", "expiry_date", "revoked"]
    readonly_fields = ["prefix", "created"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # keys are created on their own page, where the key is shown once


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "active", "throttle_rate", "webhook_url"]
    list_filter = ["active"]
    search_fields = ["name", "contact_email"]
    inlines = [PartnerAPIKeyInline]
    fields = ["name", "contact_email", "active", "throttle_rate", "webhook_url", "webhook_secret"]


@admin.register(PartnerAPIKey)
class PartnerAPIKeyAdmin(APIKeyModelAdmin):
    list_display = [*APIKeyModelAdmin.list_display, "partner"]
    list_filter = [*APIKeyModelAdmin.list_filter, "partner"]
    search_fields = [*APIKeyModelAdmin.search_fields, "partner__name"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "partner", "event", "status", "attempts", "last_status_code", "next_attempt_at"]
    list_filter = ["status", "event", "partner"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
