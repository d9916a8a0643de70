"""Webhook signing secrets: made by us, shown once on creation or rotation, and partner records for Publishers only."""

import hashlib
import hmac
import re

import pytest
import responses
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from api import webhooks
from api.models import Partner, WebhookDelivery
from verification.models import RankingSnapshot

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:api_partner_changelist"
HOOK = "https://partner.example/hooks/spine"


@pytest.fixture
def publisher_client(client, make_staff):
    client.force_login(make_staff("Publisher"))
    return client


@pytest.fixture
def partner(db):
    return Partner.objects.create(name="Hooked", webhook_url=HOOK)


def shown_secrets(response) -> list[str]:
    return re.findall(r"<code>([A-Za-z0-9_-]{40,})</code>", response.text)


def test_a_partner_gets_a_secret_made_by_us(db):
    first, second = Partner.objects.create(name="A"), Partner.objects.create(name="B")
    assert len(first.webhook_secret) >= 43 and first.webhook_secret != second.webhook_secret


def test_adding_a_partner_shows_its_secret_once(publisher_client):
    response = publisher_client.post(
        reverse("admin:api_partner_add"),
        {
            "name": "New partner",
            "active": "on",
            "throttle_rate": "1000/hour",
            "webhook_url": HOOK,
            "api_keys-TOTAL_FORMS": 0,
            "api_keys-INITIAL_FORMS": 0,
        },
    )
    partner = Partner.objects.get(name="New partner")
    assert shown_secrets(response) == [partner.webhook_secret]
    assert "not shown again" in response.text
    change_page = publisher_client.get(reverse("admin:api_partner_change", args=[partner.id]))
    assert change_page.status_code == 200 and partner.webhook_secret not in change_page.text


def test_the_change_form_neither_shows_nor_takes_a_secret(publisher_client, partner):
    url = reverse("admin:api_partner_change", args=[partner.id])
    page = publisher_client.get(url).text
    assert partner.webhook_secret not in page and 'name="webhook_secret"' not in page
    response = publisher_client.post(
        url,
        {
            "name": partner.name,
            "active": "on",
            "throttle_rate": "1000/hour",
            "webhook_url": HOOK,
            "webhook_secret": "chosen-by-the-attacker",
            "api_keys-TOTAL_FORMS": 0,
            "api_keys-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302  # saved, the posted secret ignored
    assert Partner.objects.get().webhook_secret == partner.webhook_secret


def test_rotating_shows_a_new_secret_once(publisher_client, partner):
    old = partner.webhook_secret
    response = publisher_client.post(
        reverse(CHANGELIST), {"action": "rotate_webhook_secret", "_selected_action": [partner.id]}
    )
    partner.refresh_from_db()
    assert partner.webhook_secret != old and shown_secrets(response) == [partner.webhook_secret]
    assert partner.webhook_secret not in publisher_client.get(reverse(CHANGELIST)).text


def test_the_history_records_the_rotation_but_not_the_secret(publisher_client, partner):
    publisher_client.post(reverse(CHANGELIST), {"action": "rotate_webhook_secret", "_selected_action": [partner.id]})
    partner.refresh_from_db()
    history = publisher_client.get(reverse("admin:api_partner_history", args=[partner.id])).text
    assert "Rotated the webhook secret." in history and partner.webhook_secret not in history


@responses.activate
def test_deliveries_are_signed_with_the_rotated_secret(partner, city):
    responses.add(responses.POST, HOOK, status=204)
    snapshot = RankingSnapshot.objects.create(city=city, method_version="v1", status="published")
    snapshot.published_at = snapshot.created_at
    snapshot.save()
    secret = webhooks.partner_secret_rotate(partner_id=partner.id)
    [delivery_id] = webhooks.deliveries_create(snapshot_ids=[snapshot.id])
    assert webhooks.delivery_send(delivery_id=delivery_id) == WebhookDelivery.Status.DELIVERED
    request = responses.calls[0].request
    timestamp, signature = (part.split("=", 1)[1] for part in request.headers[webhooks.SIGNATURE_HEADER].split(","))
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + request.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(signature, expected)


@pytest.mark.parametrize("role", ["Reviewer", "Patient liaison"])
@pytest.mark.parametrize(
    "page",
    [
        ("admin:api_partner_changelist", False),
        ("admin:api_partner_change", True),
        ("admin:api_partnerapikey_changelist", False),
        ("admin:api_webhookdelivery_changelist", False),
    ],
)
def test_no_role_but_publisher_can_open_partner_records(client, partner, role, page, make_staff):
    client.force_login(make_staff(role))
    name, with_id = page
    response = client.get(reverse(name, args=[partner.id] if with_id else []))
    assert response.status_code == 403
    assert partner.webhook_secret not in response.text


def test_reviewers_do_not_see_partner_records_on_the_admin_index(client, partner, make_staff):
    client.force_login(make_staff("Reviewer"))
    text = client.get(reverse("admin:index")).text
    assert "Partners" not in text and "Webhook deliveries" not in text


def test_publishers_and_superusers_open_partner_records(client, partner, admin_user, make_staff):
    for user in (make_staff("Publisher"), admin_user):
        client.force_login(user)
        assert client.get(reverse("admin:api_partner_change", args=[partner.id])).status_code == 200


def test_partner_keys_are_still_managed_in_the_admin(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("admin:api_partnerapikey_add")).status_code == 200


BEFORE = [("api", "0002_webhook_sweeper_schedule"), ("verification", "0008_exclusion_list_imports")]


@pytest.fixture
def migrated_back(transactional_db):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    yield executor.loader.project_state(BEFORE).apps
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_an_existing_deployment_takes_partner_records_from_reviewers_and_fills_empty_secrets(migrated_back):
    old_partner = migrated_back.get_model("api", "Partner")
    old_partner.objects.create(name="Old", webhook_secret="")
    old_partner.objects.create(name="Kept", webhook_secret="theirs")
    reviewer, _ = migrated_back.get_model("auth", "Group").objects.get_or_create(name="Reviewer")
    reviewer.permissions.add(*migrated_back.get_model("auth", "Permission").objects.filter(codename="view_partner"))

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert not Group.objects.get(name="Reviewer").permissions.filter(content_type__app_label="api").exists()
    assert Group.objects.get(name="Publisher").permissions.filter(codename="view_partner").exists()
    assert len(Partner.objects.get(name="Old").webhook_secret) >= 43
    assert Partner.objects.get(name="Kept").webhook_secret == "theirs"
