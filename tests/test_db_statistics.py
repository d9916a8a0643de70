"""Bulk writers refresh PostgreSQL's planner statistics, so lookups use indexes right after a load."""

import pytest
from django.core.management import call_command
from django.db import connection

from directory.models import Surgeon

pytestmark = pytest.mark.django_db


def _tuples_estimate(table: str) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="planner statistics are a PostgreSQL matter")
def test_seeding_and_a_large_run_leave_fresh_statistics(django_capture_on_commit_callbacks, settings):
    settings.VERIFICATION_BATCH_SIZE = 20
    call_command("seed_demo", "--surgeons", "60", "--cities", "12", "--leie-out", "")
    assert _tuples_estimate("directory_surgeon") == 60
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_verification", "--sync")
    assert _tuples_estimate("verification_checkresult") == 60 * 7
    npi = Surgeon.objects.order_by("id").values_list("npi", flat=True).first()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_verification", "--surgeon", npi, "--sync")  # one batch: not worth an ANALYZE
    assert _tuples_estimate("verification_checkresult") == 60 * 7
