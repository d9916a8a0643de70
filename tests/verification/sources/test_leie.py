import datetime as dt

import pytest
from django.utils import timezone

from verification.dossier import dossiers_load
from verification.models import ExclusionListImport, ExclusionRecord
from verification.sources import leie
from verification.sources.leie import LEIE_HEADER, leie_import


def leie_row(last="DOE", first="JOHN", *, npi="0000000000", state="TX", dob="19650412", excluded="20200115", **more):
    fields = dict.fromkeys(LEIE_HEADER, "")
    fields.update(
        LASTNAME=last, FIRSTNAME=first, GENERAL="IND- LIC HC SERV PRO", SPECIALTY="PHYSICIAN", NPI=npi, DOB=dob,
        ADDRESS="1 MAIN ST", CITY="HOUSTON", STATE=state, ZIP="77030", EXCLTYPE="1128a1", EXCLDATE=excluded,
        REINDATE="00000000", WAIVERDATE="00000000",
    )  # fmt: skip
    fields.update(more)
    return [fields[name] for name in LEIE_HEADER]


@pytest.fixture
def leie_file(write_csv):
    def write(*rows, name="UPDATED.csv"):
        return write_csv([LEIE_HEADER, *rows], name=name)

    return write


def test_the_header_is_the_one_in_the_design():
    assert ",".join(LEIE_HEADER) == (
        "LASTNAME,FIRSTNAME,MIDNAME,BUSNAME,GENERAL,SPECIALTY,UPIN,NPI,DOB,ADDRESS,CITY,STATE,ZIP,"
        "EXCLTYPE,EXCLDATE,REINDATE,WAIVERDATE,WVRSTATE"
    )


def test_the_column_list_names_real_fields():
    names = {field.name for field in ExclusionRecord._meta.fields}
    assert set(leie.COLUMNS) <= names


@pytest.mark.django_db
def test_rows_become_active_exclusion_records(leie_file):
    path = leie_file(leie_row("Doe", "John", npi="1234567893", MIDNAME="q"), leie_row("ROE", "JANE", dob="00000000"))

    summary = leie_import(path=path)

    assert (summary.read, summary.created, summary.bad, summary.fatal) == (2, 2, 0, "")
    doe = ExclusionRecord.objects.get(last_name="Doe")
    assert (doe.first_name, doe.middle_name, doe.npi, doe.state) == ("John", "q", "1234567893", "TX")
    assert doe.date_of_birth == dt.date(1965, 4, 12)
    assert doe.exclusion_date == dt.date(2020, 1, 15)
    assert doe.reinstatement_date is None and doe.waiver_date is None
    assert doe.active and doe.source == "oig_leie" and len(doe.row_hash) == 64
    assert ExclusionRecord.objects.get(last_name="ROE").date_of_birth is None


@pytest.mark.django_db
def test_an_unknown_npi_is_stored_empty_so_matching_goes_by_name_and_state(leie_file):
    leie_import(path=leie_file(leie_row(npi="0000000000")))

    assert ExclusionRecord.objects.get().npi == ""


@pytest.mark.django_db
def test_address_and_zip_are_never_stored(leie_file):
    leie_import(path=leie_file(leie_row(ADDRESS="12 SECRET LANE", ZIP="99999")))

    values = ExclusionRecord.objects.values().get()
    assert "12 SECRET LANE" not in str(values) and "99999" not in str(values)


@pytest.mark.django_db
def test_cells_are_trimmed_and_compared_without_case_so_the_same_exclusion_is_one_record(leie_file):
    leie_import(path=leie_file(leie_row("DOE", "JOHN")))

    summary = leie_import(path=leie_file(leie_row(" doe ", "John ")))

    assert (summary.created, summary.unchanged, summary.inactive) == (0, 1, 0)
    assert ExclusionRecord.objects.get().last_name == "DOE"


@pytest.mark.django_db
def test_importing_the_same_file_twice_changes_nothing(leie_file):
    path = leie_file(leie_row("DOE"), leie_row("ROE"), leie_row("POE", npi="1234567893"))
    leie_import(path=path)
    before = list(ExclusionRecord.objects.order_by("id").values())

    summary = leie_import(path=path)

    assert (summary.created, summary.updated, summary.unchanged, summary.inactive) == (0, 0, 3, 0)
    assert list(ExclusionRecord.objects.order_by("id").values()) == before
    # The list is current as of the second import even though no row changed.
    first, second = ExclusionListImport.objects.order_by("imported_at")
    assert second.imported_at > first.imported_at
    assert (second.rows_read, second.created, second.reactivated, second.retired) == (3, 0, 0, 0)


@pytest.mark.django_db
def test_each_applied_file_is_recorded_with_what_it_changed_and_a_refused_one_is_not(leie_file):
    leie_import(path=leie_file(leie_row("DOE"), leie_row("ROE"), name="may.csv"))
    leie_import(path=leie_file(leie_row("ROE"), leie_row("NEW"), leie_row("NEW"), name="june.csv"), force=True)
    leie_import(path=leie_file(name="empty.csv"))

    recorded = ExclusionListImport.objects.order_by("imported_at").values_list(
        "rows_read", "created", "reactivated", "retired"
    )
    assert list(recorded) == [(2, 2, 0, 0), (3, 1, 0, 1)]


@pytest.mark.django_db
def test_a_record_missing_from_a_later_full_file_becomes_inactive_not_deleted(leie_file):
    leie_import(path=leie_file(leie_row("DOE"), leie_row("ROE"), name="may.csv"))

    summary = leie_import(path=leie_file(leie_row("ROE"), leie_row("NEW"), name="june.csv"), force=True)

    assert (summary.created, summary.unchanged, summary.inactive) == (1, 1, 1)
    assert "1 now inactive" in summary.line()
    assert dict(ExclusionRecord.objects.values_list("last_name", "active")) == {"DOE": False, "ROE": True, "NEW": True}
    retired_at = ExclusionListImport.objects.latest("imported_at").imported_at
    assert dict(ExclusionRecord.objects.values_list("last_name", "retired_at")) == {
        "DOE": retired_at, "ROE": None, "NEW": None
    }  # fmt: skip


@pytest.mark.django_db
def test_a_record_that_comes_back_is_active_again(leie_file):
    leie_import(path=leie_file(leie_row("DOE"), leie_row("ROE"), name="may.csv"))
    leie_import(path=leie_file(leie_row("ROE"), name="june.csv"), force=True)

    summary = leie_import(path=leie_file(leie_row("DOE"), leie_row("ROE"), name="july.csv"))

    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 1)
    assert ExclusionRecord.objects.filter(active=True, retired_at=None).count() == 2
    assert ExclusionRecord.objects.count() == 2


@pytest.mark.django_db
def test_a_reinstatement_date_is_kept_for_the_check_to_weigh(leie_file):
    leie_import(path=leie_file(leie_row("DOE", REINDATE="20240301")))

    assert ExclusionRecord.objects.get().reinstatement_date == dt.date(2024, 3, 1)


@pytest.mark.django_db
def test_a_changed_row_is_a_new_record_and_the_old_one_goes_inactive(leie_file):
    leie_import(path=leie_file(leie_row("DOE", REINDATE="00000000"), name="may.csv"))

    summary = leie_import(path=leie_file(leie_row("DOE", REINDATE="20240301"), name="june.csv"), force=True)

    assert (summary.created, summary.inactive) == (1, 1)
    active = ExclusionRecord.objects.get(active=True)
    assert active.reinstatement_date == dt.date(2024, 3, 1)


@pytest.mark.django_db
def test_bad_rows_are_reported_with_their_line_and_the_rest_imported(leie_file):
    path = leie_file(
        leie_row("GOOD"),  # line 2
        ["TOO", "FEW"],  # line 3
        leie_row("BADDATE", dob="19651345"),  # line 4
        leie_row("BADNPI", npi="12345"),  # line 5
        leie_row("BOTH", dob="1965", npi="x"),  # line 6
    )

    summary = leie_import(path=path)

    assert (summary.read, summary.created, summary.bad) == (5, 4, 4)
    messages = [str(error) for error in summary.errors]
    assert messages[0] == "line 3: expected 18 fields, found 2; row skipped"
    assert messages[1] == "line 4: DOB is not a YYYYMMDD date; imported with DOB empty"
    assert messages[2].startswith("line 5: NPI is not 10 digits")
    assert [error.line for error in summary.errors[3:]] == [6, 6]
    assert "19651345" not in " ".join(messages)  # a date of birth is never echoed
    assert ExclusionRecord.objects.get(last_name="BADNPI").npi == ""


@pytest.mark.django_db
def test_a_row_twice_in_one_file_is_one_record(leie_file):
    summary = leie_import(path=leie_file(leie_row("DOE"), leie_row("DOE")))

    assert (summary.created, summary.skipped) == (1, 1)
    assert ExclusionRecord.objects.count() == 1


@pytest.mark.django_db
def test_a_row_repeated_in_a_later_chunk_is_one_record(leie_file, monkeypatch):
    monkeypatch.setattr(leie, "CHUNK_SIZE", 2)

    summary = leie_import(path=leie_file(leie_row("DOE"), leie_row("ROE"), leie_row("POE"), leie_row("DOE")))

    assert (summary.read, summary.created, summary.skipped) == (4, 3, 1)
    assert ExclusionRecord.objects.count() == 3


@pytest.mark.django_db
def test_values_that_need_escaping_survive_the_bulk_load(leie_file):
    name = "O'BRIEN\\TAB\tLINE\nEND"
    leie_import(path=leie_file(leie_row(name), leie_row("\\N")))

    assert set(ExclusionRecord.objects.values_list("last_name", flat=True)) == {name, "\\N"}


@pytest.mark.django_db
def test_over_long_values_are_cut_to_fit(leie_file):
    leie_import(path=leie_file(leie_row("X" * 150, state="TEXAS")))

    record = ExclusionRecord.objects.get()
    assert (len(record.last_name), record.state) == (100, "TE")


@pytest.mark.django_db
def test_a_wrong_header_imports_nothing(write_csv):
    path = write_csv([[*LEIE_HEADER[:-1], "WAIVER_STATE"], leie_row()])

    summary = leie_import(path=path)

    assert "is not the header LASTNAME,FIRSTNAME" in summary.fatal
    assert ExclusionRecord.objects.count() == 0


@pytest.mark.django_db
def test_a_file_with_no_rows_retires_nothing(leie_file):
    leie_import(path=leie_file(leie_row("DOE")))

    summary = leie_import(path=leie_file(name="empty.csv"))

    assert "no rows" in summary.fatal
    assert ExclusionRecord.objects.get().active


@pytest.mark.django_db
def test_a_file_that_would_retire_more_than_a_fifth_of_even_a_small_list_is_refused_unless_forced(leie_file):
    leie_import(path=leie_file(*(leie_row(f"P{i}") for i in range(5)), name="full.csv"))
    truncated = leie_file(leie_row("P0"), name="truncated.csv")

    refused = leie_import(path=truncated)

    assert "would retire 4 of 5 active rows, more than a fifth" in refused.fatal
    assert "--supplement exclusions|reinstatements" in refused.fatal
    assert ExclusionRecord.objects.filter(active=True).count() == 5
    assert ExclusionListImport.objects.count() == 1
    assert leie_import(path=truncated, force=True).inactive == 4


@pytest.mark.django_db
def test_a_missing_file_is_a_fatal_error(tmp_path):
    summary = leie_import(path=tmp_path / "nope.csv")

    assert "nope.csv" in summary.fatal and "nothing was imported" in summary.fatal


@pytest.mark.django_db
def test_the_import_uses_a_fixed_number_of_queries_per_chunk(leie_file, django_assert_max_num_queries):
    path = leie_file(*(leie_row(f"P{i}") for i in range(300)))
    leie_import(path=path)

    with django_assert_max_num_queries(10):
        leie_import(path=path)


@pytest.mark.django_db
def test_imported_rows_are_what_the_dossier_matches_and_retired_rows_are_not(leie_file, surgeon):
    row = leie_row(surgeon.last_name.upper(), npi=surgeon.npi)
    leie_import(path=leie_file(row, name="may.csv"))
    today = timezone.localdate()

    assert [r.npi for r in dossiers_load([surgeon.id], as_of=today)[0].exclusion_matches] == [surgeon.npi]

    leie_import(path=leie_file(leie_row("OTHER"), name="june.csv"), force=True)
    assert dossiers_load([surgeon.id], as_of=today)[0].exclusion_matches == []


@pytest.mark.django_db
def test_a_row_with_a_nul_character_is_reported_and_the_rest_imported(leie_file):
    summary = leie_import(path=leie_file(leie_row("NUL\x00NAME"), leie_row("DOE")))

    assert (summary.read, summary.created, summary.bad) == (2, 1, 1)
    assert str(summary.errors[0]) == "line 2: a field holds a NUL character; row skipped"
    assert list(ExclusionRecord.objects.values_list("last_name", flat=True)) == ["DOE"]
