"""Everything the checks need for a batch of surgeons, loaded in a fixed number of queries."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Max, Q, Sum, Value
from django.db.models.functions import Concat, Upper
from django.utils import timezone

from directory.models import PracticeLocation, ProcedureVolume, SatisfactionScore, Surgeon, TimeStamped

from .checks import CHECKS
from .models import ExclusionListImport, ExclusionRecord
from .sources.http import SourceUnavailable
from .sources.manual import FEEDS
from .sources.spine_codes import PRIMARY_CODES

# The exclusion list is screened monthly; older than this it no longer answers for anyone.
EXCLUSION_LIST_MAX_AGE = timedelta(days=45)
# What the profile page shows and no check reads.
PROFILE_FIELDS = ("bio", "languages", "photo")


@dataclass
class Dossier:
    """A surgeon's records and source answers. `None` for a source means it could not answer."""

    surgeon: Surgeon
    practice_states: list[str]
    # Feed name (sources.manual.FEEDS) → this surgeon's records, for every feed a registered check NEEDS.
    records: dict[str, list | None]
    # Primary spine procedures (add-on codes left out): one total per source and data year.
    procedure_volumes: list[ProcedureVolume] = field(default_factory=list)
    satisfaction: SatisfactionScore | None = None
    exclusion_matches: list[ExclusionRecord] | None = None
    exclusion_list_loaded_on: date | None = None


def _feed_records(kind: str, surgeon_ids):
    """One kind of record through its feed; a feed that cannot answer gives None for everyone."""
    try:
        return FEEDS[kind].records_for(surgeon_ids)
    except SourceUnavailable:
        return None


def feeds_needed() -> list[str]:
    """The feeds the registered checks read, each once, in registry order."""
    return list(dict.fromkeys(feed for check in CHECKS.values() for feed in check.NEEDS))


def _exclusion_list_loaded_on(as_of: date) -> date | None:
    """When the exclusion list was last brought up to date (the full list, or a monthly supplement applied on top
    of one), or None if never or too long ago to trust."""
    imports = ExclusionListImport.objects.aggregate(
        latest=Max("imported_at"), full=Max("imported_at", filter=Q(kind=ExclusionListImport.Kind.FULL))
    )
    latest = imports["latest"] if imports["full"] else None
    loaded_on = timezone.localdate(latest) if latest else None
    return loaded_on if loaded_on and as_of - loaded_on <= EXCLUSION_LIST_MAX_AGE else None


# What matching and the license check read of an exclusion row.
EXCLUSION_FIELDS = (
    "id",
    "npi",
    "last_name",
    "first_name",
    "state",
    "date_of_birth",
    "exclusion_type",
    "exclusion_date",
    "reinstatement_date",
    "waiver_date",
    "waiver_state",
)


def _exclusion_candidates(surgeons: list[Surgeon], states: set[str]) -> list[ExclusionRecord]:
    """Rows on a surgeon's NPI, and NPI-less rows on a surgeon's exact (last, first) name in the batch's states.

    Names are stored as published and compared in upper case (the last name through its expression index)."""
    active = ExclusionRecord.objects.filter(active=True).only(*EXCLUSION_FIELDS)
    by_npi = active.exclude(npi="").filter(npi__any_of=[s.npi for s in surgeons])  # the partial NPI index
    by_name = (
        active.alias(last=Upper("last_name"))
        .filter(npi="", last__any_of={s.last_name.upper() for s in surgeons}, state__any_of=states)
        .alias(name=Concat("last", Value("|"), Upper("first_name")))
        .filter(name__any_of={f"{s.last_name.upper()}|{s.first_name.upper()}" for s in surgeons})
    )
    return list(by_npi.union(by_name))


class _ExclusionIndex:
    """Exclusion rows keyed the two ways a surgeon can match: by NPI, or by name in a practice state."""

    def __init__(self, rows: list[ExclusionRecord]):
        self.by_npi: dict[str, list[ExclusionRecord]] = defaultdict(list)
        self.by_name: dict[tuple[str, str], list[ExclusionRecord]] = defaultdict(list)
        for row in rows:
            if row.npi:
                self.by_npi[row.npi].append(row)
            else:
                self.by_name[row.last_name.upper(), row.first_name.upper()].append(row)

    def matches_for(self, surgeon: Surgeon, states: list[str]) -> list[ExclusionRecord]:
        by_name = [
            row
            for row in self.by_name.get((surgeon.last_name.upper(), surgeon.first_name.upper()), [])
            if row.state in states
            and not (row.date_of_birth and surgeon.date_of_birth and row.date_of_birth != surgeon.date_of_birth)
        ]
        return self.by_npi.get(surgeon.npi, []) + by_name


def _practice_states(ids: list[int]) -> dict[int, list[str]]:
    states = defaultdict(set)
    for surgeon_id, state in PracticeLocation.objects.filter(surgeon_id__any_of=ids).values_list(
        "surgeon_id", "city__state"
    ):
        states[surgeon_id].add(state)
    return {surgeon_id: sorted(states[surgeon_id]) for surgeon_id in ids}


def _spine_volumes(ids: list[int]) -> dict[int, list[ProcedureVolume]]:
    """Primary spine procedures per surgeon: one unsaved ProcedureVolume per source and period holding the total.

    Add-on codes are billed with a primary code in the same operation, so they are not counted."""
    volumes = defaultdict(list)
    totals = (
        ProcedureVolume.objects.filter(surgeon_id__any_of=ids, cpt_code__in=PRIMARY_CODES)
        .values("surgeon_id", "source", "period")
        .annotate(total=Sum("count"))
        .order_by("surgeon_id", "source", "period")
    )
    for row in totals:
        volume = ProcedureVolume(source=row["source"], period=row["period"], count=row["total"])
        volumes[row["surgeon_id"]].append(volume)
    return volumes


def _latest_scores(ids: list[int]) -> dict[int, SatisfactionScore]:
    latest = {}
    scores = SatisfactionScore.objects.filter(surgeon_id__any_of=ids).defer(*TimeStamped.BOOKKEEPING_FIELDS)
    for score in scores.order_by("surgeon_id", "-period_end"):
        latest.setdefault(score.surgeon_id, score)
    return latest


def dossiers_load(surgeon_ids: list[int], *, as_of: date) -> list[Dossier]:
    surgeons = list(
        Surgeon.objects.filter(id__any_of=surgeon_ids)
        .defer(*TimeStamped.BOOKKEEPING_FIELDS, *PROFILE_FIELDS)
        .order_by("id")
    )
    ids = [s.id for s in surgeons]
    states_by_surgeon = _practice_states(ids)
    volumes = _spine_volumes(ids)
    latest_scores = _latest_scores(ids)
    feeds = {feed: _feed_records(feed, ids) for feed in feeds_needed()}
    all_states = {state for states in states_by_surgeon.values() for state in states}
    loaded_on = _exclusion_list_loaded_on(as_of)
    exclusions = _ExclusionIndex(_exclusion_candidates(surgeons, all_states)) if loaded_on else None
    return [
        Dossier(
            surgeon=s,
            practice_states=states_by_surgeon[s.id],
            records={feed: None if records is None else records[s.id] for feed, records in feeds.items()},
            procedure_volumes=volumes[s.id],
            satisfaction=latest_scores.get(s.id),
            exclusion_matches=None if exclusions is None else exclusions.matches_for(s, states_by_surgeon[s.id]),
            exclusion_list_loaded_on=loaded_on,
        )
        for s in surgeons
    ]
