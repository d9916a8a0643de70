"""Eligibility and the ranking score (method v1): pure functions over current check results."""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from .checks import REQUIRED_CHECKS
from .checks.types import ELIGIBLE_OUTCOMES

METHOD_VERSION = "v1"


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reasons: tuple[str, ...]
    # True when something other than a silent source stands in the way: only then is a listed surgeon delisted.
    affirmative: bool = False


def eligibility(results: dict, *, as_of: date) -> Eligibility:
    """Every required check passed (or is not applicable), overrides applied, evidence still valid.

    `results` maps check key to an object with `effective_outcome` and `valid_until` (a CheckResult).
    """
    reasons, affirmative = [], False
    for key in REQUIRED_CHECKS:
        result = results.get(key)
        if result is None:
            reasons.append(f"{key}: not checked")
        elif result.effective_outcome not in ELIGIBLE_OUTCOMES:
            reasons.append(f"{key}: {result.effective_outcome}")
            affirmative |= getattr(result, "source_answered", True)
        elif result.valid_until is not None and result.valid_until < as_of:
            reasons.append(f"{key}: evidence expired on {result.valid_until}")
            affirmative = True
    return Eligibility(eligible=not reasons, reasons=tuple(reasons), affirmative=affirmative)


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


def rank(parts: list[ScoreParts], *, size: int) -> list[ScoreParts]:
    return sorted(parts, key=lambda p: p.sort_key)[:size]
