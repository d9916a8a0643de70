import datetime as dt
from decimal import Decimal

import pytest

from directory.models import SatisfactionScore, SurveyResponse
from tests import factories
from verification.sources.surveys import LEGACY_SURVEY_HEADER, surveys_import

TODAY = dt.date(2026, 11, 25)


@pytest.fixture
def survey_file(write_csv):
    def write(*rows, header=LEGACY_SURVEY_HEADER, name="surveys.csv"):
        return write_csv([header, *rows], name=name)

    return write


@pytest.mark.django_db
def test_only_verified_patients_count_towards_the_score(survey_file):
    surgeon = factories.SurgeonFactory()
    path = survey_file(
        [surgeon.npi, "2026-10-01", "9", "true"],
        [surgeon.npi, "2026-10-02", "8", "yes"],
        [surgeon.npi, "2026-10-03", "1", "false"],
    )

    summary = surveys_import(path=path, today=TODAY)

    score = SatisfactionScore.objects.get(surgeon=surgeon)
    assert (score.score, score.responses, score.verified_patients_only) == (Decimal("8.50"), 2, True)
    assert (score.period_start, score.period_end) == (dt.date(2025, 10, 3), dt.date(2026, 10, 2))
    assert SurveyResponse.objects.count() == 3
    assert (summary.read, summary.created) == (3, 3)
    assert "satisfaction scores: 1 created, 0 updated, 0 unchanged" in summary.line()


@pytest.mark.django_db
def test_responses_older_than_a_year_before_the_latest_are_left_out(survey_file):
    surgeon = factories.SurgeonFactory()
    path = survey_file([surgeon.npi, "2025-01-01", "2", "1"], [surgeon.npi, "2026-06-01", "10", "1"])

    surveys_import(path=path, today=TODAY)

    assert SatisfactionScore.objects.get().score == Decimal("10.00")


@pytest.mark.django_db
def test_importing_the_same_file_twice_changes_nothing(survey_file):
    surgeon = factories.SurgeonFactory()
    # Two patients giving the same answer on the same day are two responses.
    path = survey_file([surgeon.npi, "2026-10-01", "9", "true"], [surgeon.npi, "2026-10-01", "9", "true"])
    surveys_import(path=path, today=TODAY)
    before = (list(SurveyResponse.objects.values()), list(SatisfactionScore.objects.values()))

    summary = surveys_import(path=path, today=TODAY)

    assert (summary.created, summary.unchanged) == (0, 2)
    assert (list(SurveyResponse.objects.values()), list(SatisfactionScore.objects.values())) == before
    assert SatisfactionScore.objects.get().responses == 2


@pytest.mark.django_db
def test_new_responses_recompute_the_score(survey_file):
    surgeon = factories.SurgeonFactory()
    surveys_import(path=survey_file([surgeon.npi, "2026-10-01", "9", "true"], name="a.csv"), today=TODAY)

    surveys_import(path=survey_file([surgeon.npi, "2026-10-01", "7", "true"], name="b.csv"), today=TODAY)

    score = SatisfactionScore.objects.get()
    assert (score.score, score.responses) == (Decimal("8.00"), 2)


@pytest.mark.django_db
def test_bad_rows_are_reported_with_their_line_and_the_rest_imported(survey_file):
    surgeon = factories.SurgeonFactory()
    path = survey_file(
        [surgeon.npi, "2026-10-01", "9", "true"],  # line 2
        ["1999999999", "2026-10-01", "9", "true"],  # line 3
        [surgeon.npi, "01/10/2026", "9", "true"],  # line 4
        [surgeon.npi, "2026-10-01", "11", "true"],  # line 5
        [surgeon.npi, "2026-10-01", "9", "maybe"],  # line 6
        [surgeon.npi, "2027-01-01", "9", "true"],  # line 7
        [surgeon.npi, "2026-10-01"],  # line 8
    )

    summary = surveys_import(path=path, today=TODAY)

    assert [str(error) for error in summary.errors] == [
        "line 3: NPI '1999999999' is not in the directory",
        "line 4: response_date '01/10/2026' is not a YYYY-MM-DD date",
        "line 5: score '11' is not between 0 and 10",
        "line 6: verified_patient 'maybe' is not true/false, 1/0 or yes/no",
        "line 7: response_date 2027-01-01 is in the future",
        "line 8: expected 4 fields, found 2",
    ]
    assert (summary.read, summary.created, summary.bad) == (7, 1, 6)


@pytest.mark.django_db
def test_a_wrong_header_imports_nothing(survey_file):
    summary = surveys_import(path=survey_file(["1", "2", "3"], header=["npi", "date", "score"]), today=TODAY)

    assert "is not the header response_id,npi,response_date,score,verified_patient" in summary.fatal
    assert "(nor the older npi,response_date,score,verified_patient)" in summary.fatal
    assert not SurveyResponse.objects.exists()
