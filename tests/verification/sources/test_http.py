import pytest
import requests

from verification.sources.http import HostNotAllowed, SourceUnavailable, source_get_json, source_session

URL = "https://npiregistry.cms.hhs.gov/api/"


def test_a_host_not_on_the_allow_list_is_refused_before_any_request(api):
    with pytest.raises(HostNotAllowed):
        source_get_json("https://registry.example.com/api/", params={})
    assert len(api.calls) == 0


def test_plain_http_is_refused_even_for_an_allowed_host(api):
    with pytest.raises(HostNotAllowed):
        source_get_json("http://npiregistry.cms.hhs.gov/api/", params={})
    assert len(api.calls) == 0


def test_a_redirect_to_a_host_not_allowed_is_refused(api):
    api.get(URL, status=302, headers={"Location": "https://elsewhere.example.com/"})
    with pytest.raises(HostNotAllowed):
        source_get_json(URL, params={})
    assert len(api.calls) == 1


def test_a_timeout_is_a_source_unavailable(api):
    api.get(URL, body=requests.exceptions.ConnectTimeout("connect timed out"))
    with pytest.raises(SourceUnavailable, match="timed out"):
        source_get_json(URL, params={})


def test_a_connection_error_is_a_source_unavailable(api):
    api.get(URL, body=requests.exceptions.ConnectionError("refused"))
    with pytest.raises(SourceUnavailable, match="could not be reached"):
        source_get_json(URL, params={})


def test_a_429_with_retry_after_is_retried_then_answers(api, settings):
    settings.SOURCE_MAX_RETRIES = 2
    api.get(URL, status=429, headers={"Retry-After": "0"})
    api.get(URL, json={"result_count": 0, "results": []})
    assert source_get_json(URL, params={}) == {"result_count": 0, "results": []}
    assert [call.response.status_code for call in api.calls] == [429, 200]


def test_a_server_error_after_every_retry_is_a_source_unavailable(api, settings):
    settings.SOURCE_MAX_RETRIES = 2
    api.get(URL, status=503)
    with pytest.raises(SourceUnavailable, match="HTTP 503"):
        source_get_json(URL, params={})
    assert len(api.calls) == 3


def test_a_body_that_is_not_json_is_a_source_unavailable(api):
    api.get(URL, body="<html>maintenance</html>", content_type="text/html")
    with pytest.raises(SourceUnavailable, match="not JSON"):
        source_get_json(URL, params={})


def test_requests_carry_a_user_agent_and_timeouts(api, settings):
    api.get(URL, json={})
    source_get_json(URL, params={})
    request = api.calls[0].request
    assert request.headers["User-Agent"].startswith("spine-directory/")
    assert request.req_kwargs["timeout"] == (settings.SOURCE_CONNECT_TIMEOUT, settings.SOURCE_READ_TIMEOUT)


def test_the_session_retries_only_gets():
    retry = source_session().get_adapter(URL).max_retries
    assert retry.allowed_methods == frozenset({"GET"})
    assert retry.respect_retry_after_header
