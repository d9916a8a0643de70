"""Reads for the public listing pages and the admin, each in a fixed number of queries."""

import hashlib
from datetime import date
from functools import lru_cache
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    prefetch_related_objects,
)
from django.http import Http404
from django.utils import timezone

from directory.models import (
    BoardCertification,
    City,
    DEARegistration,
    DisciplinaryAction,
    MalpracticePolicy,
    PracticeLocation,
    SatisfactionScore,
    StateControlledSubstanceRegistration,
    StateLicense,
    Surgeon,
)
from directory.search import SearchOutcome
from directory.selectors import city_list

from . import ranking
from .checks import CHECKS, SANCTIONS_CHECKS
from .models import CheckResult, CityListPointer, RankingEntry, RankingSnapshot, ReviewDecision

# The surgeon's own records a profile shows, beside results, decisions, listings and practices.
PROFILE_RECORDS = (
    StateLicense,
    BoardCertification,
    DEARegistration,
    StateControlledSubstanceRegistration,
    MalpracticePolicy,
    SatisfactionScore,
)


def city_list_with_status() -> QuerySet[City]:
    return city_list().annotate(has_list=Exists(CityListPointer.objects.filter(city=OuterRef("pk"))))


def cities_with_lists() -> QuerySet[City]:
    return City.objects.filter(list_pointer__isnull=False).order_by("name")


def pointer_cache_key(slug: str) -> str:
    return f"city-pointer:{slug}"


class Pointer(NamedTuple):
    city_id: int
    snapshot_id: int | None
    valid_until: date | None  # the last day the list's evidence all counts

    def lapsed(self, today: date) -> bool:
        return self.valid_until is not None and self.valid_until < today


def city_pointer_get(*, slug: str) -> Pointer:
    """The city's current list (snapshot id None if it has none); 404 for an unknown city.

    Cached for CITY_POINTER_CACHE_SECONDS and cleared when a publication commits, so the city page and its
    304s usually need no query; if that clearing is lost (cache down at the time) the pointer is at most that
    many seconds old, well inside the pages' own max-age.
    """
    pointer = cache.get(pointer_cache_key(slug))
    if pointer is None:
        pointer = (
            City.objects.filter(slug=slug)
            .values_list("id", "list_pointer__snapshot_id", "list_pointer__valid_until")
            .first()
        )
        if pointer is None:
            raise Http404("No such city.")
        cache.set(pointer_cache_key(slug), tuple(pointer), settings.CITY_POINTER_CACHE_SECONDS)
    return Pointer(*pointer)


def _entries(snapshot_ids: list[int]) -> list[RankingEntry]:
    primary = PracticeLocation.objects.select_related("city").order_by("-is_primary", "id")
    return list(
        RankingEntry.objects.filter(snapshot_id__in=snapshot_ids)
        .select_related("surgeon")
        .prefetch_related(
            Prefetch("surgeon__locations", queryset=primary),
            Prefetch("results", queryset=CheckResult.objects.order_by("check_key")),
        )
        .order_by("snapshot_id", "rank")
    )


def snapshot_get(*, snapshot_id: int) -> RankingSnapshot:
    return RankingSnapshot.objects.select_related("city", "run").get(id=snapshot_id)


def snapshots_with_entries(*, snapshot_ids: list[int]) -> list[tuple[RankingSnapshot, list[RankingEntry]]]:
    """Snapshots with their entries and each entry's badges, in four queries however many."""
    snapshots = RankingSnapshot.objects.select_related("city", "run").filter(id__in=snapshot_ids).order_by("id")
    by_snapshot = {snapshot.id: (snapshot, []) for snapshot in snapshots}
    for entry in _entries(list(by_snapshot)):
        entry.badges = badges_for(entry.results.all())
        by_snapshot[entry.snapshot_id][1].append(entry)
    return list(by_snapshot.values())


def snapshot_with_entries(*, snapshot_id: int) -> tuple[RankingSnapshot, list[RankingEntry]]:
    snapshot = snapshot_get(snapshot_id=snapshot_id)
    entries = _entries([snapshot_id])
    for entry in entries:
        entry.badges = badges_for(entry.results.all())
    return snapshot, entries


def badges_for(results) -> list[CheckResult]:
    """Results in registry order, one per required check."""
    by_check = {r.check_key: r for r in results}
    return [by_check[key] for key in CHECKS if key in by_check]


def city_snapshots_list(*, city: City) -> QuerySet[RankingSnapshot]:
    return city.snapshots.filter(status__in=["published", "superseded"]).order_by("-published_at")


def current_listings(today: date | None = None) -> QuerySet[RankingEntry]:
    """Entries of the lists published now, except a list whose evidence lapsed and awaits its republication."""
    today = today or timezone.localdate()
    valid = Q(snapshot__city__list_pointer__valid_until=None) | Q(snapshot__city__list_pointer__valid_until__gte=today)
    return RankingEntry.objects.filter(valid, snapshot__status="published")


def surgeon_verification_get(*, surgeon_id: int, today: date | None = None) -> dict:
    """Current results (with reviewer decisions, and a silent source's last answer), listings and how to consult.

    A listing is shown only while the results beside it allow it (eligible, or kept while a source is silent), so
    the page never shows a listing next to a failing or lapsed check, even before the republication lands.
    """
    today = today or timezone.localdate()
    current = list(
        CheckResult.objects.filter(surgeon_id=surgeon_id, is_current=True)
        .prefetch_related(Prefetch("decisions", queryset=ReviewDecision.objects.select_related("decided_by")))
        .order_by("check_key")
    )
    _last_answers_attach(current)
    verdict = ranking.eligibility({r.check_key: r for r in current}, as_of=today)
    listings = current_listings(today).filter(surgeon_id=surgeon_id).select_related("snapshot__city")
    shown = list(listings.order_by("snapshot__city__name")) if verdict.eligible or verdict.held else []
    return {"results": badges_for(current), "listings": shown, "excluded": _excluded(current)}


def _latest(model, field: str, surgeon_path: str = "surgeon", **filters) -> Subquery:
    rows = model.objects.filter(**{surgeon_path: OuterRef("pk")}, **filters).order_by().values(surgeon_path)
    return Subquery(rows.annotate(latest=Max(field)).values("latest"))


def _profile_version_rows(npi: str) -> QuerySet:
    published = {"snapshot__status": RankingSnapshot.Status.PUBLISHED}
    return (
        Surgeon.objects.filter(npi=npi)
        .order_by()
        .values_list(
            "id",
            "updated_at",
            _latest(CheckResult, "id"),
            _latest(ReviewDecision, "id", "result__surgeon"),
            _latest(RankingEntry, "snapshot_id", **published),
            _latest(RankingEntry, "id", **published),
            _latest(PracticeLocation, "updated_at"),
            _latest(DisciplinaryAction, "updated_at", "license__surgeon"),
            *(_latest(model, "updated_at") for model in PROFILE_RECORDS),
        )[:1]
    )


_NPI = "npi-placeholder"


@lru_cache(maxsize=1)
def _profile_version_sql() -> tuple[str, tuple]:
    # Building the twelve subqueries took ~10 ms of Python per request, the query itself ~1 ms: built once.
    return _profile_version_rows(_NPI).query.sql_with_params()


def profile_version(*, npi: str, today: date | None = None) -> str | None:
    """Everything a surgeon's profile shows, summed up in one query; None for an unknown NPI.

    The latest result and reviewer decision, the latest listing, and each record's last change: when any of them
    changes, so does the version, and the profile cached under the old one is never served again.
    """
    sql, params = _profile_version_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, [npi if param == _NPI else param for param in params])
        row = cursor.fetchone()
    if row is None:
        return None
    return hashlib.sha256(repr((*row, today or timezone.localdate())).encode()).hexdigest()[:24]


def _last_answers_attach(results: list[CheckResult]) -> None:
    """A result a silent source left unknown carries the last answer its check got, shown in its place."""
    silent = [r for r in results if not r.source_answered]
    for result in silent:
        result.last_answer = None
    if not silent:
        return
    answered = CheckResult.objects.filter(
        surgeon_id=silent[0].surgeon_id, check_key__in=[r.check_key for r in silent], source_answered=True
    ).order_by("check_key", "-checked_at")
    last = {}
    for result in answered:
        last.setdefault(result.check_key, result)
    for result in silent:
        result.last_answer = last.get(result.check_key)


def _excluded(results: list[CheckResult]) -> bool:
    """On an exclusion list (a failing sanctions screen with a matched row): no consultation is offered."""
    return any(
        r.check_key in SANCTIONS_CHECKS and r.effective_outcome == "fail" and r.evidence.get("exclusion_matches")
        for r in results
    )


def _eligible_now():
    """True when every check is currently passed (or not applicable) and still valid."""
    eligible = CheckResult.objects.eligible_surgeons(as_of=timezone.localdate())
    return Exists(eligible.filter(surgeon_id=OuterRef("pk")))


NAME_ORDER = ("last_name", "first_name", "npi")


def _search_prefetches() -> tuple[Prefetch, ...]:
    """What a result card shows: the practices (the one shown is picked in Python), current results, listings."""
    current = CheckResult.objects.filter(is_current=True).order_by("check_key")
    entries = current_listings().select_related("snapshot__city")
    locations = PracticeLocation.objects.select_related("city").order_by("-is_primary", "id")
    return (
        Prefetch("locations", queryset=locations),
        Prefetch("check_results", queryset=current, to_attr="current_results"),
        Prefetch("ranking_entries", queryset=entries, to_attr="listings"),
    )


class ListedFirst:
    """Results with nothing to rank them by (filters alone, or an NPI): listed surgeons, then the rest, by name.

    The same order as `ORDER BY listed DESC, last_name, first_name, npi`, read in two parts: ordering by "listed"
    first made PostgreSQL read and sort every surgeon the filters let through (~40,000 for a specialty, ~60 ms a
    page). One query counts both parts; a page then reads its rows from the listed part, the rest, or (the one
    page where they meet) both, each in name order along the last-name index. Paginator slices this like a
    queryset: count() and [start:stop].
    """

    def __init__(self, surgeons: QuerySet):
        # "id IN (listed ids)", not a correlated EXISTS: PostgreSQL hashes the ids once for the count's filter,
        # where it ran the EXISTS once per surgeon (~130 ms for a specialty).
        listed = Q(id__in=current_listings().values("surgeon_id"))
        self.surgeons = surgeons.order_by()
        self.listed = self.surgeons.filter(listed).order_by(*NAME_ORDER)
        self.rest = self.surgeons.exclude(Exists(current_listings().filter(surgeon=OuterRef("pk"))))
        self.rest = self.rest.order_by(*NAME_ORDER)
        self._listed_condition = listed
        self._counts: dict | None = None

    def _count_both(self) -> dict:
        if self._counts is None:
            self._counts = self.surgeons.aggregate(total=Count("id"), listed=Count("id", filter=self._listed_condition))
        return self._counts

    def count(self) -> int:
        return self._count_both()["total"]

    def __getitem__(self, item: slice) -> list[Surgeon]:
        start, stop = item.start or 0, item.stop
        listed = self._count_both()["listed"]
        rows = list(self.listed[start:stop]) if start < listed else []
        if stop is None or stop > listed:
            rows += list(self.rest[max(start - listed, 0) : None if stop is None else stop - listed])
        prefetch_related_objects(rows, *_search_prefetches())
        return rows


class RankedIds:
    """Results ranked by what the patient asked (a name, a city, a ZIP): one query reads every match's id in rank
    order, a page then reads its own rows by id.

    Such a search matches hundreds of surgeons, not the directory, and its ranking reads every match anyway (to
    sort by score, rank or distance); counting them in a query of their own did the matching twice (a name typo:
    ~17 ms of ~50). Paginator slices this like a queryset: count() and [start:stop].
    """

    def __init__(self, ranked: QuerySet):
        self.ranked = ranked
        self._ids: list[int] | None = None

    def _all_ids(self) -> list[int]:
        if self._ids is None:
            self._ids = list(self.ranked.values_list("id", flat=True))
        return self._ids

    def count(self) -> int:
        return len(self._all_ids())

    def __getitem__(self, item: slice) -> list[Surgeon]:
        ids = self._all_ids()[item]
        rows = Surgeon.objects.filter(id__in=ids).prefetch_related(*_search_prefetches()) if ids else []
        by_id = {surgeon.id: surgeon for surgeon in rows}
        return [by_id[surgeon_id] for surgeon_id in ids if surgeon_id in by_id]


def search_results(found: SearchOutcome) -> RankedIds | ListedFirst:
    """Results in the order a patient expects; each carries its locations, current listings and badges.

    Nearby: nearest first. Names: best match first. A city: its current list in rank order, then its other
    eligible surgeons, then the rest. Otherwise surgeons on a published list come first (`ListedFirst`).
    Ties, and everything after these, go by name.
    """
    if not (found.origin or found.query.words or found.query.cities):
        return ListedFirst(found.surgeons)
    surgeons = found.surgeons.annotate(listed=Exists(current_listings().filter(surgeon=OuterRef("pk"))))
    order = []
    if found.origin:
        order.append(F("distance_squared").asc())
    if found.query.words:
        order.append(F("name_score").desc())
    if found.query.cities:
        ranks = current_listings().filter(surgeon=OuterRef("pk"), snapshot__city_id__in=found.query.city_ids)
        ranks = ranks.order_by("rank")
        surgeons = surgeons.annotate(city_rank=Subquery(ranks.values("rank")[:1]), eligible=_eligible_now())
        order += [F("city_rank").asc(nulls_last=True), F("eligible").desc()]
    return RankedIds(surgeons.order_by(*order, F("listed").desc(), *NAME_ORDER))
