"""Build city snapshots, run the gates, switch the per-city pointer in one transaction, delist at once."""

import logging
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.db import transaction
from django.db.models import Avg, F
from django.db.models.fields.json import KeyTextTransform
from django.utils import timezone

from directory.models import City, SatisfactionScore, Surgeon

from . import ranking
from .models import CheckResult, CityRanking, RankingEntry, RankingSnapshot, VerificationRun
from .selectors import city_pointer_forget
from .signals import snapshot_published

logger = logging.getLogger(__name__)
PUBLICATION_CHUNK = 50  # cities per publication task: the workers share a large run's lists
Status = RankingSnapshot.Status


class PublicationError(Exception):
    """A snapshot cannot be published (wrong state, or an entry is no longer eligible)."""


@dataclass
class PublicationSummary:
    published: list[str] = field(default_factory=list)
    awaiting_approval: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)
    blocked_reason: str = ""


class CurrentResult(NamedTuple):
    """What eligibility, scoring and a snapshot's links read of a current result: plain values, no model.

    Publication reads every surgeon's results in every city, so it takes only these columns and, of the
    evidence, only the figures the score is made of (`figures`), extracted by the database.
    """

    id: int
    surgeon_id: int
    check_key: str
    effective_outcome: str
    source_answered: bool
    valid_until: date | None
    figures: dict[str, str | None]


SCORE_FIGURES = ("score", "responses", "verified_spine_procedures", "years")


def current_results_by_surgeon(surgeon_ids) -> dict[int, dict[str, CurrentResult]]:
    columns = ("id", "surgeon_id", "check_key", "effective_outcome", "source_answered", "valid_until")
    figures = {f"figure_{name}": KeyTextTransform(name, "evidence") for name in SCORE_FIGURES}
    rows = (
        CheckResult.objects.filter(surgeon_id__any_of=surgeon_ids, is_current=True)
        .annotate(**figures)
        .values_list(*columns, *figures)
    )
    results: dict[int, dict[str, CurrentResult]] = {}
    for row in rows:
        result = CurrentResult(*row[: len(columns)], figures=dict(zip(SCORE_FIGURES, row[len(columns) :], strict=True)))
        results.setdefault(result.surgeon_id, {})[result.check_key] = result
    return results


def _prior_mean() -> Decimal:
    mean = SatisfactionScore.objects.aggregate(mean=Avg("score"))["mean"]
    return Decimal(str(mean)) if mean is not None else Decimal("8.5")


def _parts_for(surgeon, results: dict[str, CurrentResult], prior_mean: Decimal) -> ranking.ScoreParts:
    satisfaction = results["satisfaction"].figures
    experience = results["experience"].figures
    return ranking.score_parts(
        npi=surgeon.npi,
        score=Decimal(str(satisfaction["score"] or "0")),
        responses=int(satisfaction["responses"] or 0),
        procedures=int(experience["verified_spine_procedures"] or 0),
        years=int(experience["years"] or 0),
        prior_mean=prior_mean,
        prior_weight=settings.RANKING_PRIOR_WEIGHT,
    )


def city_ranking_compute(city: City, *, as_of: date, prior_mean: Decimal) -> list[tuple]:
    """The city's top list as (ScoreParts, surgeon, results) among eligible surgeons, best first."""
    surgeons = {s.id: s for s in Surgeon.objects.filter(locations__city=city).distinct().only("id", "npi")}
    results = current_results_by_surgeon(list(surgeons))
    candidates = [
        (_parts_for(surgeons[sid], by_check, prior_mean), surgeons[sid], by_check)
        for sid, by_check in results.items()
        if ranking.eligibility(by_check, as_of=as_of).eligible
    ]
    candidates.sort(key=lambda item: item[0].sort_key)
    return candidates[: settings.RANKING_LIST_SIZE]


def _create_snapshot(city, run, ranked, *, status, reason, note="") -> RankingSnapshot:
    snapshot = RankingSnapshot.objects.create(
        city=city, run=run, method_version=ranking.METHOD_VERSION, status=status, reason=reason, note=note
    )
    entries = RankingEntry.objects.bulk_create(
        RankingEntry(
            snapshot=snapshot,
            rank=position,
            surgeon=surgeon,
            adjusted_satisfaction=parts.adjusted_satisfaction,
            satisfaction_score=parts.satisfaction_score,
            satisfaction_responses=parts.satisfaction_responses,
            verified_procedures=parts.verified_procedures,
            years_in_practice=parts.years_in_practice,
        )
        for position, (parts, surgeon, _) in enumerate(ranked, start=1)
    )
    links = [
        RankingEntry.results.through(rankingentry_id=entry.id, checkresult_id=result.id)
        for entry, (_, _, results) in zip(entries, ranked, strict=True)
        for result in results.values()
    ]
    RankingEntry.results.through.objects.bulk_create(links)
    return snapshot


def _listed_surgeon_ids(snapshot: RankingSnapshot | None) -> list[int]:
    if snapshot is None:
        return []
    return list(snapshot.entries.order_by("rank").values_list("surgeon_id", flat=True))


def current_snapshot(city: City) -> RankingSnapshot | None:
    pointer = CityRanking.objects.filter(city=city).select_related("snapshot").first()
    return pointer.snapshot if pointer else None


def run_unknown_share(run: VerificationRun) -> float:
    total = CheckResult.objects.filter(run=run).count()
    unanswered = CheckResult.objects.filter(run=run, source_answered=False).count()
    return unanswered / total if total else 0.0


def snapshot_publish(*, snapshot_id: int, user=None, as_of: date | None = None) -> RankingSnapshot:
    """Switch the city's pointer to this snapshot, in one transaction under a row lock."""
    as_of = as_of or timezone.localdate()
    with transaction.atomic():
        snapshot = RankingSnapshot.objects.select_for_update().select_related("city").get(id=snapshot_id)
        if snapshot.status not in (Status.DRAFT, Status.AWAITING_APPROVAL):
            raise PublicationError(f"Snapshot {snapshot.id} is {snapshot.status} and cannot be published.")
        surgeon_ids = list(snapshot.entries.values_list("surgeon_id", flat=True))
        results = current_results_by_surgeon(surgeon_ids)
        for surgeon_id in surgeon_ids:
            verdict = ranking.eligibility(results.get(surgeon_id, {}), as_of=as_of)
            if not verdict.eligible:
                raise PublicationError(f"Surgeon {surgeon_id} is no longer eligible: {', '.join(verdict.reasons)}")
        pointer = CityRanking.objects.select_for_update().filter(city=snapshot.city).first()
        if pointer is not None:
            RankingSnapshot.objects.filter(id=pointer.snapshot_id).update(status=Status.SUPERSEDED)
            pointer.snapshot = snapshot
            pointer.save(update_fields=["snapshot", "updated_at"])
        else:
            CityRanking.objects.create(city=snapshot.city, snapshot=snapshot)
        snapshot.status = Status.PUBLISHED
        snapshot.published_at = timezone.now()
        if user is not None:
            snapshot.approved_by, snapshot.approved_at = user, timezone.now()
        snapshot.save(update_fields=["status", "published_at", "approved_by", "approved_at"])
    logger.info("published snapshot %s for %s", snapshot.id, snapshot.city)
    transaction.on_commit(lambda: city_pointer_forget(slug=snapshot.city.slug))
    transaction.on_commit(lambda: _announce(snapshot.id), robust=True)  # listeners never undo a publication
    return snapshot


def snapshot_reject(*, snapshot_id: int, user) -> None:
    updated = RankingSnapshot.objects.filter(
        id=snapshot_id, status__in=[Status.DRAFT, Status.AWAITING_APPROVAL]
    ).update(status=Status.REJECTED, approved_by=user, approved_at=timezone.now())
    if not updated:
        raise PublicationError(f"Snapshot {snapshot_id} is not awaiting a decision.")


def _announce(snapshot_id: int) -> None:
    """Partners (webhooks) and anyone else listening hear about a publication after it committed."""
    snapshot_published.send(sender=RankingSnapshot, snapshot_id=snapshot_id)


def city_publish(city: City, *, run: VerificationRun | None, as_of: date, prior_mean: Decimal) -> str:
    """Propose the city's new list and publish it unless a gate holds it. Returns what happened."""
    ranked = city_ranking_compute(city, as_of=as_of, prior_mean=prior_mean)
    current = current_snapshot(city)
    new_ids = [surgeon.id for _, surgeon, _ in ranked]
    old_ids = _listed_surgeon_ids(current)
    if not ranked and current is None:
        return "empty"
    if new_ids == old_ids:
        return "unchanged"
    changes = len(set(new_ids) ^ set(old_ids))
    reason = RankingSnapshot.Reason.ANNUAL if run and run.kind == run.Kind.ANNUAL else RankingSnapshot.Reason.MANUAL
    if current is not None and changes > settings.RANKING_MAX_CHANGES_WITHOUT_APPROVAL:
        note = f"{changes} surgeons join or leave the list; a publisher must approve it."
        _create_snapshot(city, run, ranked, status=Status.AWAITING_APPROVAL, reason=reason, note=note)
        return "awaiting_approval"
    note = "" if len(ranked) >= settings.RANKING_LIST_SIZE else f"Only {len(ranked)} surgeons are eligible."
    snapshot = _create_snapshot(city, run, ranked, status=Status.DRAFT, reason=reason, note=note)
    snapshot_publish(snapshot_id=snapshot.id, as_of=as_of)
    return "published"


def publication_blocked_reason(run: VerificationRun) -> str:
    """Why nothing from this run may be published (a source outage), recorded on the run; "" when it may."""
    share = run_unknown_share(run)
    if share <= settings.RANKING_MAX_UNKNOWN_SHARE:
        return ""
    reason = (
        f"{share:.0%} of checks in run #{run.id} got no answer from a source "
        f"(limit {settings.RANKING_MAX_UNKNOWN_SHARE:.0%}); the last lists stay published."
    )
    VerificationRun.objects.filter(id=run.id).update(note=reason)
    return reason


def rankings_publish(*, run: VerificationRun | None = None, cities=None, as_of: date | None = None, gate=True):
    """Publish every city's list through the gates; a source outage in the run publishes nothing."""
    as_of = as_of or (run.as_of if run else timezone.localdate())
    summary = PublicationSummary()
    if run is not None and gate:
        summary.blocked_reason = publication_blocked_reason(run)
        if summary.blocked_reason:
            return summary
    prior_mean = _prior_mean()
    for city in cities if cities is not None else City.objects.order_by("id"):
        outcome = city_publish(city, run=run, as_of=as_of, prior_mean=prior_mean)
        getattr(summary, outcome).append(city.slug)
    return summary


def delist_ineligible(*, run: VerificationRun | None = None, as_of: date | None = None) -> list[RankingSnapshot]:
    """Remove listed surgeons who are no longer eligible: a new snapshot at once, no approval wait.

    A source that could not answer (unknown) never delists anyone: an outage must not empty the lists.
    """
    as_of = as_of or timezone.localdate()
    pointers = list(CityRanking.objects.select_related("snapshot", "city"))
    listed = {p.city_id: _listed_surgeon_ids(p.snapshot) for p in pointers}
    results = current_results_by_surgeon({sid for ids in listed.values() for sid in ids})
    published = []
    for pointer in pointers:
        verdicts = {sid: ranking.eligibility(results.get(sid, {}), as_of=as_of) for sid in listed[pointer.city_id]}
        gone = {sid: v for sid, v in verdicts.items() if not v.eligible and v.affirmative}
        if gone:
            published.append(_delist(pointer, gone, results, run=run, as_of=as_of))
    return published


def _delist(pointer: CityRanking, gone: dict, results: dict, *, run, as_of: date) -> RankingSnapshot:
    entries = list(pointer.snapshot.entries.select_related("surgeon").order_by("rank"))
    kept = [e for e in entries if e.surgeon_id not in gone]
    ranked = [
        (
            ranking.ScoreParts(
                npi=e.surgeon.npi,
                satisfaction_score=e.satisfaction_score,
                satisfaction_responses=e.satisfaction_responses,
                adjusted_satisfaction=e.adjusted_satisfaction,
                verified_procedures=e.verified_procedures,
                years_in_practice=e.years_in_practice,
            ),
            e.surgeon,
            results[e.surgeon_id],
        )
        for e in kept
    ]
    removed = [e for e in entries if e.surgeon_id in gone]
    note = "Removed: " + "; ".join(
        f"{e.surgeon.display_name} ({', '.join(gone[e.surgeon_id].reasons)})" for e in removed
    )
    snapshot = _create_snapshot(
        pointer.city, run, ranked, status=Status.DRAFT, reason=RankingSnapshot.Reason.DELISTING, note=note
    )
    return snapshot_publish(snapshot_id=snapshot.id, as_of=as_of)


def after_run(*, run_id: int) -> None:
    """An annual run's lists go out in chunks of cities that the workers share; other runs delist at once."""
    run = VerificationRun.objects.get(id=run_id)
    if run.kind != VerificationRun.Kind.ANNUAL:
        delist_ineligible(run=run, as_of=run.as_of)
        return _publication_done(run.id)
    blocked = publication_blocked_reason(run)
    city_ids = list(City.objects.order_by("id").values_list("id", flat=True))
    chunks = [city_ids[i : i + PUBLICATION_CHUNK] for i in range(0, len(city_ids), PUBLICATION_CHUNK)]
    if blocked or not chunks:
        return _publication_done(run.id)
    VerificationRun.objects.filter(id=run.id).update(publication_chunks_left=len(chunks))
    from . import tasks  # tasks import this module

    for chunk in chunks:
        transaction.on_commit(lambda chunk=chunk: tasks.publish_cities.delay(run.id, chunk))


def run_cities_publish(*, run_id: int, city_ids: list[int]) -> PublicationSummary:
    """One chunk of an annual run's publication; the last chunk to finish marks the run's publication done."""
    run = VerificationRun.objects.get(id=run_id)
    summary = rankings_publish(run=run, cities=City.objects.filter(id__in=city_ids).order_by("id"), gate=False)
    logger.info("run %s: published %s, awaiting approval %s", run.id, summary.published, summary.awaiting_approval)
    left = VerificationRun.objects.filter(id=run_id, publication_chunks_left__gt=0)  # a redelivered chunk: no underflow
    left.update(publication_chunks_left=F("publication_chunks_left") - 1)
    if not VerificationRun.objects.filter(id=run_id, publication_chunks_left__gt=0).exists():
        _publication_done(run_id)
    return summary


def _publication_done(run_id: int) -> None:
    VerificationRun.objects.filter(id=run_id).update(publication_done_at=timezone.now())
