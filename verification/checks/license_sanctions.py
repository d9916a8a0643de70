"""License and sanctions: an active license in every practice state, no serious recent discipline, no exclusion.

An OIG waiver (WAIVERDATE/WVRSTATE) lifts an exclusion in the one state it names: an NPI match waived for every
state the surgeon practises in goes to a reviewer with the waiver in the reason and evidence; a waiver for any
other state leaves the exclusion a fail.
"""

from datetime import date, timedelta

from django.conf import settings
from django.utils.translation import gettext_noop

from directory.models import CredentialStatus, DisciplinaryAction

from .panels import Panel, licenses_panel, panel
from .types import Outcome, Result, add_years, cycle_end, no_answer, weakest_method

KEY = "license_sanctions"
TITLE = gettext_noop("License and sanctions")
SOURCE = "State medical boards; OIG LEIE exclusion list"
NEEDS = ("state_board",)  # the exclusion-list matches are in every dossier
FHIR_SOURCE_TYPES = (("lic-board", "License Board"), ("legal", "Legal source"))
FHIR_TARGET_LOCATION = ("Practitioner.qualification",)
FHIR_OWN_SOURCE = False
# Federal rules ask for monthly exclusion screening, so a clean screen counts for one month and a bit.
SCREENING_VALID_FOR = timedelta(days=35)

AFFIRMATIVELY_BAD = {CredentialStatus.REVOKED, CredentialStatus.SUSPENDED, CredentialStatus.SURRENDERED}


def _license_problems(dossier, as_of: date) -> tuple[list[str], list[str]]:
    """(failures, questions) about the licenses in the surgeon's practice states."""
    failures, questions = [], []
    by_state = {}
    for license in dossier.records["state_board"]:
        by_state.setdefault(license.state, []).append(license)
    for state in dossier.practice_states:
        licenses = by_state.get(state, [])
        active = [
            lic
            for lic in licenses
            if lic.status == CredentialStatus.ACTIVE and (lic.expires is None or lic.expires >= as_of)
        ]
        if active:
            continue
        if any(lic.status in AFFIRMATIVELY_BAD for lic in licenses):
            failures.append(f"the {state} license is {licenses[0].get_status_display().lower()}")
        elif any(lic.expires and lic.expires < as_of for lic in licenses):
            failures.append(f"the {state} license expired")
        elif any(lic.status == CredentialStatus.UNVERIFIED for lic in licenses):
            questions.append(f"the {state} license number is self-reported and not yet verified with the board")
        else:
            questions.append(f"no {state} license is on file")
    return failures, questions


def _serious_actions(dossier, as_of: date) -> list[DisciplinaryAction]:
    since = add_years(as_of, -settings.SANCTIONS_LOOKBACK_YEARS)
    return [
        action
        for license in dossier.records["state_board"]
        for action in license.actions_on_file
        if action.severity == DisciplinaryAction.Severity.SERIOUS and since <= action.action_date <= as_of
    ]


def _current_exclusions(dossier, as_of: date):
    return [
        row
        for row in dossier.exclusion_matches
        if (row.reinstatement_date is None or row.reinstatement_date > as_of)
        and (row.exclusion_date is None or row.exclusion_date <= as_of)
    ]


def _waived_everywhere(row, practice_states: list[str], as_of: date) -> bool:
    """The row's waiver is in force and covers every practice state (a waiver names one state)."""
    in_force = row.waiver_state and (row.waiver_date is None or row.waiver_date <= as_of)
    return bool(in_force and practice_states and set(practice_states) == {row.waiver_state})


def _waiver_text(row) -> str:
    since = f" since {row.waiver_date}" if row.waiver_date else ""
    return f"waived for {row.waiver_state}{since}" if row.waiver_state else "no waiver"


def _match_evidence(row, as_of: date, practice_states: list[str]) -> dict:
    return {
        "id": row.id,
        "on": "npi" if row.npi else "name_state",
        "excluded_on": row.exclusion_date,
        "exclusion_type": row.exclusion_type,
        "waiver_state": row.waiver_state,
        "waiver_date": row.waiver_date,
        "waived_for_practice_states": _waived_everywhere(row, practice_states, as_of),
    }


def evaluate(dossier, *, as_of: date) -> Result:
    licenses = dossier.records["state_board"]
    if licenses is None:
        return no_answer("State medical board")
    if dossier.exclusion_matches is None:
        return no_answer("OIG LEIE exclusion list")
    failures, questions = _license_problems(dossier, as_of)
    actions = _serious_actions(dossier, as_of)
    exclusions = _current_exclusions(dossier, as_of)
    evidence = {
        "licenses": [
            {"state": lic.state, "status": lic.status, "expires": lic.expires, "method": lic.evidence_method}
            for lic in licenses
        ],
        "practice_states": dossier.practice_states,
        "serious_actions": [{"date": a.action_date, "description": a.description} for a in actions],
        "exclusion_list_loaded_on": dossier.exclusion_list_loaded_on,
        "exclusion_matches": [_match_evidence(row, as_of, dossier.practice_states) for row in exclusions],
    }
    method = weakest_method(lic.evidence_method for lic in licenses)
    practice_expiries = [lic.expires for lic in licenses if lic.state in dossier.practice_states]
    until = cycle_end(as_of, as_of + SCREENING_VALID_FOR, *practice_expiries)

    def result(outcome, reason):
        return Result(outcome, method, SOURCE, reason, valid_until=until, evidence=evidence)

    npi_matches = [row for row in exclusions if row.npi]
    waived = [row for row in npi_matches if _waived_everywhere(row, dossier.practice_states, as_of)]
    if unwaived := [row for row in npi_matches if row not in waived]:
        row = unwaived[0]
        waiver = f"; {_waiver_text(row)} only" if row.waiver_state else ""
        return result(Outcome.FAIL, f"On the OIG exclusion list (NPI match, excluded {row.exclusion_date}{waiver}).")
    if failures:
        return result(Outcome.FAIL, "License problem: " + "; ".join(failures) + ".")
    if actions:
        return result(Outcome.FAIL, f"Serious disciplinary action on {actions[0].action_date}.")
    if waived:
        row, states = waived[0], ", ".join(dossier.practice_states)
        return result(
            Outcome.NEEDS_REVIEW,
            f"On the OIG exclusion list (NPI match, excluded {row.exclusion_date}, {row.exclusion_type}), "
            f"{_waiver_text(row)}, the state the surgeon practises in ({states}); a reviewer must confirm the waiver "
            "covers this practice.",
        )
    if exclusions:
        return result(
            Outcome.NEEDS_REVIEW,
            "An OIG exclusion-list entry matches this surgeon's name and state but carries no NPI; a reviewer must "
            "compare it with the surgeon's record.",
        )
    if questions:
        return result(Outcome.NEEDS_REVIEW, "License needs a reviewer: " + "; ".join(questions) + ".")
    states = ", ".join(dossier.practice_states) or "the practice state"
    return result(Outcome.PASS, f"Active license in {states}; no serious actions; not on the OIG exclusion list.")


def review_panels(result) -> list[Panel]:
    from verification.models import ExclusionRecord  # the models import this registry

    ids = [match["id"] for match in result.evidence.get("exclusion_matches", [])]
    return [
        licenses_panel(result.surgeon),
        panel(
            "Exclusion-list rows that matched",
            ExclusionRecord.objects.filter(id__in=ids),
            ["Name", "State", "NPI", "Birth date", "Type", "Excluded", "Reinstated", "Waiver"],
            lambda r: [
                f"{r.last_name}, {r.first_name} {r.middle_name}".strip(),
                r.state,
                r.npi or "(none)",
                r.date_of_birth,
                r.exclusion_type,
                r.exclusion_date,
                r.reinstatement_date,
                f"{r.waiver_state} since {r.waiver_date}" if r.waiver_state else "—",
            ],
        ),
    ]
