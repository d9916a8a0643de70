import io
import re

import pytest
from django.core.management import CommandError, call_command

from tests import factories
from tests.verification.sources.conftest import fixture_json
from tests.verification.sources.layouts import CMS_HEADER_2023 as CMS_HEADER
from tests.verification.sources.layouts import cms_row
from tests.verification.sources.test_leie import leie_row
from verification.models import ExclusionRecord
from verification.sources.leie import LEIE_HEADER
from verification.sources.nppes import NPPES_URL
from verification.sources.surveys import SURVEY_HEADER

SUMMARY = re.compile(r"^(?P<source>[^:]+): (?P<counts>.+); (?P<seconds>\d+\.\d\d) s\.$")


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


@pytest.mark.django_db
def test_import_leie_ends_with_a_one_line_summary_with_its_timing(write_csv):
    path = write_csv([LEIE_HEADER, leie_row("DOE"), ["BAD"]])

    out, err = run("import_leie", str(path))

    match = SUMMARY.match(out)
    assert match and match["source"] == "OIG LEIE"
    assert match["counts"].startswith(
        "1 changed (2 read, 1 created, 0 updated, 0 unchanged, 0 now inactive, 0 skipped, 1 bad"
    )
    assert "line 3: expected 18 fields, found 1; row skipped" in err
    assert ExclusionRecord.objects.count() == 1


@pytest.mark.django_db
def test_import_leie_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="UPDATED.csv.*nothing was imported"):
        run("import_leie", str(tmp_path / "UPDATED.csv"))


@pytest.mark.django_db
def test_import_leie_refuses_a_wrong_header(write_csv):
    path = write_csv([["LAST", "FIRST"], ["DOE", "JOHN"]])

    with pytest.raises(CommandError, match="is not the header LASTNAME,FIRSTNAME"):
        run("import_leie", str(path))


@pytest.mark.django_db
def test_import_cms_procedures_sums_and_summarises(write_csv):
    surgeon = factories.SurgeonFactory()
    path = write_csv([CMS_HEADER, cms_row(surgeon.npi, "63030", "12"), cms_row(surgeon.npi, "63030", "3")])

    out, _ = run("import_cms_procedures", str(path), "--year", "2024")

    assert out.startswith(
        "CMS procedures 2024: 1 changed (2 read, 1 created, 0 updated, 0 unchanged, 0 removed, 0 skipped, 0 bad); "
    )
    assert surgeon.procedure_volumes.get().count == 15


@pytest.mark.django_db
def test_import_cms_procedures_refuses_a_wrong_header_and_an_odd_year(write_csv):
    path = write_csv([["a", "b"], ["1", "2"]])

    with pytest.raises(CommandError, match="missing column"):
        run("import_cms_procedures", str(path), "--year", "2024")
    with pytest.raises(CommandError, match="--year must be a data year"):
        run("import_cms_procedures", str(path), "--year", "1999")


@pytest.mark.django_db
def test_import_surveys_summarises_responses_and_scores(write_csv):
    surgeon = factories.SurgeonFactory()
    path = write_csv([SURVEY_HEADER, ["R-0001", surgeon.npi, "2024-05-01", "9.5", "true"]])

    out, _ = run("import_surveys", str(path))

    assert out.startswith("Patient surveys: 1 changed (1 read, 1 created")
    assert "satisfaction scores: 1 created, 0 updated, 0 unchanged" in out


@pytest.mark.django_db
def test_import_surveys_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="surveys.csv"):
        run("import_surveys", str(tmp_path / "surveys.csv"))


@pytest.mark.django_db
def test_import_nppes_bulk_refuses_a_wrong_header(write_csv):
    with pytest.raises(CommandError, match="missing column"):
        run("import_nppes_bulk", str(write_csv([["NPI"], ["1234567893"]])))


@pytest.mark.django_db
def test_import_nppes_summarises_by_result(api):
    api.get(NPPES_URL, json=fixture_json("nppes_new_shape.json"))

    out, _ = run("import_nppes", "--state", "tx", "--taxonomy", "Orthopaedic Surgery")

    assert out.startswith("NPPES: 2 changed (3 read, 2 created, 0 updated, 0 unchanged, 1 skipped, 0 bad); ")


@pytest.mark.django_db
def test_import_nppes_says_when_nppes_is_down(api, settings):
    settings.SOURCE_MAX_RETRIES = 0
    api.get(NPPES_URL, status=502)

    with pytest.raises(CommandError, match="HTTP 502. Nothing was changed; try again later"):
        run("import_nppes", "--state", "TX")


@pytest.mark.django_db
def test_import_nppes_says_why_a_query_was_refused(api):
    api.get(NPPES_URL, json=fixture_json("nppes_errors.json"))

    with pytest.raises(CommandError, match="NPPES refused the query: No valid search criteria provided"):
        run("import_nppes", "--state", "TX")


@pytest.mark.django_db
def test_import_nppes_to_a_host_off_the_allow_list_is_a_clear_error_not_a_traceback(api, settings):
    settings.SOURCE_HOST_ALLOWLIST = ["example.org"]

    # A CommandError is printed as one line by manage.py; any other exception prints a traceback.
    with pytest.raises(CommandError, match=r"cms.hhs.gov: not an allowed source host.*SOURCE_HOST_ALLOWLIST"):
        run("import_nppes", "--state", "TX")
    assert len(api.calls) == 0


def test_import_nppes_wants_a_two_letter_state():
    with pytest.raises(CommandError, match="two-letter"):
        run("import_nppes", "--state", "Texas")
