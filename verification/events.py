"""Eligibility events: a change that may alter who is eligible re-verifies what it touches and republishes.

Call `surgeons_changed` inside the transaction that made the change. It writes an outbox row there; once the
transaction commits, a task re-evaluates the surgeons' checks (unless `recheck=False`, e.g. a reviewer's
decision changed a result directly) and republishes every affected city: where they practise, whose current
list names them, and `city_ids` (e.g. the city a practice location was just removed from). On the embedded
default the task runs in-process before the response returns; with Celery a sweeper sends any event the broker
did not take.
"""

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from config.celery import send

from . import publication
from .models import EligibilityEvent, VerificationRun

logger = logging.getLogger(__name__)
EVENTS_PER_CLAIM = 500


def surgeons_changed(
    *, surgeon_ids: Iterable[int], cause: str, recheck: bool = True, city_ids: Iterable[int] = (), user=None
) -> EligibilityEvent | None:
    """Record an eligibility event for these surgeons; it is acted on after the current transaction commits."""
    surgeon_ids, city_ids = sorted(set(surgeon_ids)), sorted(set(city_ids))
    if not surgeon_ids and not city_ids:
        return None
    event = EligibilityEvent.objects.create(
        cause=cause[:100], surgeon_ids=surgeon_ids, city_ids=city_ids, recheck=recheck, created_by=user
    )
    transaction.on_commit(events_send, robust=True)
    return event


def events_send() -> bool:
    from .tasks import eligibility_events_process

    return send(eligibility_events_process)


def _claim(now: datetime) -> list[EligibilityEvent]:
    """Pending events (and claimed ones a lost worker left), claimed in one transaction: each is acted on once."""
    stale = now - timedelta(seconds=settings.SWEEP_STALE_SECONDS)
    with transaction.atomic():
        pending = (
            EligibilityEvent.objects.select_for_update(skip_locked=True)
            .filter(processed_at=None)
            .filter(Q(claimed_at=None) | Q(claimed_at__lt=stale))
            .order_by("created_at")[:EVENTS_PER_CLAIM]
        )
        events = list(pending)
        EligibilityEvent.objects.filter(id__in=[e.id for e in events]).update(
            claimed_at=now, attempts=F("attempts") + 1
        )
    return events


def events_process() -> int:
    """Act on every pending event together: one re-verification and one republication for all of them."""
    from . import services

    events = _claim(timezone.now())
    if not events:
        return 0
    recheck = sorted({s for e in events if e.recheck for s in e.surgeon_ids})
    plain = sorted({s for e in events if not e.recheck for s in e.surgeon_ids} - set(recheck))
    cities = {c for e in events for c in e.city_ids} | (set(publication.affected_city_ids(plain)) if plain else set())
    if recheck:
        user = next((e.created_by for e in events if e.created_by_id), None)
        run, _ = services.run_start(
            kind=VerificationRun.Kind.MANUAL, as_of=timezone.localdate(), surgeon_ids=recheck, user=user, enqueue=False
        )
        for batch_id in run.batches.values_list("id", flat=True):  # its publication covers these surgeons' cities
            services.batch_verify(batch_id=batch_id)
        cities -= set(publication.affected_city_ids(recheck))
    if cities:
        publication.cities_republish(cities)
    EligibilityEvent.objects.filter(id__in=[e.id for e in events]).update(processed_at=timezone.now())
    logger.info("acted on %d eligibility events (%d re-verified, %d cities)", len(events), len(recheck), len(cities))
    return len(events)


def events_sweep(*, now: datetime | None = None) -> bool:
    """Send the processing task again if events wait that the broker never delivered."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.SWEEP_STALE_SECONDS)
    waiting = EligibilityEvent.objects.filter(processed_at=None).filter(
        Q(claimed_at=None, created_at__lt=now - timedelta(seconds=30)) | Q(claimed_at__lt=stale)
    )
    return waiting.exists() and events_send()
