"""Who may be listed and in what order: eligibility, the score, a city's candidates ranked, how its list changes.

Pure functions over plain values, no database: publication reads the rows and writes what these decide. The
method's version (settings.RANKING_METHOD_VERSION, named on every snapshot and the public page) changes with it.
Eligibility in SQL, for pages that count eligible surgeons, is CheckResult.objects.eligible_surgeons().
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.conf import settings

from .checks import CHECKS, experience, satisfaction
from .checks.types import ELIGIBLE_OUTCOMES


class CurrentResult(NamedTuple):
    """What eligibility, scoring and a snapshot's links read of a current result: plain values, no model.

    Publication reads every surgeon's results in every city, so it takes only these columns and, of the
    evidence, only the figures the score is made of (`figures`, keyed by SCORE_FIGURES), extracted by the database.
    """

    id: int
    surgeon_id: int
    check_key: str
    effective_outcome: str
    source_answered: bool
    valid_until: date | None
    figures: Mapping[str, str | None]


# The checks whose passes the score is made of; each declares its inputs and reads them from its own evidence.
SCORED = {satisfaction.KEY: satisfaction.ScoreInputs, experience.KEY: experience.ScoreInputs}
SCORE_FIGURES = tuple(dict.fromkeys(field.name for inputs in SCORED.values() for field in fields(inputs)))


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reasons: tuple[str, ...]
    # True when something other than a silent source stands in the way: only then is a listed surgeon delisted.
    affirmative: bool = False
    # The checks standing in the way, by key (public notes name them by title, never with the private reason).
    blocking: tuple[str, ...] = ()

    @property
    def held(self) -> bool:
        """Not eligible only because a source could not answer: a listed surgeon keeps their place."""
        return not self.eligible and not self.affirmative


def eligibility(results: dict, *, as_of: date) -> Eligibility:
    """Every required check passed (or is not applicable), overrides applied, evidence still valid.

    `results` maps check key to an object with `effective_outcome`, `valid_until` and optionally
    `source_answered` (a CheckResult, or the plain rows publication reads).
    """
    reasons, blocking, affirmative = [], [], False
    for key in CHECKS:
        result = results.get(key)
        if result is None:
            reasons.append(f"{key}: not checked")
        elif result.effective_outcome not in ELIGIBLE_OUTCOMES:
            reasons.append(f"{key}: {result.effective_outcome}")
            affirmative |= getattr(result, "source_answered", True)
        elif result.valid_until is not None and result.valid_until < as_of:
            reasons.append(f"{key}: evidence expired on {result.valid_until}")
            affirmative = True
        else:
            continue
        blocking.append(key)
    return Eligibility(not reasons, tuple(reasons), affirmative, tuple(blocking))


def evidence_valid_until(results: dict) -> date | None:
    """The last day every passing result's evidence still counts (None: no result expires)."""
    dates = [
        r.valid_until
        for r in results.values()
        if r.effective_outcome in ELIGIBLE_OUTCOMES and r.valid_until is not None
    ]
    return min(dates, default=None)


@dataclass(frozen=True)
class ScoreParts:
    npi: str
    satisfaction_score: Decimal
    satisfaction_responses: int
    adjusted_satisfaction: Decimal
    verified_procedures: int
    years_in_practice: int

    @property
    def sort_key(self):
        # Higher is better for every part but the NPI, which only makes the order stable.
        return (-self.adjusted_satisfaction, -self.verified_procedures, -self.years_in_practice, self.npi)


def adjusted_satisfaction(score: Decimal, responses: int, *, prior_mean: Decimal, prior_weight: int) -> Decimal:
    """A Bayesian average: the score pulled toward the mean of all surgeons, less so as n grows."""
    value = (Decimal(score) * responses + prior_mean * prior_weight) / (responses + prior_weight)
    return value.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


def score_parts(
    *, npi: str, score: Decimal, responses: int, procedures: int, years: int, prior_mean: Decimal, prior_weight: int
) -> ScoreParts:
    return ScoreParts(
        npi=npi,
        satisfaction_score=Decimal(score),
        satisfaction_responses=responses,
        adjusted_satisfaction=adjusted_satisfaction(
            Decimal(score), responses, prior_mean=prior_mean, prior_weight=prior_weight
        ),
        verified_procedures=procedures,
        years_in_practice=years,
    )


def candidate_parts(npi: str, results: Mapping[str, CurrentResult], *, prior_mean: Decimal) -> ScoreParts:
    """An eligible surgeon's score, from the inputs their satisfaction and experience passes declare."""
    survey = satisfaction.ScoreInputs.from_evidence(results[satisfaction.KEY].figures)
    practice = experience.ScoreInputs.from_evidence(results[experience.KEY].figures)
    return score_parts(
        npi=npi,
        score=survey.score,
        responses=survey.responses,
        procedures=practice.verified_spine_procedures,
        years=practice.years,
        prior_mean=prior_mean,
        prior_weight=settings.RANKING_PRIOR_WEIGHT,
    )


def listed_parts(entry, npi: str) -> ScoreParts:
    """A listed surgeon held by a silent source keeps the score they were listed with (`entry`: a RankingEntry)."""
    return ScoreParts(
        npi=npi,
        satisfaction_score=entry.satisfaction_score,
        satisfaction_responses=entry.satisfaction_responses,
        adjusted_satisfaction=entry.adjusted_satisfaction,
        verified_procedures=entry.verified_procedures,
        years_in_practice=entry.years_in_practice,
    )


def ranked(parts: Mapping[int, ScoreParts]) -> list[int]:
    """Surgeon ids, best score first."""
    return sorted(parts, key=lambda surgeon_id: parts[surgeon_id].sort_key)


@dataclass(frozen=True)
class ListPlan:
    """What happens to one city's list.

    `now` is published at once (None: nothing to publish now); `proposed` waits for a publisher's approval.
    `removed` left the list: no longer eligible (affirmatively), or no longer practising in the city or listed
    in the directory. Removals never wait; the surgeons who move up into their places do not count as changes.
    """

    now: list[int] | None
    proposed: list[int] | None
    removed: list[int]


def list_plan(
    *,
    old: Sequence[int] | None,
    ranked: Sequence[int],
    size: int,
    max_changes: int,
    gated: bool = False,
    first_waits: bool = False,
) -> ListPlan:
    """Plan a city's list from its current one (`old`, None if it has none) and every candidate, best first.

    Candidates are the city's eligible surgeons plus those listed now who are held only by a silent source
    (a source outage never delists). `gated`: a source outage; only removals (and the promotions into their
    places) are published, anything more waits for a publisher, who cannot approve it while sources are silent.
    `first_waits`: a city's first list is proposed rather than published (when one surgeon's event, not a run,
    would start it).
    """
    full = list(ranked[:size])
    if old is None:
        if not full:
            return ListPlan(now=None, proposed=None, removed=[])
        if gated or first_waits:
            return ListPlan(now=None, proposed=full, removed=[])
        return ListPlan(now=full, proposed=None, removed=[])
    old = list(old)
    if full == old:
        return ListPlan(now=None, proposed=None, removed=[])
    removed = [surgeon for surgeon in old if surgeon not in set(ranked)]
    newcomers = [surgeon for surgeon in ranked if surgeon not in set(old)]
    displaced = len(set(old) - set(full) - set(removed))
    counted = displaced + max(0, len(set(full) - set(old)) - len(removed))
    if not gated and counted <= max_changes:
        return ListPlan(now=full, proposed=None, removed=removed)
    promoted = set(newcomers[: len(removed)])
    kept = set(old) - set(removed)
    now = [surgeon for surgeon in ranked if surgeon in kept or surgeon in promoted][:size] if removed else None
    proposed = None if full == (now if now is not None else old) else full
    return ListPlan(now=now, proposed=proposed, removed=removed)


@dataclass
class CityPlan:
    """A city's candidates judged, scored and ranked, and what happens to its list."""

    city: object  # directory.models.City
    plan: ListPlan
    parts: dict[int, ScoreParts]  # the candidates: eligible surgeons, and listed ones a silent source holds
    verdicts: dict[int, Eligibility]
    old: list[int] | None

    @property
    def eligible_count(self) -> int:
        """The city's surgeons who pass every check now (held ones, kept by a silent source, do not)."""
        return sum(self.verdicts[surgeon_id].eligible for surgeon_id in self.parts)

    @property
    def outcome(self) -> str:
        if self.plan.now is not None:
            return "published"
        if self.plan.proposed is not None:
            return "awaiting_approval"
        return "unchanged" if self.old is not None else "empty"


def city_plan(
    city,
    *,
    practising: set[int],
    listed: Sequence | None,
    results: Mapping[int, Mapping[str, CurrentResult]],
    npis: Mapping[int, str],
    as_of: date,
    prior_mean: Decimal,
    gated: bool,
    first_waits: bool,
) -> CityPlan:
    """Rank a city's candidates and plan its list.

    `practising`: the public surgeons practising in the city; `listed`: its current list's entries in rank order
    (None if it has no list); `results`: current results by surgeon and check. `gated` and `first_waits` as in
    `list_plan`.
    """
    listed_entries = list(listed or [])
    verdicts = {
        surgeon_id: eligibility(results.get(surgeon_id, {}), as_of=as_of)
        for surgeon_id in practising | {entry.surgeon_id for entry in listed_entries}
    }
    parts = {
        surgeon_id: candidate_parts(npis[surgeon_id], results[surgeon_id], prior_mean=prior_mean)
        for surgeon_id in practising
        if verdicts[surgeon_id].eligible
    }
    for entry in listed_entries:  # held by a silent source: keeps the score it was listed with
        if entry.surgeon_id in practising and verdicts[entry.surgeon_id].held:
            parts[entry.surgeon_id] = listed_parts(entry, npis[entry.surgeon_id])
    old = None if listed is None else [entry.surgeon_id for entry in listed_entries]
    plan = list_plan(
        old=old,
        ranked=ranked(parts),
        size=settings.RANKING_LIST_SIZE,
        max_changes=settings.RANKING_MAX_CHANGES_WITHOUT_APPROVAL,
        gated=gated,
        first_waits=first_waits,
    )
    return CityPlan(city, plan, parts, verdicts, old)
