"""Verification runs: start, verify a batch, finish or fail, sweep what a lost worker or broker left; overrides."""

import logging
from datetime import date, datetime, timedelta
from uuid import uuid4

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from bulksql.insert import JsonText, rows_insert
from bulksql.locks import advisory_locks_take
from bulksql.statistics import statistics_refresh
from config.celery import send
from directory.models import Surgeon

from .checks import CHECKS, SANCTIONS_CHECKS
from .checks.types import Outcome, Result, evidence_to_json
from .dossier import dossiers_load
from .models import CheckResult, ReviewDecision, VerificationBatch, VerificationRun

logger = logging.getLogger(__name__)
# The advisory-lock namespace (the first of PostgreSQL's two lock keys) of a surgeon's results.
SURGEON_RESULTS_LOCK = 1
Kind = VerificationRun.Kind


class RunStateError(Exception):
    """A service was asked to act on a run in the wrong state."""


def period_key_for(kind: str, day: date) -> str:
    """Scheduled sweepers run once per period: a year, a month or a day."""
    return {Kind.ANNUAL: f"{day:%Y}", Kind.SANCTIONS: f"{day:%Y-%m}", Kind.EXPIRY: f"{day:%Y-%m-%d}"}[kind]


def _surgeon_ids_for(kind: str, as_of: date, surgeon_ids: list[int] | None) -> list[int]:
    if surgeon_ids is not None:
        return sorted(surgeon_ids)
    if kind == Kind.EXPIRY:
        expired = CheckResult.objects.filter(is_current=True, valid_until__lt=as_of)
        return sorted(set(expired.values_list("surgeon_id", flat=True)))
    return list(Surgeon.objects.order_by("id").values_list("id", flat=True))


def run_start(
    *,
    kind: str,
    as_of: date,
    period_key: str | None = None,
    surgeon_ids: list[int] | None = None,
    user=None,
    enqueue: bool = True,
) -> tuple[VerificationRun, bool]:
    """Create a run and its batches, and enqueue them after commit. Returns (run, created).

    A scheduled kind is keyed on its period, so firing twice in one period returns the existing run.
    """
    if period_key is None:  # a manual run is its own period
        period_key = (
            period_key_for(kind, as_of) if kind != Kind.MANUAL else f"{timezone.now():%Y%m%dT%H%M%S}-{uuid4().hex[:8]}"
        )
    checks = list(SANCTIONS_CHECKS if kind == Kind.SANCTIONS else CHECKS)
    ids = _surgeon_ids_for(kind, as_of, surgeon_ids)
    size = settings.VERIFICATION_BATCH_SIZE
    chunks = [ids[i : i + size] for i in range(0, len(ids), size)]
    try:
        with transaction.atomic():
            run = VerificationRun.objects.create(
                kind=kind,
                period_key=period_key,
                as_of=as_of,
                checks=checks,
                status=VerificationRun.Status.RUNNING,
                started_at=timezone.now(),
                batches_total=len(chunks),
                surgeons_total=len(ids),
                created_by=user,
            )
            VerificationBatch.objects.bulk_create(
                VerificationBatch(run=run, index=i, surgeon_ids=chunk) for i, chunk in enumerate(chunks)
            )
            if not chunks:
                run_finish(run_id=run.id)
            elif enqueue:
                transaction.on_commit(lambda: batches_send(VerificationBatch.objects.filter(run_id=run.id)))
    except IntegrityError:
        return VerificationRun.objects.get(kind=kind, period_key=period_key), False
    return run, True


def batches_send(batches) -> int:
    """Hand batches to the workers; one the broker refuses keeps no `sent_at` and the sweeper sends it later."""
    from .tasks import verify_batch

    sent = 0
    for batch_id in list(batches.values_list("id", flat=True)):
        VerificationBatch.objects.filter(id=batch_id).update(sends=F("sends") + 1)
        if send(verify_batch, batch_id):
            VerificationBatch.objects.filter(id=batch_id).update(sent_at=timezone.now())
            sent += 1
    return sent


def evaluate_all(dossier, *, check_keys, as_of: date) -> dict[str, Result]:
    return {key: CHECKS[key].evaluate(dossier, as_of=as_of) for key in check_keys}


def _carried_decisions(surgeon_ids, check_keys) -> dict[tuple[int, str], CheckResult]:
    """Current results a reviewer overrode, so an unchanged finding keeps the reviewer's decision."""
    overridden = CheckResult.objects.filter(
        surgeon_id__any_of=surgeon_ids, check_key__in=check_keys, is_current=True
    ).exclude(effective_outcome=F("outcome"))
    return {(r.surgeon_id, r.check_key): r for r in overridden}


def _result_row(run, surgeon_id, key, result: Result, checked_at: datetime, carried) -> dict:
    fingerprint = result.fingerprint
    previous = carried.get((surgeon_id, key))
    keep = previous is not None and previous.fingerprint == fingerprint
    evidence = (
        evidence_to_json({**result.evidence, "decision_carried_from": previous.id}) if keep else result.evidence_json
    )
    return {
        "run_id": run.id,
        "surgeon_id": surgeon_id,
        "check_key": key,
        "outcome": result.outcome,
        "effective_outcome": previous.effective_outcome if keep else result.outcome,
        "public_note": previous.public_note if keep else "",
        "method": result.method,
        "source": result.source,
        "checked_at": checked_at,
        "valid_until": result.valid_until,
        "evidence": JsonText(evidence),
        "reason": result.reason[:500],
        "source_answered": result.source_answered,
        "fingerprint": fingerprint,
    }


def results_record(*, run: VerificationRun, results: dict[int, dict[str, Result]], checked_at: datetime) -> int:
    """Write results in one transaction; each becomes current unless a newer evaluation already is.

    Writers of the same surgeons take their locks in turn, so two runs at once (a sweep and a reviewer's re-run,
    two sweeps) both keep every result, and the current one is always the latest evaluation. Writing the same
    batch twice adds nothing.
    """
    surgeon_ids = sorted(results)
    check_keys = list(run.checks)
    with transaction.atomic():
        advisory_locks_take(SURGEON_RESULTS_LOCK, surgeon_ids)
        carried = _carried_decisions(surgeon_ids, check_keys)
        current = CheckResult.objects.filter(
            surgeon_id__any_of=surgeon_ids, check_key__in=check_keys, is_current=True
        ).exclude(run=run)
        newer = set(current.filter(checked_at__gt=checked_at).values_list("surgeon_id", "check_key"))
        current.filter(checked_at__lte=checked_at).update(is_current=False)
        rows = [
            {
                **_result_row(run, surgeon_id, key, result, checked_at, carried),
                "is_current": (surgeon_id, key) not in newer,
            }
            for surgeon_id, by_check in results.items()
            for key, result in by_check.items()
        ]
        rows_insert(CheckResult, rows, skip_existing=("run", "surgeon", "check_key"))
    return len(rows)


def batch_verify(*, batch_id: int) -> bool:
    """Evaluate and record one batch; the last batch to finish finishes the run. False if already done."""
    batch = VerificationBatch.objects.select_related("run").get(id=batch_id)
    run = batch.run
    if batch.finished_at is not None:
        return False
    if run.status != VerificationRun.Status.RUNNING:
        raise RunStateError(f"Run {run.id} is {run.status}; batch {batch.index} cannot be verified")
    VerificationBatch.objects.filter(id=batch.id).update(attempts=F("attempts") + 1)
    checked_at = timezone.now()  # the evaluation's time: what "latest" means between two runs
    dossiers = dossiers_load(batch.surgeon_ids, as_of=run.as_of)
    results = {d.surgeon.id: evaluate_all(d, check_keys=run.checks, as_of=run.as_of) for d in dossiers}
    with transaction.atomic():
        claimed = VerificationBatch.objects.filter(id=batch.id, finished_at__isnull=True).update(
            finished_at=timezone.now()
        )
        if not claimed:  # another delivery of this batch got here first
            return False
        results_record(run=run, results=results, checked_at=checked_at)
        VerificationRun.objects.filter(id=run.id).update(batches_done=F("batches_done") + 1)
    run.refresh_from_db(fields=["batches_done", "batches_total"])
    if run.batches_done >= run.batches_total:
        run_finish(run_id=run.id)
    return True


def run_counts(run_id: int) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    rows = CheckResult.objects.filter(run_id=run_id).values("check_key", "outcome").annotate(n=Count("id"))
    for row in rows.order_by():
        counts.setdefault(row["check_key"], {})[row["outcome"]] = row["n"]
    return counts


def run_finish(*, run_id: int) -> bool:
    """Mark a run finished once (conditional update), store its counts, then hand over to publication."""
    claimed = VerificationRun.objects.filter(id=run_id, status=VerificationRun.Status.RUNNING).update(
        status=VerificationRun.Status.FINISHED, finished_at=timezone.now(), counts=run_counts(run_id)
    )
    if not claimed:
        return False
    if VerificationRun.objects.filter(id=run_id, batches_total__gt=1).exists():
        statistics_refresh(CheckResult)  # a large run rewrote many results; not for a reviewer's one-surgeon re-run
    logger.info("verification run %s finished", run_id)
    transaction.on_commit(lambda: publication_send(run_id))
    return True


def run_fail(*, run_id: int, note: str) -> bool:
    """Mark a run failed once, with why; what its finished batches recorded still reaches the lists."""
    failed = VerificationRun.objects.filter(id=run_id, status=VerificationRun.Status.RUNNING).update(
        status=VerificationRun.Status.FAILED, finished_at=timezone.now(), note=note[:2000], counts=run_counts(run_id)
    )
    if failed:
        logger.error("verification run %s failed: %s", run_id, note)
        transaction.on_commit(lambda: publication_send(run_id))
    return bool(failed)


def batch_failed(*, batch_id: int, error: BaseException) -> bool:
    """A batch no retry can finish: its run fails with the error's kind (never its text: it may hold data)."""
    batch = VerificationBatch.objects.get(id=batch_id)
    return run_fail(run_id=batch.run_id, note=f"Batch {batch.index} could not be verified ({type(error).__name__}).")


def publication_send(run_id: int) -> bool:
    from .tasks import run_finished

    return send(run_finished, run_id)


def runs_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Re-send what a lost worker or a broker outage left undone; fail a run whose batch never finishes."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.SWEEP_STALE_SECONDS)
    grace = now - timedelta(seconds=30)  # a hand-over may still be on its way after commit
    lost = VerificationBatch.objects.filter(
        run__status=VerificationRun.Status.RUNNING, finished_at=None, run__started_at__lt=grace
    ).filter(Q(sent_at=None) | Q(sent_at__lt=stale))
    failed = 0
    for run_id, index in lost.filter(sends__gte=settings.VERIFICATION_BATCH_MAX_SENDS).values_list("run_id", "index"):
        failed += run_fail(
            run_id=run_id,
            note=f"Batch {index} was handed to the workers {settings.VERIFICATION_BATCH_MAX_SENDS} times and never "
            "finished; its surgeons keep their previous results. Start a new run once the cause is fixed.",
        )
    resent = batches_send(lost.filter(sends__lt=settings.VERIFICATION_BATCH_MAX_SENDS))
    ended = VerificationRun.objects.filter(
        status__in=[VerificationRun.Status.FINISHED, VerificationRun.Status.FAILED], publication_done_at=None
    ).filter(Q(handed_over_at=None, finished_at__lt=grace) | Q(handed_over_at__lt=stale))
    redriven = 0
    for run_id in list(ended.values_list("id", flat=True)):
        VerificationRun.objects.filter(id=run_id).update(handed_over_at=now)  # not again before it goes stale
        redriven += publication_send(run_id)
    return {"batches_resent": resent, "runs_failed": failed, "publications_redriven": redriven}


class ResultSuperseded(Exception):
    """A reviewer decided on a result a newer evaluation has replaced."""


def result_override(*, result_id: int, to_outcome: str, reason: str, user, public_note: str = "") -> ReviewDecision:
    """A reviewer's decision; the check's own outcome stays on the result for the audit trail.

    `reason` is private (the audit trail); `public_note` is what patients read instead of the automatic finding.
    It counts at once: the surgeon's cities are republished once the decision commits.
    """
    from . import events

    reason = (reason or "").strip()
    if not reason:
        raise ValueError("An override needs a reason.")
    if to_outcome not in Outcome.values:
        raise ValueError(f"Unknown outcome {to_outcome!r}.")
    with transaction.atomic():
        surgeon_id = CheckResult.objects.values_list("surgeon_id", flat=True).get(id=result_id)
        advisory_locks_take(SURGEON_RESULTS_LOCK, [surgeon_id])  # not while a run records this surgeon's results
        result = CheckResult.objects.select_for_update().get(id=result_id)
        if not result.is_current:
            raise ResultSuperseded("A newer check replaced this result while you reviewed it; review the current one.")
        decision = ReviewDecision(
            result=result,
            from_outcome=result.effective_outcome,
            to_outcome=to_outcome,
            reason=reason,
            public_note=public_note.strip(),
            decided_by=user,
        )
        decision.full_clean()
        decision.save()
        result.effective_outcome, result.public_note = to_outcome, decision.public_note
        result.save(update_fields=["effective_outcome", "public_note"])
        events.surgeons_changed(surgeon_ids=[surgeon_id], cause="review decision", recheck=False, user=user)
    return decision
