"""Runs always end: lost hand-overs are sent again, a batch that never finishes fails its run with a note."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from config.celery import app
from verification import services, tasks
from verification.models import CheckResult, VerificationBatch, VerificationRun

from .test_runs import run_sync

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_eager")]
Status = VerificationRun.Status


def later(minutes):
    return time_machine.travel(timezone.now() + dt.timedelta(minutes=minutes))


@pytest.fixture
def refused_broker(monkeypatch):
    """The broker refuses every hand-over, as when Redis or RabbitMQ is down."""
    monkeypatch.setattr(services, "send", lambda task, *args: False)
    return monkeypatch


def test_a_batch_the_broker_refused_is_sent_by_the_sweeper(make_clean_surgeon, exclusion_list_loaded, refused_broker):
    make_clean_surgeon()
    run, _ = services.run_start(kind="manual", as_of=timezone.localdate(), enqueue=False)
    services.batches_send(run.batches.all())
    batch = run.batches.get()
    assert (batch.sends, batch.sent_at) == (1, None)
    refused_broker.undo()
    with later(1):
        swept = services.runs_sweep()
    assert swept["batches_resent"] == 1
    run.refresh_from_db()
    assert run.status == Status.FINISHED  # the re-sent batch ran (in-process on the embedded default)


def test_a_freshly_started_run_is_left_alone_by_the_sweeper(make_clean_surgeon, exclusion_list_loaded, refused_broker):
    make_clean_surgeon()
    run, _ = services.run_start(kind="manual", as_of=timezone.localdate(), enqueue=False)
    assert services.runs_sweep()["batches_resent"] == 0


def test_a_batch_handed_over_too_often_fails_its_run_with_a_note(
    make_clean_surgeon, exclusion_list_loaded, settings, django_capture_on_commit_callbacks
):
    make_clean_surgeon()
    run, _ = services.run_start(kind="manual", as_of=timezone.localdate(), enqueue=False)
    batches = VerificationBatch.objects.filter(run=run)
    batches.update(sends=settings.VERIFICATION_BATCH_MAX_SENDS, sent_at=timezone.now())
    with later(settings.SWEEP_STALE_SECONDS / 60 + 1), django_capture_on_commit_callbacks(execute=True):
        assert services.runs_sweep()["runs_failed"] == 1
    run.refresh_from_db()
    assert run.status == Status.FAILED and "never finished" in run.note
    assert run.publication_done_at is not None  # what other batches recorded still reaches the lists


def test_a_finished_run_whose_publication_was_lost_is_redriven(make_clean_surgeon, exclusion_list_loaded, city):
    for _ in range(3):
        make_clean_surgeon()
    run, _ = run_sync()  # finished, but the hand-over to publication never happened (on_commit not run here)
    assert run.status == Status.FINISHED and run.publication_done_at is None
    with later(2):
        assert services.runs_sweep()["publications_redriven"] == 1
    run.refresh_from_db()
    assert run.publication_done_at is not None and city.list_pointer.snapshot.entries.count() == 3


def test_a_batch_that_cannot_be_verified_fails_its_run_at_once(make_clean_surgeon, exclusion_list_loaded, monkeypatch):
    make_clean_surgeon()
    run, _ = services.run_start(kind="manual", as_of=timezone.localdate(), enqueue=False)

    def broken(*args, **kwargs):
        raise ZeroDivisionError

    monkeypatch.setattr(services, "dossiers_load", broken)
    batch = run.batches.get()
    assert tasks.verify_batch.apply(args=[batch.id]).state == "FAILURE"
    run.refresh_from_db()
    assert run.status == Status.FAILED and "could not be verified (ZeroDivisionError)" in run.note


def test_run_verification_exits_non_zero_with_the_note_of_a_held_back_run(
    make_clean_surgeon, django_capture_on_commit_callbacks
):
    make_clean_surgeon()  # no exclusion list was ever loaded: the sanctions screen cannot answer
    with pytest.raises(CommandError, match="no answer from a source"), django_capture_on_commit_callbacks(execute=True):
        call_command("run_verification", "--sync")


def test_run_verification_exits_non_zero_when_a_batch_fails(make_clean_surgeon, exclusion_list_loaded, monkeypatch):
    make_clean_surgeon()
    monkeypatch.setattr(services, "dossiers_load", lambda *args, **kwargs: 1 / 0)
    with pytest.raises(CommandError, match=r"failed.*could not be verified \(ZeroDivisionError\)"):
        call_command("run_verification", "--sync")
    assert VerificationRun.objects.get().status == Status.FAILED


def test_run_verification_reports_a_clean_run_and_exits_zero(
    make_clean_surgeon, exclusion_list_loaded, capsys, django_capture_on_commit_callbacks
):
    make_clean_surgeon()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_verification", "--sync")
    out = capsys.readouterr().out
    assert "finished: 1 surgeons, 1/1 batches." in out
    assert VerificationRun.objects.get().publication_done_at is not None


def test_two_runs_at_once_keep_every_result_and_the_latest_is_current(make_clean_surgeon, exclusion_list_loaded):
    surgeon = make_clean_surgeon()
    first, _ = services.run_start(kind="manual", as_of=timezone.localdate(), enqueue=False, period_key="a")
    second, _ = services.run_start(kind="manual", as_of=timezone.localdate(), enqueue=False, period_key="b")
    later_time = timezone.now()
    from verification.dossier import dossiers_load

    results = {
        d.surgeon.id: services.evaluate_all(d, check_keys=first.checks, as_of=first.as_of)
        for d in dossiers_load([surgeon.id], as_of=first.as_of)
    }
    # The second run evaluated later but commits first; the first run's older evaluation must not displace it.
    services.results_record(run=second, results=results, checked_at=later_time)
    services.results_record(run=first, results=results, checked_at=later_time - dt.timedelta(seconds=5))
    assert CheckResult.objects.filter(surgeon=surgeon).count() == 14
    current = CheckResult.objects.filter(surgeon=surgeon, is_current=True)
    assert current.count() == 7 and set(current.values_list("run_id", flat=True)) == {second.id}


def test_celery_eager_is_restored_after_a_sync_run(make_clean_surgeon, exclusion_list_loaded):
    before = app.conf.task_always_eager
    make_clean_surgeon()
    call_command("run_verification", "--sync")
    assert app.conf.task_always_eager == before
