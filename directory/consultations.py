"""Consultation requests: rate-limited intake, a once-only e-mail to the practice, deletion after retention."""

import hashlib
import logging
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation

from config.celery import send

from .models import ConsultationRequest, PracticeLocation, Surgeon

logger = logging.getLogger(__name__)
WINDOW_SECONDS = 3600


class RateLimited(Exception):
    """Too many requests from this client or for this surgeon in the current hour."""


def _over_limit(key: str, limit: int) -> bool:
    bucket = f"consult:{key}:{int(timezone.now().timestamp()) // WINDOW_SECONDS}"
    cache.add(bucket, 0, WINDOW_SECONDS)
    try:
        count = cache.incr(bucket)
    except ValueError:  # the bucket expired between add and incr
        count = 1
    return (count or 0) > limit  # a cache outage (None) fails open rather than turning patients away


def client_key(remote_addr: str) -> str:
    # Only a salted hash of the address is kept, and only in the cache for an hour.
    return hashlib.sha256(f"{settings.SECRET_KEY}:{remote_addr}".encode()).hexdigest()[:32]


def consultation_request_create(
    *, surgeon: Surgeon, data: dict, client: str, location: PracticeLocation | None = None
) -> ConsultationRequest:
    """Store a request for the practice the patient chose (one of the surgeon's; else their primary one)."""
    if _over_limit(f"client:{client}", settings.CONSULTATION_LIMIT_PER_CLIENT) or _over_limit(
        f"surgeon:{surgeon.id}", settings.CONSULTATION_LIMIT_PER_SURGEON
    ):
        raise RateLimited
    if location is None or location.surgeon_id != surgeon.id:
        location = next(iter(surgeon.locations.all()), None)
    request = ConsultationRequest(surgeon=surgeon, location=location, consent=True, **data)
    request.full_clean()
    with transaction.atomic():
        request.save()
        transaction.on_commit(lambda: _enqueue(request.id), robust=True)
    return request


def _enqueue(request_id: int) -> bool:
    from .tasks import consultation_notify

    return send(consultation_notify, request_id)


RESEND_AFTER = timedelta(minutes=1)


def consultation_requests_resend() -> int:
    """Requests still waiting a minute after they were made (the broker was down): sent again, each only once."""
    waiting = ConsultationRequest.objects.filter(
        delivery=ConsultationRequest.Delivery.PENDING, created_at__lt=timezone.now() - RESEND_AFTER
    )
    return sum(_enqueue(request_id) for request_id in waiting.values_list("id", flat=True)[:500])


SEND_ATTEMPTS = 8  # then the request is marked failed for the patient liaison to follow up


def practice_notify(*, request_id: int) -> bool:
    """E-mail the practice once: claim the row before sending, so a retried task cannot send twice.

    A failed attempt puts the request back to pending for the re-send sweeper, up to SEND_ATTEMPTS.
    """
    claimed = ConsultationRequest.objects.filter(id=request_id, delivery=ConsultationRequest.Delivery.PENDING).update(
        delivery=ConsultationRequest.Delivery.SENDING, attempts=F("attempts") + 1
    )
    if not claimed:
        return False
    request = ConsultationRequest.objects.select_related("surgeon", "location__city").get(id=request_id)
    recipient = (request.location.email if request.location else "") or settings.CONSULTATION_FALLBACK_EMAIL
    try:
        # The practice reads English, whatever language the patient used.
        with translation.override("en"):
            message = render_to_string("directory/email/consultation_request.txt", {"request": request})
        send_mail(
            subject=f"Consultation request for {request.surgeon.display_name}",
            message=message,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[recipient],
        )
    except Exception:
        failed = request.attempts >= SEND_ATTEMPTS
        after = ConsultationRequest.Delivery.FAILED if failed else ConsultationRequest.Delivery.PENDING
        ConsultationRequest.objects.filter(id=request_id).update(delivery=after)
        raise
    ConsultationRequest.objects.filter(id=request_id).update(
        delivery=ConsultationRequest.Delivery.SENT, sent_at=timezone.now()
    )
    logger.info("consultation request %s sent to the practice", request_id)  # no patient data in logs
    return True


def consultation_requests_purge() -> int:
    cutoff = timezone.now() - timedelta(days=settings.CONSULTATION_RETENTION_DAYS)
    deleted, _ = ConsultationRequest.objects.filter(created_at__lt=cutoff).delete()
    return deleted
