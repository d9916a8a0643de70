"""A result's stored evidence and its fingerprint, which decides whether a reviewer's decision carries over."""

import datetime as dt
import hashlib
import json
from decimal import Decimal

import pytest

from directory.models import EvidenceMethod
from verification.checks.types import Outcome, Result, evidence_to_json

EVIDENCE = {
    "licenses": [{"state": "TX", "expires": dt.date(2027, 3, 1), "method": EvidenceMethod.PRIMARY_SOURCE}],
    "practice_states": ("TX", "LA"),
    "exclusion_list_loaded_on": dt.date(2026, 11, 20),
    "note": "Dr. Muñoz",
    "score": None,
}


def result(outcome=Outcome.PASS, evidence=EVIDENCE):
    return Result(outcome, EvidenceMethod.PRIMARY_SOURCE, "State board", "ok", evidence=evidence)


def test_the_fingerprint_is_the_one_earlier_runs_stored():
    legacy = json.dumps([Outcome.PASS, EVIDENCE], sort_keys=True, default=str)

    assert result().fingerprint == hashlib.sha256(legacy.encode()).hexdigest()


def test_the_fingerprint_follows_the_outcome_and_the_evidence_but_not_the_key_order():
    reordered = dict(reversed(list(EVIDENCE.items())))
    changed = {**EVIDENCE, "exclusion_list_loaded_on": dt.date(2026, 11, 21)}

    assert result(evidence=reordered).fingerprint == result().fingerprint
    assert result(evidence=changed).fingerprint != result().fingerprint
    assert result(outcome=Outcome.FAIL).fingerprint != result().fingerprint


def test_stored_evidence_has_iso_dates_and_refuses_what_json_cannot_hold():
    stored = json.loads(result().evidence_json)

    assert stored["licenses"][0]["expires"] == "2027-03-01"
    assert stored["practice_states"] == ["TX", "LA"]
    with pytest.raises(TypeError, match="Decimal"):
        evidence_to_json({"score": Decimal("9.1")})
