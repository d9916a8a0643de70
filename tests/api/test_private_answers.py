"""Keyed answers are private: no shared cache may hand what one key got to a client without a key."""

import pytest
from django.urls import get_resolver

from api.auth import PrivateAnswers
from api.models import PartnerAPIKey

pytestmark = pytest.mark.django_db


def assert_private(response):
    cache_control = response["Cache-Control"]
    assert "private" in cache_control and "public" not in cache_control, cache_control


@pytest.fixture
def urls(published_city):
    city, surgeons = published_city
    location = surgeons[0].locations.get()
    npi = surgeons[0].npi
    return [
        "/api/v1/cities/",
        f"/api/v1/cities/{city.slug}/top-ten/",
        f"/api/v1/cities/{city.slug}/snapshots/",
        "/api/v1/surgeons/?listed=true",
        f"/api/v1/surgeons/{npi}/",
        "/api/v1/education/",
        "/api/v1/education/what-is-fbss/",
        "/fhir/r4/Practitioner?address-city=Houston",
        f"/fhir/r4/Practitioner/{npi}",
        f"/fhir/r4/PractitionerRole/{npi}-{location.id}",
        f"/fhir/r4/Location/{location.id}",
        f"/fhir/r4/VerificationResult?target=Practitioner/{npi}",
    ]


def test_every_keyed_answer_is_private(api, urls):
    for url in urls:
        response = api.get(url)
        assert response.status_code == 200, url
        assert_private(response)


def test_the_top_ten_and_its_304_are_private_and_still_revalidate(api, published_city):
    url = f"/api/v1/cities/{published_city[0].slug}/top-ten/"
    first = api.get(url)
    assert first["Cache-Control"] == "private, max-age=300"
    not_modified = api.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert not_modified.status_code == 304
    assert_private(not_modified)


@pytest.mark.parametrize(
    "url", ["/api/v1/cities/?stat=TX", "/api/v1/cities/nowhere-tx/top-ten/", "/fhir/r4/Practitioner/1234567893"]
)
def test_errors_given_to_a_key_are_private_too(api, published_city, url):
    response = api.get(url)
    assert response.status_code in (400, 404)
    assert_private(response)


@pytest.mark.parametrize("url", ["/api/v1/cities/", "/fhir/r4/Practitioner"])
def test_an_answer_without_a_key_is_private(client, db, url):
    response = client.get(url)
    assert response.status_code == 401
    assert_private(response)


def test_a_throttled_answer_is_private(api, partner, published_city):
    partner.throttle_rate = "1/minute"
    partner.save()
    api.get("/api/v1/cities/")
    response = api.get("/api/v1/cities/")
    assert response.status_code == 429
    assert_private(response)


def test_every_view_that_takes_a_key_answers_privately():
    """A new keyed endpoint without the mixin fails here before it can be cached publicly."""
    keyed = []
    for prefix in ("api/", "fhir/r4/"):
        resolver = next(p for p in get_resolver().url_patterns if str(p.pattern) == prefix)
        for pattern in resolver.url_patterns:
            view_class = getattr(pattern.callback, "view_class", None)
            if view_class is not None and getattr(view_class, "authentication_classes", None):
                keyed.append(view_class)
    assert len(keyed) >= 10
    assert [cls.__name__ for cls in keyed if not issubclass(cls, PrivateAnswers)] == []


def test_public_pages_stay_public(client, published_city):
    response = client.get(published_city[0].get_absolute_url())
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=300"


def test_the_capability_statement_needs_no_key_and_is_not_marked_private(client, db):
    response = client.get("/fhir/r4/metadata")
    assert response.status_code == 200 and "private" not in response.get("Cache-Control", "")


def test_a_revoked_key_answer_is_private(client, partner, published_city):
    api_key, key = PartnerAPIKey.objects.create_key(name="old", partner=partner)
    api_key.revoked = True
    api_key.save()
    response = client.get("/api/v1/cities/", HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert response.status_code == 401
    assert_private(response)
