import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _settings_value(expression: str, **env) -> str:
    """Evaluate an expression against freshly imported settings under the given environment."""
    unset = {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_DEBUG"}
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_no_database_url_means_sqlite_under_var():
    value = _settings_value("settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['NAME']")
    assert "sqlite3" in value
    assert "/var/db.sqlite3" in value


def test_postgres_database_url_selects_postgresql():
    value = _settings_value(
        "settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['NAME'], "
        "settings.DATABASES['default']['OPTIONS']['options']",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/spine",
    )
    assert "postgresql" in value
    assert "spine" in value
    assert "jit=off" in value  # a JIT compile cost more than the search it was meant to speed up


def test_no_redis_url_means_local_memory_cache_and_eager_tasks():
    value = _settings_value("settings.CACHES['default']['BACKEND'], settings.CELERY_TASK_ALWAYS_EAGER")
    assert "LocMemCache" in value
    assert "True" in value


def test_redis_url_selects_django_redis_that_ignores_outages():
    value = _settings_value(
        "settings.CACHES['default'], settings.CELERY_BROKER_URL, settings.CELERY_TASK_ALWAYS_EAGER",
        REDIS_URL="redis://127.0.0.1:6379/3",
    )
    assert "django_redis" in value
    assert "'IGNORE_EXCEPTIONS': True" in value
    assert "redis://127.0.0.1:6379/3" in value
    assert "False" in value


def test_celery_broker_url_sends_tasks_to_rabbitmq_while_redis_stays_the_cache():
    value = _settings_value(
        "settings.CELERY_BROKER_URL, settings.CELERY_TASK_ALWAYS_EAGER, settings.CACHES['default']['LOCATION']",
        REDIS_URL="redis://127.0.0.1:6379/0",
        CELERY_BROKER_URL="amqp://guest:guest@127.0.0.1:5672//",
    )
    assert value == "amqp://guest:guest@127.0.0.1:5672// False redis://127.0.0.1:6379/0"


def test_production_refuses_to_start_without_a_secret_key():
    code = "import django; django.setup()"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": "",
        },
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.parametrize("value", ["1-15", "13-01", "soon"])
def test_a_malformed_annual_date_fails_loudly(value):
    code = "import django; django.setup()"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "ANNUAL_VERIFICATION_DATE": value},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "ANNUAL_VERIFICATION_DATE" in result.stderr


def test_production_settings_pass_the_deploy_check():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env={
            # The browser tests allow async-unsafe ORM calls in this process; a deployment never does.
            **{name: value for name, value in os.environ.items() if name != "DJANGO_ALLOW_ASYNC_UNSAFE"},
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": "k" * 20 + "-prod-Secret-9876543210-abcdefghijkl",
        },
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_evidence_documents_stay_on_disk_unless_a_bucket_is_set():
    expression = "settings.STORAGES['default']['BACKEND']"
    assert _settings_value(expression) == "django.core.files.storage.FileSystemStorage"
    on_s3 = _settings_value(
        "settings.STORAGES['default']['BACKEND'], settings.STORAGES['default']['OPTIONS']['default_acl']",
        EVIDENCE_S3_BUCKET="evidence",
        EVIDENCE_S3_ENDPOINT_URL="http://minio:9000",
    )
    assert on_s3 == "storages.backends.s3.S3Storage private"
