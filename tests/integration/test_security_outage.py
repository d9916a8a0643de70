"""Security that fails closed: a real Redis (a private instance of this test) stopped in the middle of the test."""

import logging
import time

import pytest
from django.contrib.auth.models import User

from api import auth
from api.models import Partner, PartnerAPIKey

from .conftest import PrivateRedis

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.django_db]
PASSWORD = "correct-Horse-battery-9"


@pytest.fixture
def private_redis(settings):
    server = PrivateRedis()
    server.start()
    # The settings' own cache shapes (REDIS_URL is set for integration runs), pointed at the private server.
    settings.CACHES = {alias: {**config, "LOCATION": server.url} for alias, config in settings.CACHES.items()}
    yield server
    if server.process.poll() is None:
        server.stop()


def sign_in(client, password):
    return client.post("/admin/login/?next=/admin/", {"username": "sam", "password": password})


def test_eight_wrong_passwords_then_the_right_one_does_not_sign_in_while_redis_is_down(client, private_redis):
    User.objects.create_user("sam", password=PASSWORD, is_staff=True)
    for _ in range(3):
        sign_in(client, "wrong")
    private_redis.stop()
    for _ in range(5):
        sign_in(client, "wrong")
    response = sign_in(client, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_five_a_minute_key_gets_429_while_redis_is_down_and_the_shared_count_resumes(
    client, private_redis, monkeypatch, caplog
):
    monkeypatch.setattr(auth.SharedCacheOutage, "RETRY_SECONDS", 0.5)
    partner = Partner.objects.create(name="Five a minute", throttle_rate="5/minute")
    key = PartnerAPIKey.objects.create_key(name="k", partner=partner)[1]

    def statuses(times):
        return [client.get("/api/v1/cities/", HTTP_AUTHORIZATION=f"Api-Key {key}").status_code for _ in range(times)]

    assert statuses(2) == [200, 200]
    private_redis.stop()
    with caplog.at_level(logging.WARNING, logger="api.auth"):
        assert statuses(10) == [200] * 5 + [429] * 5  # counted in this process meanwhile
        private_redis.start()  # empty: the shared history was lost with the old server
        time.sleep(0.6)
        assert statuses(6) == [200] * 5 + [429]
    messages = [record.getMessage() for record in caplog.records if record.name == "api.auth"]
    assert any("shared cache down" in m for m in messages) and any("shared cache is back" in m for m in messages)
