"""An annual run through Redis and a real Celery worker on PostgreSQL."""

import os
import signal

import pytest
from django.utils import timezone

from tests import factories
from tests.verification.conftest import clean_surgeon
from verification import services
from verification.checks import CHECKS
from verification.models import CheckResult, VerificationBatch, VerificationRun

from .conftest import as_seeded, wait_for, worker_children

pytestmark = pytest.mark.integration


def _finished(run):
    run.refresh_from_db()
    return run.status == VerificationRun.Status.FINISHED


def _surgeons(city, n):
    with as_seeded():
        factories.exclusion_list_load()
        return [clean_surgeon(city) for _ in range(n)]


def test_annual_run_gives_exactly_one_result_per_surgeon_and_check(celery_worker_process, city, settings):
    settings.VERIFICATION_BATCH_SIZE = 5
    surgeons = _surgeons(city, 23)
    run, created = services.run_start(kind=VerificationRun.Kind.ANNUAL, as_of=timezone.localdate())
    assert created and run.batches_total == 5
    wait_for(lambda: _finished(run), message="the run to finish")
    assert CheckResult.objects.filter(run=run).count() == len(surgeons) * len(CHECKS)
    again, created_again = services.run_start(kind=VerificationRun.Kind.ANNUAL, as_of=timezone.localdate())
    assert again.id == run.id and not created_again
    assert CheckResult.objects.count() == len(surgeons) * len(CHECKS)


def test_a_worker_child_killed_mid_batch_is_redelivered_and_the_run_completes(celery_worker_process, city, settings):
    settings.VERIFICATION_BATCH_SIZE = 60
    surgeons = _surgeons(city, 120)
    run, _ = services.run_start(kind=VerificationRun.Kind.ANNUAL, as_of=timezone.localdate())
    wait_for(
        lambda: VerificationBatch.objects.filter(run=run, attempts__gte=1, finished_at__isnull=True).exists(),
        interval=0.005,
        message="a batch to start",
    )
    for pid in worker_children(celery_worker_process):
        os.kill(pid, signal.SIGKILL)
    wait_for(lambda: _finished(run), message="the run to finish after the kill")
    assert CheckResult.objects.filter(run=run).count() == len(surgeons) * len(CHECKS)
    assert VerificationBatch.objects.filter(run=run, finished_at__isnull=False).count() == 2
    assert VerificationBatch.objects.filter(run=run, attempts__gte=2).exists(), "no batch was redelivered"
