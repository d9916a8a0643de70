"""Bulk writers refresh PostgreSQL's planner statistics, so lookups use indexes right after a load."""

import pytest
from django.core.management import call_command
from django.db import connection

from directory.models import Surgeon
from tests.factories import exclusion_list_load
from verification.models import CityListPointer, RankingEntry, RankingSnapshot

pytestmark = pytest.mark.django_db


def _tuples_estimate(table: str) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="planner statistics are a PostgreSQL matter")
def test_seeding_and_a_large_run_leave_fresh_statistics(django_capture_on_commit_callbacks, settings):
    settings.VERIFICATION_BATCH_SIZE = 20
    call_command("seed_demo", "--replace", "--surgeons", "60", "--cities", "12", "--leie-out", "")
    assert _tuples_estimate("directory_surgeon") == 60
    exclusion_list_load()  # the sanctions screen can answer: the run is not held back as an outage
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_verification", "--sync")
    assert _tuples_estimate("verification_checkresult") == 60 * 7
    # The run rewrote every city's list: search's "is this surgeon listed now" lookups need their statistics too.
    snapshots, entries = RankingSnapshot.objects.count(), RankingEntry.objects.count()
    assert snapshots and entries
    assert _tuples_estimate("verification_rankingsnapshot") == snapshots
    assert _tuples_estimate("verification_rankingentry") == entries
    assert _tuples_estimate("verification_citylistpointer") == CityListPointer.objects.count()
    npi = Surgeon.objects.order_by("id").values_list("npi", flat=True).first()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_verification", "--surgeon", npi, "--sync")  # one batch: not worth an ANALYZE
    assert _tuples_estimate("verification_checkresult") == 60 * 7


@pytest.mark.skipif(connection.vendor != "postgresql", reason="planner statistics are a PostgreSQL matter")
def test_an_exclusion_list_import_refreshes_the_statistics_of_the_columns_matched_on(tmp_path):
    from verification.sources.leie import LEIE_HEADER, MATCHED_ON, STATISTICS_TARGET

    rows = [",".join(LEIE_HEADER)] + [
        f"NAME{i},FIRST{i % 7},,,IND,,,,19650412,1 MAIN ST,HOUSTON,TX,77030,1128a1,20200115,00000000,00000000,"
        for i in range(40)
    ]
    path = tmp_path / "UPDATED.csv"
    path.write_text("\n".join(rows) + "\n")

    call_command("import_leie", str(path))

    assert _tuples_estimate("verification_exclusionrecord") == 40
    with connection.cursor() as cursor:
        cursor.execute("SELECT attname FROM pg_stats WHERE tablename = 'verification_exclusionrecord'")
        analysed = {name for (name,) in cursor.fetchall()}
    assert analysed == {"active", "source", "npi", "last_name", "first_name", "state"} == set(MATCHED_ON)
    with connection.cursor() as cursor:  # 40 distinct names: the default target would keep 40 histogram bounds
        cursor.execute(
            "SELECT array_length(histogram_bounds::text::text[], 1) FROM pg_stats "
            "WHERE tablename = 'verification_exclusionrecord' AND attname = 'last_name'"
        )
        assert cursor.fetchone()[0] == STATISTICS_TARGET + 1
