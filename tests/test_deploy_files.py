"""docker-compose.yml and the Dockerfile hold together (no Docker needed to check this)."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def test_compose_runs_every_service_with_a_healthcheck():
    services = COMPOSE["services"]
    assert set(services) == {"postgres", "redis", "rabbitmq", "web", "worker", "beat"}
    for name, service in services.items():
        assert service["healthcheck"]["test"], name


def test_app_services_read_the_env_file_and_wait_for_healthy_databases():
    for name in ("web", "worker", "beat"):
        service = COMPOSE["services"][name]
        assert service["env_file"] == ".env"
        assert service["depends_on"] == {
            "postgres": {"condition": "service_healthy"},
            "redis": {"condition": "service_healthy"},
            "rabbitmq": {"condition": "service_healthy"},
        }


def test_celery_takes_its_tasks_from_rabbitmq_and_keeps_redis_for_the_cache():
    environment = COMPOSE["x-app"]["environment"]
    assert (
        environment["CELERY_BROKER_URL"].startswith("amqp://") and "@rabbitmq:5672" in environment["CELERY_BROKER_URL"]
    )
    assert environment["REDIS_URL"].startswith("redis://redis:")


def test_web_is_gunicorn_with_three_workers_and_beat_uses_the_database_scheduler():
    services = COMPOSE["services"]
    assert "gunicorn" in services["web"]["command"] and "--workers 3" in services["web"]["command"]
    assert "django_celery_beat.schedulers:DatabaseScheduler" in services["beat"]["command"]


def test_volumes_are_named_and_used():
    named = set(COMPOSE["volumes"])
    used = {v.split(":")[0] for s in COMPOSE["services"].values() for v in s.get("volumes", [])}
    assert used <= named and {"pgdata", "redisdata", "rabbitmqdata", "media"} <= named


def test_the_image_has_what_the_healthchecks_call():
    assert "curl" in DOCKERFILE and "procps" in DOCKERFILE  # web: curl; beat: pgrep
    assert (ROOT / ".env.example").exists()
