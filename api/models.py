"""Partners, their hashed API keys, and the webhook outbox."""

import secrets

from django.core.validators import RegexValidator, URLValidator
from django.db import models
from rest_framework_api_key.models import AbstractAPIKey, APIKeyManager

validate_rate = RegexValidator(r"^\d+/(second|minute|hour|day)$", "Use a rate like 1000/hour.")
validate_https = URLValidator(schemes=["https"], message="Webhook URLs must use HTTPS.")


def webhook_secret_new() -> str:
    """A signing secret we generate (256 bits); a partner sees it once, when it is made."""
    return secrets.token_urlsafe(32)


class Partner(models.Model):
    name = models.CharField(max_length=200, unique=True)
    contact_email = models.EmailField(blank=True)
    active = models.BooleanField(default=True, help_text="An inactive partner's keys get 403")
    throttle_rate = models.CharField(max_length=20, default="1000/hour", validators=[validate_rate])
    webhook_url = models.URLField(blank=True, validators=[validate_https])
    # Never in a form: shown once on creation or rotation (admin), then only used to sign.
    webhook_secret = models.CharField(
        max_length=128, default=webhook_secret_new, editable=False, help_text="Shared secret for HMAC-SHA256"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class PartnerAPIKeyManager(APIKeyManager):
    def get_usable_keys(self):
        return super().get_usable_keys().select_related("partner")  # the key and its partner in one query


class PartnerAPIKey(AbstractAPIKey):
    """Hashed at rest, shown once on creation, revocable in admin."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="api_keys")

    objects = PartnerAPIKeyManager()

    class Meta(AbstractAPIKey.Meta):
        verbose_name = "partner API key"


class WebhookDelivery(models.Model):
    """An outbox row: written with the event, sent by a task, re-sent by a sweeper until delivered."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Gave up"

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "webhook deliveries"
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.event} → {self.partner} ({self.status})"


class FhirResourceVersion(models.Model):
    """A version of a FHIR resource as this server served it: written when the content first differs from the
    last version served (or its rows record a later change), so versionId and lastUpdated move with the content
    and vread/_history can give back what was served."""

    resource_type = models.CharField(max_length=40)
    resource_id = models.CharField(max_length=64)
    version = models.PositiveIntegerField()
    content_hash = models.CharField(max_length=64, help_text="SHA-256 of the resource without its meta")
    last_updated = models.DateTimeField()
    body = models.JSONField(help_text="The resource as served (public data only)")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["resource_type", "resource_id", "version"], name="fhir_version_unique")
        ]
        indexes = [models.Index(fields=["resource_type", "resource_id", "last_updated"], name="fhir_version_updated")]

    def __str__(self):
        return f"{self.resource_type}/{self.resource_id}/_history/{self.version}"
