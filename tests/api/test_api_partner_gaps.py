"""The REST gaps a partner hit: past lists by id, city filter by slug, list items that need no second call,
string problem details with field errors, and problem types that lead to a page."""

import datetime as dt
from urllib.parse import urlparse

import pytest
from django.core.cache import cache

from directory.models import Surgeon
from tests import factories
from tests.api.test_api import assert_problem
from verification import publication
from verification.models import CheckResult, RankingSnapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(published_city, exclusion_list_loaded):
    """Houston's first list superseded by a second one (a surgeon withdrawn), plus a draft and a rejected list."""
    city, surgeons = published_city
    first = RankingSnapshot.objects.get(city=city, status=RankingSnapshot.Status.PUBLISHED)
    listed = first.entries.order_by("rank").first().surgeon
    Surgeon.objects.filter(pk=listed.pk).update(is_active=False)
    CheckResult.objects.filter(surgeon=listed, check_key="malpractice").update(effective_outcome="fail")
    publication.cities_republish([city.id])
    second = RankingSnapshot.objects.get(city=city, status=RankingSnapshot.Status.PUBLISHED)
    draft = RankingSnapshot.objects.create(city=city, method_version="v1", status=RankingSnapshot.Status.DRAFT)
    rejected = RankingSnapshot.objects.create(city=city, method_version="v1", status=RankingSnapshot.Status.REJECTED)
    return {"city": city, "first": first, "second": second, "draft": draft, "rejected": rejected, "withdrawn": listed}


def test_a_superseded_list_can_be_fetched_by_the_id_the_snapshot_list_gives(api, history):
    listed = api.get("/api/v1/cities/houston-tx/snapshots/").json()["results"]
    assert [row["id"] for row in listed] == [history["second"].id, history["first"].id]
    old = api.get(f"/api/v1/cities/houston-tx/snapshots/{history['first'].id}/")
    assert old.status_code == 200
    body = old.json()
    assert body["id"] == history["first"].id and body["status"] == "superseded" and len(body["entries"]) == 10
    assert history["withdrawn"].npi in [entry["surgeon"]["npi"] for entry in body["entries"]]


def test_the_current_list_by_id_equals_the_top_ten(api, history):
    by_id = api.get(f"/api/v1/cities/houston-tx/snapshots/{history['second'].id}/")
    assert by_id.json() == api.get("/api/v1/cities/houston-tx/top-ten/").json()
    assert api.get(by_id.request["PATH_INFO"], HTTP_IF_NONE_MATCH=by_id["ETag"]).status_code == 304


@pytest.mark.parametrize("which", ["draft", "rejected"])
def test_a_list_never_published_is_not_found(api, history, which):
    assert_problem(api.get(f"/api/v1/cities/houston-tx/snapshots/{history[which].id}/"), 404)


def test_another_citys_list_is_not_found_under_this_city(api, history):
    factories.CityFactory(name="Dallas", state="TX", slug="dallas-tx")
    assert_problem(api.get(f"/api/v1/cities/dallas-tx/snapshots/{history['first'].id}/"), 404)
    assert_problem(api.get("/api/v1/cities/houston-tx/snapshots/99999999999999999999/"), 404)


def test_city_filter_takes_the_slug(api, published_city):
    assert api.get("/api/v1/surgeons/", {"city": "houston-tx"}).json()["count"] == 12


def test_a_city_name_in_the_city_filter_is_a_400_naming_the_filter(api, published_city):
    body = assert_problem(api.get("/api/v1/surgeons/", {"city": "Houston"}), 400)
    assert body["detail"].startswith("city: ") and "houston-tx" in body["detail"]
    assert list(body["errors"]) == ["city"] and isinstance(body["errors"]["city"][0], str)


def test_surgeon_list_items_carry_listings_eligibility_and_profile_url(api, published_city, settings):
    settings.SITE_URL = "https://directory.example.org"
    city, surgeons = published_city
    snapshot = RankingSnapshot.objects.get(city=city, status=RankingSnapshot.Status.PUBLISHED)
    rows = {row["npi"]: row for row in api.get("/api/v1/surgeons/", {"page_size": 50}).json()["results"]}
    first = snapshot.entries.get(rank=1).surgeon
    assert rows[first.npi]["listings"] == [
        {
            "city": "houston-tx",
            "rank": 1,
            "snapshot_id": snapshot.id,
            "published_at": snapshot.published_at.isoformat().replace("+00:00", "Z"),
        }
    ]
    assert rows[first.npi]["eligible"] is True
    assert rows[first.npi]["profile_url"] == f"https://directory.example.org/surgeons/{first.npi}/"
    unlisted = [row for row in rows.values() if not row["listings"]]
    assert len(unlisted) == 2


def test_eligibility_in_the_list_follows_the_current_results(api, published_city):
    surgeon = published_city[1][0]
    CheckResult.objects.filter(surgeon=surgeon, check_key="dea").update(effective_outcome="fail")
    rows = {row["npi"]: row for row in api.get("/api/v1/surgeons/").json()["results"]}
    assert rows[surgeon.npi]["eligible"] is False


def test_withdrawn_and_deactivated_surgeons_are_left_out_of_every_read(api, published_city, city):
    gone, deactivated = published_city[1][:2]
    Surgeon.objects.filter(pk=gone.pk).update(is_active=False)
    Surgeon.objects.filter(pk=deactivated.pk).update(npi_deactivated_on=dt.date(2026, 1, 1))
    npis = {row["npi"] for row in api.get("/api/v1/surgeons/", {"page_size": 50}).json()["results"]}
    assert gone.npi not in npis and deactivated.npi not in npis and len(npis) == 10
    assert_problem(api.get(f"/api/v1/surgeons/{gone.npi}/"), 404)
    cities = api.get("/api/v1/cities/").json()["results"]
    assert cities[0]["surgeon_count"] == 10


def test_the_surgeon_list_keeps_a_fixed_number_of_queries(
    api, published_city, make_clean_surgeon, django_assert_max_num_queries
):
    api.get("/api/v1/surgeons/")  # the partner key is cached from here on
    for _ in range(15):
        make_clean_surgeon()
    cache.clear()
    with django_assert_max_num_queries(7):
        assert len(api.get("/api/v1/surgeons/", {"page_size": 50}).json()["results"]) == 27


@pytest.mark.parametrize(
    ("make", "status"),
    [
        (lambda client, key: client.get("/api/v1/surgeons/", {"state": "Texas"}, HTTP_AUTHORIZATION=key), 400),
        (lambda client, key: client.get("/api/v1/surgeons/"), 401),
        (lambda client, key: client.get("/api/v1/nothing/", HTTP_AUTHORIZATION=key), 404),
        (lambda client, key: client.post("/api/v1/cities/", HTTP_AUTHORIZATION=key), 405),
    ],
)
def test_problem_types_lead_to_a_page_under_site_url_describing_the_problem(
    client, api_key, db, settings, make, status
):
    settings.SITE_URL = "https://directory.example.org"
    body = assert_problem(make(client, f"Api-Key {api_key}"), status)
    url = urlparse(body["type"])
    assert f"{url.scheme}://{url.netloc}" == settings.SITE_URL
    page = client.get(url.path)
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    assert body["title"] in page.content.decode()


def test_the_problem_index_lists_every_problem_type(client, db):
    page = client.get("/api/problems/").content.decode()
    for title in ("Invalid request", "Authentication required", "Too many requests", "Not found"):
        assert title in page
    assert client.get("/api/problems/no-such-problem/").status_code == 404
