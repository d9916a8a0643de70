"""Thin webhook tasks; the outbox rows make them safe to run twice."""

from celery import shared_task

from . import webhooks


@shared_task(acks_late=True)
def webhook_deliver(delivery_id: int) -> str:
    return webhooks.delivery_send(delivery_id=delivery_id)


@shared_task
def webhooks_resend_due() -> int:
    due = webhooks.deliveries_due()
    for delivery_id in due:
        webhook_deliver.delay(delivery_id)
    return len(due)
