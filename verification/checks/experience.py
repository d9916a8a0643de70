"""Experience: 5+ years since first license (or training completion), or 300+ spine operations.

Operations are primary spine procedures (add-on codes are part of the operation they are billed with), counted
once per data year: where two sources cover one year (Medicare counts and a practice case log), the larger is
taken, since Medicare patients are part of the practice's. Medicare counts omit small cells, so the figure is a
lower bound: good for proving the bar is met, never for proving it is not.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.template.defaultfilters import pluralize
from django.utils.translation import gettext_noop

from directory.models import EvidenceMethod, ProcedureVolume

from ..sources.spine_codes import ADD_ON_CODES
from .panels import Panel, licenses_panel, panel
from .types import Outcome, Result, add_years, cycle_end, no_answer

KEY = "experience"
TITLE = gettext_noop("Experience")
SOURCE = "License records; CMS Medicare procedure data"
NEEDS = ("state_board",)  # the spine procedure volumes are in every dossier
FHIR_SOURCE_TYPES = (("auth-source", "Authoritative source"),)
FHIR_TARGET_LOCATION = ()
FHIR_OWN_SOURCE = False


@dataclass(frozen=True)
class ScoreInputs:
    """What a pass gives the ranking score. Field names are evidence keys: ranking reads only these."""

    years: int  # 0 when a pass by procedure volume has no practice start on file
    verified_spine_procedures: int

    @classmethod
    def from_evidence(cls, evidence: Mapping) -> "ScoreInputs":
        """From a pass's evidence, or the same keys read from the database as text."""
        years = evidence["years"]
        return cls(
            years=0 if years is None else int(years),
            verified_spine_procedures=int(evidence["verified_spine_procedures"]),
        )


def _practice_start(dossier) -> tuple[date | None, EvidenceMethod | None]:
    dated = [lic for lic in dossier.records["state_board"] or [] if lic.first_issued]
    if dated:
        first = min(dated, key=lambda lic: lic.first_issued)
        return first.first_issued, first.evidence_method
    if dossier.surgeon.training_completed_on:
        return dossier.surgeon.training_completed_on, EvidenceMethod.ATTESTED_DOCUMENT
    return None, None


def _procedures(dossier) -> tuple[int, list, bool]:
    """(operations summed over distinct data years, those years, whether Medicare data is the only source)."""
    by_year: dict[str, int] = {}
    for volume in dossier.procedure_volumes:
        by_year[volume.period] = max(by_year.get(volume.period, 0), volume.count)
    years = [int(period) if period.isdigit() else period for period in sorted(by_year)]
    medicare_only = {v.source for v in dossier.procedure_volumes} == {ProcedureVolume.Source.CMS_BY_SERVICE}
    return sum(by_year.values()), years, medicare_only


def _years_text(years: list) -> str:
    """[2019, 2021, 2022, 2023] → "2019, 2021–2023"."""
    runs: list[list] = []
    for year in years:
        if runs and isinstance(year, int) and isinstance(runs[-1][-1], int) and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return ", ".join(f"{run[0]}–{run[-1]}" if len(run) > 1 else f"{run[0]}" for run in runs)


def _operations_text(total: int, years: list, medicare_only: bool) -> str:
    """ "at least 74 Medicare spine operations, 2022–2023" """
    if not years:
        return "no spine operations on record"
    kind = "Medicare spine operations" if medicare_only else "spine operations"
    return f"at least {total} {kind}, {_years_text(years)}"


def _full_years(start: date, as_of: date) -> int:
    years = as_of.year - start.year
    return years if add_years(start, years) <= as_of else years - 1


def evaluate(dossier, *, as_of: date) -> Result:
    min_years, min_procedures = settings.EXPERIENCE_MIN_YEARS, settings.EXPERIENCE_MIN_PROCEDURES
    start, start_method = _practice_start(dossier)
    procedures, procedure_years, medicare_only = _procedures(dossier)
    procedure_method = EvidenceMethod.SECONDARY_SOURCE if medicare_only else EvidenceMethod.ATTESTED_DOCUMENT
    operations = _operations_text(procedures, procedure_years, medicare_only)
    years = _full_years(start, as_of) if start else None
    evidence = {
        "practice_start": start,
        "years": years,
        "verified_spine_procedures": procedures,
        "procedure_years": procedure_years,
    }
    until = cycle_end(as_of)
    if years is not None and years >= min_years:
        evidence["path"] = "years"
        reason = f"{years} year{pluralize(years)} in practice since {start} (needs {min_years})."
        return Result(Outcome.PASS, start_method, SOURCE, reason, valid_until=until, evidence=evidence)
    if procedures >= min_procedures:
        evidence["path"] = "procedures"
        reason = f"{operations[0].upper()}{operations[1:]} (needs {min_procedures})."
        return Result(Outcome.PASS, procedure_method, SOURCE, reason, valid_until=until, evidence=evidence)
    if dossier.records["state_board"] is None:
        return no_answer("State medical board")
    if years is None:
        reason = (
            f"No first-license or training-completion date is on file, and {operations}; a reviewer must establish "
            "the practice start date."
        )
        return Result(Outcome.NEEDS_REVIEW, EvidenceMethod.ATTESTED_DOCUMENT, SOURCE, reason, evidence=evidence)
    reason = (
        f"{years} year{pluralize(years)} in practice (needs {min_years}), and {operations} (needs {min_procedures}; "
        "Medicare counts are a lower bound, a practice case log can show more)."
    )
    return Result(Outcome.FAIL, start_method, SOURCE, reason, evidence=evidence)


def review_panels(result) -> list[Panel]:
    return [
        licenses_panel(result.surgeon),
        panel(
            "Procedure volumes",
            result.surgeon.procedure_volumes.all(),
            ["Source", "Period", "Code", "Count", "Counted as"],
            lambda v: [
                v.get_source_display(),
                v.period,
                v.cpt_code,
                v.count,
                "add-on (not an operation)" if v.cpt_code in ADD_ON_CODES else "operation",
            ],  # fmt: skip
        ),
    ]
