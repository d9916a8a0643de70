import datetime as dt

import pytest

from directory.models import BoardCertification, CredentialStatus, Specialty
from tests import factories
from verification.checks import board_certification
from verification.checks.types import Outcome

from .builders import AS_OF, clean_dossier

Board = BoardCertification.Board


def evaluate(*certs, specialty=Specialty.ORTHOPAEDIC_SPINE):
    dossier = clean_dossier(board_certification=list(certs))
    dossier.surgeon.specialty = specialty
    return board_certification.evaluate(dossier, as_of=AS_OF)


def cert(**fields):
    return factories.BoardCertificationFactory.build(**fields)


def test_current_abos_certificate_passes_for_an_orthopaedic_spine_surgeon():
    result = evaluate(cert(board=Board.ABOS))
    assert result.outcome == Outcome.PASS
    assert result.valid_until == AS_OF + dt.timedelta(days=366) or result.valid_until <= cert().expires


def test_pass_lasts_until_the_certificate_expires_when_sooner():
    result = evaluate(cert(expires=AS_OF + dt.timedelta(days=20)))
    assert result.valid_until == AS_OF + dt.timedelta(days=20)


def test_lifetime_certificate_passes_for_one_annual_cycle():
    result = evaluate(cert(expires=None))
    assert result.outcome == Outcome.PASS
    assert "no expiry" in result.reason
    assert result.valid_until == AS_OF + dt.timedelta(days=366)


def test_certificate_expiring_today_passes_and_yesterday_fails():
    assert evaluate(cert(expires=AS_OF)).outcome == Outcome.PASS
    result = evaluate(cert(expires=AS_OF - dt.timedelta(days=1)))
    assert result.outcome == Outcome.FAIL
    assert "expired" in result.reason


def test_revoked_certificate_fails():
    assert evaluate(cert(status=CredentialStatus.REVOKED)).outcome == Outcome.FAIL


@pytest.mark.parametrize(
    ("specialty", "board", "outcome"),
    [
        (Specialty.NEUROSURGERY, Board.ABNS, Outcome.PASS),
        (Specialty.NEUROSURGERY, Board.ABOS, Outcome.NEEDS_REVIEW),
        (Specialty.ORTHOPAEDIC, Board.AOBOS, Outcome.PASS),
        (Specialty.ORTHOPAEDIC_SPINE, Board.ABNS, Outcome.NEEDS_REVIEW),
    ],
)
def test_only_a_board_relevant_to_the_specialty_counts(specialty, board, outcome):
    assert evaluate(cert(board=board), specialty=specialty).outcome == outcome


def test_no_certificate_on_file_needs_review_not_fail():
    result = evaluate()
    assert result.outcome == Outcome.NEEDS_REVIEW
    assert "No certificate" in result.reason


def test_feed_down_is_unknown():
    dossier = clean_dossier(board_certification=None)
    assert board_certification.evaluate(dossier, as_of=AS_OF).outcome == Outcome.UNKNOWN
