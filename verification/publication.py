"""Build city snapshots, run the gates, switch the per-city pointer in one transaction, delist at once."""

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.db import transaction
from django.db.models import Avg, F
from django.db.models.fields.json import KeyTextTransform
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from directory.models import City, PracticeLocation, SatisfactionScore

from . import ranking
from .models import CheckResult, CityRanking, RankingEntry, RankingSnapshot, VerificationRun
from .selectors import city_pointers_forget
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


def _parts_for(npi: str, results: dict[str, CurrentResult], prior_mean: Decimal) -> ranking.ScoreParts:
    satisfaction = results["satisfaction"].figures
    experience = results["experience"].figures
    return ranking.score_parts(
        npi=npi,
        score=Decimal(str(satisfaction["score"] or "0")),
        responses=int(satisfaction["responses"] or 0),
        procedures=int(experience["verified_spine_procedures"] or 0),
        years=int(experience["years"] or 0),
        prior_mean=prior_mean,
        prior_weight=settings.RANKING_PRIOR_WEIGHT,
    )


@dataclass(frozen=True)
class Candidate:
    parts: ranking.ScoreParts
    surgeon_id: int
    results: dict[str, CurrentResult]


def cities_ranking_compute(city_ids: list[int], *, as_of: date, prior_mean: Decimal) -> dict[int, list[Candidate]]:
    """Each city's top list among eligible surgeons, best first, for many cities in two queries."""
    in_city, npis = defaultdict(set), {}
    locations = PracticeLocation.objects.filter(city_id__any_of=city_ids).order_by()  # no sort: sets are built
    for city_id, surgeon_id, npi in locations.values_list("city_id", "surgeon_id", "surgeon__npi"):
        in_city[city_id].add(surgeon_id)
        npis[surgeon_id] = npi
    results = current_results_by_surgeon(list(npis))
    eligible = {
        surgeon_id: Candidate(_parts_for(npis[surgeon_id], by_check, prior_mean), surgeon_id, by_check)
        for surgeon_id, by_check in results.items()
        if ranking.eligibility(by_check, as_of=as_of).eligible
    }
    ranked = {}
    for city_id in city_ids:
        candidates = sorted((eligible[s] for s in in_city[city_id] if s in eligible), key=lambda c: c.parts.sort_key)
        ranked[city_id] = candidates[: settings.RANKING_LIST_SIZE]
    return ranked


def _snapshots_create(planned: list[tuple[RankingSnapshot, list[Candidate]]]) -> list[RankingSnapshot]:
    """Unsaved snapshots with their lists, written in three queries whatever their number (history included)."""
    snapshots = bulk_create_with_history([snapshot for snapshot, _ in planned], RankingSnapshot)
    entries = RankingEntry.objects.bulk_create(
        RankingEntry(
            snapshot=snapshot,
            rank=position,
            surgeon_id=candidate.surgeon_id,
            adjusted_satisfaction=candidate.parts.adjusted_satisfaction,
            satisfaction_score=candidate.parts.satisfaction_score,
            satisfaction_responses=candidate.parts.satisfaction_responses,
            verified_procedures=candidate.parts.verified_procedures,
            years_in_practice=candidate.parts.years_in_practice,
        )
        for snapshot, (_, ranked) in zip(snapshots, planned, strict=True)
        for position, candidate in enumerate(ranked, start=1)
    )
    candidates = [candidate for _, ranked in planned for candidate in ranked]
    RankingEntry.results.through.objects.bulk_create(
        RankingEntry.results.through(rankingentry_id=entry.id, checkresult_id=result.id)
        for entry, candidate in zip(entries, candidates, strict=True)
        for result in candidate.results.values()
    )
    return snapshots


def listed_surgeon_ids(snapshot_ids) -> dict[int, list[int]]:
    """Each snapshot's surgeons in rank order, in one query."""
    listed = defaultdict(list)
    entries = RankingEntry.objects.filter(snapshot_id__any_of=snapshot_ids).order_by("snapshot_id", "rank")
    for snapshot_id, surgeon_id in entries.values_list("snapshot_id", "surgeon_id"):
        listed[snapshot_id].append(surgeon_id)
    return listed


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
        pointers = {p.city_id: p for p in CityRanking.objects.select_for_update().filter(city=snapshot.city)}
        snapshot.status = Status.PUBLISHED
        snapshot.published_at = timezone.now()
        if user is not None:
            snapshot.approved_by, snapshot.approved_at = user, timezone.now()
        snapshot.save(update_fields=["status", "published_at", "approved_by", "approved_at"])
        _pointers_switch([snapshot], pointers)
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


def _plan(city, ranked: list[Candidate], old_ids: list[int], *, has_list: bool, run) -> RankingSnapshot | str:
    """What to do with a city's new list: "empty", "unchanged", or an unsaved snapshot to publish or hold."""
    new_ids = [candidate.surgeon_id for candidate in ranked]
    if not ranked and not has_list:
        return "empty"
    if new_ids == old_ids:
        return "unchanged"
    reason = RankingSnapshot.Reason.ANNUAL if run and run.kind == run.Kind.ANNUAL else RankingSnapshot.Reason.MANUAL
    snapshot = RankingSnapshot(city=city, run=run, method_version=ranking.METHOD_VERSION, reason=reason)
    changes = len(set(new_ids) ^ set(old_ids))
    if has_list and changes > settings.RANKING_MAX_CHANGES_WITHOUT_APPROVAL:
        snapshot.status = Status.AWAITING_APPROVAL
        snapshot.note = f"{changes} surgeons join or leave the list; a publisher must approve it."
    else:
        snapshot.status, snapshot.published_at = Status.PUBLISHED, timezone.now()
        snapshot.note = (
            "" if len(ranked) >= settings.RANKING_LIST_SIZE else f"Only {len(ranked)} surgeons are eligible."
        )
    return snapshot


def cities_publish(cities: list[City], *, run, as_of: date, prior_mean: Decimal) -> dict[str, str]:
    """Propose each city's new list and publish it unless a gate holds it, in one transaction for all of them.

    The cities' pointers are locked before the results are read, so every list switched in is one that was
    eligible under the lock, as a publisher's approval checks it. Returns {city slug: what happened}.
    """
    city_ids = [city.id for city in cities]
    with transaction.atomic():
        locked = CityRanking.objects.select_for_update().filter(city_id__any_of=city_ids).order_by("city_id")
        pointers = {p.city_id: p for p in locked}  # locked in city order, as every publisher does: no deadlock
        listed = listed_surgeon_ids([p.snapshot_id for p in pointers.values()])
        ranked = cities_ranking_compute(city_ids, as_of=as_of, prior_mean=prior_mean)
        plans = {}
        for city in cities:
            pointer = pointers.get(city.id)
            old_ids = listed[pointer.snapshot_id] if pointer else []
            plans[city.id] = _plan(city, ranked[city.id], old_ids, has_list=pointer is not None, run=run)
        planned = [(plan, ranked[city_id]) for city_id, plan in plans.items() if isinstance(plan, RankingSnapshot)]
        published = [s for s in _snapshots_create(planned) if s.status == Status.PUBLISHED]
        _pointers_switch(published, pointers)
    return {city.slug: _outcome(plans[city.id]) for city in cities}


def _outcome(plan: RankingSnapshot | str) -> str:
    if isinstance(plan, str):
        return plan
    return "published" if plan.status == Status.PUBLISHED else "awaiting_approval"


def _pointers_switch(published: list[RankingSnapshot], pointers: dict[int, CityRanking]) -> None:
    """Point each city at its new snapshot (inside the caller's transaction) and tell readers after commit."""
    now = timezone.now()
    superseded, moved, created = [], [], []
    for snapshot in published:
        pointer = pointers.get(snapshot.city_id)
        if pointer is None:
            created.append(CityRanking(city_id=snapshot.city_id, snapshot=snapshot, updated_at=now))
        else:
            superseded.append(pointer.snapshot_id)
            pointer.snapshot, pointer.updated_at = snapshot, now
            moved.append(pointer)
    RankingSnapshot.objects.filter(id__any_of=superseded).update(status=Status.SUPERSEDED)
    CityRanking.objects.bulk_update(moved, ["snapshot", "updated_at"])
    CityRanking.objects.bulk_create(created)
    slugs = [snapshot.city.slug for snapshot in published]
    transaction.on_commit(lambda: city_pointers_forget(slugs=slugs))
    for snapshot in published:
        logger.info("published snapshot %s for %s", snapshot.id, snapshot.city)
        # Listeners never undo a publication: a failing one is logged, not raised.
        transaction.on_commit(lambda snapshot_id=snapshot.id: _announce(snapshot_id), robust=True)


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
    cities = list(cities if cities is not None else City.objects.order_by("id"))
    for start in range(0, len(cities), PUBLICATION_CHUNK):
        outcomes = cities_publish(
            cities[start : start + PUBLICATION_CHUNK], run=run, as_of=as_of, prior_mean=prior_mean
        )
        for slug, outcome in outcomes.items():
            getattr(summary, outcome).append(slug)
    return summary


def delist_ineligible(*, run: VerificationRun | None = None, as_of: date | None = None) -> list[RankingSnapshot]:
    """Remove listed surgeons who are no longer eligible: a new snapshot at once, no approval wait.

    A source that could not answer (unknown) never delists anyone: an outage must not empty the lists.
    """
    as_of = as_of or timezone.localdate()
    pointers = list(CityRanking.objects.select_related("snapshot", "city"))
    listed = listed_surgeon_ids([p.snapshot_id for p in pointers])
    results = current_results_by_surgeon({sid for ids in listed.values() for sid in ids})
    published = []
    for pointer in pointers:
        verdicts = {sid: ranking.eligibility(results.get(sid, {}), as_of=as_of) for sid in listed[pointer.snapshot_id]}
        gone = {sid: v for sid, v in verdicts.items() if not v.eligible and v.affirmative}
        if gone:
            published.append(_delist(pointer, gone, results, run=run, as_of=as_of))
    return published


def _delist(pointer: CityRanking, gone: dict, results: dict, *, run, as_of: date) -> RankingSnapshot:
    entries = list(pointer.snapshot.entries.select_related("surgeon").order_by("rank"))
    kept = [
        Candidate(
            ranking.ScoreParts(
                npi=e.surgeon.npi,
                satisfaction_score=e.satisfaction_score,
                satisfaction_responses=e.satisfaction_responses,
                adjusted_satisfaction=e.adjusted_satisfaction,
                verified_procedures=e.verified_procedures,
                years_in_practice=e.years_in_practice,
            ),
            e.surgeon_id,
            results[e.surgeon_id],
        )
        for e in entries
        if e.surgeon_id not in gone
    ]
    removed = [e for e in entries if e.surgeon_id in gone]
    note = "Removed: " + "; ".join(
        f"{e.surgeon.display_name} ({', '.join(gone[e.surgeon_id].reasons)})" for e in removed
    )
    draft = RankingSnapshot(
        city=pointer.city,
        run=run,
        method_version=ranking.METHOD_VERSION,
        status=Status.DRAFT,
        reason=RankingSnapshot.Reason.DELISTING,
        note=note,
    )
    (snapshot,) = _snapshots_create([(draft, kept)])
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
