"""Data kept across schema changes: a deployment's exclusion list stays as current as it was."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from verification.models import ExclusionListImport

BEFORE = [("verification", "0007_exclusion_last_name_index")]


@pytest.fixture
def migrated_back(transactional_db):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    yield executor.loader.project_state(BEFORE).apps
    executor = MigrationExecutor(connection)  # the graph again: the one above was applied backwards
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_row_sightings_become_one_import_per_source(migrated_back):
    record = migrated_back.get_model("verification", "ExclusionRecord")
    seen = timezone.now() - dt.timedelta(days=3)
    record.objects.create(row_hash="a", last_name="DOE", active=True)
    record.objects.create(row_hash="b", last_name="ROE", active=True)
    record.objects.create(row_hash="c", last_name="POE", active=False)
    record.objects.update(last_seen_at=seen)
    record.objects.filter(row_hash="c").update(last_seen_at=seen - dt.timedelta(days=30))

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert list(ExclusionListImport.objects.values_list("source", "imported_at", "rows_read")) == [
        ("oig_leie", seen, 2)
    ]


def test_a_deployment_that_never_loaded_a_list_gets_no_import(migrated_back):
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert not ExclusionListImport.objects.exists()
