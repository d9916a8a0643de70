import pytest

from tests import factories
from verification import publication
from verification.models import RankingEntry

from .test_runs import run_sync

pytestmark = pytest.mark.django_db


@pytest.fixture
def mixed(make_clean_surgeon, exclusion_list_loaded, city):
    """Twelve verified surgeons in Houston (ten listed) and an unverified one in Dallas."""
    verified = [make_clean_surgeon(last_name=f"Garcia{i}") for i in range(12)]
    publication.rankings_publish(run=run_sync()[0])
    dallas = factories.CityFactory(name="Dallas", state="TX", slug="dallas-tx")
    newcomer = factories.SurgeonFactory(last_name="Garcia", first_name="Ana", accepting_new_patients=False)
    factories.PracticeLocationFactory(surgeon=newcomer, city=dallas, postal_code="75201")
    return verified, newcomer


def names(response):
    return [s.last_name for s in response.context["page"].object_list]


def test_a_name_query_shows_each_surgeons_listing_status(client, mixed):
    response = client.get("/search/", {"q": "garcia"})
    assert len(names(response)) == 13
    assert "Top ten in Houston, " in response.text


def test_a_city_query_lists_that_citys_top_ten_in_rank_order_then_eligible_then_the_rest(client, mixed, city):
    unverified = factories.SurgeonFactory(last_name="Aaron")
    factories.PracticeLocationFactory(surgeon=unverified, city=city)
    ranked = list(
        RankingEntry.objects.filter(snapshot__city=city, snapshot__status="published")
        .order_by("rank")
        .values_list("surgeon__last_name", flat=True)
    )
    found = names(client.get("/search/", {"q": "Houston"}))
    assert found[:10] == ranked
    assert sorted(found[10:12]) == sorted({f"Garcia{i}" for i in range(12)} - set(ranked))
    assert found[12:] == ["Aaron"]


def test_search_by_zip_finds_only_that_practice(client, mixed):
    assert names(client.get("/search/", {"q": "75201"})) == ["Garcia"]


def test_search_by_city_name(client, mixed):
    assert names(client.get("/search/", {"q": "Dallas"})) == ["Garcia"]


def test_several_words_must_all_match(client, mixed):
    assert names(client.get("/search/", {"q": "Ana Dallas"})) == ["Garcia"]
    assert names(client.get("/search/", {"q": "Ana Houston"})) == []


def test_accepting_new_patients_filter(client, mixed):
    found = names(client.get("/search/", {"q": "garcia", "accepting": "on"}))
    assert "Garcia" not in found and len(found) == 12


def test_specialty_filter(client, mixed):
    assert names(client.get("/search/", {"q": "garcia", "specialty": "207T00000X"})) == []


def test_results_show_badges_for_verified_surgeons(client, mixed):
    text = client.get("/search/", {"q": "Garcia0"}).text
    assert 'class="badge badge--pass"' in text


@pytest.mark.parametrize(
    "params",
    [
        {"q": ""},
        {"q": "%%"},
        {"q": "x" * 300},
        {"specialty": "bogus"},
        {"q": "garcia", "page": "999"},
        {"q": "<script>"},
    ],
)
def test_odd_queries_get_a_helpful_page(client, mixed, params):
    response = client.get("/search/", params)
    assert response.status_code == 200
    assert "<script>" not in response.text.split("</header>")[-1].replace("&lt;script&gt;", "")


def test_search_query_count_is_bounded(client, mixed, make_clean_surgeon, django_assert_max_num_queries):
    for i in range(15):
        make_clean_surgeon(last_name=f"Garcia-extra{i}")
    # count, page, locations, results, listings; PostgreSQL also asks whether exact name matches exist
    with django_assert_max_num_queries(7):
        assert client.get("/search/", {"q": "garcia"}).status_code == 200


@pytest.mark.parametrize("query", ["Houston", "77030", ""])
def test_city_nearby_and_filter_searches_keep_a_fixed_query_count(
    client, mixed, make_clean_surgeon, django_assert_max_num_queries, query
):
    client.get("/search/", {"q": query, "accepting": "on"})  # the city list for parsing is cached
    for i in range(15):
        make_clean_surgeon(last_name=f"Garcia-extra{i}")
    with django_assert_max_num_queries(6):
        assert client.get("/search/", {"q": query, "accepting": "on"}).status_code == 200


def test_a_surgeon_listed_only_in_another_city_does_not_join_this_citys_top_ten(
    client, make_clean_surgeon, exclusion_list_loaded, city
):
    for i in range(10):
        make_clean_surgeon(last_name=f"Houston{i}")
    fort_worth = factories.CityFactory(name="Fort Worth", state="TX", slug="fort-worth-tx")
    commuter = make_clean_surgeon(city=fort_worth, last_name="Aardvark")  # first by name, 11th by rank here
    factories.PracticeLocationFactory(surgeon=commuter, city=city)
    publication.rankings_publish(run=run_sync()[0])
    assert RankingEntry.objects.filter(surgeon=commuter, snapshot__city=fort_worth).exists()
    assert not RankingEntry.objects.filter(surgeon=commuter, snapshot__city=city).exists()
    assert names(client.get("/search/", {"q": "Houston"}))[-1] == "Aardvark"


def _reference_order(found):
    """The order a results page promises, as one ORDER BY over every match (how search read pages before)."""
    from django.db.models import Exists, F, OuterRef

    from verification.selectors import current_listings

    listed = Exists(current_listings().filter(surgeon=OuterRef("pk")))
    return list(
        found.surgeons.annotate(listed=listed)
        .order_by(F("listed").desc(), "last_name", "first_name", "npi")
        .values_list("id", flat=True)
    )


def test_filter_results_read_in_two_parts_keep_listed_first_order_on_every_page(mixed, make_clean_surgeon):
    """Filters alone: listed surgeons, then the rest, each by name; a page may hold the end of one and the start of
    the other."""
    from directory.search import surgeon_search
    from verification.selectors import ListedFirst, search_results

    for i in range(6):
        make_clean_surgeon(last_name=f"Aaronson{i}")  # first by name, listed nowhere
    found = surgeon_search(text="")
    results = search_results(found)
    assert isinstance(results, ListedFirst)
    expected = _reference_order(found)
    listed = results._count_both()["listed"]
    assert results.count() == len(expected) and 0 < listed < len(expected)
    for start in range(len(expected)):
        for size in (1, 3, 7):
            page = [surgeon.id for surgeon in results[start : start + size]]
            assert page == expected[start : start + size], (start, size)


def test_a_filter_page_where_listed_and_unlisted_meet_reads_each_part_once(
    client, mixed, make_clean_surgeon, django_assert_max_num_queries, monkeypatch
):
    from verification import views

    for i in range(25):
        make_clean_surgeon(last_name=f"Aaronson{i}")
    monkeypatch.setattr(views, "SEARCH_PAGE_SIZE", 8)
    client.get("/search/", {"accepting": "on"})  # the city list for parsing is cached
    with django_assert_max_num_queries(6):  # counts, listed part, the rest, locations, results, listings
        response = client.get("/search/", {"accepting": "on", "page": 2})  # ten listed: rows 9-16
    shown = names(response)
    assert shown[:2] == sorted(shown[:2]) and all(name.startswith("Garcia") for name in shown[:2])
    assert shown[2:] == sorted(shown[2:]) and all(name.startswith("Aaronson") for name in shown[2:])


@pytest.mark.parametrize("query", ["garcia", "Houston", "77030", "garcia 77030"])
def test_ranked_results_read_by_id_keep_the_ranked_order_and_count(mixed, query):
    from directory.search import surgeon_search
    from verification.selectors import RankedIds, search_results

    found = surgeon_search(text=query)
    results = search_results(found)
    assert isinstance(results, RankedIds)
    ranked = list(results.ranked.values_list("id", flat=True))
    assert results.count() == len(ranked) > 0
    for start in range(len(ranked)):
        assert [surgeon.id for surgeon in results[start : start + 4]] == ranked[start : start + 4]
