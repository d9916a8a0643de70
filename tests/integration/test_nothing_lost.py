"""Nothing lost under faults, against the real services: two runs at once, a broker outage, a killed worker."""

import datetime as dt
import os
import signal
import time

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from demo.seed import demo_data_seed
from directory.consultations import consultation_requests_resend
from directory.models import ConsultationRequest, Surgeon
from tests import factories
from tests.verification.conftest import clean_surgeon
from verification import publication, services, tasks
from verification.models import CheckResult, CityListPointer, VerificationBatch, VerificationRun

from .conftest import PrivateRedis, as_seeded, celery_broker, run_together, wait_for, worker_start, worker_stop

pytestmark = [pytest.mark.integration, pytest.mark.slow]
RABBITMQ = os.environ.get("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672//")


def _run_here(kind, *, period, surgeon_ids=None):
    def work():
        run, _ = services.run_start(
            kind=kind, as_of=timezone.localdate(), period_key=period, surgeon_ids=surgeon_ids, enqueue=False
        )
        for batch_id in run.batches.values_list("id", flat=True):
            services.batch_verify(batch_id=batch_id)
        return run.id

    return work


def test_two_sweeps_and_a_reviewer_rerun_at_once_keep_every_result(transactional_db, settings):
    settings.VERIFICATION_BATCH_SIZE = 100
    demo_data_seed(surgeons=600, cities=3)
    factories.exclusion_list_load()
    reviewed = list(Surgeon.objects.order_by("id").values_list("id", flat=True)[:150])
    kinds = VerificationRun.Kind
    _, errors = run_together(
        _run_here(kinds.SANCTIONS, period="A"),
        _run_here(kinds.SANCTIONS, period="B"),
        _run_here(kinds.MANUAL, period="reviewer", surgeon_ids=reviewed),
    )
    assert errors == []
    sanctions = CheckResult.objects.filter(check_key="license_sanctions")
    assert sanctions.count() == 600 + 600 + 150  # every result of every run stored
    assert sanctions.filter(is_current=True).count() == 600  # one current per surgeon and check
    latest = dict(sanctions.values("surgeon_id").annotate(at=Max("checked_at")).values_list("surgeon_id", "at"))
    for surgeon_id, checked_at in sanctions.filter(is_current=True).values_list("surgeon_id", "checked_at"):
        assert checked_at == latest[surgeon_id]  # the current one is the latest evaluation
    assert CheckResult.objects.filter(surgeon_id__in=reviewed, is_current=True).count() == 150 * 7


def test_a_reviewer_decision_reaches_the_lists_through_a_real_worker(celery_worker_process, city):
    with as_seeded():
        factories.exclusion_list_load()
        [clean_surgeon(city) for _ in range(12)]
    publication.rankings_publish(run=_finished_annual_run())
    pointer = CityListPointer.objects.get(city=city)
    top = pointer.snapshot.entries.get(rank=1).surgeon_id
    result = CheckResult.objects.get(surgeon_id=top, check_key="malpractice", is_current=True)
    services.result_override(result_id=result.id, to_outcome="fail", reason="Policy cancelled", user=_staff())
    wait_for(lambda: CityListPointer.objects.get(city=city).snapshot_id != pointer.snapshot_id, message="the republish")
    listed = CityListPointer.objects.get(city=city).snapshot.entries.values_list("surgeon_id", flat=True)
    assert top not in listed and len(listed) == 10


def _finished_annual_run():
    run, _ = services.run_start(kind=VerificationRun.Kind.ANNUAL, as_of=timezone.localdate(), enqueue=False)
    for batch_id in run.batches.values_list("id", flat=True):
        services.batch_verify(batch_id=batch_id)
    run.refresh_from_db()
    return run


def _staff():
    return User.objects.create_superuser("reviewer", "r@example.org", "pw-Very-long-123")


def test_a_broker_outage_during_requests_delays_work_and_loses_none(transactional_db, client, city, tmp_path):
    with as_seeded():
        factories.exclusion_list_load()
        surgeon = clean_surgeon(city)
    result = _finished_annual_run().results.filter(surgeon=surgeon).first()
    broker = PrivateRedis()
    broker.start()
    mail, worker = tmp_path / "mail", None
    try:
        with celery_broker(broker.url):
            worker = worker_start(
                CELERY_BROKER_URL=broker.url,
                EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
                EMAIL_FILE_PATH=str(mail),
            )
            broker.stop()  # the broker goes down
            client.force_login(_staff())
            started = time.monotonic()
            rerun = client.post(reverse("admin:verification_checkresult_rerun", args=[result.id]))
            consult = client.post(
                reverse("directory:consultation", args=[surgeon.npi]),
                {"name": "Pat", "phone": "713-555-0100", "reason": "Back pain", "consent": "on"},
            )
            assert time.monotonic() - started < 10  # a refusing broker is not waited on
            assert rerun.status_code == 302 and consult.status_code == 302
            run = VerificationRun.objects.get(kind=VerificationRun.Kind.MANUAL)
            assert run.status == VerificationRun.Status.RUNNING
            assert VerificationBatch.objects.get(run=run).sent_at is None
            request = ConsultationRequest.objects.get()
            assert request.delivery == ConsultationRequest.Delivery.PENDING

            broker.start()  # back (empty: it kept nothing); the per-minute sweepers send what waits
            with time_machine.travel(timezone.now() + dt.timedelta(minutes=2), tick=True):
                tasks.sweep()
                assert consultation_requests_resend() == 1
            wait_for(lambda: VerificationRun.objects.get(id=run.id).publication_done_at is not None, message="the run")
            wait_for(lambda: ConsultationRequest.objects.get().delivery == "sent", message="the e-mail")
            assert len(list(mail.iterdir())) == 1
    finally:
        if worker is not None:
            worker_stop(worker)
        if broker.process.poll() is None:
            broker.stop()


def test_a_killed_worker_loses_no_batch_and_a_replacement_finishes_the_run_within_minutes(
    transactional_db, settings, capsys
):
    """RabbitMQ returns a dead consumer's unacknowledged tasks at once (Redis would wait its visibility timeout)."""
    settings.VERIFICATION_BATCH_SIZE = 20
    demo_data_seed(surgeons=600, cities=3)
    factories.exclusion_list_load()
    with celery_broker(RABBITMQ):
        from config.celery import app

        app.control.purge()
        first = worker_start(CELERY_BROKER_URL=RABBITMQ)
        run, _ = services.run_start(kind=VerificationRun.Kind.ANNUAL, as_of=timezone.localdate())
        wait_for(
            lambda: VerificationBatch.objects.filter(run=run, finished_at__isnull=False).count() >= 3,
            interval=0.01,
            message="a few batches to finish",
        )
        os.killpg(first.pid, signal.SIGKILL)  # the whole worker: main process and its children
        first.wait(timeout=10)
        killed_at_done = VerificationBatch.objects.filter(run=run, finished_at__isnull=False).count()
        replacement = worker_start(CELERY_BROKER_URL=RABBITMQ)
        started = time.monotonic()
        try:
            wait_for(lambda: VerificationRun.objects.get(id=run.id).status == "finished", timeout=180, message="run")
            recovery = time.monotonic() - started
        finally:
            worker_stop(replacement)
    assert killed_at_done < run.batches_total  # the kill happened mid-run
    assert CheckResult.objects.filter(run=run).count() == 600 * 7
    assert recovery < 180
    with capsys.disabled():
        print(f"\nkilled worker: run finished {recovery:.1f} s after the replacement started")
