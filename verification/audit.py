"""An independent audit of the listing promise.

It recomputes, from the stored current results and the credentials on file, whether every listed surgeon may be
listed today, and compares the lists and the cached pages with the database. It deliberately shares no code with
publication or ranking (and never trusts `RankingEntry.results`): a bug there must not hide itself here.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q
from django.utils import timezone

from directory.models import (
    BoardCertification,
    City,
    CredentialStatus,
    DEARegistration,
    MalpracticePolicy,
    PracticeLocation,
    StateLicense,
    Surgeon,
)

from . import rendering
from .checks import CHECKS
from .checks.types import ELIGIBLE_OUTCOMES
from .models import CheckResult, CityListPointer, ExclusionRecord, ListingAudit, RankingEntry, RankingSnapshot
from .rendering import TOP_TEN
from .selectors import pointer_cache_key


@dataclass
class AuditReport:
    findings: list[str] = field(default_factory=list)
    held: list[str] = field(default_factory=list)  # listed while a source is silent: allowed, reported
    listed_surgeons: int = 0
    cities: int = 0


def listings_audit(*, today: date | None = None, record: bool = True) -> AuditReport:
    today = today or timezone.localdate()
    report = AuditReport()
    pointers = list(CityListPointer.objects.select_related("city", "snapshot").order_by("city__name"))
    listed = defaultdict(list)
    for snapshot_id, surgeon_id in (
        RankingEntry.objects.filter(snapshot_id__in=[p.snapshot_id for p in pointers])
        .order_by("snapshot_id", "rank")
        .values_list("snapshot_id", "surgeon_id")
    ):
        listed[snapshot_id].append(surgeon_id)
    facts = _Facts.load({s for ids in listed.values() for s in ids}, today)
    for pointer in pointers:
        _audit_pointer(pointer, listed[pointer.snapshot_id], facts, today, report)
    _audit_short_lists(pointers, listed, _eligible_counts(today), report)
    _audit_publication_states(report)
    report.listed_surgeons = sum(len(ids) for ids in listed.values())
    report.cities = len(pointers)
    if record:
        ListingAudit.objects.create(
            findings=report.findings, listed_surgeons=report.listed_surgeons, cities=report.cities
        )
    return report


@dataclass
class _Facts:
    """What the audit reads of the listed surgeons, in a fixed number of queries."""

    npis: dict[int, str]
    names: dict[int, str]
    public: set[int]
    cities_of: dict[int, set[int]]
    results: dict[int, dict[str, CheckResult]]
    licensed_states: dict[int, set[str]]
    insured: set[int]
    dea: set[int]
    boarded: set[int]
    excluded: dict[str, list[ExclusionRecord]]

    @classmethod
    def load(cls, surgeon_ids: set[int], today: date) -> "_Facts":
        cities_of = defaultdict(set)
        for surgeon_id, city_id in PracticeLocation.objects.filter(surgeon_id__in=surgeon_ids).values_list(
            "surgeon_id", "city_id"
        ):
            cities_of[surgeon_id].add(city_id)
        people = list(Surgeon.objects.filter(id__in=surgeon_ids).values_list("id", "npi", "first_name", "last_name"))
        results = defaultdict(dict)
        for result in CheckResult.objects.filter(surgeon_id__in=surgeon_ids, is_current=True).only(
            "surgeon_id", "check_key", "effective_outcome", "source_answered", "valid_until"
        ):
            results[result.surgeon_id][result.check_key] = result
        npis = {sid: npi for sid, npi, _, _ in people}
        return cls(
            npis=npis,
            names={sid: f"Dr. {first} {last} ({npi})" for sid, npi, first, last in people},
            public=set(Surgeon.objects.public().filter(id__in=surgeon_ids).values_list("id", flat=True)),
            cities_of=cities_of,
            results=results,
            **_credentials(surgeon_ids, today),
            excluded=_exclusions(npis.values()),
        )


def _credentials(surgeon_ids: set[int], today: date) -> dict:
    in_force = Q(expires=None) | Q(expires__gte=today)
    licensed = defaultdict(set)
    for surgeon_id, state in StateLicense.objects.filter(
        in_force, surgeon_id__in=surgeon_ids, status=CredentialStatus.ACTIVE
    ).values_list("surgeon_id", "state"):
        licensed[surgeon_id].add(state)
    policies = MalpracticePolicy.objects.filter(
        surgeon_id__in=surgeon_ids,
        effective__lte=today,
        expires__gte=today,
        per_claim_limit__gte=settings.MALPRACTICE_MIN_PER_CLAIM,
        aggregate_limit__gte=settings.MALPRACTICE_MIN_AGGREGATE,
    )
    deas = DEARegistration.objects.filter(
        surgeon_id__in=surgeon_ids, status=CredentialStatus.ACTIVE, expires__gte=today
    )
    boards = BoardCertification.objects.filter(in_force, surgeon_id__in=surgeon_ids, status=CredentialStatus.ACTIVE)
    return {
        "licensed_states": licensed,
        "insured": set(policies.values_list("surgeon_id", flat=True)),
        "dea": set(deas.values_list("surgeon_id", flat=True)),
        "boarded": set(boards.values_list("surgeon_id", flat=True)),
    }


def _exclusions(npis) -> dict[str, list[ExclusionRecord]]:
    rows = defaultdict(list)
    for row in ExclusionRecord.objects.filter(active=True, npi__in=[n for n in npis if n]):
        rows[row.npi].append(row)
    return rows


def _eligible_counts(today: date) -> dict[int, int]:
    """Per city, the public surgeons practising there whose every required check passes today (in SQL)."""
    passing = CheckResult.objects.eligible_surgeons(as_of=today)
    rows = (
        PracticeLocation.objects.filter(surgeon_id__in=passing, surgeon__in=Surgeon.objects.public())
        .values("city_id")
        .annotate(n=Count("surgeon_id", distinct=True))
        .order_by()
    )
    return {row["city_id"]: row["n"] for row in rows}


def _audit_pointer(pointer: CityListPointer, surgeon_ids: list[int], facts: _Facts, today: date, report) -> None:
    city = pointer.city
    if pointer.snapshot.status != RankingSnapshot.Status.PUBLISHED:
        report.findings.append(f"{city}: the current list #{pointer.snapshot_id} is {pointer.snapshot.status}.")
    if pointer.valid_until is not None and pointer.valid_until < today:
        report.findings.append(f"{city}: the list rests on evidence that lapsed after {pointer.valid_until}.")
    for surgeon_id in surgeon_ids:
        name = facts.names.get(surgeon_id, f"surgeon {surgeon_id}")
        for problem in _surgeon_problems(surgeon_id, city, facts, today, report, name):
            report.findings.append(f"{city}: {name} is listed but {problem}.")
    _audit_caches(pointer, [facts.npis.get(s) for s in surgeon_ids], report)


def _surgeon_problems(surgeon_id, city, facts: _Facts, today: date, report, name) -> list[str]:
    problems = []
    if surgeon_id not in facts.public:
        problems.append("is not in the public directory (withdrawn, NPI deactivated or out of scope)")
    if city.id not in facts.cities_of.get(surgeon_id, set()):
        problems.append(f"has no practice in {city.name}")
    results = facts.results.get(surgeon_id, {})
    for key in CHECKS:
        result = results.get(key)
        if result is None:
            problems.append(f"has no current {key} result")
        elif result.effective_outcome not in ELIGIBLE_OUTCOMES:
            if result.source_answered:
                problems.append(f"{key} is {result.effective_outcome}")
            else:
                report.held.append(f"{city}: {name} kept while the {key} source is silent.")
        elif result.valid_until is not None and result.valid_until < today:
            problems.append(f"the {key} evidence lapsed after {result.valid_until}")
    problems += _credential_problems(surgeon_id, city, facts, today)
    return problems


def _credential_problems(surgeon_id, city, facts: _Facts, today: date) -> list[str]:
    problems = []
    if city.state not in facts.licensed_states.get(surgeon_id, set()):
        problems.append(f"holds no active {city.state} license on file")
    if surgeon_id not in facts.insured:
        problems.append("has no malpractice policy in force with the required limits")
    if surgeon_id not in facts.dea:
        problems.append("has no active, unexpired DEA registration on file")
    if surgeon_id not in facts.boarded:
        problems.append("has no current board certification on file")
    for row in facts.excluded.get(facts.npis.get(surgeon_id), []):
        excluded = row.exclusion_date is None or row.exclusion_date <= today
        reinstated = row.reinstatement_date is not None and row.reinstatement_date <= today
        if excluded and not reinstated and row.waiver_state != city.state:
            problems.append(f"is on the OIG exclusion list by NPI (excluded {row.exclusion_date})")
    return problems


def _audit_short_lists(pointers, listed, eligible: dict[int, int], report) -> None:
    """A list shorter than the eligible surgeons allow needs a reason: a proposal waiting, or a publisher's no."""
    snapshots = RankingSnapshot.objects.filter(city_id__in=eligible)
    waiting = set(snapshots.filter(status=RankingSnapshot.Status.AWAITING_APPROVAL).values_list("city_id", flat=True))
    rejected = {
        city_id: (decided_at, reason)
        for city_id, decided_at, reason in snapshots.filter(status=RankingSnapshot.Status.REJECTED)
        .order_by("approved_at")
        .values_list("city_id", "approved_at", "decision_reason")
    }
    moved = {p.city_id: p.updated_at for p in pointers}
    sizes = {p.city_id: len(listed[p.snapshot_id]) for p in pointers}
    names = dict(City.objects.filter(id__in=eligible).values_list("id", "slug"))
    for city_id, count in sorted(eligible.items()):
        expected, size = min(settings.RANKING_LIST_SIZE, count), sizes.get(city_id, 0)
        if size >= expected or city_id in waiting:
            continue
        decided_at, reason = rejected.get(city_id, (None, ""))
        short = f"{names[city_id]}: {size} listed while {expected} could be"
        if decided_at is not None and (city_id not in moved or decided_at >= moved[city_id]):
            report.held.append(f"{short}; a publisher rejected the proposal: {reason}")
        else:
            report.findings.append(f"{short} (no proposal awaits approval).")


def _audit_publication_states(report) -> None:
    published = RankingSnapshot.objects.filter(status=RankingSnapshot.Status.PUBLISHED)
    pointed = set(CityListPointer.objects.values_list("snapshot_id", flat=True))
    for snapshot in published.exclude(id__in=pointed).select_related("city"):
        report.findings.append(f"{snapshot.city}: list #{snapshot.id} is marked published but is not the current one.")


def _audit_caches(pointer: CityListPointer, npis: list[str | None], report) -> None:
    """Cached pointers and rendered lists (stored or cached) must say what the database says."""
    cached = cache.get(pointer_cache_key(pointer.city.slug))
    if cached is not None and tuple(cached)[1] != pointer.snapshot_id:
        report.findings.append(
            f"{pointer.city}: the cached pointer names list #{tuple(cached)[1]}, not #{pointer.snapshot_id}."
        )
    for variant, kept, content in rendering.kept_bodies(pointer.snapshot_id):
        if _shown(variant, content) != npis:
            report.findings.append(f"{pointer.city}: the {kept} {_what(variant)} does not show the current list.")
    for variant, current, content in rendering.current_cached(pointer.city.slug):
        if current.snapshot_id != pointer.snapshot_id:
            report.findings.append(
                f"{pointer.city}: the cached current {_what(variant)} names list #{current.snapshot_id}, "
                f"not #{pointer.snapshot_id}."
            )
        elif content and _shown(variant, content) != npis:
            report.findings.append(
                f"{pointer.city}: the cached current {_what(variant)} does not show the current list."
            )


def _what(variant: str) -> str:
    return "API top ten" if variant == TOP_TEN else "city page"


def _shown(variant: str, content: bytes) -> list[str]:
    """The NPIs a rendered list shows, in order."""
    pattern = JSON_NPI if variant == TOP_TEN else PAGE_NPI
    return _first_seen(pattern.findall(content.decode()))


PAGE_NPI = re.compile(r"/surgeons/(\d{10})/")
JSON_NPI = re.compile(r'"npi":\s*"(\d{10})"')


def _first_seen(npis: list[str]) -> list[str]:
    return list(dict.fromkeys(npis))
