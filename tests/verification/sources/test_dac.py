"""CMS's Doctors and Clinicians National Downloadable File: real practice names, groups, phones and profiles."""

import csv
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from directory.models import PracticeGroup, PracticeLocation, Surgeon
from tests import factories
from verification.sources import dac
from verification.sources.dac import DAC_HEADER, dac_import

from .layouts import NPPES_HEADER, csv_write, dac_row, nppes_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def dac_file(tmp_path):
    def write(*rows, quoting=csv.QUOTE_MINIMAL):
        return csv_write(tmp_path / "DAC_NationalDownloadableFile.csv", [DAC_HEADER, *rows], quoting=quoting)

    return write


@pytest.fixture
def on_file():
    """A surgeon as NPPES left them: one practice location, its address but no name."""
    location = factories.PracticeLocationFactory(
        practice_name="", phone="", address_line1="6400 Fannin St", postal_code="77030", surgeon__npi="1234567893"
    )
    return location.surgeon


def test_the_header_is_the_published_one():
    assert DAC_HEADER[:5] == ["NPI", "Ind_PAC_ID", "Ind_enrl_ID", "Provider Last Name", "Provider First Name"]
    assert "Facility Name" in DAC_HEADER and "org_pac_id" in DAC_HEADER and len(DAC_HEADER) == 31


def test_a_practice_on_file_gets_its_real_name_group_and_phone(dac_file, on_file):
    summary = dac_import(path=dac_file(dac_row(on_file.npi)))

    location = PracticeLocation.objects.get()
    group = PracticeGroup.objects.get()
    assert (group.pac_id, group.name) == ("4082528898", "GULF COAST SPINE ASSOCIATES, PLLC")
    assert (location.group, location.practice_name) == (group, "GULF COAST SPINE ASSOCIATES, PLLC")
    assert (location.phone, location.address_line2) == ("+17135550142", "Ste 2800")
    assert (summary.updated, summary.created) == (1, 0)


def test_the_surgeon_gets_school_graduation_year_and_medicare_specialties(dac_file, on_file):
    dac_import(path=dac_file(dac_row(on_file.npi)))

    on_file.refresh_from_db()
    assert (on_file.medical_school, on_file.graduation_year) == ("BAYLOR COLLEGE OF MEDICINE", 2004)
    assert (on_file.medicare_specialty, on_file.medicare_secondary_specialties) == (
        "ORTHOPEDIC SURGERY",
        "NEUROSURGERY",
    )


def test_importing_the_same_file_again_changes_nothing(dac_file, on_file):
    path = dac_file(dac_row(on_file.npi), dac_row(on_file.npi, **{"Ind_enrl_ID": "I20231208000285"}))
    dac_import(path=path)
    before = [list(model.objects.values()) for model in (PracticeLocation, PracticeGroup)]

    summary = dac_import(path=path)

    assert (summary.changed, summary.unchanged) == (0, 2)
    assert summary.line().startswith("Doctors and Clinicians: 0 changed (")
    assert [list(model.objects.values()) for model in (PracticeLocation, PracticeGroup)] == before


@pytest.mark.django_db(transaction=True)  # the import's own transactions: any savepoint would be a row's
def test_importing_the_same_file_again_writes_nothing_and_takes_no_savepoint(dac_file, on_file):
    other = factories.PracticeLocationFactory(
        practice_name="", phone="", address_line1="1 Baylor Plz", postal_code="75246"
    )
    dallas = {"adr_ln_1": "1 BAYLOR PLZ", "adr_ln_2": "", "City/Town": "DALLAS", "ZIP Code": "75246"}
    path = dac_file(
        dac_row(on_file.npi),
        dac_row(on_file.npi, **dallas),  # a second practice: created by the first import
        dac_row(other.surgeon.npi, **dallas, **{"Telephone Number": "2145550123"}),
    )
    dac_import(path=path)

    with CaptureQueriesContext(connection) as queries:
        summary = dac_import(path=path)

    assert (summary.changed, summary.unchanged, summary.bad) == (0, 3, 0)
    statements = [query["sql"].split()[0].upper() for query in queries.captured_queries]
    assert not {"INSERT", "UPDATE", "DELETE", "SAVEPOINT", "RELEASE"} & set(statements), statements
    assert statements.count("SELECT") == 4  # the NPIs on file; then per batch its surgeons, locations and groups


def test_a_changed_phone_is_written_on_the_next_import(dac_file, on_file):
    dac_import(path=dac_file(dac_row(on_file.npi)))

    summary = dac_import(path=dac_file(dac_row(on_file.npi, **{"Telephone Number": "(713) 555-0199"})))

    assert PracticeLocation.objects.get().phone == "+17135550199"
    assert (summary.updated, summary.unchanged) == (1, 0)


@pytest.mark.parametrize("one_by_one", [0, 1, 100])
def test_what_a_batch_writes_is_the_same_however_its_instances_are_loaded(dac_file, on_file, monkeypatch, one_by_one):
    monkeypatch.setattr(dac, "INSTANCES_ONE_BY_ONE", one_by_one)
    others = [
        factories.PracticeLocationFactory(practice_name="", phone="", address_line1=f"{n} Main St", postal_code="75246")
        for n in (1, 2)
    ]
    rows = [dac_row(on_file.npi)]
    rows += [dac_row(o.surgeon.npi, **{"adr_ln_1": o.address_line1.upper(), "ZIP Code": "75246"}) for o in others]

    summary = dac_import(path=dac_file(*rows))

    assert (summary.updated, summary.bad) == (3, 0)
    named = PracticeLocation.objects.values_list("practice_name", "phone", "surgeon__medical_school")
    assert set(named) == {("GULF COAST SPINE ASSOCIATES, PLLC", "+17135550142", "BAYLOR COLLEGE OF MEDICINE")}


@pytest.fixture
def in_dallas():
    """A second surgeon on file, as NPPES left them."""
    return factories.PracticeLocationFactory(
        practice_name="", phone="", address_line1="1 Baylor Plz", postal_code="75246", surgeon__medical_school=""
    )


DALLAS_ROW = {
    "adr_ln_1": "1 BAYLOR PLZ", "City/Town": "DALLAS", "ZIP Code": "75246", "Telephone Number": "2145550123",
    "Facility Name": "BAYLOR SPINE", "org_pac_id": "9931380672", "Med_sch": "UT SOUTHWESTERN",
}  # fmt: skip


def test_a_row_failing_after_another_row_wrote_leaves_that_write_and_writes_nothing_of_its_own(
    dac_file, on_file, in_dallas
):
    path = dac_file(
        dac_row(on_file.npi),  # line 2: written
        dac_row(in_dallas.surgeon.npi, **DALLAS_ROW, adr_ln_2="STE " + "9" * 200),  # line 3: its suite is too long
    )

    summary = dac_import(path=path)

    assert [(error.line, error.message) for error in summary.errors] == [
        (3, f"NPI {in_dallas.surgeon.npi}: Ensure this value has at most 200 characters (it has 204).")
    ]
    assert (summary.updated, summary.bad) == (1, 1)
    written = PracticeLocation.objects.get(pk=on_file.locations.get().pk)
    assert (written.practice_name, written.phone) == ("GULF COAST SPINE ASSOCIATES, PLLC", "+17135550142")
    # Nothing of line 3: not its new group, nor the school it gave, nor its practice's name or phone.
    assert not PracticeGroup.objects.filter(pac_id="9931380672").exists()
    assert Surgeon.objects.get(pk=in_dallas.surgeon_id).medical_school == ""
    in_dallas.refresh_from_db()
    assert (in_dallas.group, in_dallas.practice_name, in_dallas.phone, in_dallas.address_line2) == (None, "", "", "")


def test_a_bad_row_claims_nothing_the_next_row_naming_the_same_group_and_practice_is_the_first(
    dac_file, on_file, in_dallas
):
    path = dac_file(
        dac_row(in_dallas.surgeon.npi, **DALLAS_ROW, adr_ln_2="STE " + "9" * 200),  # line 2: bad
        dac_row(on_file.npi, **{"Facility Name": "BAYLOR SPINE", "org_pac_id": "9931380672"}),  # line 3
        dac_row(in_dallas.surgeon.npi, **DALLAS_ROW, adr_ln_2="STE 110"),  # line 4
    )

    summary = dac_import(path=path)

    assert [error.line for error in summary.errors] == [2]
    group = PracticeGroup.objects.get()
    assert (group.pac_id, group.name) == ("9931380672", "BAYLOR SPINE")
    in_dallas.refresh_from_db()
    assert (in_dallas.group, in_dallas.practice_name, in_dallas.phone, in_dallas.address_line2) == (
        group,
        "BAYLOR SPINE",
        "+12145550123",
        "Ste 110",
    )
    assert Surgeon.objects.get(pk=in_dallas.surgeon_id).medical_school == "UT SOUTHWESTERN"
    assert PracticeLocation.objects.get(pk=on_file.locations.get().pk).group == group
    assert dac_import(path=path).changed == 0


def test_a_fully_quoted_file_reads_the_same(dac_file, on_file):
    dac_import(path=dac_file(dac_row(on_file.npi), quoting=csv.QUOTE_ALL))

    assert PracticeLocation.objects.get().practice_name == "GULF COAST SPINE ASSOCIATES, PLLC"


def test_an_address_not_on_file_becomes_a_new_named_location_and_an_eligibility_event(
    dac_file, on_file, eligibility_events
):
    other = dac_row(
        on_file.npi, **{"adr_ln_1": "1 BAYLOR PLZ", "adr_ln_2": "", "City/Town": "DALLAS", "ZIP Code": "75246"}
    )

    with eligibility_events() as changed:
        summary = dac_import(path=dac_file(other))

    new = PracticeLocation.objects.get(postal_code="75246")
    assert (new.city.name, new.address_line1, new.practice_name, new.is_primary) == (
        "Dallas",
        "1 Baylor Plz",
        "GULF COAST SPINE ASSOCIATES, PLLC",
        False,
    )
    assert summary.created == 1 and changed == {on_file.id}


def test_a_clinician_in_no_group_gets_no_invented_name(dac_file, on_file):
    dac_import(path=dac_file(dac_row(on_file.npi, **{"Facility Name": "", "org_pac_id": "", "num_org_mem": ""})))

    location = PracticeLocation.objects.get()
    assert (location.practice_name, location.group, location.phone) == ("", None, "+17135550142")
    assert not PracticeGroup.objects.exists()


def test_where_two_rows_name_one_practice_the_first_row_wins_every_time(dac_file, on_file):
    first = dac_row(on_file.npi)
    second = dac_row(on_file.npi, **{"Facility Name": "TEXAS ORTHOPEDIC PARTNERS", "org_pac_id": "9931380672"})
    path = dac_file(first, second)
    dac_import(path=path)

    again = dac_import(path=path)

    assert PracticeLocation.objects.get().practice_name == "GULF COAST SPINE ASSOCIATES, PLLC"
    assert again.changed == 0


def test_a_group_renamed_by_cms_is_renamed(dac_file, on_file):
    dac_import(path=dac_file(dac_row(on_file.npi)))

    dac_import(path=dac_file(dac_row(on_file.npi, **{"Facility Name": "GULF COAST SPINE & NEUROSURGERY, PLLC"})))

    assert PracticeGroup.objects.get().name == "GULF COAST SPINE & NEUROSURGERY, PLLC"
    assert PracticeLocation.objects.get().practice_name == "GULF COAST SPINE & NEUROSURGERY, PLLC"


def test_a_suppressed_second_address_line_is_not_taken(dac_file, on_file):
    dac_import(path=dac_file(dac_row(on_file.npi, **{"adr_ln_2": "", "ln_2_sprs": "Y"})))

    assert PracticeLocation.objects.get().address_line2 == ""


def test_rows_of_clinicians_not_on_file_are_passed_over(dac_file, on_file):
    summary = dac_import(path=dac_file(dac_row("1003000126"), dac_row("1003000142"), dac_row(on_file.npi)))

    assert (summary.read, summary.skipped, summary.updated) == (3, 2, 1)


def test_bad_rows_are_reported_with_their_line_and_the_rest_imported(dac_file, on_file):
    elsewhere = {"adr_ln_1": "", "City/Town": "DALLAS", "ZIP Code": "75246"}
    path = dac_file(
        f"{on_file.npi},7517003643",  # line 2: cut short
        dac_row(on_file.npi, Grd_yr="19X4", **{"Telephone Number": "5551234"}),  # line 3
        dac_row(on_file.npi, **elsewhere),  # line 4: a new address without its street
    )

    summary = dac_import(path=path)

    assert [(error.line, error.message) for error in summary.errors] == [
        (2, "expected 31 fields, found 2; row skipped"),
        (3, "Grd_yr '19X4' is not a year; the year on file is kept"),
        (3, "Telephone Number '5551234' is not a valid phone number; the phone on file is kept"),
        (4, "NPI 1234567893: the practice address is incomplete (adr_ln_1, City/Town, State, ZIP Code)"),
    ]
    assert summary.bad == 3
    location = PracticeLocation.objects.get()
    assert (location.practice_name, location.phone) == ("GULF COAST SPINE ASSOCIATES, PLLC", "")


def test_an_nppes_file_given_to_the_dac_importer_is_refused_naming_the_expected_header(tmp_path, on_file):
    path = csv_write(tmp_path / "npidata_pfile.csv", [NPPES_HEADER, nppes_row(on_file.npi)], quoting=csv.QUOTE_ALL)

    summary = dac_import(path=path)

    assert "is not the header NPI,Ind_PAC_ID,Ind_enrl_ID,Provider Last Name," in summary.fatal
    assert "nothing was imported" in summary.fatal
    assert not PracticeGroup.objects.exists() and PracticeLocation.objects.get().practice_name == ""


def test_the_command_prints_a_one_line_summary(dac_file, on_file):
    out = io.StringIO()

    call_command("import_dac", str(dac_file(dac_row(on_file.npi))), stdout=out, stderr=io.StringIO())

    assert out.getvalue().startswith("Doctors and Clinicians: 1 changed (1 read, 0 created, 1 updated")
