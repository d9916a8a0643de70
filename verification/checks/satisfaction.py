"""Patient satisfaction: a score of 8.5 or more from enough verified patients to mean something."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext_noop

from directory.models import EvidenceMethod

from .panels import Panel, panel
from .types import Outcome, Result, cycle_end

KEY = "satisfaction"
TITLE = gettext_noop("Patient satisfaction")
SOURCE = "Verified-patient surveys"
# A survey period that ended longer ago than this no longer describes the surgeon's care today.
MAX_AGE = timedelta(days=548)
NEEDS = ()  # the latest survey score is in every dossier
FHIR_SOURCE_TYPES = (("auth-source", "Authoritative source"),)
FHIR_TARGET_LOCATION = ()
FHIR_OWN_SOURCE = True  # our own verified-patient surveys


@dataclass(frozen=True)
class ScoreInputs:
    """What a pass gives the ranking score. Field names are evidence keys: ranking reads only these."""

    score: Decimal
    responses: int

    @classmethod
    def from_evidence(cls, evidence: Mapping) -> "ScoreInputs":
        """From a pass's evidence, or the same keys read from the database as text."""
        return cls(score=Decimal(str(evidence["score"])), responses=int(evidence["responses"]))


def evaluate(dossier, *, as_of: date) -> Result:
    score = dossier.satisfaction
    method = EvidenceMethod.PRIMARY_SOURCE  # our own verified-patient survey
    if score is None:
        return Result(Outcome.NEEDS_REVIEW, method, SOURCE, "No patient-survey results are on file yet.")
    evidence = {
        "score": str(score.score),
        "responses": score.responses,
        "period_start": score.period_start,
        "period_end": score.period_end,
        "verified_patients_only": score.verified_patients_only,
    }
    minimum, min_n = Decimal(str(settings.SATISFACTION_MIN_SCORE)), settings.SATISFACTION_MIN_RESPONSES
    stated = f"{score.score}/10 from {score.responses} patients"
    if not score.verified_patients_only:
        return Result(
            Outcome.NEEDS_REVIEW, method, SOURCE, f"{stated}, but not all respondents are verified.", evidence=evidence
        )
    if as_of - score.period_end > MAX_AGE:
        return Result(
            Outcome.UNKNOWN,
            method,
            SOURCE,
            f"The latest survey period ended {score.period_end}; newer responses are needed.",
            evidence=evidence,
        )
    if score.responses < min_n:
        return Result(
            Outcome.UNKNOWN,
            method,
            SOURCE,
            f"{stated}: too few responses to judge (at least {min_n} are needed), so this is not a pass.",
            evidence=evidence,
        )
    if Decimal(str(score.score)) < minimum:
        return Result(Outcome.FAIL, method, SOURCE, f"{stated}, below the {minimum} minimum.", evidence=evidence)
    return Result(
        Outcome.PASS,
        method,
        SOURCE,
        f"{stated} (minimum {minimum}).",
        valid_until=cycle_end(as_of, score.period_end + MAX_AGE),
        evidence=evidence,
    )


def review_panels(result) -> list[Panel]:
    return [
        panel(
            "Satisfaction scores",
            result.surgeon.satisfaction_scores.all(),
            ["Period", "Score", "n", "Verified only"],
            lambda s: [f"{s.period_start} – {s.period_end}", s.score, s.responses, s.verified_patients_only],
        )
    ]
