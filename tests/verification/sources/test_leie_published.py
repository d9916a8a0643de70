"""The LEIE as OIG publishes it: the full file and its monthly supplements, fully quoted with CRLF, values kept."""

import csv
import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests import factories
from verification.dossier import dossiers_load
from verification.models import ExclusionListImport, ExclusionRecord
from verification.sources.leie import LEIE_HEADER, leie_import

from .layouts import csv_write
from .test_leie import leie_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(tmp_path):
    """An LEIE file as OIG writes it: the header line bare, every row fully quoted, CRLF line endings."""

    def write(*rows, name="UPDATED.csv"):
        path = tmp_path / name
        with path.open("w", newline="", encoding="utf-8") as handle:
            handle.write(",".join(LEIE_HEADER) + "\r\n")
            csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(rows)
        return path

    return write


def full_list(published, *extra, size=10):
    return leie_import(path=published(*(leie_row(f"LISTED{i}") for i in range(size)), *extra))


def test_the_published_layout_is_read_and_values_are_stored_as_published(published):
    row = leie_row("ABRAMS", "ANNA", EXCLTYPE="1128b4", WAIVERDATE="20230301", WVRSTATE="OK")

    summary = leie_import(path=published(row))

    assert (summary.created, summary.bad, summary.fatal) == (1, 0, "")
    stored = ExclusionRecord.objects.get()
    assert (stored.exclusion_type, stored.waiver_state, stored.waiver_date) == ("1128b4", "OK", dt.date(2023, 3, 1))


def test_re_importing_the_full_file_says_0_changed(published):
    path = published(leie_row("ABRAMS"), leie_row("BAKER"))
    leie_import(path=path)

    summary = leie_import(path=path)

    assert summary.changed == 0 and summary.line().startswith("OIG LEIE: 0 changed (")


def test_a_cms_file_given_to_the_leie_importer_is_refused_naming_the_expected_header(tmp_path):
    path = csv_write(tmp_path / "cms.csv", [["Rndrng_NPI", "HCPCS_Cd", "Tot_Srvcs"], ["1234567893", "63030", "12"]])

    summary = leie_import(path=path)

    assert "is not the header LASTNAME,FIRSTNAME,MIDNAME,BUSNAME," in summary.fatal
    assert "nothing was imported" in summary.fatal
    assert not ExclusionRecord.objects.exists() and not ExclusionListImport.objects.exists()


# --- Monthly supplements ---


def test_an_exclusions_supplement_adds_its_rows_and_retires_none(published):
    full_list(published)

    summary = leie_import(path=published(leie_row("NEWLY"), name="2410EXCL.csv"), supplement="exclusions")

    assert (summary.created, summary.inactive) == (1, 0)
    assert ExclusionRecord.objects.filter(active=True).count() == 11
    assert ExclusionListImport.objects.latest("imported_at").kind == ExclusionListImport.Kind.EXCLUSIONS


def test_an_exclusions_supplement_imported_twice_changes_nothing(published):
    full_list(published)
    path = published(leie_row("NEWLY"), name="2410EXCL.csv")
    leie_import(path=path, supplement="exclusions")

    summary = leie_import(path=path, supplement="exclusions")

    assert (summary.changed, summary.unchanged) == (0, 1)


def test_a_supplement_given_as_the_full_file_is_refused_and_changes_nothing(published):
    full_list(published)

    summary = leie_import(path=published(leie_row("NEWLY"), leie_row("OTHER"), name="2410EXCL.csv"))

    assert "would retire 10 of 10 active rows" in summary.fatal and "--supplement" in summary.fatal
    assert ExclusionRecord.objects.filter(active=True).count() == 10 and ExclusionRecord.objects.count() == 10


def test_a_reinstatements_supplement_dates_the_stored_exclusion_and_retires_none(published):
    excluded = leie_row("BAKER", "BO", npi="1234567893")
    full_list(published, excluded)
    reinstated = leie_row("BAKER", "BO", npi="1234567893", REINDATE="20241015")

    summary = leie_import(path=published(reinstated, name="2410REIN.csv"), supplement="reinstatements")

    assert (summary.created, summary.updated, summary.inactive) == (0, 1, 0)
    baker = ExclusionRecord.objects.get(last_name="BAKER")
    assert (baker.reinstatement_date, baker.active) == (dt.date(2024, 10, 15), True)
    assert ExclusionRecord.objects.filter(active=True).count() == 11


def test_a_reinstatements_supplement_imported_twice_changes_nothing(published):
    full_list(published, leie_row("BAKER", npi="1234567893"))
    path = published(leie_row("BAKER", npi="1234567893", REINDATE="20241015"), name="2410REIN.csv")
    leie_import(path=path, supplement="reinstatements")

    summary = leie_import(path=path, supplement="reinstatements")

    assert (summary.changed, summary.unchanged) == (0, 1)


def test_a_reinstated_exclusion_whose_address_changed_is_found_by_name_npi_type_and_date(published):
    full_list(published, leie_row("BAKER", npi="1234567893", ADDRESS="1 OLD RD"))
    moved = leie_row("BAKER", npi="1234567893", ADDRESS="9 NEW ST", REINDATE="20241015")

    summary = leie_import(path=published(moved, name="2410REIN.csv"), supplement="reinstatements")

    assert (summary.created, summary.updated) == (0, 1)
    assert ExclusionRecord.objects.get(last_name="BAKER").reinstatement_date == dt.date(2024, 10, 15)


def test_a_reinstatement_of_an_exclusion_not_on_file_is_stored_as_published(published):
    full_list(published)

    summary = leie_import(
        path=published(leie_row("UNSEEN", REINDATE="20241015"), name="2410REIN.csv"), supplement="reinstatements"
    )

    assert summary.created == 1
    assert ExclusionRecord.objects.get(last_name="UNSEEN").reinstatement_date == dt.date(2024, 10, 15)


def test_a_row_without_a_reinstatement_date_in_a_reinstatements_supplement_is_reported_with_its_line(published):
    full_list(published, leie_row("BAKER"))
    path = published(leie_row("NEWLY"), leie_row("BAKER", REINDATE="20241015"), name="2410REIN.csv")

    summary = leie_import(path=path, supplement="reinstatements")

    assert [str(error) for error in summary.errors] == [
        "line 2: REINDATE is empty: not a reinstatement (new exclusions are --supplement exclusions)"
    ]
    assert (summary.updated, summary.bad) == (1, 1)
    assert not ExclusionRecord.objects.filter(last_name="NEWLY").exists()


def test_a_supplement_alone_does_not_make_the_list_current(published, surgeon):
    leie_import(path=published(leie_row("NEWLY"), name="2410EXCL.csv"), supplement="exclusions")

    (dossier,) = dossiers_load([surgeon.id], as_of=timezone.localdate())

    assert (dossier.exclusion_matches, dossier.exclusion_list_loaded_on) == (None, None)


def test_a_supplement_applied_on_top_of_the_full_list_keeps_it_current(published, surgeon):
    full_list(published)
    ExclusionListImport.objects.update(imported_at=timezone.now() - dt.timedelta(days=60))

    leie_import(path=published(leie_row("NEWLY"), name="2410EXCL.csv"), supplement="exclusions")

    (dossier,) = dossiers_load([surgeon.id], as_of=timezone.localdate())
    assert dossier.exclusion_list_loaded_on == timezone.localdate()


def test_the_command_applies_a_supplement(published):
    full_list(published)
    out = io.StringIO()

    call_command(
        "import_leie", str(published(leie_row("NEWLY"), name="2410EXCL.csv")), "--supplement", "exclusions",
        stdout=out, stderr=io.StringIO(),
    )  # fmt: skip

    assert out.getvalue().startswith("OIG LEIE monthly supplement: exclusions: 1 changed (1 read, 1 created")


def test_the_command_knows_only_the_two_supplements(published):
    with pytest.raises(CommandError, match="invalid choice: 'profiles'"):
        call_command("import_leie", str(published()), "--supplement", "profiles", stderr=io.StringIO())


# --- Matching: case-insensitive, and eligibility events ---


def test_a_name_stored_as_published_in_mixed_case_still_matches(published, surgeon):
    row = leie_row(surgeon.last_name.title(), surgeon.first_name.lower(), state="TX", dob="00000000")
    leie_import(path=published(row))

    (dossier,) = dossiers_load([surgeon.id], as_of=timezone.localdate())

    assert [row.last_name for row in dossier.exclusion_matches] == [surgeon.last_name.title()]


def test_a_new_row_matching_a_surgeon_by_npi_asks_for_a_recheck(published, eligibility_events):
    listed, other = factories.SurgeonFactory(), factories.SurgeonFactory()
    full_list(published)

    with eligibility_events() as rechecked:
        leie_import(path=published(leie_row("ELSE", npi=listed.npi), name="2410EXCL.csv"), supplement="exclusions")

    assert rechecked == {listed.id} and other.id not in rechecked


def test_a_new_row_matching_by_name_asks_for_a_recheck_only_where_the_surgeon_practises(published, eligibility_events):
    texan = factories.PracticeLocationFactory(city__state="TX").surgeon
    namesake = factories.PracticeLocationFactory(city__state="CA", surgeon__last_name=texan.last_name).surgeon
    namesake.first_name = texan.first_name
    namesake.save()
    full_list(published)

    with eligibility_events() as rechecked:
        row = leie_row(texan.last_name.upper(), texan.first_name.upper(), state="TX")
        leie_import(path=published(row, name="2410EXCL.csv"), supplement="exclusions")

    assert rechecked == {texan.id}


def test_a_reinstatement_asks_for_a_recheck_of_the_surgeon_it_matched(published, eligibility_events):
    surgeon = factories.SurgeonFactory()
    full_list(published, leie_row("ELSE", npi=surgeon.npi))

    with eligibility_events() as rechecked:
        row = leie_row("ELSE", npi=surgeon.npi, REINDATE="20241015")
        leie_import(path=published(row, name="2410REIN.csv"), supplement="reinstatements")

    assert rechecked == {surgeon.id}


def test_re_importing_the_same_file_asks_for_no_recheck(published, eligibility_events):
    surgeon = factories.SurgeonFactory()
    path = published(*(leie_row(f"LISTED{i}") for i in range(5)), leie_row("ELSE", npi=surgeon.npi))
    leie_import(path=path)

    with eligibility_events() as rechecked:
        leie_import(path=path)

    assert rechecked == set()
