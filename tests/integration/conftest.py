"""Integration fixtures: a real Celery worker on the real Redis broker and the PostgreSQL test database."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from kombu import pools

ROOT = Path(__file__).resolve().parents[2]


def _worker_env(**extra) -> dict:
    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings", **extra}


def worker_start(**env) -> subprocess.Popen:
    """Start `celery worker` (prefork, 2 children) against the test database, with `env` on top; wait for it."""
    from config.celery import app

    command = [
        sys.executable, "-m", "celery", "-A", "config", "worker", "--concurrency=2", "--pool=prefork",
        "--loglevel=WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=_worker_env(**env), start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if app.control.ping(timeout=0.5):
            return process
    process.kill()
    pytest.fail("the Celery worker did not start")


def worker_stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture
def celery_worker_process(transactional_db):
    """A worker on the configured broker (Redis, or RabbitMQ where CELERY_BROKER_URL says so)."""
    from config.celery import app

    app.control.purge()
    process = worker_start()
    yield process
    worker_stop(process)


@contextlib.contextmanager
def celery_broker(url: str):
    """This process hands tasks to `url` for the duration (a worker started inside gets the same broker)."""
    from config.celery import app

    def reconnect(to):
        pools.reset()  # the connection pools are kept per broker in a registry of kombu's: start afresh
        app._pool = None
        app.amqp._producer_pool = None
        app.conf.broker_url = app.conf.broker_read_url = app.conf.broker_write_url = to

    previous = app.conf.broker_url
    reconnect(url)
    try:
        yield
    finally:
        reconnect(previous)


class PrivateRedis:
    """A redis-server of this test's own on a free port: stopped and restarted without touching the shared one."""

    def __init__(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        client = redis.Redis.from_url(self.url)
        for _ in range(100):
            try:
                if client.ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.05)
        pytest.fail("the private redis-server did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


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
    return run_together(*[work] * times)


def run_together(*works) -> tuple[list, list[Exception]]:
    """Call each of `works` in its own thread, all released together; (results, errors)."""
    import threading

    from django.db import connections

    start, results, errors = threading.Barrier(len(works)), [], []

    def call(work):
        try:
            start.wait()
            results.append(work())
        except Exception as exc:  # noqa: BLE001 - returned to the test, which asserts on it
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=call, args=(work,)) for work in works]
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
