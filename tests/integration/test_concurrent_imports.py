"""Two LEIE imports at once on PostgreSQL: the second waits for the first, so each row is stored once."""

import csv

import pytest
from django.db.models import Count

from verification.models import ExclusionListImport, ExclusionRecord
from verification.sources.leie import LEIE_HEADER, leie_import

from ..verification.sources.test_leie import leie_row
from .conftest import run_at_once

pytestmark = pytest.mark.integration


def test_two_imports_of_the_same_file_store_each_row_once(transactional_db, tmp_path):
    path = tmp_path / "UPDATED.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(LEIE_HEADER)
        writer.writerows(leie_row(f"P{i}") for i in range(3000))
    summaries, errors = run_at_once(lambda: leie_import(path=path))

    assert errors == []
    assert sorted((s.created, s.unchanged, s.fatal) for s in summaries) == [(0, 3000, ""), (3000, 0, "")]
    assert ExclusionRecord.objects.count() == 3000
    assert not ExclusionRecord.objects.values("row_hash").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert ExclusionListImport.objects.count() == 2
