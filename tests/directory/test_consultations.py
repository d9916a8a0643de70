import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from directory import consultations
from directory.models import ConsultationRequest

pytestmark = pytest.mark.django_db

GOOD = {
    "name": "Pat Patient",
    "phone": "(713) 555-0199",
    "email": "pat@example.org",
    "preferred_times": "weekday mornings",
    "reason": "Leg pain two years after a fusion at L4-L5.",
    "consent": "on",
    "website": "",
}


def url(surgeon):
    return reverse("directory:consultation", args=[surgeon.npi])


def post(client, surgeon, **changes):
    return client.post(url(surgeon), {**GOOD, **changes})


def test_form_page_answers_with_a_csrf_protected_form(client, surgeon):
    response = client.get(url(surgeon))
    assert response.status_code == 200
    assert "csrfmiddlewaretoken" in response.text


def test_the_retention_period_shown_to_patients_is_the_setting(client, surgeon, settings):
    settings.CONSULTATION_RETENTION_DAYS = 45
    form_page = client.get(url(surgeon)).text
    assert form_page.count("45 days") == 2  # the consent label and the note under the form
    assert "45 days" in client.get(reverse("directory:consultation_sent", args=[surgeon.npi])).text
    assert "45 days" in client.get(reverse("directory:privacy")).text


def test_happy_path_stores_the_request_and_shows_what_happens_next(
    client, surgeon, django_capture_on_commit_callbacks, celery_eager
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, surgeon)
    assert response.status_code == 302
    assert "What happens next" in client.get(response["Location"]).text
    request = ConsultationRequest.objects.get()
    assert (request.surgeon, request.name, request.delivery) == (surgeon, "Pat Patient", "sent")
    assert len(mail.outbox) == 1 and "Leg pain" in mail.outbox[0].body


def test_the_practice_address_receives_the_email(client, surgeon, django_capture_on_commit_callbacks, celery_eager):
    surgeon.locations.update(email="frontdesk@bayouspine.example")
    with django_capture_on_commit_callbacks(execute=True):
        post(client, surgeon)
    assert mail.outbox[0].to == ["frontdesk@bayouspine.example"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "This field is required"),
        ({"phone": "", "email": ""}, "Give a phone number or an e-mail address"),
        ({"phone": "call me maybe"}, "Enter a phone number"),
        ({"email": "not-an-email"}, "Enter a valid email address"),
        ({"reason": "x" * 1001}, "at most 1000 characters"),
        ({"consent": ""}, "This field is required"),
    ],
)
def test_each_validation_error_is_explained_and_nothing_is_stored(client, surgeon, changes, message):
    response = post(client, surgeon, **changes)
    assert response.status_code == 200
    assert message in response.text
    assert not ConsultationRequest.objects.exists()


def test_a_filled_honeypot_looks_like_success_but_stores_nothing(client, surgeon):
    response = post(client, surgeon, website="http://spam.example")
    assert response.status_code == 302
    assert not ConsultationRequest.objects.exists()


def test_requests_are_rate_limited_per_client(client, surgeon, settings):
    settings.CONSULTATION_LIMIT_PER_CLIENT = 2
    assert post(client, surgeon).status_code == 302
    assert post(client, surgeon).status_code == 302
    response = post(client, surgeon)
    assert response.status_code == 429 and "try again later" in response.text
    assert ConsultationRequest.objects.count() == 2


def test_requests_are_rate_limited_per_surgeon(client, surgeon, settings):
    settings.CONSULTATION_LIMIT_PER_SURGEON = 1
    post(client, surgeon, REMOTE_ADDR="10.0.0.1")
    response = client.post(url(surgeon), GOOD, REMOTE_ADDR="10.0.0.2")
    assert response.status_code == 429


def test_a_forged_forwarded_for_header_does_not_escape_the_limit(client, surgeon, settings):
    settings.CONSULTATION_LIMIT_PER_CLIENT = 1
    post(client, surgeon)
    response = client.post(url(surgeon), GOOD, HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert response.status_code == 429


def test_the_notification_is_sent_once_even_if_the_task_runs_again(client, surgeon):
    post(client, surgeon)
    request = ConsultationRequest.objects.get()
    assert consultations.practice_notify(request_id=request.id) is True
    assert consultations.practice_notify(request_id=request.id) is False
    assert len(mail.outbox) == 1


def test_a_mail_server_failure_leaves_the_request_pending_for_a_retry(client, surgeon, settings):
    post(client, surgeon)
    settings.EMAIL_BACKEND = "tests.directory.failing_mail.Backend"
    request = ConsultationRequest.objects.get()
    with pytest.raises(ConnectionRefusedError, match="mail server down"):
        consultations.practice_notify(request_id=request.id)
    request.refresh_from_db()
    assert request.delivery == "pending"


def test_the_retention_sweeper_deletes_old_requests_only(client, surgeon, settings):
    settings.CONSULTATION_RETENTION_DAYS = 90
    with time_machine.travel(dt.datetime(2026, 1, 1, tzinfo=dt.UTC)):
        post(client, surgeon)
    with time_machine.travel(dt.datetime(2026, 3, 15, tzinfo=dt.UTC)):
        post(client, surgeon, REMOTE_ADDR="10.9.9.9")
    with time_machine.travel(dt.datetime(2026, 4, 5, tzinfo=dt.UTC)):
        assert consultations.consultation_requests_purge() == 1
    assert ConsultationRequest.objects.count() == 1


def test_requests_are_visible_only_with_the_dedicated_permission(client, surgeon, make_staff):
    post(client, surgeon)
    reviewer = make_staff("Reviewer")
    listing = reverse("admin:directory_consultationrequest_changelist")
    client.force_login(reviewer)
    assert client.get(listing).status_code == 403
    liaison = make_staff("Patient liaison")
    client.force_login(liaison)
    assert client.get(listing).status_code == 200


def test_request_data_appears_on_no_public_page_or_api(client, surgeon, city):
    post(client, surgeon, name="Zebediah Quill", reason="Unique-marker-7731")
    pages = [surgeon.get_absolute_url(), city.get_absolute_url(), "/", "/search/?q=Rivera", "/sitemap.xml"]
    for page in pages:
        text = client.get(page).text
        assert "Zebediah" not in text and "Unique-marker-7731" not in text


def test_a_request_the_broker_did_not_take_is_sent_by_the_sweeper_once(client, surgeon, monkeypatch, celery_eager):
    monkeypatch.setattr(consultations, "send", lambda task, *args: False)  # the broker is down
    with TestCase.captureOnCommitCallbacks(execute=True):
        consultations.consultation_request_create(
            surgeon=surgeon, data={"name": "Pat", "phone": "7135550100", "reason": "Back pain"}, client="c"
        )
    request = ConsultationRequest.objects.get()
    assert request.delivery == ConsultationRequest.Delivery.PENDING and mail.outbox == []
    monkeypatch.undo()
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=2)):
        assert consultations.consultation_requests_resend() == 1
        assert consultations.consultation_requests_resend() == 0
    request.refresh_from_db()
    assert request.delivery == ConsultationRequest.Delivery.SENT and len(mail.outbox) == 1


def test_a_failed_send_goes_back_to_pending_and_fails_for_good_after_the_last_attempt(surgeon, monkeypatch):
    request = ConsultationRequest.objects.create(
        surgeon=surgeon, name="Pat", phone="+17135550100", reason="Back pain", consent=True
    )

    def broken(**kwargs):
        raise ValueError("template or backend bug")

    monkeypatch.setattr(consultations, "send_mail", broken)
    for _ in range(consultations.SEND_ATTEMPTS - 1):
        with pytest.raises(ValueError, match="bug"):
            consultations.practice_notify(request_id=request.id)
        request.refresh_from_db()
        assert request.delivery == ConsultationRequest.Delivery.PENDING  # the re-send sweeper will try again
    with pytest.raises(ValueError, match="bug"):
        consultations.practice_notify(request_id=request.id)
    request.refresh_from_db()
    assert (request.delivery, request.attempts) == (ConsultationRequest.Delivery.FAILED, consultations.SEND_ATTEMPTS)
