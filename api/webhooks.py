"""Change notifications to partners: an outbox of signed deliveries, sent by tasks, re-sent by a sweeper."""

import hashlib
import hmac
import json
import logging
import random
import time
from datetime import timedelta

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from verification.models import RankingSnapshot

from .models import Partner, WebhookDelivery, webhook_secret_new

logger = logging.getLogger(__name__)
SIGNATURE_HEADER = "X-Spine-Signature"
_session = requests.Session()


def signature(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def partner_secret_rotate(*, partner_id: int) -> str:
    """A new signing secret for the partner; the caller shows it once. The old one stops signing at once."""
    secret = webhook_secret_new()
    Partner.objects.filter(id=partner_id).update(webhook_secret=secret)
    return secret


def snapshot_event(snapshot: RankingSnapshot) -> dict:
    kind = "list.delisted" if snapshot.reason == RankingSnapshot.Reason.DELISTING else "list.published"
    return {
        "type": kind,
        "city": snapshot.city.slug,
        "snapshot_id": snapshot.id,
        "method_version": snapshot.method_version,
        "published_at": snapshot.published_at.isoformat(),
        "top_ten_url": f"{settings.SITE_URL}/api/v1/cities/{snapshot.city.slug}/top-ten/",
    }


def deliveries_create(*, snapshot_ids: list[int]) -> list[int]:
    """One outbox row per partner with a webhook and published list, in one transaction; sent after commit."""
    snapshots = RankingSnapshot.objects.select_related("city").filter(id__in=snapshot_ids).order_by("id")
    events = [snapshot_event(snapshot) for snapshot in snapshots]
    partners = list(Partner.objects.filter(active=True).exclude(webhook_url=""))
    with transaction.atomic():
        rows = WebhookDelivery.objects.bulk_create(
            WebhookDelivery(partner=p, event=event["type"], payload=event, next_attempt_at=timezone.now())
            for event in events
            for p in partners
        )
        ids = [row.id for row in rows]
        transaction.on_commit(lambda: _enqueue(ids), robust=True)  # a broker outage must not fail the caller
    return ids


def _enqueue(ids) -> None:
    from .tasks import webhook_deliver

    for delivery_id in ids:
        webhook_deliver.delay(delivery_id)


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(3600, 30 * 2 ** (attempts - 1)) * random.uniform(0.8, 1.2))  # noqa: S311


def delivery_send(*, delivery_id: int) -> str:
    """Send once; on failure schedule the next attempt with backoff and jitter. Returns the new status."""
    claimed = WebhookDelivery.objects.filter(
        id=delivery_id, status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=timezone.now()
    ).update(attempts=F("attempts") + 1, next_attempt_at=timezone.now() + timedelta(minutes=5))
    delivery = WebhookDelivery.objects.select_related("partner").get(id=delivery_id)
    if not claimed:
        return delivery.status
    body = json.dumps({"id": delivery.id, **delivery.payload}, sort_keys=True).encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: signature(delivery.partner.webhook_secret, timestamp, body),
    }
    try:
        response = _session.post(
            delivery.partner.webhook_url,
            data=body,
            headers=headers,
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
            allow_redirects=False,
        )
        delivery.last_status_code, delivery.last_error = response.status_code, ""
        ok = 200 <= response.status_code < 300
    except requests.RequestException as error:
        delivery.last_status_code, delivery.last_error, ok = None, type(error).__name__, False
    if ok:
        delivery.status, delivery.delivered_at = WebhookDelivery.Status.DELIVERED, timezone.now()
    elif delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        delivery.status = WebhookDelivery.Status.FAILED
    else:
        delivery.next_attempt_at = timezone.now() + _backoff(delivery.attempts)
    delivery.save(update_fields=["status", "delivered_at", "last_status_code", "last_error", "next_attempt_at"])
    return delivery.status


def deliveries_due() -> list[int]:
    """Pending deliveries whose time has come: sent again by the sweeper (also after a broker outage)."""
    due = WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=timezone.now())
    return list(due.values_list("id", flat=True)[:1000])
