"""The consultation form: the practice the patient chose, accessible markup, and no patient data in logs."""

import io
import re

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.urls import reverse

from directory.mail import RedactedConsoleBackend
from directory.models import ConsultationRequest
from tests import factories

from .test_consultations import GOOD

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_practices(surgeon, city):
    dallas = factories.CityFactory(name="Dallas", state="TX")
    houston = surgeon.locations.get()
    houston.email = "houston@bayou.example"
    houston.save()
    dallas_practice = factories.PracticeLocationFactory(
        surgeon=surgeon,
        city=dallas,
        practice_name="Summit Spine Center",
        postal_code="75201",
        email="dallas@summit.example",
    )
    return surgeon, houston, dallas_practice


def url(surgeon, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("directory:consultation", args=[surgeon.npi]) + (f"?{query}" if query else "")


def test_the_form_offers_each_practice_preselecting_the_one_the_patient_came_from(client, two_practices):
    surgeon, houston, dallas = two_practices
    page = client.get(url(surgeon, practice=dallas.id)).text
    assert f'value="{houston.id}"' in page and f'value="{dallas.id}"' in page
    assert re.search(rf'value="{dallas.id}"[^>]*checked', page)
    assert not re.search(rf'value="{houston.id}"[^>]*checked', page)


def test_without_a_practice_in_the_link_the_primary_one_is_preselected(client, two_practices):
    surgeon, houston, _ = two_practices
    assert re.search(rf'value="{houston.id}"[^>]*checked', client.get(url(surgeon)).text)


def test_the_request_goes_to_the_chosen_practice(
    client, two_practices, django_capture_on_commit_callbacks, celery_eager
):
    surgeon, _, dallas = two_practices
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(surgeon), {**GOOD, "practice": dallas.id})
    assert ConsultationRequest.objects.get().location == dallas
    assert mail.outbox[0].to == ["dallas@summit.example"]
    assert "Summit Spine Center" in mail.outbox[0].body


def test_another_surgeons_practice_cannot_be_chosen(client, two_practices, city):
    surgeon, *_ = two_practices
    stranger = factories.PracticeLocationFactory(surgeon=factories.SurgeonFactory(), city=city)
    response = client.post(url(surgeon), {**GOOD, "practice": stranger.id})
    assert response.status_code == 200
    assert not ConsultationRequest.objects.exists()


def test_city_search_results_link_to_the_form_with_the_practice_in_that_city(client, two_practices):
    surgeon, houston, _ = two_practices
    page = client.get(reverse("verification:search"), {"q": "Houston"}).text
    assert url(surgeon, practice=houston.id).replace("&", "&amp;") in page


def test_every_described_by_id_exists_on_the_page(client, surgeon):
    page = client.post(url(surgeon), {**GOOD, "phone": "", "email": "", "reason": ""}).text
    described = {i for ids in re.findall(r'aria-describedby="([^"]+)"', page) for i in ids.split()}
    assert described
    assert all(f'id="{i}"' in page for i in described), described


def test_contact_fields_have_types_and_autocomplete(client, surgeon):
    page = client.get(url(surgeon)).text
    assert re.search(r'<input type="tel" name="phone"[^>]*autocomplete="tel"', page)
    assert re.search(r'<input type="email" name="email"[^>]*autocomplete="email"', page)
    assert re.search(r'name="name"[^>]*autocomplete="name"', page)


def test_required_fields_and_the_phone_or_email_rule_show_before_any_error(client, surgeon):
    page = client.get(url(surgeon)).text
    assert page.count("(required)") >= 3
    assert "at least one is required" in page


def test_a_failed_submit_puts_focus_on_a_summary_of_the_errors(client, surgeon):
    page = client.post(url(surgeon), {**GOOD, "name": ""}).text
    summary = re.search(r'<div class="error-summary"[^>]*>', page).group(0)
    assert "autofocus" in summary and 'tabindex="-1"' in summary
    assert 'href="#id_name"' in page


def test_the_demo_mail_backend_prints_no_patient_details():
    stream = io.StringIO()
    message = EmailMessage(
        "Consultation request for Dr. A", f"Name: Pat Patient\nPhone: {GOOD['phone']}", to=["p@x.example"]
    )
    RedactedConsoleBackend(stream=stream).send_messages([message])
    printed = stream.getvalue()
    assert "p@x.example" in printed and "Consultation request" in printed
    assert "Pat Patient" not in printed and "555" not in printed


@pytest.mark.parametrize(
    ("change", "profile"), [({"is_active": False}, 404), ({"npi_deactivated_on": "2026-01-01"}, 200)]
)
def test_a_surgeon_the_public_may_not_see_has_no_form(client, surgeon, change, profile):
    """A withdrawn surgeon has no page at all; a deactivated NPI's page stays to say so, without a form."""
    for name, value in change.items():
        setattr(surgeon, name, value)
    surgeon.save()
    assert client.get(surgeon.get_absolute_url()).status_code == profile
    assert client.get(url(surgeon)).status_code == 404
    assert client.post(url(surgeon), GOOD).status_code == 404
    assert not ConsultationRequest.objects.exists()
