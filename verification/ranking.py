"""Eligibility, the ranking score (method v1) and how a city's list changes: pure functions, no database."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from .checks import CHECKS
from .checks.types import ELIGIBLE_OUTCOMES

METHOD_VERSION = "v1"


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
