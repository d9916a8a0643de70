"""Celery tasks: ids in, one service call each."""

from celery import Task, shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from config.celery import send

from . import audit, events, publication, rendering, services
from .sources.http import SourceUnavailable

TRANSIENT_ERRORS = (OperationalError, InterfaceError, SourceUnavailable, ConnectionError, TimeoutError)


class BatchTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        """A batch that cannot be verified (retries spent, or an error no retry mends) fails its run at once."""
        batch_id = args[0] if args else kwargs["batch_id"]
        services.batch_failed(batch_id=batch_id, error=exc)


@shared_task(
    base=BatchTask,
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
    """A finished (or failed) run's lists: published here, or in chunks the workers share."""
    publication.after_run(run_id=run_id)


@shared_task(acks_late=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=True, retry_jitter=True, max_retries=5)
def publish_cities(run_id: int, city_ids: list[int]) -> None:
    publication.run_cities_publish(run_id=run_id, city_ids=city_ids)


def publish_cities_send(run_id: int, city_ids: list[int]) -> bool:
    return send(publish_cities, run_id, city_ids)


@shared_task(acks_late=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=True, retry_jitter=True, max_retries=5)
def eligibility_events_process() -> int:
    return events.events_process()


@shared_task
def sweep() -> dict:
    """Every minute: re-send lost batches, publications and events; republish lists whose evidence lapsed."""
    swept = services.runs_sweep()
    swept["events_resent"] = events.events_sweep()
    swept["lapsed_cities"] = len(publication.lapsed_cities_republish())
    return swept


@shared_task
def audit_listings() -> int:
    return len(audit.listings_audit().findings)


@shared_task(acks_late=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=True, retry_jitter=True, max_retries=5)
def snapshots_render(snapshot_ids: list[int]) -> int:
    return rendering.snapshots_render(snapshot_ids)


def snapshots_render_send(snapshot_ids: list[int]) -> bool:
    return send(snapshots_render, snapshot_ids)
