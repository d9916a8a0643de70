"""Experience: 5+ years since first licence (or training completion), or 300+ spine procedures."""

from datetime import date

from django.conf import settings
from django.template.defaultfilters import pluralize

from directory.models import EvidenceMethod, ProcedureVolume

from .types import Outcome, Result, add_years, cycle_end, no_answer

KEY = "experience"
TITLE = "Experience"
SOURCE = "Licence records; CMS Medicare procedure data"


def _practice_start(dossier) -> tuple[date | None, EvidenceMethod | None]:
    dated = [lic for lic in dossier.licenses or [] if lic.first_issued]
    if dated:
        first = min(dated, key=lambda lic: lic.first_issued)
        return first.first_issued, first.evidence_method
    if dossier.surgeon.training_completed_on:
        return dossier.surgeon.training_completed_on, EvidenceMethod.ATTESTED_DOCUMENT
    return None, None


def _procedures(dossier) -> tuple[int, EvidenceMethod]:
    total = sum(v.count for v in dossier.procedure_volumes)
    sources = {v.source for v in dossier.procedure_volumes}
    method = (
        EvidenceMethod.SECONDARY_SOURCE
        if sources == {ProcedureVolume.Source.CMS_BY_SERVICE}
        else EvidenceMethod.ATTESTED_DOCUMENT
    )
    return total, method


def _full_years(start: date, as_of: date) -> int:
    years = as_of.year - start.year
    return years if add_years(start, years) <= as_of else years - 1


def evaluate(dossier, *, as_of: date) -> Result:
    min_years, min_procedures = settings.EXPERIENCE_MIN_YEARS, settings.EXPERIENCE_MIN_PROCEDURES
    start, start_method = _practice_start(dossier)
    procedures, procedure_method = _procedures(dossier)
    years = _full_years(start, as_of) if start else None
    evidence = {"practice_start": start, "years": years, "verified_spine_procedures": procedures}
    until = cycle_end(as_of)
    if years is not None and years >= min_years:
        evidence["path"] = "years"
        reason = f"{years} year{pluralize(years)} in practice since {start} (needs {min_years})."
        return Result(Outcome.PASS, start_method, SOURCE, reason, valid_until=until, evidence=evidence)
    if procedures >= min_procedures:
        evidence["path"] = "procedures"
        reason = f"{procedures} verified spine procedures (needs {min_procedures})."
        return Result(Outcome.PASS, procedure_method, SOURCE, reason, valid_until=until, evidence=evidence)
    if dossier.licenses is None:
        return no_answer("State medical board")
    if years is None:
        reason = (
            f"No first-licence or training-completion date is on file and only {procedures} verified spine "
            f"procedures; a reviewer must establish the practice start date."
        )
        return Result(Outcome.NEEDS_REVIEW, EvidenceMethod.ATTESTED_DOCUMENT, SOURCE, reason, evidence=evidence)
    reason = (
        f"{years} year{pluralize(years)} in practice (needs {min_years}) and {procedures} verified spine procedures "
        f"(needs {min_procedures}; Medicare counts are a lower bound, a practice case log can show more)."
    )
    return Result(Outcome.FAIL, start_method, SOURCE, reason, evidence=evidence)
