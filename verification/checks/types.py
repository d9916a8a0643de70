"""What a check returns, and the vocabulary of outcomes and methods."""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from typing import Protocol

from django.db import models

from directory.models import EvidenceMethod

# Evidence older than one annual cycle never counts, whatever its own expiry.
ANNUAL_CYCLE = timedelta(days=366)


class Outcome(models.TextChoices):
    PASS = "pass", "Passed"
    FAIL = "fail", "Failed"
    UNKNOWN = "unknown", "Unknown"
    NEEDS_REVIEW = "needs_review", "Needs review"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


ELIGIBLE_OUTCOMES = frozenset({Outcome.PASS, Outcome.NOT_APPLICABLE})


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    method: EvidenceMethod
    source: str
    reason: str
    valid_until: date | None = None
    evidence: dict = field(default_factory=dict)
    source_answered: bool = True

    @cached_property
    def evidence_json(self) -> str:
        return evidence_to_json(self.evidence)

    @property
    def fingerprint(self) -> str:
        """A hash of what was looked at, so an unchanged finding can keep a reviewer's decision."""
        # The bytes of json.dumps([outcome, evidence], sort_keys=True), so earlier runs' fingerprints still match.
        payload = f"[{json.dumps(self.outcome)}, {self.evidence_json}]"
        return hashlib.sha256(payload.encode()).hexdigest()


class Check(Protocol):
    """What a check module declares: everything the rest of the code needs to know about it.

    The registry (checks/__init__.py) lists the modules; runs, the dossier, reviewer pages, ranking and FHIR loop
    over it, so adding a check is its module, its registry line and its tests.
    """

    KEY: str  # stored on every CheckResult
    TITLE: str  # what patients and reviewers read; marked with gettext_noop for the translations
    SOURCE: str
    NEEDS: tuple[str, ...]  # feeds (sources.manual.FEEDS) the dossier loads into `records` for this check
    FHIR_SOURCE_TYPES: tuple[tuple[str, str], ...]  # VerificationResult.primarySource.type (code, display)
    FHIR_TARGET_LOCATION: tuple[str, ...]  # the Practitioner elements the result attests
    FHIR_OWN_SOURCE: bool  # the primary source is this directory itself (our own surveys)

    def evaluate(self, dossier, *, as_of: date) -> "Result": ...

    def review_panels(self, result) -> list:
        """The records a reviewer compares with this result (checks.panels.Panel), read for `result.surgeon`."""
        ...


def _date_to_iso(value):
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} does not belong in evidence")


def evidence_to_json(evidence: dict) -> str:
    """Evidence as stored and fingerprinted: JSON with sorted keys, dates in ISO 8601."""
    return json.dumps(evidence, sort_keys=True, default=_date_to_iso)


def no_answer(source: str, *, method: EvidenceMethod = EvidenceMethod.PRIMARY_SOURCE) -> Result:
    """A source that could not answer: unknown, never fail."""
    return Result(
        outcome=Outcome.UNKNOWN,
        method=method,
        source=source,
        reason=f"{source} did not answer; the check will be repeated.",
        source_answered=False,
    )


def cycle_end(as_of: date, *expiries: date | None) -> date:
    """The date the evidence stops counting: the earliest expiry, capped at one annual cycle."""
    return min([as_of + ANNUAL_CYCLE, *[d for d in expiries if d is not None]])


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


WEAKEST_FIRST = [
    EvidenceMethod.FORMAT_ONLY,
    EvidenceMethod.ATTESTED_DOCUMENT,
    EvidenceMethod.SECONDARY_SOURCE,
    EvidenceMethod.PRIMARY_SOURCE,
]


def weakest_method(methods) -> EvidenceMethod:
    methods = set(methods)
    return next((m for m in WEAKEST_FIRST if m in methods), EvidenceMethod.ATTESTED_DOCUMENT)
