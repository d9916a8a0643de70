"""Publish city lists: read each chunk under its pointers' locks, write the snapshots ranking planned, switch pointers.

Every path that can change a list goes through `cities_publish`: an annual run, a sweep or a reviewer's re-run
(`after_run`), an eligibility event, a lapse noticed by a reader, and `publish_rankings`. A publisher's approval
goes through `snapshot_publish`, which checks the same gates again at approval time.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from types import MappingProxyType

from django.conf import settings
from django.db import transaction
from django.db.models import Avg, F
from django.db.models.fields.json import KeyTextTransform
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from bulksql.statistics import statistics_refresh
from directory.models import City, PracticeLocation, SatisfactionScore, Surgeon

from . import ranking, rendering
from .checks import CHECKS
from .models import CheckResult, CityListPointer, RankingEntry, RankingSnapshot, VerificationRun
from .ranking import SCORE_FIGURES, SCORED, CityPlan, CurrentResult
from .selectors import Pointer, city_pointer_get
from .signals import snapshot_published

logger = logging.getLogger(__name__)
PUBLICATION_CHUNK = 50  # cities per publication transaction (and per task in a large run)
Status = RankingSnapshot.Status
Reason = RankingSnapshot.Reason
Origin = RankingSnapshot.Origin
Kind = VerificationRun.Kind


class PublicationError(Exception):
    """A snapshot cannot be published or rejected (wrong state, a gate holds, an entry is no longer eligible)."""


@dataclass
class PublicationSummary:
    published: list[str] = field(default_factory=list)
    awaiting_approval: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)
    blocked_reason: str = ""


NO_FIGURES = MappingProxyType(dict.fromkeys(SCORE_FIGURES))  # an unscored check's: one shared, read-only


def current_results_by_surgeon(surgeon_ids) -> dict[int, dict[str, CurrentResult]]:
    """The surgeons' current results with the evidence figures the score reads (ranking.SCORE_FIGURES)."""
    columns = ("id", "surgeon_id", "check_key", "effective_outcome", "source_answered", "valid_until")
    figures = {f"figure_{name}": KeyTextTransform(name, "evidence") for name in SCORE_FIGURES}
    rows = (
        CheckResult.objects.filter(surgeon_id__any_of=list(surgeon_ids), is_current=True)
        .annotate(**figures)
        .values_list(*columns, *figures)
    )
    results: dict[int, dict[str, CurrentResult]] = {}
    for row in rows.iterator(chunk_size=5000):  # never all rows twice over (as tuples and as results)
        scored = row[2] in SCORED
        figures = dict(zip(SCORE_FIGURES, row[len(columns) :], strict=True)) if scored else NO_FIGURES
        result = CurrentResult(*row[: len(columns)], figures=figures)
        results.setdefault(result.surgeon_id, {})[result.check_key] = result
    return results


def prior_mean() -> Decimal:
    mean = SatisfactionScore.objects.aggregate(mean=Avg("score"))["mean"]
    return Decimal(str(mean)) if mean is not None else Decimal("8.5")


def _silent_share(results: dict[int, dict[str, CurrentResult]]) -> float:
    rows = [r for by_check in results.values() for r in by_check.values()]
    return sum(not r.source_answered for r in rows) / len(rows) if rows else 0.0


@dataclass
class _Chunk:
    """Everything a chunk of cities is planned from, read under the pointers' locks in a fixed number of queries."""

    pointers: dict[int, CityListPointer]
    entries: dict[int, list[RankingEntry]]  # snapshot id → entries in rank order
    in_city: dict[int, set[int]]  # city id → public surgeons practising there
    npis: dict[int, str]
    results: dict[int, dict[str, CurrentResult]]

    @classmethod
    def load(cls, city_ids: list[int]) -> "_Chunk":
        locked = CityListPointer.objects.select_for_update().filter(city_id__any_of=city_ids).order_by("city_id")
        pointers = {p.city_id: p for p in locked}  # locked in city order, as every publisher does: no deadlock
        entries = defaultdict(list)
        rows = RankingEntry.objects.filter(snapshot_id__any_of=[p.snapshot_id for p in pointers.values()] or [0])
        for entry in (
            rows.select_related("surgeon")
            .only(*(f.name for f in RankingEntry._meta.concrete_fields), "surgeon__npi")
            .order_by("snapshot_id", "rank")
        ):
            entries[entry.snapshot_id].append(entry)
        in_city, npis = defaultdict(set), {}
        public = PracticeLocation.objects.filter(city_id__any_of=city_ids, surgeon__in=Surgeon.objects.public())
        for city_id, surgeon_id, npi in public.order_by().values_list("city_id", "surgeon_id", "surgeon__npi"):
            in_city[city_id].add(surgeon_id)
            npis[surgeon_id] = npi
        for listed in entries.values():
            npis.update({entry.surgeon_id: entry.surgeon.npi for entry in listed})
        return cls(pointers, entries, in_city, npis, current_results_by_surgeon(npis))


def _plan_city(city: City, chunk: _Chunk, *, as_of: date, mean: Decimal, gated: bool, first_waits: bool) -> CityPlan:
    pointer = chunk.pointers.get(city.id)
    return ranking.city_plan(
        city,
        practising=chunk.in_city[city.id],
        listed=chunk.entries[pointer.snapshot_id] if pointer else None,
        results=chunk.results,
        npis=chunk.npis,
        as_of=as_of,
        prior_mean=mean,
        gated=gated,
        first_waits=first_waits,
    )


def _removal_note(city_plan: CityPlan, chunk: _Chunk, names: dict[int, str]) -> str:
    """Who left and why, for the public: the check by its title, never the private finding."""
    notes = []
    for surgeon_id in city_plan.plan.removed:
        if surgeon_id in chunk.in_city[city_plan.city.id]:
            titles = [CHECKS[key].TITLE for key in city_plan.verdicts[surgeon_id].blocking if key in CHECKS]
            why = f"{', '.join(titles)} no longer passes" if titles else "no longer passes every check"
        else:
            why = f"no longer practices in {city_plan.city.name} or is no longer in the directory"
        notes.append(f"{names.get(surgeon_id, 'A surgeon')} left the list: {why}.")
    return " ".join(notes)


def _length_note(size: int, eligible: int) -> str:
    """Why a list is shorter than the list size, truly: too few pass, or a larger change waits for a publisher."""
    if size >= settings.RANKING_LIST_SIZE:
        return ""
    if eligible > size:
        return f"{size} of the {eligible} surgeons who pass every check are listed; the rest wait for a publisher."
    return f"Only {size} surgeons currently pass every check."


@dataclass
class _Writer:
    """Who publishes: the origin, run and operator recorded on every snapshot written."""

    origin: str
    run: VerificationRun | None = None
    user: object = None

    @property
    def starts_lists_by_proposal(self) -> bool:
        """One surgeon's event or re-run proposes a city's first list; a full run or an operator publishes it."""
        sweep = self.run is not None and self.run.kind in (Kind.ANNUAL, Kind.SANCTIONS)
        return not sweep and self.origin != Origin.COMMAND

    @property
    def reason(self) -> str:
        if self.run is not None and self.run.kind == Kind.ANNUAL:
            return Reason.ANNUAL
        return Reason.MANUAL if self.origin == Origin.COMMAND else Reason.UPDATE

    def snapshot(self, city_plan: CityPlan, *, status: str, reason: str, note: str) -> RankingSnapshot:
        published_at = timezone.now() if status == Status.PUBLISHED else None
        return RankingSnapshot(
            city=city_plan.city, run=self.run, method_version=settings.RANKING_METHOD_VERSION, status=status,
            reason=reason, origin=self.origin, note=note.strip(), published_by=self.user, published_at=published_at,
            eligible_count=city_plan.eligible_count,
        )  # fmt: skip


def _planned_snapshots(plans: list[CityPlan], chunk: _Chunk, writer: _Writer) -> list[tuple[RankingSnapshot, list]]:
    removed = [s for p in plans if p.plan.now is not None for s in p.plan.removed]
    people = Surgeon.objects.filter(id__any_of=removed or [0]).values_list("id", "first_name", "last_name")
    names = {sid: f"Dr. {first} {last}" for sid, first, last in people}
    planned = []
    for city_plan in plans:
        plan = city_plan.plan
        if plan.now is not None:
            reason = Reason.DELISTING if plan.removed else writer.reason
            note = f"{_removal_note(city_plan, chunk, names)} {_length_note(len(plan.now), city_plan.eligible_count)}"
            planned.append((writer.snapshot(city_plan, status=Status.PUBLISHED, reason=reason, note=note), plan.now))
        if plan.proposed is not None:
            changes = len(set(plan.proposed) ^ set(plan.now if plan.now is not None else city_plan.old or []))
            note = f"{changes} surgeons join or leave the list; a publisher must approve it."
            proposal = writer.snapshot(city_plan, status=Status.AWAITING_APPROVAL, reason=writer.reason, note=note)
            planned.append((proposal, plan.proposed))
    return planned


def _snapshots_create(planned: list[tuple[RankingSnapshot, list]], parts_by_city, results) -> list[RankingSnapshot]:
    """Snapshots with their lists and the results behind each entry, in four queries whatever their number."""
    snapshots = bulk_create_with_history([snapshot for snapshot, _ in planned], RankingSnapshot)
    rows = [
        (snapshot, position, surgeon_id, parts_by_city[snapshot.city_id][surgeon_id])
        for snapshot, (_, ids) in zip(snapshots, planned, strict=True)
        for position, surgeon_id in enumerate(ids, start=1)
    ]
    entries = RankingEntry.objects.bulk_create(
        RankingEntry(
            snapshot=snapshot,
            rank=position,
            surgeon_id=surgeon_id,
            adjusted_satisfaction=parts.adjusted_satisfaction,
            satisfaction_score=parts.satisfaction_score,
            satisfaction_responses=parts.satisfaction_responses,
            verified_procedures=parts.verified_procedures,
            years_in_practice=parts.years_in_practice,
        )
        for snapshot, position, surgeon_id, parts in rows
    )
    RankingEntry.results.through.objects.bulk_create(
        RankingEntry.results.through(rankingentry_id=entry.id, checkresult_id=result.id)
        for entry, (_, _, surgeon_id, _) in zip(entries, rows, strict=True)
        for result in results.get(surgeon_id, {}).values()
    )
    return snapshots


def _list_valid_until(surgeon_ids, results) -> date | None:
    dates = [ranking.evidence_valid_until(results.get(surgeon_id, {})) for surgeon_id in surgeon_ids]
    return min((d for d in dates if d is not None), default=None)


def cities_publish(
    cities: list[City], *, as_of: date, mean: Decimal, writer: _Writer, gated=False
) -> tuple[dict[str, str], bool]:
    """Plan and publish each city's list in one transaction; returns ({city slug: what happened}, gated).

    The pointers are locked before the results are read, so every list switched in was eligible under the
    lock. A chunk whose results are largely unanswered (a source outage) applies removals only.
    """
    with transaction.atomic():
        chunk = _Chunk.load([city.id for city in cities])
        gated = gated or _silent_share(chunk.results) > settings.RANKING_MAX_UNKNOWN_SHARE
        first_waits = writer.starts_lists_by_proposal
        plans = [
            _plan_city(city, chunk, as_of=as_of, mean=mean, gated=gated, first_waits=first_waits) for city in cities
        ]
        planned = _planned_snapshots(plans, chunk, writer)
        snapshots = _snapshots_create(planned, {p.city.id: p.parts for p in plans}, chunk.results)
        _proposals_withdraw({s.city_id for s in snapshots}, keep=[s.id for s in snapshots])
        published = [(s, ids) for s, (_, ids) in zip(snapshots, planned, strict=True) if s.status == Status.PUBLISHED]
        _pointers_switch(published, chunk.pointers, chunk.results)
        _pointers_refresh([p for p in plans if p.plan.now is None and p.old is not None], chunk)
    return {p.city.slug: p.outcome for p in plans}, gated


def _proposals_withdraw(city_ids: set[int], *, keep: list[int]) -> None:
    """A new list or proposal for a city replaces the proposals still waiting there: only the newest is approved."""
    if city_ids:
        waiting = RankingSnapshot.objects.filter(city_id__any_of=list(city_ids), status=Status.AWAITING_APPROVAL)
        waiting.exclude(id__any_of=keep).update(status=Status.WITHDRAWN)


def _pointers_switch(published: list[tuple[RankingSnapshot, list[int]]], pointers: dict, results) -> None:
    """Point each city at its new snapshot (inside the caller's transaction) and tell readers after commit."""
    now = timezone.now()
    superseded, moved, created = [], [], []
    for snapshot, ids in published:
        valid_until = _list_valid_until(ids, results)
        pointer = pointers.get(snapshot.city_id)
        if pointer is None:
            created.append(
                CityListPointer(city_id=snapshot.city_id, snapshot=snapshot, updated_at=now, valid_until=valid_until)
            )
        else:
            superseded.append(pointer.snapshot_id)
            pointer.snapshot, pointer.updated_at, pointer.valid_until = snapshot, now, valid_until
            moved.append(pointer)
    RankingSnapshot.objects.filter(id__any_of=superseded or [0]).update(status=Status.SUPERSEDED)
    rendering.renders_retire(superseded)  # their stored bodies say "published"
    CityListPointer.objects.bulk_update(moved, ["snapshot", "updated_at", "valid_until"])
    CityListPointer.objects.bulk_create(created)
    slugs = [snapshot.city.slug for snapshot, _ in published]
    transaction.on_commit(lambda: rendering.city_caches_forget(slugs=slugs))
    for snapshot, _ in published:
        logger.info("published snapshot %s for %s (%s)", snapshot.id, snapshot.city, snapshot.reason)
    published_ids = [snapshot.id for snapshot, _ in published]
    if published_ids:
        # Rendered once, here in the publishing worker, so no reader pays for it (a failed render is made by the
        # first reader); listeners never undo a publication: a failing one is logged, not raised.
        transaction.on_commit(lambda: rendering.snapshots_render(published_ids), robust=True)
        transaction.on_commit(lambda: _announce(published_ids), robust=True)


def _pointers_refresh(unchanged: list[CityPlan], chunk: _Chunk) -> None:
    """A list that stays as it is may rest on renewed evidence: move its pointer's validity, not the pointer."""
    stale = []
    for city_plan in unchanged:
        pointer = chunk.pointers[city_plan.city.id]
        valid_until = _list_valid_until(city_plan.old, chunk.results)
        if pointer.valid_until != valid_until:
            pointer.valid_until = valid_until
            stale.append(pointer)
    if stale:
        CityListPointer.objects.bulk_update(stale, ["valid_until"])
        slugs = [p.city.slug for p in unchanged if chunk.pointers[p.city.id] in stale]
        transaction.on_commit(lambda: rendering.city_caches_forget(slugs=slugs))


def _announce(snapshot_ids: list[int]) -> None:
    """Partners (webhooks) and anyone else listening hear about a publication after it committed."""
    snapshot_published.send(sender=RankingSnapshot, snapshot_ids=snapshot_ids)


def snapshot_surgeon_ids(snapshot: RankingSnapshot) -> list[int]:
    return list(snapshot.entries.order_by("rank").values_list("surgeon_id", flat=True))


def snapshot_publish(*, snapshot_id: int, user=None, reason: str = "", as_of: date | None = None) -> RankingSnapshot:
    """A publisher's approval: the gates are checked again now, then the pointer moves under its lock."""
    as_of = as_of or timezone.localdate()
    with transaction.atomic():
        snapshot = RankingSnapshot.objects.select_for_update().select_related("city").get(id=snapshot_id)
        if snapshot.status not in (Status.DRAFT, Status.AWAITING_APPROVAL):
            raise PublicationError(f"{snapshot} is {snapshot.get_status_display().lower()} and cannot be published.")
        chunk = _Chunk.load([snapshot.city_id])
        ids = snapshot_surgeon_ids(snapshot)
        _approval_gates(snapshot, ids, chunk, as_of=as_of)
        snapshot.status, snapshot.published_at = Status.PUBLISHED, timezone.now()
        snapshot.approved_by, snapshot.approved_at, snapshot.decision_reason = user, timezone.now(), reason.strip()
        snapshot.save(update_fields=["status", "published_at", "approved_by", "approved_at", "decision_reason"])
        _pointers_switch([(snapshot, ids)], chunk.pointers, chunk.results)
    return snapshot


def _approval_gates(snapshot: RankingSnapshot, ids: list[int], chunk: _Chunk, *, as_of: date) -> None:
    if _silent_share(chunk.results) > settings.RANKING_MAX_UNKNOWN_SHARE:
        raise PublicationError(f"Sources are silent for {snapshot.city}: approve once they answer again.")
    pointer = chunk.pointers.get(snapshot.city_id)
    if not ids and pointer is not None and chunk.entries[pointer.snapshot_id]:
        raise PublicationError(f"An empty list cannot replace the current list for {snapshot.city}.")
    for surgeon_id in ids:
        verdict = ranking.eligibility(chunk.results.get(surgeon_id, {}), as_of=as_of)
        if surgeon_id not in chunk.in_city[snapshot.city_id] or not verdict.eligible:
            why = ", ".join(verdict.reasons) or "no longer practices in the city or is no longer in the directory"
            raise PublicationError(f"Surgeon {surgeon_id} is no longer eligible: {why}.")


def snapshot_reject(*, snapshot_id: int, user, reason: str) -> None:
    """A publisher's rejection, with the reason it needs."""
    if not (reason or "").strip():
        raise PublicationError("A rejection needs a reason.")
    updated = RankingSnapshot.objects.filter(
        id=snapshot_id, status__in=[Status.DRAFT, Status.AWAITING_APPROVAL]
    ).update(status=Status.REJECTED, approved_by=user, approved_at=timezone.now(), decision_reason=reason.strip())
    if not updated:
        raise PublicationError(f"Snapshot {snapshot_id} is not awaiting a decision.")


def publication_blocked_reason(run: VerificationRun) -> str:
    """Why this run may not change the lists beyond removals (a source outage), recorded on the run; "" if it may."""
    total = CheckResult.objects.filter(run=run).count()
    share = CheckResult.objects.filter(run=run, source_answered=False).count() / total if total else 0.0
    if share <= settings.RANKING_MAX_UNKNOWN_SHARE:
        return ""
    reason = (
        f"{share:.0%} of checks in run #{run.id} got no answer from a source "
        f"(limit {settings.RANKING_MAX_UNKNOWN_SHARE:.0%}); the last lists stay published, removals only."
    )
    VerificationRun.objects.filter(id=run.id).update(note=reason, publication_gated=True)
    run.note, run.publication_gated = reason, True
    return reason


def _chunks(items: list) -> list[list]:
    return [items[i : i + PUBLICATION_CHUNK] for i in range(0, len(items), PUBLICATION_CHUNK)]


def rankings_publish(
    *, run=None, cities=None, as_of=None, gate=True, user=None, origin=None, progress=None
) -> PublicationSummary:
    """Publish every city's list (or `cities`) through the gates; a run's source outage allows removals only."""
    as_of = as_of or (run.as_of if run else timezone.localdate())
    summary = PublicationSummary()
    gated = False
    if run is not None and gate:
        summary.blocked_reason = publication_blocked_reason(run)
        gated = bool(summary.blocked_reason)
    writer = _Writer(origin or (Origin.RUN if run else Origin.COMMAND), run=run, user=user)
    mean = prior_mean()
    cities = list(cities if cities is not None else City.objects.order_by("id"))
    silent = False
    for chunk in _chunks(cities):
        outcomes, chunk_gated = cities_publish(chunk, as_of=as_of, mean=mean, writer=writer, gated=gated)
        for slug, outcome in outcomes.items():
            getattr(summary, outcome).append(slug)
        silent |= chunk_gated
        if progress:
            progress(len(chunk))
    if silent and not summary.blocked_reason:
        summary.blocked_reason = (
            f"more than {settings.RANKING_MAX_UNKNOWN_SHARE:.0%} of the current checks got no answer from a source; "
            "lists changed only where a surgeon had to leave."
        )
    return summary


def affected_city_ids(surgeon_ids) -> list[int]:
    """Cities where these surgeons practise, and cities whose current list names them."""
    surgeon_ids = list(surgeon_ids) or [0]
    practising = PracticeLocation.objects.filter(surgeon_id__any_of=surgeon_ids).values_list("city_id", flat=True)
    listed = CityListPointer.objects.filter(snapshot__entries__surgeon_id__any_of=surgeon_ids).values_list(
        "city_id", flat=True
    )
    return sorted(set(practising) | set(listed))


def cities_republish(city_ids, *, origin=Origin.EVENT, run=None, as_of: date | None = None) -> PublicationSummary:
    """Republish these cities now, in chunks: the path every eligibility event and lapse takes."""
    cities = list(City.objects.filter(id__any_of=list(city_ids) or [0]).order_by("id"))
    return rankings_publish(run=run, cities=cities, as_of=as_of or timezone.localdate(), gate=False, origin=origin)


def lapsed_city_ids(*, today: date) -> list[int]:
    return list(CityListPointer.objects.filter(valid_until__lt=today).values_list("city_id", flat=True))


def lapsed_cities_republish(*, today: date | None = None) -> list[int]:
    """Republish every list whose evidence lapsed: the sweeper does this just after midnight, readers meanwhile."""
    today = today or timezone.localdate()
    city_ids = lapsed_city_ids(today=today)
    if city_ids:
        cities_republish(city_ids, as_of=today)
    return city_ids


def city_pointer_fresh(*, slug: str, today: date | None = None) -> Pointer:
    """The city's pointer for a reader; a list whose evidence lapsed is republished first, so nobody sees it."""
    today = today or timezone.localdate()
    pointer = city_pointer_get(slug=slug)
    if pointer.lapsed(today):
        cities_republish([pointer.city_id], as_of=today)
        rendering.city_caches_forget(slugs=[slug])
        pointer = city_pointer_get(slug=slug)
    return pointer


def after_run(*, run_id: int) -> None:
    """Hand a finished run to publication: small ones publish here, large ones in chunks the workers share."""
    run = VerificationRun.objects.get(id=run_id)
    if run.kind in (Kind.ANNUAL, Kind.SANCTIONS) and run.status == VerificationRun.Status.FINISHED:
        publication_blocked_reason(run)
        city_ids = list(City.objects.order_by("id").values_list("id", flat=True))
    else:
        surgeon_ids = CheckResult.objects.filter(run=run).values_list("surgeon_id", flat=True).distinct()
        city_ids = sorted(set(affected_city_ids(surgeon_ids)) | set(lapsed_city_ids(today=run.as_of)))
    chunks = _chunks(city_ids)
    VerificationRun.objects.filter(id=run.id).update(publication_chunks_left=len(chunks), handed_over_at=timezone.now())
    if len(chunks) <= 1:
        run_cities_publish(run_id=run.id, city_ids=city_ids)
        return
    from . import tasks  # tasks import this module

    for chunk in chunks:
        transaction.on_commit(lambda chunk=chunk: tasks.publish_cities_send(run.id, chunk))


def run_cities_publish(*, run_id: int, city_ids: list[int]) -> PublicationSummary:
    """One chunk of a run's publication; the last chunk to finish marks the run's publication done."""
    run = VerificationRun.objects.get(id=run_id)
    cities = list(City.objects.filter(id__any_of=city_ids or [0]).order_by("id"))
    summary = PublicationSummary()
    if cities:
        writer = _Writer(Origin.RUN, run=run)
        outcomes, _ = cities_publish(
            cities, as_of=run.as_of, mean=prior_mean(), writer=writer, gated=run.publication_gated
        )
        for slug, outcome in outcomes.items():
            getattr(summary, outcome).append(slug)
    logger.info("run %s: published %s, awaiting approval %s", run.id, summary.published, summary.awaiting_approval)
    left = VerificationRun.objects.filter(id=run_id, publication_chunks_left__gt=0)  # a redelivered chunk: no underflow
    left.update(publication_chunks_left=F("publication_chunks_left") - 1)
    done = VerificationRun.objects.filter(id=run_id, publication_chunks_left=0, publication_done_at=None).update(
        publication_done_at=timezone.now()
    )
    if done and run.kind in (Kind.ANNUAL, Kind.SANCTIONS):
        # Every city's list was rewritten. Search asks of each result whether it is listed now: with the planner
        # still taking the lists for empty it looped over every snapshot per surgeon (0.6 s for one ZIP search).
        statistics_refresh(RankingSnapshot, RankingEntry, CityListPointer)
    return summary
