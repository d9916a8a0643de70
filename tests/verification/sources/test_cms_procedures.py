import csv

import pytest

from directory.models import ProcedureVolume, Specialty, SpineScope
from tests import factories
from verification.sources.cms_procedures import cms_procedures_import

from .layouts import CMS_HEADER_2022, CMS_HEADER_2023, cms_row, csv_write


@pytest.fixture
def cms_file(tmp_path):
    def write(*rows, header=CMS_HEADER_2023, name="MUP_PHY_R25_P05_V20_D23_Prov_Svc.csv", quoting=csv.QUOTE_MINIMAL):
        return csv_write(tmp_path / name, [header, *rows], quoting=quoting)

    return write


def volumes():
    return {(v.surgeon.npi, v.cpt_code): v.count for v in ProcedureVolume.objects.select_related("surgeon")}


@pytest.mark.django_db
def test_counts_are_summed_per_surgeon_and_code_across_places_of_service(cms_file):
    surgeon = factories.SurgeonFactory()
    path = cms_file(cms_row(surgeon.npi, "63030", "14.0", place="F"), cms_row(surgeon.npi, "63030", "20", place="O"))

    summary = cms_procedures_import(path=path, year=2024)

    assert volumes() == {(surgeon.npi, "63030"): 34}
    volume = ProcedureVolume.objects.get()
    assert (volume.source, volume.period) == (ProcedureVolume.Source.CMS_BY_SERVICE, "2024")
    assert (summary.read, summary.created, summary.skipped, summary.bad) == (2, 1, 0, 0)


@pytest.mark.django_db
def test_only_spine_codes_and_known_surgeons_are_kept_add_on_codes_included_for_display(cms_file):
    surgeon = factories.SurgeonFactory()
    path = cms_file(
        cms_row(surgeon.npi, "99213", "500"),  # office visit: not a spine code
        cms_row("1999999999", "63047", "40"),  # not a surgeon we know
        cms_row(surgeon.npi, "22612", "41"),
        cms_row(surgeon.npi, "22840", "36"),  # instrumentation: an add-on, stored but never counted as an operation
        cms_row(surgeon.npi, "63685", "11"),
    )

    summary = cms_procedures_import(path=path, year=2024)

    assert volumes() == {(surgeon.npi, "22612"): 41, (surgeon.npi, "22840"): 36, (surgeon.npi, "63685"): 11}
    assert (summary.read, summary.created, summary.skipped) == (5, 3, 2)


@pytest.mark.django_db
def test_the_2022_layout_with_the_gender_column_is_read_too(cms_file):
    surgeon = factories.SurgeonFactory()

    row = cms_row(surgeon.npi, "63045", "15", header=CMS_HEADER_2022)
    cms_procedures_import(path=cms_file(row, header=CMS_HEADER_2022), year=2022)

    assert volumes() == {(surgeon.npi, "63045"): 15}


@pytest.mark.django_db
def test_a_fully_quoted_file_is_read_as_a_minimally_quoted_one(cms_file):
    surgeon = factories.SurgeonFactory()

    cms_procedures_import(path=cms_file(cms_row(surgeon.npi, "63030", "12"), quoting=csv.QUOTE_ALL), year=2024)

    assert volumes() == {(surgeon.npi, "63030"): 12}


@pytest.mark.django_db
def test_importing_the_same_file_twice_changes_nothing_and_says_so(cms_file):
    surgeon = factories.SurgeonFactory()
    path = cms_file(cms_row(surgeon.npi, "63030", "14"), cms_row(surgeon.npi, "22551", "30"))
    cms_procedures_import(path=path, year=2024)
    before = list(ProcedureVolume.objects.values())

    summary = cms_procedures_import(path=path, year=2024)

    assert (summary.created, summary.updated, summary.removed, summary.unchanged) == (0, 0, 0, 2)
    assert summary.line().startswith("CMS procedures 2024: 0 changed (")
    assert list(ProcedureVolume.objects.values()) == before


@pytest.mark.django_db
def test_a_corrected_file_replaces_its_year_and_other_years_are_untouched(cms_file):
    surgeon = factories.SurgeonFactory()
    cms_procedures_import(path=cms_file(cms_row(surgeon.npi, "63030", "14")), year=2023)
    cms_procedures_import(
        path=cms_file(cms_row(surgeon.npi, "63030", "14"), cms_row(surgeon.npi, "22612", "9")), year=2024
    )
    stamped = dict(ProcedureVolume.objects.filter(cpt_code="63030").values_list("period", "updated_at"))

    summary = cms_procedures_import(path=cms_file(cms_row(surgeon.npi, "63030", "19")), year=2024)

    assert (summary.created, summary.updated, summary.removed) == (0, 1, 1)
    assert sorted(ProcedureVolume.objects.values_list("period", "cpt_code", "count")) == [
        ("2023", "63030", 14),
        ("2024", "63030", 19),
    ]
    restamped = dict(ProcedureVolume.objects.filter(cpt_code="63030").values_list("period", "updated_at"))
    assert restamped["2024"] > stamped["2024"] and restamped["2023"] == stamped["2023"]


@pytest.mark.django_db
def test_a_stored_code_no_longer_in_the_spine_table_is_removed_with_the_year(cms_file):
    surgeon = factories.SurgeonFactory()
    ProcedureVolume.objects.create(
        surgeon=surgeon, source=ProcedureVolume.Source.CMS_BY_SERVICE, period="2024", cpt_code="99213", count=40
    )
    summary = cms_procedures_import(path=cms_file(cms_row(surgeon.npi, "63030", "14")), year=2024)
    assert (summary.created, summary.updated, summary.removed) == (1, 0, 1)
    assert volumes() == {(surgeon.npi, "63030"): 14}


@pytest.mark.django_db
def test_bad_rows_are_reported_with_their_line_and_the_rest_imported(cms_file):
    surgeon = factories.SurgeonFactory()
    path = cms_file(
        cms_row(surgeon.npi, "63030", "14"),  # line 2
        cms_row(surgeon.npi, "63030", "n/a"),  # line 3
        f"{surgeon.npi},Smith",  # line 4: cut short
        cms_row(surgeon.npi, "63030", "-3"),  # line 5
        cms_row(surgeon.npi, "99213", "oops"),  # line 6: not a spine code, never looked at
    )

    summary = cms_procedures_import(path=path, year=2024)

    assert [str(error) for error in summary.errors] == [
        "line 3: Tot_Srvcs is not a count: 'n/a'",
        "line 4: expected 28 fields, found 2",
        "line 5: Tot_Srvcs is not a count: '-3'",
    ]
    assert (summary.read, summary.bad, summary.skipped) == (5, 3, 1)
    assert volumes() == {(surgeon.npi, "63030"): 14}


@pytest.mark.django_db
def test_a_file_in_another_layout_is_refused_naming_the_expected_header(cms_file):
    dac = ["NPI", "Ind_PAC_ID", "Ind_enrl_ID", "Provider Last Name", "Provider First Name"]

    summary = cms_procedures_import(path=cms_file(["1234567893", "1", "I2", "DOE", "JO"], header=dac), year=2024)

    assert "is not the CMS" in summary.fatal and "missing column(s) Rndrng_NPI, HCPCS_Cd, Tot_Srvcs" in summary.fatal
    assert "the expected header is Rndrng_NPI,Rndrng_Prvdr_Last_Org_Name," in summary.fatal
    assert "nothing was imported" in summary.fatal
    assert not ProcedureVolume.objects.exists()


@pytest.mark.django_db
def test_rows_of_unlisted_providers_are_counted_and_a_quoted_npi_is_still_read(cms_file):
    surgeon = factories.SurgeonFactory()
    quoted = ",".join(f'"{value}"' for value in cms_row(surgeon.npi, "63030", "7.0"))
    path = cms_file(quoted, cms_row("1999999999", "63030", "9.0"), cms_row(surgeon.npi, "63030", "5", place="O"))

    summary = cms_procedures_import(path=path, year=2024)

    assert volumes() == {(surgeon.npi, "63030"): 12}
    assert (summary.read, summary.skipped, summary.bad) == (3, 1, 0)


@pytest.mark.django_db
def test_new_counts_ask_for_the_surgeons_eligibility_to_be_rechecked(cms_file, eligibility_events):
    counted, untouched = factories.SurgeonFactory(), factories.SurgeonFactory()
    factories.ProcedureVolumeFactory(surgeon=untouched, period="2023")

    with eligibility_events() as rechecked:
        cms_procedures_import(path=cms_file(cms_row(counted.npi, "63030", "30")), year=2024)

    assert rechecked == {counted.id}


@pytest.mark.django_db
def test_re_importing_the_same_file_asks_for_no_recheck(cms_file, eligibility_events):
    surgeon = factories.SurgeonFactory()
    path = cms_file(cms_row(surgeon.npi, "63030", "30"))
    cms_procedures_import(path=path, year=2024)

    with eligibility_events() as rechecked:
        cms_procedures_import(path=path, year=2024)

    assert rechecked == set()


@pytest.mark.django_db
def test_an_orthopaedic_surgeon_with_enough_primary_operations_in_a_year_enters_the_spine_directory(cms_file, settings):
    settings.SPINE_FOCUS_MIN_PROCEDURES = 25
    surgeon = factories.SurgeonFactory(specialty=Specialty.ORTHOPAEDIC, taxonomy_codes="207X00000X")
    assert surgeon.spine_scope == SpineScope.NOT_SHOWN

    summary = cms_procedures_import(path=cms_file(cms_row(surgeon.npi, "63030", "25")), year=2023)

    surgeon.refresh_from_db()
    assert (surgeon.spine_scope, surgeon.spine_volume_peak, surgeon.spine_volume_peak_year) == ("volume", 25, 2023)
    assert "1 surgeons moved in or out of the spine directory" in summary.line()


@pytest.mark.django_db
def test_add_on_codes_and_a_total_spread_over_years_do_not_show_spine_practice(cms_file):
    surgeon = factories.SurgeonFactory(specialty=Specialty.ORTHOPAEDIC, taxonomy_codes="207XP3100X 207X00000X")

    cms_procedures_import(path=cms_file(cms_row(surgeon.npi, "63030", "14")), year=2023)
    cms_procedures_import(
        path=cms_file(cms_row(surgeon.npi, "63030", "14"), cms_row(surgeon.npi, "22840", "30")), year=2024
    )

    surgeon.refresh_from_db()
    assert (surgeon.spine_scope, surgeon.spine_volume_peak) == (SpineScope.NOT_SHOWN, 14)
