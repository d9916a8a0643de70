"""Listens to verification's signals: a publication becomes webhook deliveries."""

import logging

from django.dispatch import receiver

from verification.signals import snapshot_published

from . import webhooks

logger = logging.getLogger(__name__)


@receiver(snapshot_published)
def notify_partners(sender, snapshot_id, **kwargs):
    # The outbox rows are written here, in-process, so a broker outage loses nothing: the sweeper re-sends.
    ids = webhooks.deliveries_create(snapshot_id=snapshot_id)
    logger.info("snapshot %s: %d webhook deliveries queued", snapshot_id, len(ids))
