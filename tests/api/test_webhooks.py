import datetime as dt
import hashlib
import hmac
import json

import pytest
import requests
import responses
from django.utils import timezone

from api import webhooks
from api.models import Partner, WebhookDelivery
from verification.models import CityListPointer

pytestmark = pytest.mark.django_db
HOOK = "https://partner.example/hooks/spine"


@pytest.fixture
def subscriber(db):
    return Partner.objects.create(name="Hooked", webhook_url=HOOK, webhook_secret="s3cret")


def _deliveries_for_current_list(city):
    snapshot_id = CityListPointer.objects.get(city=city).snapshot_id
    return webhooks.deliveries_create(snapshot_ids=[snapshot_id])


def test_a_publication_writes_one_delivery_per_subscribed_partner(
    subscriber, published_city, django_capture_on_commit_callbacks
):
    city, _ = published_city
    Partner.objects.create(name="No hook")
    ids = _deliveries_for_current_list(city)
    assert len(ids) == 1
    delivery = WebhookDelivery.objects.get()
    assert delivery.payload["type"] == "list.published" and delivery.payload["city"] == city.slug


@responses.activate
def test_delivery_is_signed_with_hmac_sha256_over_timestamp_and_body(subscriber, published_city):
    responses.add(responses.POST, HOOK, status=204)
    delivery_id = _deliveries_for_current_list(published_city[0])[0]
    assert webhooks.delivery_send(delivery_id=delivery_id) == "delivered"
    request = responses.calls[0].request
    header = request.headers[webhooks.SIGNATURE_HEADER]
    timestamp, signature = (part.split("=", 1)[1] for part in header.split(","))
    expected = hmac.new(b"s3cret", f"{timestamp}.".encode() + request.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(signature, expected)
    assert json.loads(request.body)["snapshot_id"] == CityListPointer.objects.get().snapshot_id


@responses.activate
def test_a_failing_partner_is_retried_later_with_backoff(subscriber, published_city):
    responses.add(responses.POST, HOOK, status=503)
    delivery_id = _deliveries_for_current_list(published_city[0])[0]
    before = timezone.now()
    assert webhooks.delivery_send(delivery_id=delivery_id) == "pending"
    delivery = WebhookDelivery.objects.get(id=delivery_id)
    assert delivery.attempts == 1 and delivery.last_status_code == 503
    assert delivery.next_attempt_at >= before + dt.timedelta(seconds=20)
    assert webhooks.deliveries_due() == []
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    assert webhooks.deliveries_due() == [delivery_id]


@responses.activate
def test_a_timeout_is_recorded_and_retried(subscriber, published_city):
    responses.add(responses.POST, HOOK, body=requests.exceptions.ConnectTimeout())
    delivery_id = _deliveries_for_current_list(published_city[0])[0]
    assert webhooks.delivery_send(delivery_id=delivery_id) == "pending"
    assert WebhookDelivery.objects.get().last_error == "ConnectTimeout"


@responses.activate
def test_delivery_gives_up_after_the_maximum_attempts(subscriber, published_city, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    responses.add(responses.POST, HOOK, status=500)
    delivery_id = _deliveries_for_current_list(published_city[0])[0]
    webhooks.delivery_send(delivery_id=delivery_id)
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    assert webhooks.delivery_send(delivery_id=delivery_id) == "failed"


@responses.activate
def test_a_delivered_event_is_not_sent_twice(subscriber, published_city):
    responses.add(responses.POST, HOOK, status=200)
    delivery_id = _deliveries_for_current_list(published_city[0])[0]
    webhooks.delivery_send(delivery_id=delivery_id)
    webhooks.delivery_send(delivery_id=delivery_id)
    assert len(responses.calls) == 1


def test_publishing_queues_deliveries_through_the_signal(
    subscriber, make_clean_surgeon, exclusion_list_loaded, django_capture_on_commit_callbacks, celery_eager
):
    from tests.verification.test_runs import run_sync
    from verification import publication

    for _ in range(3):
        make_clean_surgeon()
    run, _ = run_sync()
    with responses.RequestsMock() as mocked, django_capture_on_commit_callbacks(execute=True):
        mocked.add(responses.POST, HOOK, status=200)
        publication.rankings_publish(run=run)
    assert WebhookDelivery.objects.get().status == "delivered"


def test_webhook_urls_must_be_https(db):
    from django.core.exceptions import ValidationError

    partner = Partner(name="Plain", webhook_url="http://partner.example/hook")
    with pytest.raises(ValidationError, match="HTTPS"):
        partner.full_clean()
