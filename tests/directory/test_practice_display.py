"""How the profile shows what the sources give: real practice names or the address alone, phones, deactivation."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template

from directory.models import PracticeLocation
from directory.phones import phone_e164, phone_national
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("written", ["828-684-8201", "8286848201", "(828) 684-8201", "+1 828 684 8201", "18286848201"])
def test_the_same_number_from_any_source_is_stored_the_same_way(written):
    assert phone_e164(written) == "+18286848201"


@pytest.mark.parametrize("junk", ["0000000000", "555-1234", "call us"])
def test_text_that_is_not_a_phone_number_is_refused(junk):
    with pytest.raises(ValueError, match="phone number"):
        phone_e164(junk)


def test_a_stored_number_is_shown_in_national_format():
    assert phone_national("+18286848201") == "(828) 684-8201"


def test_the_phone_link_dials_the_e164_number_and_shows_the_national_one():
    html = Template("{% load phone_numbers %}{{ phone|phone_link }}").render(Context({"phone": "+18286848201"}))

    assert html == '<a href="tel:+18286848201">(828) 684-8201</a>'


def test_a_location_saved_with_any_spelling_of_its_phone_keeps_e164():
    location = factories.PracticeLocationFactory(phone="828-684-8201")

    assert PracticeLocation.objects.get(id=location.id).phone == "+18286848201"


def test_the_admin_refuses_a_phone_that_is_not_a_number():
    location = factories.PracticeLocationFactory.build(surgeon=factories.SurgeonFactory(), phone="555-1234")

    with pytest.raises(ValidationError, match="not a valid phone number"):
        location.full_clean()


def test_the_profile_shows_a_named_practice_with_a_dialable_phone(client):
    location = factories.PracticeLocationFactory(practice_name="GULF COAST SPINE ASSOCIATES, PLLC")

    page = client.get(location.surgeon.get_absolute_url()).text

    assert "<strong>GULF COAST SPINE ASSOCIATES, PLLC</strong>, 6400 Fannin St" in page
    assert '<a href="tel:+17135550100">(713) 555-0100</a>' in page


def test_a_practice_without_a_known_name_is_shown_by_its_address_alone(client):
    location = factories.PracticeLocationFactory(practice_name="")

    page = client.get(location.surgeon.get_absolute_url()).text

    assert "<li>6400 Fannin St," in page and "Practice of" not in page


def test_the_profile_of_a_deactivated_npi_says_so_and_offers_no_consultation(client):
    surgeon = factories.PracticeLocationFactory(surgeon__npi_deactivated_on=dt.date(2024, 8, 14)).surgeon

    page = client.get(surgeon.get_absolute_url()).text

    assert "This NPI was deactivated on Aug 14, 2024" in page
    assert "Request a consultation" not in page
