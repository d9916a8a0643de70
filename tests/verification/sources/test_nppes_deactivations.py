"""CMS's monthly NPPES Deactivated NPI Report: listed NPIs on file are deactivated, the others reactivated."""

import csv
import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from directory.models import Surgeon
from tests import factories
from verification.sources.nppes_deactivations import nppes_deactivations_import

from .layouts import csv_write, deactivation_report
from .test_leie import leie_row

pytestmark = pytest.mark.django_db
NAME = "NPPES Deactivated NPI Report 20241014.xlsx"


@pytest.fixture
def report(tmp_path):
    def write(*rows, name=NAME):
        return deactivation_report(tmp_path / name, rows)

    return write


def test_a_listed_npi_on_file_is_deactivated_on_its_date_and_leaves_the_public_directory(report, eligibility_events):
    surgeon, other = factories.SurgeonFactory(), factories.SurgeonFactory()

    with eligibility_events() as changed:
        summary = nppes_deactivations_import(path=report((surgeon.npi, "08/14/2024"), ("1234567893", "01/02/2020")))

    surgeon.refresh_from_db()
    assert surgeon.npi_deactivated_on == dt.date(2024, 8, 14)
    assert list(Surgeon.objects.public()) == [other] and changed == {surgeon.id}
    assert (summary.read, summary.updated, summary.skipped) == (2, 1, 1)
    assert "1 NPIs deactivated, 0 reactivated" in summary.line()


def test_importing_the_same_report_again_changes_nothing(report):
    surgeon = factories.SurgeonFactory()
    path = report((surgeon.npi, "08/14/2024"))
    nppes_deactivations_import(path=path)

    summary = nppes_deactivations_import(path=path)

    assert (summary.changed, summary.unchanged) == (0, 1)
    assert summary.line().startswith("NPPES Deactivated NPI Report: 0 changed (")


def test_an_npi_on_file_no_longer_listed_is_reactivated(report, eligibility_events):
    back = factories.SurgeonFactory(npi_deactivated_on=dt.date(2024, 8, 14))

    with eligibility_events() as changed:
        summary = nppes_deactivations_import(path=report(("1234567893", "01/02/2020")))

    back.refresh_from_db()
    assert back.npi_deactivated_on is None and back in Surgeon.objects.public()
    assert changed == {back.id} and "0 NPIs deactivated, 1 reactivated" in summary.line()


def test_a_date_stored_as_an_excel_date_is_read_too(report):
    surgeon = factories.SurgeonFactory()

    nppes_deactivations_import(path=report((int(surgeon.npi), dt.datetime(2024, 8, 14))))

    surgeon.refresh_from_db()
    assert surgeon.npi_deactivated_on == dt.date(2024, 8, 14)


def test_bad_rows_are_reported_with_their_row_number_and_the_rest_applied(report):
    surgeon, late = factories.SurgeonFactory(), factories.SurgeonFactory()

    summary = nppes_deactivations_import(
        path=report(("12345", "08/14/2024"), (late.npi, "2024-08-14"), (surgeon.npi, "08/14/2024"))
    )

    assert summary.unit == "row"  # the workbook's row numbers, as Excel shows them
    assert [(error.line, error.message) for error in summary.errors] == [
        (3, "NPI '12345' is not 10 digits; row skipped"),
        (4, "NPPES Deactivation Date '2024-08-14' is not MM/DD/YYYY"),
    ]
    assert Surgeon.objects.exclude(npi_deactivated_on=None).get() == surgeon


def test_the_same_columns_saved_as_csv_are_read(tmp_path):
    surgeon = factories.SurgeonFactory()
    rows = [["NPPES Deactivated NPI Report"], ["NPI", "NPPES Deactivation Date"], [surgeon.npi, "08/14/2024"]]

    nppes_deactivations_import(path=csv_write(tmp_path / "deactivated.csv", rows))

    surgeon.refresh_from_db()
    assert surgeon.npi_deactivated_on == dt.date(2024, 8, 14)


def test_a_file_in_another_layout_is_refused_naming_the_expected_header_and_nothing_changes(tmp_path):
    surgeon = factories.SurgeonFactory(npi_deactivated_on=dt.date(2024, 8, 14))
    leie = csv_write(tmp_path / "UPDATED.csv", [leie_row("DOE")], quoting=csv.QUOTE_ALL)

    summary = nppes_deactivations_import(path=leie)

    assert "is not CMS's NPPES Deactivated NPI Report: no header NPI,NPPES Deactivation Date" in summary.fatal
    assert "nothing was imported" in summary.fatal
    surgeon.refresh_from_db()
    assert surgeon.npi_deactivated_on == dt.date(2024, 8, 14)


def test_a_file_that_is_not_a_workbook_is_refused(tmp_path):
    path = tmp_path / NAME
    path.write_text("NPI,NPPES Deactivation Date\r\n")

    assert "is not an Excel workbook" in nppes_deactivations_import(path=path).fatal


def test_an_empty_report_reactivates_nobody(report):
    surgeon = factories.SurgeonFactory(npi_deactivated_on=dt.date(2024, 8, 14))

    summary = nppes_deactivations_import(path=report())

    assert "lists no NPI" in summary.fatal
    surgeon.refresh_from_db()
    assert surgeon.npi_deactivated_on == dt.date(2024, 8, 14)


def test_the_command_prints_the_summary_and_refuses_a_missing_file(report, tmp_path):
    surgeon = factories.SurgeonFactory()
    out = io.StringIO()

    call_command(
        "import_nppes_deactivations", str(report((surgeon.npi, "08/14/2024"))), stdout=out, stderr=io.StringIO()
    )

    assert out.getvalue().startswith("NPPES Deactivated NPI Report: 1 changed (")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_nppes_deactivations", str(tmp_path / "missing.xlsx"), stderr=io.StringIO())
