"""Partners, their keys and webhook secrets (each shown once, when made) and the webhook delivery log."""

from django.contrib import admin
from django.db import models
from django.template.response import TemplateResponse
from rest_framework_api_key.admin import APIKeyModelAdmin
from rest_framework_api_key.models import APIKey

from . import webhooks
from .models import Partner, PartnerAPIKey, WebhookDelivery

# The library's own "API keys" make keys for no partner, which our API refuses (401): only partner keys here.
admin.site.unregister(APIKey)


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
    fields = ["name", "contact_email", "active", "throttle_rate", "webhook_url", "webhook_secret_status"]
    readonly_fields = ["webhook_secret_status"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # webhook URLs are HTTPS only
    actions = ["rotate_webhook_secret"]

    @admin.display(description="webhook secret")
    def webhook_secret_status(self, partner):
        if partner.pk is None:
            return "Generated when you save; shown once on the next page."
        return "Set. It was shown once; rotate it (partners list, action) to get a new one."

    def response_add(self, request, obj, post_url_continue=None):
        return self._secrets_shown(request, [(obj, obj.webhook_secret)])

    @admin.action(description="Rotate the webhook secret (shown once)", permissions=["change"])
    def rotate_webhook_secret(self, request, queryset):
        shown = []
        for partner in queryset:
            shown.append((partner, webhooks.partner_secret_rotate(partner_id=partner.id)))
            self.log_change(request, partner, "Rotated the webhook secret.")
        return self._secrets_shown(request, shown)

    def _secrets_shown(self, request, shown):
        context = {
            **self.admin_site.each_context(request),
            "title": "Webhook signing secret",
            "opts": self.model._meta,
            "shown": shown,
        }
        return TemplateResponse(request, "admin/api/partner/webhook_secret.html", context)


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
