import datetime as dt

import pytest

from directory.models import CredentialStatus, DisciplinaryAction
from tests import factories
from verification.checks import license_sanctions
from verification.checks.types import Outcome

from .builders import AS_OF, clean_dossier, exclusion_row, serious_action


def evaluate(**overrides):
    return license_sanctions.evaluate(clean_dossier(**overrides), as_of=AS_OF)


def license(**fields):
    return factories.StateLicenseFactory.build(**{"state": "TX", **fields})


def test_active_license_and_clean_screen_passes():
    result = evaluate()
    assert result.outcome == Outcome.PASS
    assert "TX" in result.reason


def test_a_pass_lasts_only_until_the_next_monthly_screening():
    assert evaluate().valid_until == AS_OF + dt.timedelta(days=35)


def test_a_pass_ends_when_the_license_expires_sooner():
    result = evaluate(state_board=[license(expires=AS_OF + dt.timedelta(days=10))])
    assert result.valid_until == AS_OF + dt.timedelta(days=10)


def test_license_expiring_today_still_counts_today():
    assert evaluate(state_board=[license(expires=AS_OF)]).outcome == Outcome.PASS


def test_license_that_expired_yesterday_fails():
    result = evaluate(state_board=[license(expires=AS_OF - dt.timedelta(days=1))])
    assert result.outcome == Outcome.FAIL
    assert "expired" in result.reason


@pytest.mark.parametrize("status", [CredentialStatus.REVOKED, CredentialStatus.SUSPENDED])
def test_revoked_or_suspended_license_fails(status):
    assert evaluate(state_board=[license(status=status)]).outcome == Outcome.FAIL


def test_missing_license_in_a_second_practice_state_needs_review():
    result = evaluate(practice_states=["IL", "TX"])
    assert result.outcome == Outcome.NEEDS_REVIEW
    assert "no IL license is on file" in result.reason


def test_self_reported_license_number_needs_review():
    result = evaluate(state_board=[license(status=CredentialStatus.UNVERIFIED, first_issued=None)])
    assert result.outcome == Outcome.NEEDS_REVIEW
    assert "self-reported" in result.reason


def test_serious_action_within_the_look_back_fails():
    result = evaluate(disciplinary_actions=[serious_action(days_ago=2 * 365)])
    assert result.outcome == Outcome.FAIL
    assert "Serious disciplinary action" in result.reason


def test_serious_action_older_than_the_look_back_is_ignored(settings):
    settings.SANCTIONS_LOOKBACK_YEARS = 10
    assert evaluate(disciplinary_actions=[serious_action(days_ago=20 * 365)]).outcome == Outcome.PASS


def test_minor_action_does_not_fail():
    minor = serious_action(days_ago=100)
    minor.severity = DisciplinaryAction.Severity.MINOR
    assert evaluate(disciplinary_actions=[minor]).outcome == Outcome.PASS


def test_exclusion_matched_on_npi_fails():
    result = evaluate(exclusion_matches=[exclusion_row(npi="1234567893")])
    assert result.outcome == Outcome.FAIL
    assert "OIG exclusion list" in result.reason
    assert result.evidence["exclusion_matches"][0]["on"] == "npi"


def test_exclusion_matched_on_name_and_state_only_needs_review():
    result = evaluate(exclusion_matches=[exclusion_row(npi="")])
    assert result.outcome == Outcome.NEEDS_REVIEW
    assert "no NPI" in result.reason


def test_reinstated_exclusion_no_longer_counts():
    row = exclusion_row(npi="1234567893", reinstated=AS_OF - dt.timedelta(days=30))
    assert evaluate(exclusion_matches=[row]).outcome == Outcome.PASS


def test_exclusion_list_not_loaded_is_unknown_never_fail():
    result = evaluate(exclusion_matches=None, state_board=[license(status=CredentialStatus.REVOKED)])
    assert result.outcome == Outcome.UNKNOWN
    assert result.source_answered is False


def test_license_source_down_is_unknown():
    assert evaluate(state_board=None).outcome == Outcome.UNKNOWN


def test_evidence_never_carries_the_birth_date_or_exclusion_row_details():
    row = exclusion_row(npi="", dob=dt.date(1970, 3, 14))
    evidence = str(evaluate(exclusion_matches=[row]).evidence)
    assert "1970" not in evidence
    assert "RIVERA" not in evidence


WAIVED_ON = AS_OF - dt.timedelta(days=90)


def test_an_npi_match_waived_for_the_only_practice_state_needs_review_with_the_waiver_shown():
    row = exclusion_row(npi="1234567893", waiver_state="TX", waiver_date=WAIVED_ON)

    result = evaluate(exclusion_matches=[row])

    assert result.outcome == Outcome.NEEDS_REVIEW
    assert f"waived for TX since {WAIVED_ON}" in result.reason and "1128a1" in result.reason
    match = result.evidence["exclusion_matches"][0]
    assert (match["waiver_state"], match["waiver_date"], match["waived_for_practice_states"]) == ("TX", WAIVED_ON, True)


def test_a_waiver_for_another_state_leaves_the_exclusion_a_fail():
    row = exclusion_row(npi="1234567893", waiver_state="OK", waiver_date=WAIVED_ON)

    result = evaluate(exclusion_matches=[row])

    assert result.outcome == Outcome.FAIL
    assert f"waived for OK since {WAIVED_ON} only" in result.reason
    assert result.evidence["exclusion_matches"][0]["waived_for_practice_states"] is False


def test_a_waiver_for_one_of_two_practice_states_leaves_the_exclusion_a_fail():
    row = exclusion_row(npi="1234567893", waiver_state="TX", waiver_date=WAIVED_ON)
    licenses = [license(state="TX"), license(state="OK")]

    result = evaluate(exclusion_matches=[row], practice_states=["OK", "TX"], state_board=licenses)

    assert result.outcome == Outcome.FAIL


def test_a_waiver_granted_after_the_check_date_is_not_yet_in_force():
    row = exclusion_row(npi="1234567893", waiver_state="TX", waiver_date=AS_OF + dt.timedelta(days=1))

    assert evaluate(exclusion_matches=[row]).outcome == Outcome.FAIL


def test_a_waived_exclusion_does_not_hide_a_revoked_license():
    row = exclusion_row(npi="1234567893", waiver_state="TX", waiver_date=WAIVED_ON)

    result = evaluate(exclusion_matches=[row], state_board=[license(status=CredentialStatus.REVOKED)])

    assert result.outcome == Outcome.FAIL and "License problem" in result.reason
