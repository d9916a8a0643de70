import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from directory.models import CredentialStatus, EvidenceMethod
from tests import factories
from verification.checks import dea
from verification.checks.types import Outcome

from .builders import AS_OF, clean_dossier


def evaluate(*registrations):
    return dea.evaluate(clean_dossier(dea=list(registrations)), as_of=AS_OF)


def registration(**fields):
    return factories.DEARegistrationFactory.build(**{"number": "BR1234563", **fields})


@pytest.mark.parametrize("number", ["BR1234563", "AB1234563", "F91234563"])
def test_valid_check_digits_are_accepted(number):
    assert dea.dea_number_is_valid(number)


@pytest.mark.parametrize("number", ["BR1234564", "B1234563", "BR123456", "1R1234563", "br1234563", ""])
def test_invalid_numbers_are_rejected(number):
    assert not dea.dea_number_is_valid(number)


@given(st.text(alphabet="0123456789", min_size=6, max_size=6))
def test_exactly_one_check_digit_is_valid_for_any_six_digits(six):
    valid = [d for d in range(10) if dea.dea_number_is_valid(f"BR{six}{d}")]
    assert len(valid) == 1


def test_active_registration_with_certificate_on_file_passes_as_attested_document():
    result = evaluate(registration(evidence_method=EvidenceMethod.ATTESTED_DOCUMENT))
    assert result.outcome == Outcome.PASS
    assert result.method == EvidenceMethod.ATTESTED_DOCUMENT


def test_number_without_better_evidence_is_labelled_format_only():
    result = evaluate(registration(evidence_method=EvidenceMethod.SECONDARY_SOURCE))
    assert result.outcome == Outcome.PASS
    assert result.method == EvidenceMethod.FORMAT_ONLY


def test_registration_expiring_today_passes_and_yesterday_fails():
    assert evaluate(registration(expires=AS_OF)).outcome == Outcome.PASS
    assert evaluate(registration(expires=AS_OF - dt.timedelta(days=1))).outcome == Outcome.FAIL


def test_revoked_registration_fails():
    assert evaluate(registration(status=CredentialStatus.REVOKED)).outcome == Outcome.FAIL


def test_bad_check_digit_needs_review():
    result = evaluate(registration(number="BR1234564"))
    assert result.outcome == Outcome.NEEDS_REVIEW
    assert "check-digit" in result.reason


def test_no_registration_on_file_needs_review():
    assert evaluate().outcome == Outcome.NEEDS_REVIEW


def test_the_newest_registration_decides():
    old = registration(number="BR1234563", expires=AS_OF - dt.timedelta(days=400))
    new = registration(number="BR7654329", expires=AS_OF + dt.timedelta(days=400))
    assert evaluate(old, new).outcome == Outcome.PASS


def test_evidence_and_reason_never_hold_the_full_number():
    result = evaluate(registration())
    assert "1234563" not in str(result.evidence) + result.reason


def test_feed_down_is_unknown():
    assert dea.evaluate(clean_dossier(dea=None), as_of=AS_OF).outcome == Outcome.UNKNOWN
