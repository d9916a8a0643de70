from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from urllib3 import HTTPResponse

from directory.models import CredentialStatus, Degree, Gender, PracticeLocation, Specialty, StateLicense, Surgeon
from tests import factories
from tests.verification.sources.conftest import fixture_json
from verification.sources.http import HostNotAllowed, SourceUnavailable, source_session
from verification.sources.nppes import (
    NPPES_URL,
    NppesQueryError,
    nppes_import,
    nppes_page,
    nppes_search,
    provider_parse,
)


def result(npi=None, *, taxonomy="207XS0117X", enumeration="NPI-1", last="DOE"):
    return {
        "number": npi or factories.next_npi(),
        "enumeration_type": enumeration,
        "basic": {"first_name": "JANE", "last_name": last, "credential": "MD", "sex": "F"},
        "taxonomies": [{"code": taxonomy, "primary": True, "state": "TX", "license": ""}],
        "addresses": [],
    }


def page(count):
    return {"result_count": count, "results": [result() for _ in range(count)]}


def _pairs(url):
    return parse_qsl(urlsplit(url).query)


# --- parsing ---


def test_the_new_shape_parses_with_sex_and_practice_locations():
    raw = fixture_json("nppes_new_shape.json")["results"][0]

    provider = provider_parse(raw)

    assert (provider.npi, provider.first_name, provider.last_name) == ("1234567893", "JANE", "DOE-SMITH")
    assert (provider.credential, provider.gender, provider.individual) == (Degree.MD, Gender.FEMALE, True)
    assert provider.specialty == Specialty.ORTHOPAEDIC_SPINE
    assert [(a.address_1, a.postal_code) for a in provider.addresses] == [
        ("6400 FANNIN ST", "77030"),
        ("16655 SOUTHWEST FWY", "77479"),
    ]  # the mailing address is not a practice location
    assert [(t.state, t.license) for t in provider.taxonomies] == [("TX", "Q12345"), ("LA", "MD.204518")]


def test_the_old_shape_parses_with_gender_and_numbers_as_strings():
    raw = fixture_json("nppes_old_shape.json")["results"][0]

    provider = provider_parse(raw)

    assert provider.npi == "1765432103"
    assert (provider.credential, provider.gender) == (Degree.MD, Gender.MALE)
    assert provider.taxonomies[0].license == "61234"
    assert provider.specialty == Specialty.ORTHOPAEDIC


def test_a_result_without_a_name_is_unreadable():
    with pytest.raises(ValueError, match="without an NPI or a name"):
        provider_parse({"number": "1234567893", "basic": {}})


# --- the client ---


def test_a_query_asks_for_version_2_1_individuals_200_at_a_time(api):
    api.get(NPPES_URL, json=fixture_json("nppes_new_shape.json"))

    search = nppes_search(state="TX", city="Houston", taxonomy_descriptions=["Orthopaedic Surgery"])

    assert dict(_pairs(api.calls[0].request.url)) == {
        "version": "2.1",
        "enumeration_type": "NPI-1",
        "state": "TX",
        "city": "Houston",
        "taxonomy_description": "Orthopaedic Surgery",
        "limit": "200",
        "skip": "0",
    }
    assert sorted(search.providers) == ["1234567893", "1543210987"]  # the family physician is skipped
    assert (search.results, search.skipped) == (3, 1)


def test_an_organisation_is_not_taken_for_a_surgeon(api):
    api.get(NPPES_URL, json=fixture_json("nppes_old_shape.json"))

    search = nppes_search(state="TX", taxonomy_descriptions=["Orthopaedic Surgery"])

    assert list(search.providers) == ["1765432103"]


def test_an_errors_answer_is_a_refused_query_with_its_reason(api):
    api.get(NPPES_URL, json=fixture_json("nppes_errors.json"))

    with pytest.raises(NppesQueryError, match="No valid search criteria provided"):
        nppes_page({}, session=source_session())


def test_a_timeout_is_source_unavailable(api, settings):
    settings.SOURCE_MAX_RETRIES = 0
    api.get(NPPES_URL, body=requests.exceptions.ReadTimeout("read timed out"))

    with pytest.raises(SourceUnavailable, match="timed out"):
        nppes_search(state="TX")


def test_a_server_error_is_source_unavailable_after_the_retries(api, settings):
    settings.SOURCE_MAX_RETRIES = 1
    api.get(NPPES_URL, status=500)

    with pytest.raises(SourceUnavailable, match="HTTP 500"):
        nppes_search(state="TX")
    assert len(api.calls) == 2


def test_garbage_is_source_unavailable(api):
    api.get(NPPES_URL, body="<html>Service Unavailable</html>", content_type="text/html")

    with pytest.raises(SourceUnavailable, match="not JSON"):
        nppes_search(state="TX")


@pytest.mark.parametrize("body", [[], {"results": "none"}, "null"])
def test_json_that_is_not_an_answer_is_source_unavailable(api, body):
    api.get(NPPES_URL, json=body)

    with pytest.raises(SourceUnavailable):
        nppes_search(state="TX")


def test_a_429_is_retried_and_then_answers(api, settings):
    settings.SOURCE_MAX_RETRIES = 2
    api.get(NPPES_URL, status=429, headers={"Retry-After": "0"})
    api.get(NPPES_URL, json=page(3))

    search = nppes_search(state="TX", taxonomy_descriptions=["Neurological Surgery"])

    assert [call.response.status_code for call in api.calls] == [429, 200]
    assert search.results == 3


def test_a_429_that_persists_is_source_unavailable(api, settings):
    settings.SOURCE_MAX_RETRIES = 1
    api.get(NPPES_URL, status=429, headers={"Retry-After": "0"})

    with pytest.raises(SourceUnavailable, match="HTTP 429"):
        nppes_search(state="TX")
    assert len(api.calls) == 2


@pytest.mark.parametrize(("asked", "waited"), [("7", 7), ("86400", 30)])
def test_retry_after_is_honoured_up_to_a_bound(asked, waited):
    # `responses` does not sleep between retries, so the wait is read from the session's retry policy.
    retry = source_session().get_adapter(NPPES_URL).max_retries
    answer = HTTPResponse(status=429, headers={"Retry-After": asked})

    assert retry.is_retry("GET", 429, has_retry_after=True)
    assert retry.get_retry_after(answer) == waited


def test_results_are_paged_with_skip_up_to_the_api_limit_of_1000(api):
    for _ in range(6):
        api.get(NPPES_URL, json=page(200))

    search = nppes_search(state="TX", taxonomy_descriptions=["Orthopaedic Surgery"])

    skips = [dict(_pairs(call.request.url))["skip"] for call in api.calls]
    assert skips == ["0", "200", "400", "600", "800", "1000"]
    assert all(dict(_pairs(call.request.url))["limit"] == "200" for call in api.calls)
    assert (search.results, search.truncated) == (1200, True)


def test_paging_stops_at_a_short_page_and_moves_to_the_next_taxonomy(api):
    api.get(NPPES_URL, json=page(200))
    api.get(NPPES_URL, json=page(5))
    api.get(NPPES_URL, json=page(0))

    search = nppes_search(state="TX")

    assert [dict(_pairs(c.request.url))["skip"] for c in api.calls] == ["0", "200", "0"]
    assert [dict(_pairs(c.request.url))["taxonomy_description"] for c in api.calls] == [
        "Orthopaedic Surgery",
        "Orthopaedic Surgery",
        "Neurological Surgery",
    ]
    assert (search.results, search.truncated) == (205, False)


def test_a_limit_asks_for_no_more_than_it_needs(api):
    api.get(NPPES_URL, json=page(50))

    search = nppes_search(state="TX", limit=50)

    assert dict(_pairs(api.calls[0].request.url))["limit"] == "50"
    assert (len(api.calls), search.results) == (1, 50)


def test_a_host_not_on_the_allow_list_is_never_called(api, settings):
    settings.SOURCE_HOST_ALLOWLIST = ["example.org"]

    with pytest.raises(HostNotAllowed):
        nppes_search(state="TX")
    assert len(api.calls) == 0


# --- the import ---


@pytest.mark.django_db
def test_an_import_adds_surgeons_with_practice_locations_and_unverified_licenses(api):
    api.get(NPPES_URL, json=fixture_json("nppes_new_shape.json"))

    summary = nppes_import(state="TX", city="Houston", taxonomy="Orthopaedic Surgery")

    assert (summary.read, summary.created, summary.skipped, summary.bad) == (3, 2, 1, 0)
    jane = Surgeon.objects.get(npi="1234567893")
    assert (jane.first_name, jane.middle_name, jane.last_name, jane.gender) == ("Jane", "Q", "Doe-Smith", "F")
    assert jane.specialty == Specialty.ORTHOPAEDIC_SPINE
    locations = PracticeLocation.objects.filter(surgeon=jane).order_by("id")
    assert [(loc.city.name, loc.address_line1, loc.is_primary) for loc in locations] == [
        ("Houston", "6400 Fannin St", True),
        ("Sugar Land", "16655 Southwest Fwy", False),
    ]
    licenses = StateLicense.objects.filter(surgeon=jane).order_by("state")
    assert [(lic.state, lic.number, lic.status) for lic in licenses] == [
        ("LA", "MD.204518", CredentialStatus.UNVERIFIED),
        ("TX", "Q12345", CredentialStatus.UNVERIFIED),
    ]
    assert Surgeon.objects.get(npi="1543210987").degree == Degree.DO


@pytest.mark.django_db
def test_importing_the_same_answer_twice_changes_nothing(api):
    api.get(NPPES_URL, json=fixture_json("nppes_new_shape.json"))
    nppes_import(state="TX", taxonomy="Orthopaedic Surgery")
    before = [list(model.objects.values()) for model in (Surgeon, PracticeLocation, StateLicense)]

    summary = nppes_import(state="TX", taxonomy="Orthopaedic Surgery")

    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 2)
    assert [list(model.objects.values()) for model in (Surgeon, PracticeLocation, StateLicense)] == before


@pytest.mark.django_db
def test_nppes_never_overwrites_a_name_spelled_differently_only_in_case(api):
    factories.SurgeonFactory(npi="1234567893", first_name="Jane", last_name="Doe-Smith", middle_name="Q")
    api.get(NPPES_URL, json=fixture_json("nppes_new_shape.json"))

    nppes_import(state="TX", taxonomy="Orthopaedic Surgery")

    assert Surgeon.objects.get(npi="1234567893").last_name == "Doe-Smith"


@pytest.mark.django_db
def test_a_result_with_an_invalid_npi_is_reported_by_its_position(api):
    api.get(NPPES_URL, json={"results": [result("1234567890"), "junk"]})

    summary = nppes_import(state="TX", taxonomy="Orthopaedic Surgery")

    assert [str(error) for error in summary.errors] == [
        "line 2: a result without an NPI or a name",
        "line 1: '1234567890' is not a valid NPI",
    ]
    assert summary.unit == "result"
    assert not Surgeon.objects.exists()


@pytest.mark.django_db
def test_when_a_page_fails_nothing_is_written(api, settings):
    settings.SOURCE_MAX_RETRIES = 0
    api.get(NPPES_URL, json=page(200))
    api.get(NPPES_URL, status=503)

    with pytest.raises(SourceUnavailable):
        nppes_import(state="TX", taxonomy="Orthopaedic Surgery")
    assert not Surgeon.objects.exists()
