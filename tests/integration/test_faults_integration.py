"""Faults against the real services: a dropped database connection mid-batch, a broker outage."""

import pytest
from django.db import connection
from django.utils import timezone

from api import webhooks
from api.models import Partner, WebhookDelivery
from tests import factories
from tests.verification.conftest import clean_surgeon
from verification import services
from verification.checks import CHECKS
from verification.models import CheckResult, RankingSnapshot, VerificationBatch, VerificationRun

from .conftest import as_seeded, celery_broker, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _terminate_other_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def test_a_database_connection_dropped_mid_batch_is_retried_without_duplicates(celery_worker_process, city, settings):
    settings.VERIFICATION_BATCH_SIZE = 40
    factories.exclusion_list_load()
    with as_seeded():
        surgeons = [clean_surgeon(city) for _ in range(120)]
    run, _ = services.run_start(kind=VerificationRun.Kind.ANNUAL, as_of=timezone.localdate())
    wait_for(
        lambda: VerificationBatch.objects.filter(run=run, attempts__gte=1, finished_at__isnull=True).exists(),
        interval=0.005,
        message="a batch to start",
    )
    assert _terminate_other_connections() >= 1
    wait_for(lambda: VerificationRun.objects.get(id=run.id).status == "finished", message="the run to finish")
    assert CheckResult.objects.filter(run=run).count() == len(surgeons) * len(CHECKS)
    assert VerificationBatch.objects.filter(run=run, finished_at__isnull=False).count() == 3
    assert VerificationBatch.objects.filter(run=run, attempts__gte=2).exists(), "no batch was retried"


def test_webhooks_queued_while_the_broker_is_down_are_kept_and_resent_by_the_sweeper(transactional_db, city):
    Partner.objects.create(name="Hooked", webhook_url="https://partner.example/hook", webhook_secret="s")
    snapshot = RankingSnapshot.objects.create(
        city=city, method_version="v1", status="published", published_at=timezone.now()
    )
    with celery_broker("redis://127.0.0.1:1/0"):  # the broker is down
        webhooks.deliveries_create(snapshot_ids=[snapshot.id])  # the enqueue after commit fails, robustly
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending" and delivery.attempts == 0
    assert webhooks.deliveries_due() == [delivery.id]
