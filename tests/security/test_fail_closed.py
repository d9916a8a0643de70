"""The partner API throttle stays bounded when its shared cache is down, and says so in the log."""

import logging

import pytest

from api.models import Partner, PartnerAPIKey
from tests.faults.test_faults import DEAD_REDIS

pytestmark = pytest.mark.django_db
CITIES = "/api/v1/cities/"


@pytest.fixture
def five_a_minute_key(db):
    partner = Partner.objects.create(name="Five a minute", throttle_rate="5/minute")
    return PartnerAPIKey.objects.create_key(name="k", partner=partner)[1]


def statuses(client, key, times):
    return [client.get(CITIES, HTTP_AUTHORIZATION=f"Api-Key {key}").status_code for _ in range(times)]


def test_a_five_a_minute_key_gets_429_when_the_cache_is_down(client, five_a_minute_key, settings):
    settings.CACHES = DEAD_REDIS
    assert statuses(client, five_a_minute_key, 10) == [200] * 5 + [429] * 5


def test_the_429_during_an_outage_says_when_to_retry(client, five_a_minute_key, settings):
    settings.CACHES = DEAD_REDIS
    *_, response = [client.get(CITIES, HTTP_AUTHORIZATION=f"Api-Key {five_a_minute_key}") for _ in range(6)]
    assert response.status_code == 429 and int(response["Retry-After"]) > 0


def test_the_cache_outage_is_logged_once_not_per_request(client, five_a_minute_key, settings, caplog):
    settings.CACHES = DEAD_REDIS
    with caplog.at_level(logging.WARNING, logger="api.auth"):
        statuses(client, five_a_minute_key, 8)
    outages = [r for r in caplog.records if r.name == "api.auth" and "shared cache down" in r.getMessage()]
    assert len(outages) == 1 and outages[0].levelno == logging.ERROR


def test_each_key_keeps_its_own_budget_during_an_outage(client, five_a_minute_key, settings):
    settings.CACHES = DEAD_REDIS
    other = PartnerAPIKey.objects.create_key(name="other", partner=Partner.objects.get())[1]
    assert statuses(client, five_a_minute_key, 6)[-1] == 429
    assert statuses(client, other, 5) == [200] * 5
