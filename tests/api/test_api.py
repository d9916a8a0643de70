import pytest
from django.core.cache import cache

from api.models import PartnerAPIKey
from tests import factories
from verification.models import RankingSnapshot

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    "/api/v1/cities/",
    "/api/v1/cities/houston-tx/top-ten/",
    "/api/v1/cities/houston-tx/snapshots/",
    "/api/v1/surgeons/",
    "/api/v1/education/",
    "/api/v1/education/causes/",
]


def assert_problem(response, status):
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert set(body) - {"errors"} == {"type", "title", "status", "detail"}
    assert body["status"] == status and isinstance(body["detail"], str)
    return body


@pytest.mark.parametrize("url", ENDPOINTS)
def test_no_key_gets_401_problem(client, published_city, url):
    body = assert_problem(client.get(url), 401)
    assert "Api-Key" in body["detail"]


@pytest.mark.parametrize("url", ENDPOINTS)
def test_wrong_key_gets_401(client, published_city, url):
    assert_problem(client.get(url, HTTP_AUTHORIZATION="Api-Key nope.nothing"), 401)


@pytest.mark.parametrize("url", ENDPOINTS)
def test_revoked_key_gets_401(client, published_city, api_key, url):
    PartnerAPIKey.objects.update(revoked=True)
    assert_problem(client.get(url, HTTP_AUTHORIZATION=f"Api-Key {api_key}"), 401)


@pytest.mark.parametrize("url", ENDPOINTS)
def test_good_key_gets_200(api, published_city, url):
    assert api.get(url).status_code == 200


def test_inactive_partner_gets_403(api, partner, published_city):
    partner.active = False
    partner.save()
    assert_problem(api.get("/api/v1/cities/"), 403)


def test_a_key_revoked_in_the_admin_is_refused_at_once_though_it_was_cached(api, api_key, published_city):
    assert api.get("/api/v1/cities/").status_code == 200  # the key is now cached
    key = PartnerAPIKey.objects.get()
    key.revoked = True
    key.save()

    assert_problem(api.get("/api/v1/cities/"), 401)


def test_a_partner_deactivated_after_its_key_was_cached_gets_403(api, partner, published_city):
    assert api.get("/api/v1/cities/").status_code == 200
    partner.active = False
    partner.save()

    assert_problem(api.get("/api/v1/cities/"), 403)


def test_a_cached_key_still_needs_its_secret(client, api, api_key, published_city):
    assert api.get("/api/v1/cities/").status_code == 200
    prefix = api_key.partition(".")[0]

    assert_problem(client.get("/api/v1/cities/", HTTP_AUTHORIZATION=f"Api-Key {prefix}.not-the-secret"), 401)


def test_a_known_key_costs_no_query(api, published_city, django_assert_num_queries):
    url = "/api/v1/cities/houston-tx/top-ten/"
    assert api.get(url).status_code == 200  # key, pointer and body now cached

    with django_assert_num_queries(0):
        assert api.get(url).status_code == 200


def test_session_login_is_not_accepted(client, admin_user, published_city):
    client.force_login(admin_user)
    assert_problem(client.get("/api/v1/cities/"), 401)


def test_unknown_path_and_city_and_npi_get_404_problems(api, published_city):
    assert_problem(api.get("/api/v1/nothing-here/"), 404)
    assert_problem(api.get("/api/v1/cities/atlantis-xx/top-ten/"), 404)
    assert_problem(api.get("/api/v1/surgeons/1234567890/"), 404)


def test_city_without_a_list_gets_a_404_that_says_so(api, db):
    factories.CityFactory(name="Dallas", state="TX", slug="dallas-tx")
    assert "No list is published" in assert_problem(api.get("/api/v1/cities/dallas-tx/top-ten/"), 404)["detail"]


def test_writes_get_405_problem(api, published_city):
    assert_problem(api.post("/api/v1/cities/", {}, content_type="application/json"), 405)


def test_throttle_answers_429_with_retry_after(api, partner, published_city):
    partner.throttle_rate = "3/minute"
    partner.save()
    for _ in range(3):
        assert api.get("/api/v1/cities/").status_code == 200
    response = api.get("/api/v1/cities/")
    assert_problem(response, 429)
    assert int(response["Retry-After"]) > 0


def test_each_key_has_its_own_throttle(client, partner, published_city):
    partner.throttle_rate = "2/minute"
    partner.save()
    keys = [PartnerAPIKey.objects.create_key(name=n, partner=partner)[1] for n in ("a", "b")]
    for key in keys:
        for _ in range(2):
            assert client.get("/api/v1/cities/", HTTP_AUTHORIZATION=f"Api-Key {key}").status_code == 200


def test_cities_filter_by_state_and_flag_lists(api, published_city):
    factories.CityFactory(name="Chicago", state="IL", slug="chicago-il")
    rows = api.get("/api/v1/cities/", {"state": "tx"}).json()["results"]
    assert [(r["slug"], r["has_list"]) for r in rows] == [("houston-tx", True)]


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        ("/api/v1/cities/", {"state": "Texas"}, "state"),
        ("/api/v1/surgeons/", {"specialty": "dentist"}, "specialty"),
        ("/api/v1/surgeons/", {"listed": "maybe"}, "listed"),
        ("/api/v1/surgeons/", {"state": "1"}, "state"),
    ],
)
def test_invalid_filters_get_400_naming_the_field(api, published_city, url, params, field):
    assert field in assert_problem(api.get(url, params), 400)["detail"]


def test_top_ten_has_snapshot_method_and_per_criterion_status(api, published_city):
    body = api.get("/api/v1/cities/houston-tx/top-ten/").json()
    published = RankingSnapshot.objects.get(city__slug="houston-tx", status=RankingSnapshot.Status.PUBLISHED)
    assert body["method_version"] == "v1" and body["id"] == published.id
    assert len(body["entries"]) == 10
    entry = body["entries"][0]
    assert entry["rank"] == 1
    assert len(entry["checks"]) == 7
    assert {"check", "status", "method", "checked_at", "valid_until"} <= set(entry["checks"][0])
    assert entry["surgeon"]["npi"]


def test_top_ten_etag_and_last_modified_give_304(api, published_city):
    first = api.get("/api/v1/cities/houston-tx/top-ten/")
    assert first["Cache-Control"] == "private, max-age=300"
    assert api.get("/api/v1/cities/houston-tx/top-ten/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    since = api.get("/api/v1/cities/houston-tx/top-ten/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304
    assert api.get("/api/v1/cities/houston-tx/top-ten/", HTTP_IF_NONE_MATCH='"snapshot-0"').status_code == 200


def test_surgeons_filter_by_listed_city_and_specialty(api, published_city, city):
    listed = api.get("/api/v1/surgeons/", {"listed": "true"}).json()
    unlisted = api.get("/api/v1/surgeons/", {"listed": "false"}).json()
    assert listed["count"] == 10 and unlisted["count"] == 2
    assert api.get("/api/v1/surgeons/", {"city": city.slug}).json()["count"] == 12
    assert api.get("/api/v1/surgeons/", {"specialty": "207T00000X"}).json()["count"] == 0


def test_pagination_respects_the_maximum_page_size(api, published_city, settings):
    body = api.get("/api/v1/surgeons/", {"page_size": 5}).json()
    assert len(body["results"]) == 5 and body["next"]
    big = api.get("/api/v1/surgeons/", {"page_size": 100000}).json()
    assert len(big["results"]) == 12


def test_surgeon_detail_has_the_verification_summary(api, published_city):
    surgeon = published_city[1][0]
    body = api.get(f"/api/v1/surgeons/{surgeon.npi}/").json()
    assert body["npi"] == surgeon.npi and len(body["checks"]) == 7
    assert body["eligible"] is True


def test_education_detail_carries_the_article_and_references(api, db):
    body = api.get("/api/v1/education/causes/").json()
    assert body["title"].startswith("Causes") and "<h2" in body["body_html"]
    assert "<html" not in body["body_html"] and "<nav" not in body["body_html"]  # the article only, no site layout
    assert body["references"][0]["url"].startswith("https://")


def test_list_endpoints_use_a_constant_number_of_queries(
    api, published_city, make_clean_surgeon, django_assert_max_num_queries
):
    for _ in range(15):
        make_clean_surgeon()
    cache.clear()
    with django_assert_max_num_queries(6):
        assert api.get("/api/v1/surgeons/").status_code == 200
    with django_assert_max_num_queries(6):
        assert api.get("/api/v1/cities/").status_code == 200
    with django_assert_max_num_queries(10):
        assert api.get("/api/v1/cities/houston-tx/top-ten/").status_code == 200
