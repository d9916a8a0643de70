"""Thin Celery tasks for the directory."""

from celery import shared_task

from . import consultations


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, retry_jitter=True, max_retries=6)
def consultation_notify(request_id: int) -> bool:
    return consultations.practice_notify(request_id=request_id)


@shared_task
def consultation_requests_purge() -> int:
    return consultations.consultation_requests_purge()


@shared_task
def consultation_requests_resend() -> int:
    return consultations.consultation_requests_resend()
