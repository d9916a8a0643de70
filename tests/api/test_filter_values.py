"""A choice filter sent empty is a 400 naming it; left out it is no filter."""

import pytest

from .test_api import assert_problem

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "choices"), [("listed", ["true", "false"]), ("specialty", ["207T00000X", "207X00000X"])]
)
def test_an_empty_choice_filter_is_a_400_naming_it_and_its_choices(api, published_city, name, choices):
    [message] = assert_problem(api.get(f"/api/v1/surgeons/?{name}="), 400)["errors"][name]
    assert "empty" in message and all(choice in message for choice in choices)


def test_a_choice_filter_left_out_filters_nothing(api, published_city):
    assert api.get("/api/v1/surgeons/").json()["count"] == len(published_city[1])


def test_a_choice_filter_with_a_value_still_filters(api, published_city):
    assert api.get("/api/v1/surgeons/?listed=false").json()["count"] == len(published_city[1]) - 10


@pytest.mark.parametrize("url", ["/api/v1/cities/?state=", "/api/v1/surgeons/?state="])
def test_an_empty_state_still_means_every_state_as_documented(api, published_city, url):
    assert api.get(url).status_code == 200
