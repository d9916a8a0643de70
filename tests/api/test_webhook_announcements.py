"""Every publication reaches a partner's webhook, signed; the README's signature check works on a real delivery."""

import json
import re
import time
from pathlib import Path

import pytest

from api.models import Partner, WebhookDelivery
from examples import partner_client
from tests.verification.test_runs import run_sync
from verification import publication
from verification.checks.types import Outcome
from verification.models import CheckResult, RankingSnapshot

pytestmark = pytest.mark.django_db
README = Path(__file__).resolve().parents[2] / "README.md"
SECRET = "whsec-test-2a9f"


def readme_signature_check() -> str:
    """The Python block after the README's webhook-signature marker."""
    text = README.read_text()
    match = re.search(r"<!-- webhook-signature-check -->\s*```python\n(.*?)```", text, re.S)
    assert match, "README lost its signature-check example"
    return match[1]


@pytest.fixture
def subscriber(webhook_receiver):
    # Created without full_clean: the model insists on HTTPS, this local test endpoint is plain HTTP.
    return Partner.objects.create(name="Hooked", webhook_url=webhook_receiver.url, webhook_secret=SECRET)


def _events(receiver) -> list[dict]:
    return [json.loads(delivery["body"]) for delivery in receiver.deliveries]


def test_publication_delisting_and_republication_are_each_announced(
    subscriber,
    webhook_receiver,
    make_clean_surgeon,
    exclusion_list_loaded,
    city,
    celery_eager,
    django_capture_on_commit_callbacks,
):
    surgeons = [make_clean_surgeon() for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        publication.rankings_publish(run=run_sync()[0])
    lapsed = CheckResult.objects.filter(surgeon=surgeons[0], check_key="malpractice", is_current=True)
    with django_capture_on_commit_callbacks(execute=True):
        lapsed.update(effective_outcome=Outcome.FAIL)
        publication.cities_republish([city.id])
    with django_capture_on_commit_callbacks(execute=True):
        lapsed.update(effective_outcome=Outcome.PASS)  # the policy is renewed: the surgeon is eligible again
        publication.rankings_publish(cities=[city])

    snapshots = list(RankingSnapshot.objects.filter(city=city).order_by("id"))
    assert [s.reason for s in snapshots][1] == RankingSnapshot.Reason.DELISTING and len(snapshots) == 3
    events = _events(webhook_receiver)
    assert [(e["type"], e["snapshot_id"]) for e in events] == [
        ("list.published", snapshots[0].id),
        ("list.delisted", snapshots[1].id),
        ("list.published", snapshots[2].id),
    ]
    assert all(e["city"] == city.slug for e in events)
    assert WebhookDelivery.objects.filter(status="delivered").count() == 3
    for delivery in webhook_receiver.deliveries:
        assert partner_client.verify_signature(SECRET, delivery["headers"]["X-Spine-Signature"], delivery["body"])


@pytest.fixture
def delivered(subscriber, webhook_receiver, published_city, celery_eager):
    """One real delivery of the current Houston list, as the partner's endpoint received it."""
    from api import webhooks

    snapshot = RankingSnapshot.objects.get(status=RankingSnapshot.Status.PUBLISHED)
    (delivery_id,) = webhooks.deliveries_create(snapshot_ids=[snapshot.id])
    assert webhooks.delivery_send(delivery_id=delivery_id) == "delivered"
    (received,) = webhook_receiver.deliveries
    return received["headers"]["X-Spine-Signature"], received["body"]


def test_the_readme_signature_check_accepts_a_real_delivery(delivered):
    namespace = {}
    exec(readme_signature_check(), namespace)  # noqa: S102 (the README's own example, run as a partner would)
    header, body = delivered
    assert namespace["verify_signature"](SECRET, header, body) is True


def test_the_readme_signature_check_refuses_a_changed_body_a_wrong_secret_and_a_replay(delivered):
    namespace = {}
    exec(readme_signature_check(), namespace)  # noqa: S102
    verify, (header, body) = namespace["verify_signature"], delivered
    assert verify(SECRET, header, body.replace(b"list.published", b"list.delisted")) is False
    assert verify("not-the-secret", header, body) is False
    assert verify(SECRET, header, body, now=time.time() + 3600) is False
    assert verify(SECRET, "v1=abc", body) is False


def test_the_readme_signature_check_is_the_example_clients_code():
    source = Path(partner_client.__file__).read_text()
    function = readme_signature_check().split("\n\n\n", 1)[-1]
    assert function.strip() in source
