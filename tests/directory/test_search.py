"""Forgiving patient search: the same table of queries on SQLite and PostgreSQL, and nearby by ZIP."""

import importlib
import re

import pytest
from django.apps import apps
from django.db import connection

from directory.geo import zip_centroid
from directory.models import PracticeLocation
from directory.search import CityRef, fold, search_query_parse
from tests import factories

pytestmark = pytest.mark.django_db

CITIES = {
    "houston": ("Houston", "TX"),
    "san-antonio": ("San Antonio", "TX"),
    "st-louis": ("St. Louis", "MO"),
    "fort-worth": ("Fort Worth", "TX"),
    "okc": ("Oklahoma City", "OK"),
    "el-paso": ("El Paso", "TX"),
    "dallas": ("Dallas", "TX"),
}
SURGEONS = [  # first, last, city, ZIP
    ("Li", "Wang", "houston", "77030"),
    ("María", "Gutiérrez", "san-antonio", "78229"),
    ("Sean", "O'Brien", "st-louis", "63110"),
    ("Ann", "Smith-Jones", "fort-worth", "76104"),
    ("Minh", "Nguyen", "okc", "73104"),
    ("Rosa", "Lopez", "el-paso", "79902"),
    ("Paul", "Katz", "houston", "77450"),
    ("Dora", "Hale", "dallas", "75201"),
]


@pytest.fixture
def world(db):
    cities = {key: factories.CityFactory(name=name, state=state, slug=key) for key, (name, state) in CITIES.items()}
    for first, last, city, postal_code in SURGEONS:
        surgeon = factories.SurgeonFactory(first_name=first, last_name=last)
        factories.PracticeLocationFactory(surgeon=surgeon, city=cities[city], postal_code=postal_code)
    hidden = factories.SurgeonFactory(first_name="Wanda", last_name="Wangler", is_active=False)
    factories.PracticeLocationFactory(surgeon=hidden, city=cities["houston"], postal_code="77030")
    return cities


def found(client, q, **params):
    response = client.get("/search/", {"q": q, **params})
    assert response.status_code == 200
    return [s.last_name for s in response.context["page"].object_list]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("San Antonio", ["Gutiérrez"]),
        ("san antonio", ["Gutiérrez"]),
        ("El Paso", ["Lopez"]),
        ("Fort Worth", ["Smith-Jones"]),
        ("Ft. Worth", ["Smith-Jones"]),
        ("Oklahoma City", ["Nguyen"]),
        ("St. Louis", ["O'Brien"]),
        ("St Louis", ["O'Brien"]),
        ("Saint Louis", ["O'Brien"]),
        ("st. louis, mo", ["O'Brien"]),
        ("Houston, TX", ["Katz", "Wang"]),
        ("Houston TX", ["Katz", "Wang"]),
        ("spine surgeons in Houston", ["Katz", "Wang"]),
        ("Hoston", ["Katz", "Wang"]),
        ("Dallas, OK", []),
        ("Dr. Wang", ["Wang"]),
        ("dr wang", ["Wang"]),
        ("Doctor WANG", ["Wang"]),
        ("Gutierrez", ["Gutiérrez"]),
        ("GUTIÉRREZ", ["Gutiérrez"]),
        ("maria gutierrez san antonio", ["Gutiérrez"]),
        ("Wang San Antonio", []),
        ("obrien", ["O'Brien"]),
        ("O’Brien", ["O'Brien"]),
        ("smith jones", ["Smith-Jones"]),
        ("Smith-Jones", ["Smith-Jones"]),
        ("Wangler", []),
        ("cirujano de columna en El Paso", ["Lopez"]),
    ],
)
def test_patient_queries_find_the_surgeons_they_mean(client, world, query, expected):
    assert found(client, query) == expected


@pytest.mark.parametrize(
    ("typo", "expected"),
    [("Gutierez", "Gutiérrez"), ("Nguen", "Nguyen"), ("Lopes", "Lopez"), ("Gutierrezz", "Gutiérrez")],
)
def test_one_typo_in_a_name_is_forgiven_on_postgresql(client, world, typo, expected):
    # SQLite (the embedded default) matches names exactly, as README says.
    assert found(client, typo) == ([expected] if connection.vendor == "postgresql" else [])


def test_a_name_several_letters_off_is_not_a_typo(client, world):
    assert found(client, "Wangler") == []


def test_filters_alone_return_results(client, world):
    factories.SurgeonFactory(specialty="207T00000X", accepting_new_patients=False, last_name="Closed")
    response = client.get("/search/", {"specialty": "207XS0117X", "accepting": "on"})
    names = [s.last_name for s in response.context["page"].object_list]
    assert sorted(names) == sorted(last for _, last, _, _ in SURGEONS)


def test_a_name_query_puts_the_best_match_first(client, world):
    houston = world["houston"]
    for last in ("Wangberg", "Wangsness"):
        factories.PracticeLocationFactory(surgeon=factories.SurgeonFactory(last_name=last), city=houston)
    factories.PracticeLocationFactory(
        surgeon=factories.SurgeonFactory(first_name="Wang", last_name="Adams"), city=houston
    )
    assert found(client, "wang") == ["Wang", "Wangberg", "Wangsness", "Adams"]


def test_a_zip_finds_surgeons_nearby_nearest_first_with_the_distance(client, world):
    response = client.get("/search/", {"q": "near 77005"})
    page = response.context["page"].object_list
    assert [(s.last_name, s.distance) for s in page] == [("Wang", 1.8), ("Katz", 18.5)]
    assert "1.8 miles away" in response.text


@pytest.mark.parametrize(
    ("radius", "expected"), [("10", ["Wang"]), ("25", ["Wang", "Katz"]), ("100", ["Wang", "Katz"])]
)
def test_the_radius_bounds_a_nearby_search(client, world, radius, expected):
    assert found(client, "77005", radius=radius) == expected


def test_a_zip_plus_four_is_read_as_its_zip(client, world):
    assert found(client, "77005-1234", radius="10") == ["Wang"]


def test_an_unknown_zip_gets_a_clear_message(client, world):
    response = client.get("/search/", {"q": "00000"})
    assert "We do not know the ZIP code 00000" in response.text
    assert list(response.context["page"].object_list) == []


def test_an_odd_radius_falls_back_to_the_default(client, world):
    response = client.get("/search/", {"q": "77005", "radius": "7"})
    assert response.status_code == 200


def test_a_location_gets_its_zip_centroid_when_saved(world):
    location = PracticeLocation.objects.get(postal_code="77030", surgeon__last_name="Wang")
    assert (location.latitude, location.longitude) == zip_centroid("77030")
    location.postal_code = "75201"
    location.save(update_fields=["postal_code"])
    location.refresh_from_db()
    assert (location.latitude, location.longitude) == zip_centroid("75201")


def test_a_location_with_an_unknown_zip_has_no_coordinates(world):
    location = PracticeLocation.objects.get(postal_code="77030", surgeon__last_name="Wang")
    location.postal_code = "00000"
    location.save()
    location.refresh_from_db()
    assert location.latitude is None and location.longitude is None


def test_the_data_migration_fills_coordinates_of_existing_locations(world):
    PracticeLocation.objects.update(latitude=None, longitude=None)
    migration = importlib.import_module("directory.migrations.0009_search_and_coordinates")
    migration.coordinates_fill(apps, None)
    location = PracticeLocation.objects.get(postal_code="63110")
    assert (location.latitude, location.longitude) == zip_centroid("63110")
    assert not PracticeLocation.objects.filter(latitude__isnull=True).exists()


def test_folding_drops_case_accents_and_punctuation():
    assert fold("GUTIÉRREZ") == fold("Gutierrez") == "gutierrez"
    assert fold("O'Brien-Smith") == "obrien smith"
    assert fold("Strauß") == "strauss"


def test_the_database_folds_names_as_python_does(world):
    with connection.cursor() as cursor:
        cursor.execute("SELECT directory_name_fold(%s, %s, %s)", ["María José", "", "Gutiérrez O'Brien"])
        assert cursor.fetchone()[0] == " maria jose gutierrez obrien"


def test_a_state_code_that_names_no_city_there_is_a_name_word():
    index = {"houston": [CityRef(1, "Houston", "TX")]}
    query = search_query_parse("Dr. Ok", city_index=index)
    assert (query.words, query.cities) == (["ok"], [])


def test_namesake_cities_are_told_apart_by_state():
    index = {"springfield": [CityRef(1, "Springfield", "IL"), CityRef(2, "Springfield", "MO")]}
    assert search_query_parse("Springfield, MO", city_index=index).city_ids == [2]
    assert search_query_parse("Springfield", city_index=index).city_ids == [1, 2]


def test_the_distance_shown_is_the_default_when_none_was_chosen(client, world):
    page = client.get("/search/", {"q": "77005"}).text
    assert re.search(r'<option value="25" selected>', page)


@pytest.mark.parametrize(
    ("first", "middle", "last"),
    [("José", "", "Núñez-García"), ("D’Angelo", "M.", "O`Neil"), ("Zoë", None, "Łukasz"), ("", "", "")],
)
def test_the_database_folds_as_python_does_in_plpgsql(world, first, middle, last):
    """Migration 0011 rewrote the folding functions in PL/pgSQL (cheaper per call); what they return is unchanged."""
    from directory.search import name_fold

    if connection.vendor != "postgresql":
        pytest.skip("the SQL functions are PostgreSQL's; SQLite registers the Python ones")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT l.lanname FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang "
            "WHERE p.proname IN ('directory_fold', 'directory_name_fold')"
        )
        assert [row[0] for row in cursor.fetchall()] == ["plpgsql", "plpgsql"]
        cursor.execute(
            "SELECT directory_name_fold(%s, %s, %s), directory_fold(%s), directory_fold(NULL)",
            [first, middle, last, last],
        )
        assert cursor.fetchone() == (name_fold(first, middle, last), fold(last), None)


def test_the_city_index_is_read_again_only_when_its_version_changes(world, django_assert_num_queries):
    from django.core.cache import cache

    from directory.search import city_index

    first = city_index()
    with django_assert_num_queries(0):
        assert city_index() is first  # this process's copy: no query, not even the cached index read again
    factories.CityFactory(name="Round Rock", state="TX", slug="round-rock-tx")
    assert "round rock" not in city_index()  # cities are added rarely: the index may lag its cache's lifetime
    cache.clear()  # the version expired (or the cache lost it): the next search reads the cities again
    assert city_index()["round rock"][0].name == "Round Rock"
