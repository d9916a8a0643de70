"""Patient satisfaction: a score of 8.5 or more from enough verified patients to mean something."""

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings

from directory.models import EvidenceMethod

from .types import Outcome, Result, cycle_end

KEY = "satisfaction"
TITLE = "Patient satisfaction"
SOURCE = "Verified-patient surveys"
# A survey period that ended longer ago than this no longer describes the surgeon's care today.
MAX_AGE = timedelta(days=548)


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
