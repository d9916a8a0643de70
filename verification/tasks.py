"""Celery tasks: ids in, one service call each."""

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from . import publication, services
from .sources.http import SourceUnavailable

TRANSIENT_ERRORS = (OperationalError, InterfaceError, SourceUnavailable, ConnectionError, TimeoutError)


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=2,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=8,
)
def verify_batch(batch_id: int) -> bool:
    return services.batch_verify(batch_id=batch_id)


@shared_task(acks_late=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=True, retry_jitter=True, max_retries=5)
def run_scheduled(kind: str) -> int:
    """Fired by celery beat; a second firing in the same period finds the existing run."""
    run, _ = services.run_start(kind=kind, as_of=timezone.localdate())
    return run.id


@shared_task(acks_late=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=True, retry_jitter=True, max_retries=5)
def run_finished(run_id: int) -> None:
    """An annual run publishes through the gates; any other run delists at once whoever became ineligible."""
    publication.after_run(run_id=run_id)


@shared_task(acks_late=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=True, retry_jitter=True, max_retries=5)
def publish_cities(run_id: int, city_ids: list[int]) -> None:
    publication.run_cities_publish(run_id=run_id, city_ids=city_ids)
