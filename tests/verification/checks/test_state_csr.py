import datetime as dt

import pytest

from directory.models import CredentialStatus
from tests import factories
from verification.checks import state_csr
from verification.checks.types import Outcome

from .builders import AS_OF, clean_dossier


def evaluate(states, *registrations, as_of=AS_OF):
    dossier = clean_dossier(practice_states=states, state_csr=list(registrations))
    return state_csr.evaluate(dossier, as_of=as_of)


def registration(**fields):
    return factories.StateControlledSubstanceRegistrationFactory.build(**{"state": "IL", **fields})


def test_texas_needs_no_state_registration_after_2016():
    result = evaluate(["TX"])
    assert result.outcome == Outcome.NOT_APPLICABLE
    assert "1 September 2016" in result.reason


def test_texas_stopped_requiring_registration_on_1_september_2016():
    assert evaluate(["TX"], as_of=dt.date(2016, 9, 1)).outcome == Outcome.NOT_APPLICABLE
    before = evaluate(["TX"], as_of=dt.date(2016, 8, 31))
    assert before.outcome == Outcome.NEEDS_REVIEW
    assert "TX requires a registration" in before.reason


def test_state_that_never_required_one_is_not_applicable():
    assert evaluate(["CA"]).outcome == Outcome.NOT_APPLICABLE


def test_requiring_state_with_active_registration_passes_until_it_expires():
    result = evaluate(["IL"], registration(expires=AS_OF + dt.timedelta(days=40)))
    assert result.outcome == Outcome.PASS
    assert result.valid_until == AS_OF + dt.timedelta(days=40)


def test_registration_expiring_today_passes_and_yesterday_fails():
    assert evaluate(["IL"], registration(expires=AS_OF)).outcome == Outcome.PASS
    assert evaluate(["IL"], registration(expires=AS_OF - dt.timedelta(days=1))).outcome == Outcome.FAIL


def test_requiring_state_without_registration_is_not_a_pass():
    result = evaluate(["IL"])
    assert result.outcome == Outcome.NEEDS_REVIEW
    assert "IL requires a registration" in result.reason


def test_registration_in_another_state_does_not_count():
    assert evaluate(["MA"], registration(state="IL")).outcome == Outcome.NEEDS_REVIEW


def test_revoked_registration_fails():
    assert evaluate(["IL"], registration(status=CredentialStatus.REVOKED)).outcome == Outcome.FAIL


def test_every_requiring_practice_state_needs_its_own_registration():
    result = evaluate(["IL", "MI", "TX"], registration(state="IL"))
    assert result.outcome == Outcome.NEEDS_REVIEW
    assert "MI" in result.reason and "IL" not in result.reason.replace("MI", "")


def test_a_state_missing_from_the_rules_table_needs_a_human():
    assert evaluate(["XX"]).outcome == Outcome.NEEDS_REVIEW


def test_not_applicable_needs_no_registry_answer():
    dossier = clean_dossier(practice_states=["TX"], state_csr=None)
    assert state_csr.evaluate(dossier, as_of=AS_OF).outcome == Outcome.NOT_APPLICABLE


def test_registry_down_in_a_requiring_state_is_unknown():
    dossier = clean_dossier(practice_states=["IL"], state_csr=None)
    assert state_csr.evaluate(dossier, as_of=AS_OF).outcome == Outcome.UNKNOWN


# The states issuing practitioners a controlled-substance registration today (Texas stopped in 2016).
REGISTERING_STATES = set("AL CT DE DC HI ID IL IN IA LA MD MA MI MO NV NJ NM OK RI SC SD UT WY PR GU".split())


@pytest.mark.parametrize("state", sorted(state_csr.STATE_RULES))
def test_only_a_registering_state_asks_for_a_registration_today(state):
    expected = Outcome.NEEDS_REVIEW if state in REGISTERING_STATES else Outcome.NOT_APPLICABLE
    assert evaluate([state]).outcome == expected
