import pytest

from directory.models import PracticeLocation, Specialty, StateLicense, Surgeon
from verification.sources.nppes_bulk import COLUMNS, LICENSE, LICENSE_STATE, PRIMARY, TAXONOMY, nppes_bulk_import

SLOTS = [template.format(i) for i in range(1, 16) for template in (TAXONOMY, LICENSE, LICENSE_STATE, PRIMARY)]
HEADER = [*COLUMNS.values(), "Provider Sex Code", "Some Other Column", *SLOTS]


def bulk_row(npi, *, entity="1", taxonomies=(("207XS0117X", "Q12345", "TX", "Y"),), credential="M.D.", sex="F"):
    fields = dict.fromkeys(HEADER, "")
    fields.update(
        {
            COLUMNS["npi"]: npi,
            COLUMNS["entity"]: entity,
            COLUMNS["last_name"]: "DOE",
            COLUMNS["first_name"]: "JANE",
            COLUMNS["credential"]: credential,
            COLUMNS["address_1"]: "6400 FANNIN ST",
            COLUMNS["city"]: "HOUSTON",
            COLUMNS["state"]: "TX",
            COLUMNS["postal_code"]: "770301234",
            COLUMNS["telephone"]: "7135550142",
            "Provider Sex Code": sex,
        }
    )
    for slot, (code, licence, state, primary) in enumerate(taxonomies, start=1):
        fields[TAXONOMY.format(slot)] = code
        fields[LICENSE.format(slot)] = licence
        fields[LICENSE_STATE.format(slot)] = state
        fields[PRIMARY.format(slot)] = primary
    return [fields[name] for name in HEADER]


@pytest.fixture
def bulk_file(write_csv):
    def write(*rows, header=HEADER):
        return write_csv([header, *rows], name="npidata_pfile.csv")

    return write


@pytest.mark.django_db
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
    assert (location.city.name, location.postal_code, location.phone) == ("Houston", "77030", "7135550142")
    assert StateLicense.objects.get(surgeon__npi="1234567893").number == "Q12345"


@pytest.mark.django_db
def test_importing_the_same_file_twice_changes_nothing(bulk_file):
    path = bulk_file(bulk_row("1234567893"))
    nppes_bulk_import(path=path)
    before = list(Surgeon.objects.values())

    summary = nppes_bulk_import(path=path)

    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 1)
    assert list(Surgeon.objects.values()) == before


@pytest.mark.django_db
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


@pytest.mark.django_db
def test_a_file_from_before_2024_names_the_sex_column_gender(bulk_file):
    header = [name.replace("Provider Sex Code", "Provider Gender Code") for name in HEADER]

    nppes_bulk_import(path=bulk_file(bulk_row("1234567893", sex="M"), header=header))

    assert Surgeon.objects.get().gender == "M"


@pytest.mark.django_db
def test_a_file_without_the_columns_imports_nothing(bulk_file):
    summary = nppes_bulk_import(path=bulk_file(["1"], header=["NPI"]))

    assert "missing column(s) Entity Type Code" in summary.fatal
