"""Everything the checks need for a batch of surgeons, loaded in a fixed number of queries."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Max, Prefetch
from django.utils import timezone

from directory.models import (
    BoardCertification,
    DEARegistration,
    DisciplinaryAction,
    MalpracticePolicy,
    PracticeLocation,
    ProcedureVolume,
    SatisfactionScore,
    StateControlledSubstanceRegistration,
    StateLicense,
    Surgeon,
)

from .models import ExclusionRecord
from .sources.http import SourceUnavailable
from .sources.manual import FEEDS

# The exclusion list is screened monthly; older than this it no longer answers for anyone.
EXCLUSION_LIST_MAX_AGE = timedelta(days=45)


@dataclass
class Dossier:
    """A surgeon's records and source answers. `None` for a source means it could not answer."""

    surgeon: Surgeon
    practice_states: list[str]
    licenses: list[StateLicense] | None
    board_certifications: list[BoardCertification] | None
    dea_registrations: list[DEARegistration] | None
    csr_registrations: list[StateControlledSubstanceRegistration] | None
    malpractice_policies: list[MalpracticePolicy] | None
    disciplinary_actions: list[DisciplinaryAction] = field(default_factory=list)
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


def _exclusion_list_loaded_on(as_of: date) -> date | None:
    """When the exclusion list was last loaded, or None if never or too long ago to trust."""
    latest = ExclusionRecord.objects.aggregate(latest=Max("last_seen_at"))["latest"]
    loaded_on = timezone.localdate(latest) if latest else None
    return loaded_on if loaded_on and as_of - loaded_on <= EXCLUSION_LIST_MAX_AGE else None


def _exclusion_candidates(surgeons: list[Surgeon], states: set[str]) -> list[ExclusionRecord]:
    npis = [s.npi for s in surgeons]
    last_names = {s.last_name.upper() for s in surgeons}
    by_npi = ExclusionRecord.objects.filter(active=True, npi__in=npis)
    by_name = ExclusionRecord.objects.filter(active=True, npi="", last_name__in=last_names, state__in=states)
    return list(by_npi.union(by_name))


def _matches_for(surgeon: Surgeon, states: list[str], candidates: list[ExclusionRecord]) -> list[ExclusionRecord]:
    matches = []
    for row in candidates:
        if row.npi:
            if row.npi == surgeon.npi:
                matches.append(row)
        elif (
            row.last_name.upper() == surgeon.last_name.upper()
            and row.first_name.upper() == surgeon.first_name.upper()
            and row.state in states
            and not (row.date_of_birth and surgeon.date_of_birth and row.date_of_birth != surgeon.date_of_birth)
        ):
            matches.append(row)
    return matches


def dossiers_load(surgeon_ids: list[int], *, as_of: date) -> list[Dossier]:
    locations = PracticeLocation.objects.select_related("city").order_by("-is_primary", "id")
    surgeons = list(
        Surgeon.objects.filter(id__in=surgeon_ids)
        .prefetch_related(
            Prefetch("locations", queryset=locations),
            Prefetch(
                "procedure_volumes",
                queryset=ProcedureVolume.objects.filter(cpt_code__in=settings.SPINE_CPT_CODES),
            ),
            Prefetch("satisfaction_scores", queryset=SatisfactionScore.objects.order_by("-period_end")),
        )
        .order_by("id")
    )
    ids = [s.id for s in surgeons]
    licenses = _feed_records("state_board", ids)
    boards = _feed_records("board_certification", ids)
    deas = _feed_records("dea", ids)
    csrs = _feed_records("state_csr", ids)
    policies = _feed_records("malpractice", ids)
    states_by_surgeon = {s.id: sorted({loc.city.state for loc in s.locations.all()}) for s in surgeons}
    all_states = {state for states in states_by_surgeon.values() for state in states}
    loaded_on = _exclusion_list_loaded_on(as_of)
    candidates = _exclusion_candidates(surgeons, all_states) if loaded_on else None
    return [
        Dossier(
            surgeon=s,
            practice_states=states_by_surgeon[s.id],
            licenses=None if licenses is None else licenses[s.id],
            board_certifications=None if boards is None else boards[s.id],
            dea_registrations=None if deas is None else deas[s.id],
            csr_registrations=None if csrs is None else csrs[s.id],
            malpractice_policies=None if policies is None else policies[s.id],
            disciplinary_actions=[a for lic in (licenses or {}).get(s.id, []) for a in lic.actions.all()],
            procedure_volumes=list(s.procedure_volumes.all()),
            satisfaction=next(iter(s.satisfaction_scores.all()), None),
            exclusion_matches=None if candidates is None else _matches_for(s, states_by_surgeon[s.id], candidates),
            exclusion_list_loaded_on=loaded_on,
        )
        for s in surgeons
    ]
