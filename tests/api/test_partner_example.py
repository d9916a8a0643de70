"""The partner example client, run as a partner runs it: over HTTP against a live server, with real webhooks."""

import pytest

from api import webhooks
from api.models import Partner
from examples.partner_client import TopTenFollower, webhook_receive
from verification import publication
from verification.checks.types import Outcome
from verification.models import CheckResult, RankingSnapshot

SECRET = "whsec-example-77c1"


@pytest.fixture
def follower(live_server, api_key, published_city):
    return TopTenFollower(live_server.url, api_key, "houston-tx")


def _delist_first(city) -> RankingSnapshot:
    current = RankingSnapshot.objects.get(city=city, status=RankingSnapshot.Status.PUBLISHED)
    first = current.entries.get(rank=1).surgeon
    CheckResult.objects.filter(surgeon=first, check_key="malpractice").update(effective_outcome=Outcome.FAIL)
    publication.cities_republish([city.id])
    return RankingSnapshot.objects.get(city=city, status=RankingSnapshot.Status.PUBLISHED)


def test_the_follower_fetches_the_list_once_and_then_gets_304s(follower, published_city):
    first = follower.poll()
    assert first["city"] == "houston-tx" and len(first["entries"]) == 10
    assert follower.etag.startswith(f'W/"snapshot-{first["id"]}-')
    assert follower.poll() is None  # unchanged: a 304 without a body
    assert follower.top_ten == first


def test_the_follower_sees_a_new_list_on_its_next_poll(follower, published_city):
    follower.poll()
    snapshot = _delist_first(published_city[0])
    changed = follower.poll()
    assert changed["id"] == snapshot.id and changed["reason"] == "delisting"
    assert follower.poll() is None


def test_a_signed_webhook_makes_the_follower_poll_at_once(follower, published_city, webhook_receiver, celery_eager):
    follower.poll()
    Partner.objects.create(name="Example", webhook_url=webhook_receiver.url, webhook_secret=SECRET)
    snapshot = _delist_first(published_city[0])  # announced on commit, delivered by the (eager) task
    (delivery,) = webhook_receiver.deliveries
    changed = webhook_receive(follower, SECRET, delivery["headers"]["X-Spine-Signature"], delivery["body"])
    assert changed["id"] == snapshot.id


def test_a_webhook_with_a_bad_signature_is_refused(follower, published_city, webhook_receiver):
    Partner.objects.create(name="Example", webhook_url=webhook_receiver.url, webhook_secret=SECRET)
    snapshot = RankingSnapshot.objects.get(status=RankingSnapshot.Status.PUBLISHED)
    for delivery_id in webhooks.deliveries_create(snapshot_ids=[snapshot.id]):
        webhooks.delivery_send(delivery_id=delivery_id)
    (delivery,) = webhook_receiver.deliveries
    with pytest.raises(PermissionError):
        webhook_receive(follower, "someone-elses-secret", delivery["headers"]["X-Spine-Signature"], delivery["body"])
    assert follower.etag is None  # nothing was fetched on a forged event
