"""What a reviewer sees beside a result: the waiver on an exclusion row, and which codes are add-ons."""

import datetime as dt

import pytest
from django.utils import timezone

from tests import factories
from verification.models import CheckResult, ExclusionRecord, VerificationRun
from verification.review_selectors import evidence_panels

pytestmark = pytest.mark.django_db


def result_for(surgeon, check_key, evidence):
    run = VerificationRun.objects.create(kind="manual", period_key="panel", as_of=timezone.localdate())
    return CheckResult.objects.create(
        run=run, surgeon=surgeon, check_key=check_key, outcome="needs_review", method="primary_source", source="x",
        checked_at=timezone.now(), evidence=evidence, reason="x", fingerprint="x", effective_outcome="needs_review",
    )  # fmt: skip


def test_an_exclusion_row_shows_its_waiver():
    surgeon = factories.SurgeonFactory()
    row = ExclusionRecord.objects.create(
        row_hash="w", last_name="DOE", npi=surgeon.npi, state="TX", waiver_state="TX", waiver_date=dt.date(2023, 3, 1)
    )
    result = result_for(surgeon, "license_sanctions", {"exclusion_matches": [{"id": row.id}]})

    (panel,) = [p for p in evidence_panels(result) if p.title == "Exclusion-list rows that matched"]

    assert panel.columns[-1] == "Waiver" and panel.rows[0][-1] == "TX since 2023-03-01"


def test_procedure_volumes_say_which_codes_are_add_ons():
    surgeon = factories.SurgeonFactory()
    factories.ProcedureVolumeFactory(surgeon=surgeon, cpt_code="22612", count=41)
    factories.ProcedureVolumeFactory(surgeon=surgeon, cpt_code="22840", count=36)
    result = result_for(surgeon, "experience", {})

    (panel,) = [p for p in evidence_panels(result) if p.title == "Procedure volumes"]

    assert {row[2]: row[-1] for row in panel.rows} == {"22612": "operation", "22840": "add-on (not an operation)"}
