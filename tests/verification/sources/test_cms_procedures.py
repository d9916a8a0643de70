import pytest

from directory.models import ProcedureVolume
from tests import factories
from verification.sources.cms_procedures import cms_procedures_import

HEADER = [
    "Rndrng_NPI", "Rndrng_Prvdr_Last_Org_Name", "Rndrng_Prvdr_First_Name", "Rndrng_Prvdr_City",
    "Rndrng_Prvdr_State_Abrvtn", "HCPCS_Cd", "HCPCS_Desc", "Place_Of_Srvc", "Tot_Benes", "Tot_Srvcs",
]  # fmt: skip


def cms_row(npi, code, services, place="F"):
    return [npi, "SMITH", "JO", "HOUSTON", "TX", code, "desc", place, "20", services]


@pytest.fixture
def cms_file(write_csv):
    def write(*rows, header=HEADER, name="cms.csv"):
        return write_csv([header, *rows], name=name)

    return write


def volumes():
    return {(v.surgeon.npi, v.cpt_code): v.count for v in ProcedureVolume.objects.select_related("surgeon")}


@pytest.mark.django_db
def test_counts_are_summed_per_surgeon_and_code_across_places_of_service(cms_file):
    surgeon = factories.SurgeonFactory()
    path = cms_file(cms_row(surgeon.npi, "63030", "14.0", "F"), cms_row(surgeon.npi, "63030", "20", "O"))

    summary = cms_procedures_import(path=path, year=2024)

    assert volumes() == {(surgeon.npi, "63030"): 34}
    volume = ProcedureVolume.objects.get()
    assert (volume.source, volume.period) == (ProcedureVolume.Source.CMS_BY_SERVICE, "2024")
    assert (summary.read, summary.created, summary.skipped, summary.bad) == (2, 1, 0, 0)


@pytest.mark.django_db
def test_only_spine_codes_and_known_surgeons_are_kept(cms_file):
    surgeon = factories.SurgeonFactory()
    path = cms_file(
        cms_row(surgeon.npi, "99213", "500"),  # office visit: not a spine code
        cms_row("1999999999", "63047", "40"),  # not a surgeon we know
        cms_row(surgeon.npi, "22612", "12"),
        cms_row(surgeon.npi, "63685", "11"),
    )

    summary = cms_procedures_import(path=path, year=2024)

    assert volumes() == {(surgeon.npi, "22612"): 12, (surgeon.npi, "63685"): 11}
    assert (summary.read, summary.created, summary.skipped) == (4, 2, 2)


@pytest.mark.django_db
def test_columns_are_found_by_name_wherever_they_are(cms_file):
    surgeon = factories.SurgeonFactory()
    header = ["Tot_Srvcs", "HCPCS_Cd", "Extra", "Rndrng_NPI"]

    cms_procedures_import(path=cms_file(["15.0", "63045", "x", surgeon.npi], header=header), year=2023)

    assert volumes() == {(surgeon.npi, "63045"): 15}


@pytest.mark.django_db
def test_importing_the_same_file_twice_changes_nothing(cms_file):
    surgeon = factories.SurgeonFactory()
    path = cms_file(cms_row(surgeon.npi, "63030", "14"), cms_row(surgeon.npi, "22551", "30"))
    cms_procedures_import(path=path, year=2024)
    before = list(ProcedureVolume.objects.values())

    summary = cms_procedures_import(path=path, year=2024)

    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 2)
    assert list(ProcedureVolume.objects.values()) == before


@pytest.mark.django_db
def test_a_corrected_file_updates_counts_and_other_years_are_untouched(cms_file):
    surgeon = factories.SurgeonFactory()
    cms_procedures_import(path=cms_file(cms_row(surgeon.npi, "63030", "14")), year=2023)
    cms_procedures_import(path=cms_file(cms_row(surgeon.npi, "63030", "14")), year=2024)
    stamped = dict(ProcedureVolume.objects.values_list("period", "updated_at"))

    summary = cms_procedures_import(path=cms_file(cms_row(surgeon.npi, "63030", "19")), year=2024)

    assert (summary.created, summary.updated) == (0, 1)
    assert dict(ProcedureVolume.objects.values_list("period", "count")) == {"2023": 14, "2024": 19}
    restamped = dict(ProcedureVolume.objects.values_list("period", "updated_at"))
    assert restamped["2024"] > stamped["2024"] and restamped["2023"] == stamped["2023"]


@pytest.mark.django_db
def test_bad_rows_are_reported_with_their_line_and_the_rest_imported(cms_file):
    surgeon = factories.SurgeonFactory()
    path = cms_file(
        cms_row(surgeon.npi, "63030", "14"),  # line 2
        cms_row(surgeon.npi, "63030", "n/a"),  # line 3
        [surgeon.npi, "SMITH"],  # line 4: cut short
        cms_row(surgeon.npi, "63030", "-3"),  # line 5
        cms_row(surgeon.npi, "99213", "oops"),  # line 6: not a spine code, never looked at
    )

    summary = cms_procedures_import(path=path, year=2024)

    assert [str(error) for error in summary.errors] == [
        "line 3: Tot_Srvcs is not a count: 'n/a'",
        "line 4: expected 10 fields, found 2",
        "line 5: Tot_Srvcs is not a count: '-3'",
    ]
    assert (summary.read, summary.bad, summary.skipped) == (5, 3, 1)
    assert volumes() == {(surgeon.npi, "63030"): 14}


@pytest.mark.django_db
def test_a_file_without_the_needed_columns_imports_nothing(cms_file):
    summary = cms_procedures_import(path=cms_file(["1", "2"], header=["NPI", "CODE"]), year=2024)

    assert "missing column(s) Rndrng_NPI, HCPCS_Cd, Tot_Srvcs" in summary.fatal
    assert not ProcedureVolume.objects.exists()


@pytest.mark.django_db
def test_rows_of_unlisted_providers_are_counted_and_a_quoted_npi_is_still_read(write_csv):
    surgeon = factories.SurgeonFactory()
    path = write_csv(
        [
            ",".join(HEADER),
            f'"{surgeon.npi}",SMITH,JO,HOUSTON,TX,63030,"Removal of disc, lumbar",F,20,7.0',
            "1999999999,SMITH,JO,HOUSTON,TX,63030,desc,F,20,9.0",
            f"{surgeon.npi},SMITH,JO,HOUSTON,TX,63030,desc,O,20,5",
        ]
    )

    summary = cms_procedures_import(path=path, year=2024)

    assert volumes() == {(surgeon.npi, "63030"): 12}
    assert (summary.read, summary.skipped, summary.bad) == (3, 1, 0)
