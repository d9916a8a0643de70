"""CMS's monthly NPPES Deactivated NPI Report: listed NPIs on file are deactivated, the others reactivated."""

import csv
import datetime as dt
import io
import zipfile

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

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


def test_npis_and_dates_as_excel_stores_them_are_read_as_excel_shows_them(report):
    as_int, as_float, as_text, padded, with_time = (factories.SurgeonFactory() for _ in range(5))
    rows = [
        (int(as_int.npi), dt.date(2024, 8, 14)),  # number and date cells
        (float(as_float.npi), dt.datetime(2024, 8, 15)),
        (f"{as_text.npi}.0", "08/16/2024"),  # a number saved as text
        (f" {padded.npi} ", " 08/17/2024 "),
        (int(with_time.npi), dt.datetime(2024, 8, 18, 13, 30)),
        (1234567893, dt.date(2020, 1, 2)),  # a number-typed NPI not on file
        (1234567894.0, "01/02/2020"),
        (as_int.npi, 45518.5),
    ]

    summary = nppes_deactivations_import(path=report(*rows))

    assert {s.npi: s.npi_deactivated_on for s in Surgeon.objects.all()} == {
        as_int.npi: dt.date(2024, 8, 14), as_float.npi: dt.date(2024, 8, 15), as_text.npi: dt.date(2024, 8, 16),
        padded.npi: dt.date(2024, 8, 17), with_time.npi: dt.date(2024, 8, 18),
    }  # fmt: skip
    assert (summary.read, summary.updated, summary.skipped) == (8, 5, 2)
    assert [(error.line, error.message) for error in summary.errors] == [
        (10, "NPPES Deactivation Date '45518.5' is not MM/DD/YYYY")
    ]


def test_a_date_typed_as_a_plain_number_is_reported_as_excel_shows_it(report):
    surgeon = factories.SurgeonFactory()

    summary = nppes_deactivations_import(path=report((surgeon.npi, 45518)))

    assert [error.message for error in summary.errors] == ["NPPES Deactivation Date '45518' is not MM/DD/YYYY"]
    surgeon.refresh_from_db()
    assert surgeon.npi_deactivated_on is None


def test_blank_rows_are_not_counted_and_rows_keep_the_numbers_excel_shows(tmp_path):
    surgeon, late = factories.SurgeonFactory(), factories.SurgeonFactory()
    workbook = Workbook()
    sheet = workbook.active
    sheet["A2"] = "NPPES Deactivated NPI Report"  # row 1 left empty
    sheet.append(["NPI", "NPPES Deactivation Date"])
    sheet.append([surgeon.npi, "08/14/2024"])
    sheet.append([late.npi, "2024-08-14"])  # row 5
    sheet.append(["  ", None])  # whitespace only: a blank row
    sheet.append([None, "08/14/2024"])  # row 7: a date without its NPI
    sheet.append(["   ", "  "])
    workbook.save(path := tmp_path / NAME)

    summary = nppes_deactivations_import(path=path)

    assert (summary.read, summary.updated) == (3, 1)
    assert [(error.line, error.message) for error in summary.errors] == [
        (5, "NPPES Deactivation Date '2024-08-14' is not MM/DD/YYYY"),
        (7, "NPI '' is not 10 digits; row skipped"),
    ]


def test_a_report_whose_columns_do_not_start_at_a_is_refused(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([None, "NPPES Deactivated NPI Report"])
    sheet.append([None, "NPI", "NPPES Deactivation Date"])
    sheet.append([None, factories.SurgeonFactory().npi, "08/14/2024"])
    workbook.save(path := tmp_path / NAME)

    assert "no header NPI,NPPES Deactivation Date" in nppes_deactivations_import(path=path).fatal
    assert not Surgeon.objects.exclude(npi_deactivated_on=None).exists()


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


def _damaged(path, part: str):
    """The workbook at `path` with `part` cut in half (the zip itself still sound)."""
    with zipfile.ZipFile(path) as workbook:
        parts = {name: workbook.read(name) for name in workbook.namelist()}
    parts[part] = parts[part][: len(parts[part]) // 2]
    with zipfile.ZipFile(path, "w") as workbook:
        for name, data in parts.items():
            workbook.writestr(name, data)
    return path


@pytest.mark.parametrize(
    ("damage", "error"),
    [
        (lambda path: path.write_bytes(path.read_bytes()[: path.stat().st_size // 2]), "ZipError"),  # cut short
        (lambda path: path.write_bytes(b""), "ZipError"),
        (lambda path: _damaged(path, "xl/worksheets/sheet1.xml"), "XmlError"),
        (lambda path: _damaged(path, "xl/workbook.xml"), "XmlError"),
    ],
    ids=["truncated", "empty-file", "damaged-sheet", "damaged-workbook-part"],
)
def test_a_damaged_workbook_is_refused_before_any_row_and_nothing_changes(report, damage, error):
    surgeon, back = factories.SurgeonFactory(), factories.SurgeonFactory(npi_deactivated_on=dt.date(2024, 8, 14))
    path = report(*[(surgeon.npi, "08/14/2024")] * 200)  # damage then falls inside the rows
    damage(path)

    summary = nppes_deactivations_import(path=path)

    assert summary.fatal == f"{NAME} is not an Excel workbook ({error}); nothing was imported"
    assert {s.id: s.npi_deactivated_on for s in Surgeon.objects.all()} == {
        surgeon.id: None,
        back.id: dt.date(2024, 8, 14),
    }


def test_a_workbook_without_a_cell_is_refused_as_another_layout(tmp_path):
    Workbook().save(path := tmp_path / NAME)

    assert "no header NPI,NPPES Deactivation Date" in nppes_deactivations_import(path=path).fatal


def test_a_missing_file_is_refused_naming_it(tmp_path):
    fatal = nppes_deactivations_import(path=tmp_path / NAME).fatal

    assert "No such file or directory" in fatal and NAME in fatal and fatal.endswith("nothing was imported")


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
