"""Verification runs: start, verify a batch, finish; reviewer overrides."""

import logging
from collections import Counter
from datetime import date, datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.utils import timezone

from directory.db import JsonText, rows_insert_ignoring_conflicts, statistics_refresh
from directory.models import Surgeon

from .checks import CHECKS, REQUIRED_CHECKS, SANCTIONS_CHECKS
from .checks.types import Outcome, Result, evidence_to_json
from .dossier import dossiers_load
from .models import CheckResult, ReviewDecision, VerificationBatch, VerificationRun

logger = logging.getLogger(__name__)
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
    if period_key is None:
        period_key = period_key_for(kind, as_of) if kind != Kind.MANUAL else timezone.now().isoformat()
    checks = list(SANCTIONS_CHECKS if kind == Kind.SANCTIONS else REQUIRED_CHECKS)
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
                transaction.on_commit(lambda: _enqueue_batches(run.id))
    except IntegrityError:
        return VerificationRun.objects.get(kind=kind, period_key=period_key), False
    return run, True


def _enqueue_batches(run_id: int) -> None:
    from .tasks import verify_batch

    for batch_id in VerificationBatch.objects.filter(run_id=run_id).values_list("id", flat=True):
        verify_batch.delay(batch_id)


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
        "method": result.method,
        "source": result.source,
        "checked_at": checked_at,
        "valid_until": result.valid_until,
        "evidence": JsonText(evidence),
        "reason": result.reason[:500],
        "source_answered": result.source_answered,
        "fingerprint": fingerprint,
    }


def results_record(*, run: VerificationRun, results: dict[int, dict[str, Result]]) -> int:
    """Write results as the current ones, in one transaction. Writing the same batch twice is a no-op."""
    surgeon_ids = list(results)
    check_keys = list(run.checks)
    checked_at = timezone.now()
    with transaction.atomic():
        carried = _carried_decisions(surgeon_ids, check_keys)
        CheckResult.objects.filter(surgeon_id__any_of=surgeon_ids, check_key__in=check_keys, is_current=True).exclude(
            run=run
        ).update(is_current=False)
        rows = [
            _result_row(run, surgeon_id, key, result, checked_at, carried)
            for surgeon_id, by_check in results.items()
            for key, result in by_check.items()
        ]
        rows_insert_ignoring_conflicts(CheckResult, rows)
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
    dossiers = dossiers_load(batch.surgeon_ids, as_of=run.as_of)
    results = {d.surgeon.id: evaluate_all(d, check_keys=run.checks, as_of=run.as_of) for d in dossiers}
    with transaction.atomic():
        results_record(run=run, results=results)
        claimed = VerificationBatch.objects.filter(id=batch.id, finished_at__isnull=True).update(
            finished_at=timezone.now()
        )
        if not claimed:
            return False
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
        status=VerificationRun.Status.FINISHED, finished_at=timezone.now()
    )
    if not claimed:
        return False
    VerificationRun.objects.filter(id=run_id).update(counts=run_counts(run_id))
    if VerificationRun.objects.filter(id=run_id, batches_total__gt=1).exists():
        statistics_refresh(CheckResult)  # a large run rewrote many results; not for a reviewer's one-surgeon re-run
    logger.info("verification run %s finished", run_id)
    transaction.on_commit(lambda: _after_run(run_id))
    return True


def _after_run(run_id: int) -> None:
    from . import tasks

    tasks.run_finished.delay(run_id)


def outcome_totals(counts: dict[str, dict[str, int]]) -> Counter:
    totals: Counter = Counter()
    for by_outcome in counts.values():
        totals.update(by_outcome)
    return totals


def result_override(*, result_id: int, to_outcome: str, reason: str, user) -> ReviewDecision:
    """A reviewer's decision; the check's own outcome stays on the result for the audit trail."""
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("An override needs a reason.")
    if to_outcome not in Outcome.values:
        raise ValueError(f"Unknown outcome {to_outcome!r}.")
    with transaction.atomic():
        result = CheckResult.objects.select_for_update().get(id=result_id)
        decision = ReviewDecision(
            result=result, from_outcome=result.effective_outcome, to_outcome=to_outcome, reason=reason, decided_by=user
        )
        decision.full_clean()
        decision.save()
        result.effective_outcome = to_outcome
        result.save(update_fields=["effective_outcome"])
    return decision
