"""Listens to signals: a publication becomes webhook deliveries; a changed key or partner leaves the key cache."""

import logging

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from verification.signals import snapshot_published

from . import webhooks
from .auth import partner_keys_forget
from .models import Partner, PartnerAPIKey

logger = logging.getLogger(__name__)


@receiver(snapshot_published)
def notify_partners(sender, snapshot_ids, **kwargs):
    # The outbox rows are written here, in-process, so a broker outage loses nothing: the sweeper re-sends.
    ids = webhooks.deliveries_create(snapshot_ids=snapshot_ids)
    logger.info("snapshots %s: %d webhook deliveries queued", snapshot_ids, len(ids))


@receiver([post_save, post_delete], sender=PartnerAPIKey)
def forget_key(sender, instance, **kwargs):
    partner_keys_forget([instance.prefix])  # a revoked key is refused at once


@receiver([post_save, post_delete], sender=Partner)
def forget_partner_keys(sender, instance, **kwargs):
    partner_keys_forget(PartnerAPIKey.objects.filter(partner_id=instance.pk).values_list("prefix", flat=True))
