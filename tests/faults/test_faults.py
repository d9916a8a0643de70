"""Faults that must not hurt patients: cache outages, repeated schedules, silent sources."""

import pytest
from django.core.cache import caches

from verification import publication, tasks
from verification.models import CheckResult, CityListPointer, ExclusionListImport, VerificationRun
from verification.sources.http import SourceUnavailable
from verification.sources.manual import FEEDS

from ..verification.test_runs import run_sync

pytestmark = pytest.mark.django_db
DEAD_REDIS = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
    },
    "throttle": {  # as in settings: the throttle sees the outage
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"IGNORE_EXCEPTIONS": False, "SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
    },
}


@pytest.fixture
def published(make_clean_surgeon, exclusion_list_loaded, city):
    for _ in range(11):
        make_clean_surgeon()
    publication.rankings_publish(run=run_sync()[0])
    return city


@pytest.fixture
def redis_down(settings):
    settings.CACHES = DEAD_REDIS  # Django rebuilds its cache handlers when CACHES changes
    assert type(caches["default"]).__name__ == "RedisCache"
    assert caches["default"].get("anything") is None


def test_pages_answer_when_redis_is_down(client, published, redis_down):
    response = client.get(published.get_absolute_url())
    assert response.status_code == 200
    assert "ETag" in response
    assert client.get("/").status_code == 200


def test_the_api_answers_when_redis_is_down(client, published, redis_down):
    from api.models import Partner, PartnerAPIKey

    _, key = PartnerAPIKey.objects.create_key(name="k", partner=Partner.objects.create(name="P"))
    response = client.get("/api/v1/cities/houston-tx/top-ten/", HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert response.status_code == 200 and len(response.json()["entries"]) == 10


def test_the_annual_schedule_firing_twice_makes_one_run(make_clean_surgeon, exclusion_list_loaded):
    make_clean_surgeon()
    first = tasks.run_scheduled.apply(args=["annual"]).get()
    second = tasks.run_scheduled.apply(args=["annual"]).get()
    assert first == second
    assert VerificationRun.objects.filter(kind="annual").count() == 1


def test_a_silent_exclusion_list_gives_unknown_delists_nobody_and_publishes_nothing(published):
    before = list(CityListPointer.objects.get(city=published).snapshot.entries.values_list("surgeon_id", flat=True))
    snapshots_before = published.snapshots.count()
    ExclusionListImport.objects.all().delete()  # no list loaded (or none recent): the screen cannot answer
    sanctions, _ = run_sync(kind="sanctions")
    assert set(CheckResult.objects.filter(run=sanctions).values_list("outcome", flat=True)) == {"unknown"}
    publication.after_run(run_id=sanctions.id)
    manual, _ = run_sync(kind="manual")
    summary = publication.rankings_publish(run=manual)
    assert summary.blocked_reason and summary.published == []
    pointer = CityListPointer.objects.get(city=published)
    assert list(pointer.snapshot.entries.values_list("surgeon_id", flat=True)) == before
    assert published.snapshots.count() == snapshots_before


class FeedDown:
    """A credential feed whose service is down: the adapter seam every licensed feed plugs into."""

    name = "A licensed feed"

    def records_for(self, surgeon_ids):
        raise SourceUnavailable("503 from the feed")


FEED_CHECKS = {
    "state_board": "license_sanctions",
    "board_certification": "board_certification",
    "dea": "dea",
    "malpractice": "malpractice",
}


@pytest.mark.parametrize("feed", sorted(FEED_CHECKS))
def test_a_feed_that_is_down_gives_unknown_and_never_delists(published, monkeypatch, feed):
    before = CityListPointer.objects.get(city=published).snapshot_id
    monkeypatch.setitem(FEEDS, feed, FeedDown())
    run, _ = run_sync(kind="manual")
    results = CheckResult.objects.filter(run=run, check_key=FEED_CHECKS[feed])
    assert set(results.values_list("outcome", flat=True)) == {"unknown"}
    assert not results.filter(source_answered=True).exists()
    publication.after_run(run_id=run.id)
    assert publication.rankings_publish(run=run).published == []
    assert CityListPointer.objects.get(city=published).snapshot_id == before
