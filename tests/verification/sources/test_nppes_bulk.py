import csv
import datetime as dt

import pytest

from directory.models import PracticeLocation, Specialty, SpineScope, StateLicense, Surgeon
from tests import factories
from verification.sources.nppes_bulk import nppes_bulk_import

from .layouts import DAC_HEADER, NPPES_HEADER, NPPES_HEADER_BEFORE_2024, csv_write, nppes_deactivated_row
from .layouts import nppes_row as bulk_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def bulk_file(tmp_path):
    """The bulk file as NPPES publishes it: every field quoted (the header too), CRLF line endings."""

    def write(*rows, header=NPPES_HEADER):
        return csv_write(tmp_path / "npidata_pfile_20050523-20241013.csv", [header, *rows], quoting=csv.QUOTE_ALL)

    return write


def test_individual_spine_surgeons_are_imported_and_everyone_else_skipped(bulk_file):
    path = bulk_file(
        bulk_row("1234567893"),
        bulk_row("1987654328", taxonomies=(("207Q00000X", "R1", "TX", "Y"),)),  # family medicine
        bulk_row("1122334455", entity="2"),  # an organisation
        bulk_row("1543210987", taxonomies=(("207Q00000X", "", "", "Y"), ("207T00000X", "N5", "TX", "N"))),
    )

    summary = nppes_bulk_import(path=path)

    assert (summary.read, summary.created, summary.skipped, summary.bad) == (4, 2, 2, 0)
    assert dict(Surgeon.objects.values_list("npi", "specialty")) == {
        "1234567893": Specialty.ORTHOPAEDIC_SPINE,
        "1543210987": Specialty.NEUROSURGERY,
    }
    location = PracticeLocation.objects.get(surgeon__npi="1234567893")
    assert (location.city.name, location.postal_code, location.phone) == ("Houston", "77030", "+17135550142")
    assert StateLicense.objects.get(surgeon__npi="1234567893").number == "Q12345"


def test_no_practice_name_is_invented_for_an_individual(bulk_file):
    nppes_bulk_import(path=bulk_file(bulk_row("1234567893")))

    location = PracticeLocation.objects.get()
    assert location.practice_name == "" and str(location) == "6400 Fannin St, Houston, TX"


def test_importing_the_same_file_twice_changes_nothing_and_says_so(bulk_file):
    path = bulk_file(bulk_row("1234567893"), bulk_row("1987654328", entity="2"))
    nppes_bulk_import(path=path)
    before = list(Surgeon.objects.values())

    summary = nppes_bulk_import(path=path)

    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 1)
    assert summary.line().startswith("NPPES bulk file: 0 changed (")
    assert list(Surgeon.objects.values()) == before


def test_the_same_phone_written_another_way_changes_nothing(bulk_file):
    nppes_bulk_import(path=bulk_file(bulk_row("1234567893")))
    practice_phone = "Provider Business Practice Location Address Telephone Number"

    summary = nppes_bulk_import(path=bulk_file(bulk_row("1234567893", **{practice_phone: "713-555-0142"})))

    assert (summary.updated, summary.unchanged) == (0, 1)


def test_an_invalid_phone_is_reported_and_the_rest_imported(bulk_file):
    practice_phone = "Provider Business Practice Location Address Telephone Number"

    summary = nppes_bulk_import(path=bulk_file(bulk_row("1234567893", **{practice_phone: "0000000000"})))

    assert [str(error) for error in summary.errors] == [
        "line 2: NPI 1234567893: practice phone '0000000000' is not a valid phone number; left as it was"
    ]
    assert PracticeLocation.objects.get().phone == ""


def test_bad_rows_are_reported_with_their_line(bulk_file):
    path = bulk_file(
        bulk_row("1234567893"),  # line 2
        ["1234567893", "1"],  # line 3
        bulk_row("1234567890"),  # line 4: check digit wrong
        bulk_row("1987654328", credential="PA-C"),  # line 5: not an MD or DO
    )

    summary = nppes_bulk_import(path=path)

    assert [error.line for error in summary.errors] == [3, 4, 5]
    assert "'1234567890' is not a valid NPI" in summary.errors[1].message
    assert "no MD or DO credential" in summary.errors[2].message
    assert (summary.created, summary.bad) == (1, 3)


def test_a_file_from_before_2024_names_the_sex_column_gender(bulk_file):
    nppes_bulk_import(
        path=bulk_file(
            bulk_row("1234567893", sex="M", header=NPPES_HEADER_BEFORE_2024), header=NPPES_HEADER_BEFORE_2024
        )
    )

    assert Surgeon.objects.get().gender == "M"


def test_a_doctors_and_clinicians_file_given_to_the_nppes_importer_is_refused_naming_the_expected_header(tmp_path):
    path = csv_write(tmp_path / "DAC_NationalDownloadableFile.csv", [DAC_HEADER, ["1234567893", *[""] * 30]])

    summary = nppes_bulk_import(path=path)

    assert "is not the NPPES Data Dissemination file (npidata_pfile_….csv)" in summary.fatal
    assert "missing column(s) Entity Type Code, Provider Last Name (Legal Name)" in summary.fatal
    assert "the expected header is NPI,Entity Type Code,Provider Last Name (Legal Name)," in summary.fatal
    assert "nothing was imported" in summary.fatal and not Surgeon.objects.exists()


# --- The spine scope ---


def test_a_paediatric_orthopaedic_surgeon_is_stored_but_not_a_public_spine_surgeon(bulk_file):
    paediatric = (("207XP3100X", "Q1", "TX", "Y"), ("207X00000X", "Q1", "TX", "N"))

    nppes_bulk_import(path=bulk_file(bulk_row("1234567893", taxonomies=paediatric)))

    surgeon = Surgeon.objects.get()
    assert (surgeon.specialty, surgeon.taxonomy_codes) == (Specialty.ORTHOPAEDIC, "207XP3100X 207X00000X")
    assert surgeon.spine_scope == SpineScope.NOT_SHOWN
    assert not Surgeon.objects.public().exists()


def test_a_general_orthopaedic_surgeon_with_a_spine_taxonomy_too_is_a_spine_surgeon(bulk_file):
    both = (("207X00000X", "Q1", "TX", "Y"), ("207XS0117X", "Q1", "TX", "N"))

    nppes_bulk_import(path=bulk_file(bulk_row("1234567893", taxonomies=both)))

    surgeon = Surgeon.objects.get()
    assert (surgeon.specialty, surgeon.spine_scope) == (Specialty.ORTHOPAEDIC_SPINE, SpineScope.TAXONOMY)
    assert Surgeon.objects.public().count() == 1


def test_a_spine_taxonomy_dropped_in_nppes_takes_the_surgeon_out_and_asks_for_the_lists_to_follow(
    bulk_file, eligibility_events
):
    nppes_bulk_import(path=bulk_file(bulk_row("1234567893")))
    general = (("207X00000X", "Q12345", "TX", "Y"),)

    with eligibility_events() as changed:
        nppes_bulk_import(path=bulk_file(bulk_row("1234567893", taxonomies=general)))

    surgeon = Surgeon.objects.get()
    assert surgeon.spine_scope == SpineScope.NOT_SHOWN and changed == {surgeon.id}


# --- Deactivation and reactivation ---


def test_a_deactivated_npi_on_file_is_marked_and_leaves_the_public_directory(bulk_file, eligibility_events):
    surgeon, other = factories.SurgeonFactory(), factories.SurgeonFactory()

    with eligibility_events() as changed:
        summary = nppes_bulk_import(path=bulk_file(nppes_deactivated_row(surgeon.npi, "08/14/2024")))

    surgeon.refresh_from_db()
    assert surgeon.npi_deactivated_on == dt.date(2024, 8, 14)
    assert list(Surgeon.objects.public()) == [other]
    assert changed == {surgeon.id}
    assert (summary.updated, summary.skipped) == (1, 1) and "1 NPIs deactivated, 0 reactivated" in summary.line()


def test_a_deactivated_npi_not_on_file_is_skipped(bulk_file):
    summary = nppes_bulk_import(path=bulk_file(nppes_deactivated_row("1234567893", "08/14/2024")))

    assert (summary.skipped, summary.changed) == (1, 0) and not Surgeon.objects.exists()


def test_a_reactivated_npi_is_restored(bulk_file, eligibility_events):
    surgeon = factories.SurgeonFactory(npi="1234567893", npi_deactivated_on=dt.date(2024, 8, 14))
    reactivated = bulk_row(
        "1234567893", **{"NPI Deactivation Date": "08/14/2024", "NPI Reactivation Date": "09/02/2024"}
    )

    with eligibility_events() as changed:
        summary = nppes_bulk_import(path=bulk_file(reactivated))

    surgeon.refresh_from_db()
    assert surgeon.npi_deactivated_on is None and changed == {surgeon.id}
    assert "0 NPIs deactivated, 1 reactivated" in summary.line()


def test_re_importing_a_deactivation_changes_nothing(bulk_file):
    factories.SurgeonFactory(npi="1234567893")
    path = bulk_file(nppes_deactivated_row("1234567893", "08/14/2024"))
    nppes_bulk_import(path=path)

    assert nppes_bulk_import(path=path).changed == 0


def test_an_unreadable_deactivation_date_is_reported_and_the_status_kept(bulk_file):
    surgeon = factories.SurgeonFactory(npi="1234567893")

    summary = nppes_bulk_import(path=bulk_file(nppes_deactivated_row("1234567893", "2024-08-14")))

    assert [str(e) for e in summary.errors] == [
        "line 2: NPI Deactivation/Reactivation Date is not MM/DD/YYYY; NPI status left as it was"
    ]
    surgeon.refresh_from_db()
    assert surgeon.npi_deactivated_on is None
