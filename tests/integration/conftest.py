"""Integration fixtures: a real Celery worker on the real Redis broker and the PostgreSQL test database."""

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone

ROOT = Path(__file__).resolve().parents[2]


def _worker_env() -> dict:
    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings"}


@pytest.fixture
def celery_worker_process(transactional_db):
    """Start `celery worker` (prefork, 2 children) against the test database; stop it afterwards."""
    from config.celery import app

    app.control.purge()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--concurrency=2",
            "--pool=prefork",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=_worker_env(),
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if app.control.ping(timeout=0.5):
            break
    else:
        process.kill()
        pytest.fail("the Celery worker did not start")
    yield process
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def wait_for(predicate, *, timeout=90, interval=0.1, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    pytest.fail(f"timed out waiting for {message}")


def worker_children(process) -> list[int]:
    output = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True, check=False).stdout
    return [int(pid) for pid in output.split()]


def run_at_once(work, times: int = 2) -> tuple[list, list[Exception]]:
    """Call `work` in `times` threads released together; (results, errors), each thread's connection closed."""
    import threading

    from django.db import connections

    start, results, errors = threading.Barrier(times), [], []

    def call():
        try:
            start.wait()
            results.append(work())
        except Exception as exc:  # noqa: BLE001 - returned to the test, which asserts on it
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=call) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


@contextlib.contextmanager
def as_seeded():
    """Records made as test data, as if their eligibility events had been acted on long ago.

    Saving a credential records an event that a worker acts on (a re-verification): data set up for a test
    must not set off work the test does not count.
    """
    from verification.models import EligibilityEvent

    with transaction.atomic():
        yield
        EligibilityEvent.objects.filter(processed_at=None).update(processed_at=timezone.now())
