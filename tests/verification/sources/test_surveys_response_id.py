"""The survey export with response ids: a re-sent or partial export de-duplicates exactly."""

import datetime as dt
from decimal import Decimal

import pytest

from directory.models import SatisfactionScore, SurveyResponse
from tests import factories
from verification.sources.surveys import SURVEY_HEADER, surveys_import

from .layouts import csv_write

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 25)


@pytest.fixture
def export(tmp_path):
    def write(*rows, name="survey-export.csv"):
        return csv_write(tmp_path / name, [SURVEY_HEADER, *rows])

    return write


@pytest.fixture
def surgeon():
    return factories.SurgeonFactory()


def test_the_header_is_the_documented_one():
    assert ",".join(SURVEY_HEADER) == "response_id,npi,response_date,score,verified_patient"


def test_responses_are_imported_and_scored(export, surgeon):
    path = export(["R-1", surgeon.npi, "2026-10-01", "9", "true"], ["R-2", surgeon.npi, "2026-10-02", "8", "true"])

    summary = surveys_import(path=path, today=TODAY)

    assert (summary.created, SurveyResponse.objects.count()) == (2, 2)
    assert SatisfactionScore.objects.get().score == Decimal("8.50")


def test_a_partial_export_sent_again_within_a_larger_one_adds_only_the_new_responses(export, surgeon):
    first = ["R-1", surgeon.npi, "2026-10-01", "9", "true"]
    surveys_import(path=export(first, name="monday.csv"), today=TODAY)

    summary = surveys_import(
        path=export(first, ["R-2", surgeon.npi, "2026-10-01", "9", "true"], name="tuesday.csv"), today=TODAY
    )

    assert (summary.created, summary.unchanged) == (1, 1)
    assert SatisfactionScore.objects.get().responses == 2  # two patients, same answer, same day: two responses


def test_the_same_export_again_says_0_changed(export, surgeon):
    path = export(["R-1", surgeon.npi, "2026-10-01", "9", "true"])
    surveys_import(path=path, today=TODAY)

    summary = surveys_import(path=path, today=TODAY)

    assert summary.changed == 0 and summary.line().startswith("Patient surveys: 0 changed (")


def test_a_response_sent_again_with_other_values_is_a_correction(export, surgeon):
    surveys_import(path=export(["R-1", surgeon.npi, "2026-10-01", "4", "true"]), today=TODAY)

    summary = surveys_import(path=export(["R-1", surgeon.npi, "2026-10-01", "9", "true"]), today=TODAY)

    assert (summary.created, summary.updated) == (0, 1)
    assert SurveyResponse.objects.get().score == Decimal("9.00")
    assert SatisfactionScore.objects.get().score == Decimal("9.00")


def test_a_response_id_twice_in_one_file_is_reported_and_kept_once(export, surgeon):
    path = export(["R-1", surgeon.npi, "2026-10-01", "9", "true"], ["R-1", surgeon.npi, "2026-10-01", "9", "true"])

    summary = surveys_import(path=path, today=TODAY)

    assert [str(error) for error in summary.errors] == [
        "line 3: response_id 'R-1' appears earlier in the file; row skipped"
    ]
    assert SurveyResponse.objects.count() == 1


def test_a_row_without_a_response_id_is_reported(export, surgeon):
    summary = surveys_import(path=export(["", surgeon.npi, "2026-10-01", "9", "true"]), today=TODAY)

    assert [str(error) for error in summary.errors] == ["line 2: response_id must be 1 to 100 characters"]
    assert not SurveyResponse.objects.exists()
