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


def test_license_spelling_keeps_a_reviewers_decision_carried(transactional_db):
    """The stored check key and evidence key change spelling; the fingerprint still matches a fresh finding."""
    from tests.factories import SurgeonFactory
    from verification.checks.types import Outcome, Result
    from verification.models import CheckResult, VerificationRun

    executor = MigrationExecutor(connection)
    executor.migrate([("verification", "0013_public_notes_and_eligible_counts")])
    evidence = {"licences": [{"state": "TX", "expires": "2027-03-01"}], "decision_carried_from": 7}
    run = VerificationRun.objects.create(
        kind="full",
        as_of=dt.date(2026, 11, 1),
        checks=["licence_sanctions", "dea"],
        counts={"licence_sanctions": {"pass": 1}},
    )
    CheckResult.objects.create(
        run=run,
        surgeon=SurgeonFactory(),
        check_key="licence_sanctions",
        outcome="fail",
        effective_outcome="pass",
        method="primary_source",
        source="TX board",
        checked_at=timezone.now(),
        evidence=evidence,
        reason="Active licence",
        fingerprint="old",
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    stored = CheckResult.objects.get()
    fresh = Result(
        outcome=Outcome.FAIL,
        method="primary_source",
        source="TX board",
        reason="",
        evidence={"licenses": [{"state": "TX", "expires": dt.date(2027, 3, 1)}]},
    )
    assert stored.check_key == "license_sanctions"
    assert stored.evidence == {"licenses": [{"state": "TX", "expires": "2027-03-01"}], "decision_carried_from": 7}
    assert stored.fingerprint == fresh.fingerprint
    run.refresh_from_db()
    assert (run.checks, run.counts) == (["license_sanctions", "dea"], {"license_sanctions": {"pass": 1}})


def test_the_city_pointers_keep_their_lists_under_their_new_name(transactional_db):
    from tests.factories import CityFactory
    from verification.models import CityListPointer

    executor = MigrationExecutor(connection)
    executor.migrate([("verification", "0014_license_spelling")])
    old = executor.loader.project_state([("verification", "0014_license_spelling")]).apps
    city = CityFactory()
    snapshot = old.get_model("verification", "RankingSnapshot").objects.create(
        city_id=city.id, method_version="v1", status="published"
    )
    old.get_model("verification", "CityRanking").objects.create(
        city_id=city.id, snapshot_id=snapshot.id, valid_until=dt.date(2027, 1, 31)
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    pointer = CityListPointer.objects.get()
    assert (pointer.city_id, pointer.snapshot_id, pointer.valid_until) == (city.id, snapshot.id, dt.date(2027, 1, 31))
    city.refresh_from_db()
    assert city.list_pointer == pointer


def test_the_groups_that_could_see_the_city_pointers_still_can(transactional_db):
    from django.contrib.auth.models import Group, Permission

    executor = MigrationExecutor(connection)
    executor.migrate([("verification", "0014_license_spelling")])
    reviewer, _ = Group.objects.get_or_create(name="Pointer readers")
    reviewer.permissions.add(Permission.objects.get(codename="view_cityranking"))

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert list(reviewer.permissions.values_list("content_type__model", "codename", "name")) == [
        ("citylistpointer", "view_citylistpointer", "Can view city list pointer")
    ]
    assert not Permission.objects.filter(codename__endswith="_cityranking").exists()
