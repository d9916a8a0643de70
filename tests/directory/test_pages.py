import json
import re

import pytest
from django.urls import reverse

from directory.education import PAGES
from tests import factories

pytestmark = pytest.mark.django_db


def _jsonld(html: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match, "page has no JSON-LD block"
    return json.loads(match.group(1))


def test_home_lists_cities_and_introduces_fbss(client, city):
    response = client.get("/")
    assert response.status_code == 200
    assert city.name in response.text
    assert "failed back surgery syndrome" in response.text.lower()
    for page in PAGES:
        assert reverse("directory:education", args=[page.slug]) in response.text


def test_city_page_says_plainly_that_no_list_is_published_yet(client, surgeon, city):
    response = client.get(city.get_absolute_url())
    assert response.status_code == 200
    assert "No top-ten list is published" in response.text


def test_unknown_city_is_a_friendly_404(client, db):
    response = client.get("/cities/atlantis-xx/")
    assert response.status_code == 404
    assert "Home" in response.text


def test_surgeon_profile_shows_name_location_and_credentials(client, surgeon):
    response = client.get(surgeon.get_absolute_url())
    assert response.status_code == 200
    assert surgeon.last_name in response.text
    assert "Bayou Spine Center" in response.text
    assert "American Board of Orthopaedic Surgery" in response.text
    assert "9.10/10 from 120 patients" in response.text


def test_surgeon_profile_never_shows_dea_number_or_birth_date(client, surgeon):
    dea = surgeon.dea_registrations.get()
    dea.number = factories.dea_number("BR", "739158")  # digits no NPI or id on the page shares by chance
    dea.save()
    response = client.get(surgeon.get_absolute_url())
    assert dea.number not in response.text
    assert dea.number[2:] not in response.text
    born = surgeon.date_of_birth
    for shown in (born.isoformat(), f"{born:%m/%d/%Y}", f"{born:%B} {born.day}, {born.year}", f"{born:%b}. {born.day}"):
        assert shown not in response.text


def test_surgeon_profile_carries_physician_jsonld(client, surgeon):
    data = _jsonld(client.get(surgeon.get_absolute_url()).text)
    assert data["@type"] == "Physician"
    assert data["identifier"]["value"] == surgeon.npi
    assert data["address"][0]["addressLocality"] == "Houston"


def test_jsonld_cannot_be_broken_out_of_by_a_name(client, surgeon):
    surgeon.last_name = "</script><script>alert(1)</script>"
    surgeon.save()
    response = client.get(surgeon.get_absolute_url())
    assert "<script>alert(1)" not in response.text
    assert _jsonld(response.text)["name"].startswith("Dr. ")


@pytest.mark.parametrize("npi", ["1234567893", "123", "abcdefghij"])
def test_unknown_or_malformed_npi_is_404(client, db, npi):
    assert client.get(f"/surgeons/{npi}/").status_code == 404


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.slug)
def test_each_fbss_page_has_disclaimer_review_date_and_references(client, db, page):
    response = client.get(reverse("directory:education", args=[page.slug]))
    assert response.status_code == 200
    text = response.text
    assert str(page.title) in text
    assert "not medical advice" in text.lower() or "not a substitute" in text.lower()
    assert page.last_reviewed.strftime("%b %-d, %Y") in text  # the one human date format
    assert "ncbi.nlm.nih.gov" in text
    assert _jsonld(text)["@type"] == "MedicalWebPage"


def test_fbss_section_index_links_every_page(client, db):
    response = client.get(reverse("directory:education_index"))
    assert response.status_code == 200
    for page in PAGES:
        assert reverse("directory:education", args=[page.slug]) in response.text


def test_unknown_fbss_page_is_404(client, db):
    assert client.get("/fbss/not-a-page/").status_code == 404


def test_how_we_verify_states_the_six_criteria(client, db):
    text = client.get(reverse("directory:how_we_verify")).text
    for phrase in ["license", "board certification", "DEA", "malpractice", "300", "8.5"]:
        assert phrase.lower() in text.lower()
    assert "2016" in text  # Texas stopped issuing state controlled-substance registrations


def test_privacy_page_answers(client, db):
    assert client.get(reverse("directory:privacy")).status_code == 200


def test_sitemap_lists_cities_surgeons_and_fbss_pages(client, surgeon, city):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert city.get_absolute_url() in response.text
    assert surgeon.get_absolute_url() in response.text
    assert "/fbss/causes/" in response.text
    assert "/privacy/" in response.text


def test_robots_txt_points_to_the_sitemap_and_hides_admin(client, db):
    text = client.get("/robots.txt").text
    assert "Sitemap: " in text
    assert "/sitemap.xml" in text
    assert "Disallow: /admin/" in text


def test_healthz_is_ok(client, db):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_search_finds_a_surgeon_by_last_name_and_by_zip(client, surgeon):
    assert surgeon.display_name in client.get("/search/", {"q": surgeon.last_name}).text
    assert surgeon.display_name in client.get("/search/", {"q": "77030"}).text


@pytest.mark.parametrize("query", ["", "   ", "%%%", "x" * 500, "'; DROP TABLE surgeon;--"])
def test_odd_search_queries_get_a_helpful_page(client, db, query):
    response = client.get("/search/", {"q": query, "page": "not-a-number"})
    assert response.status_code == 200
    assert "browse by city" in response.text


def test_pages_send_a_content_security_policy(client, db):
    assert "default-src 'self'" in client.get("/").headers["Content-Security-Policy"]


def test_city_page_query_count_does_not_grow_with_data(client, django_assert_max_num_queries, city):
    for _ in range(30):
        factories.PracticeLocationFactory(city=city)
    with django_assert_max_num_queries(3):
        assert client.get(city.get_absolute_url()).status_code == 200


def test_profile_query_count_does_not_grow_with_records(client, django_assert_max_num_queries, surgeon, city):
    for _ in range(5):
        factories.PracticeLocationFactory(surgeon=surgeon, city=city)
        factories.StateLicenseFactory(surgeon=surgeon)
    with django_assert_max_num_queries(12):
        assert client.get(surgeon.get_absolute_url()).status_code == 200


def test_search_query_count_is_bounded(client, django_assert_max_num_queries, city):
    for _ in range(25):
        factories.PracticeLocationFactory(city=city)
    with django_assert_max_num_queries(6):
        assert client.get("/search/", {"q": "Houston"}).status_code == 200


def test_city_pages_count_only_surgeons_the_public_may_see(client, surgeon, city):
    withdrawn = factories.SurgeonFactory(is_active=False)
    factories.PracticeLocationFactory(surgeon=withdrawn, city=city)
    assert client.get("/cities/").context["cities"].get(id=city.id).surgeon_count == 1
