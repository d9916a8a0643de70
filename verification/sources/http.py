"""The one way out to the network: a requests Session with timeouts, retries and a host allow-list."""

from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

USER_AGENT = "spine-directory/1.0 (credential verification; +{site})"
RETRY_STATUSES = (429, 500, 502, 503, 504)
RETRY_AFTER_MAX_SECONDS = 30  # a longer Retry-After is capped to this wait (urllib3 retry_after_max)


class SourceUnavailable(Exception):
    """A source could not answer: timeout, connection error, 5xx/429 after retries, unparseable body."""


class HostNotAllowed(ValueError):
    """The URL's host is not on SOURCE_HOST_ALLOWLIST; raised before any request is made."""


def host_check(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme != "https" or parts.hostname not in settings.SOURCE_HOST_ALLOWLIST:
        raise HostNotAllowed(f"Refusing to call {parts.scheme}://{parts.hostname}: not an allowed source host.")


class SourceSession(requests.Session):
    """Every request (redirects included) goes to an allowed host, with connect and read timeouts."""

    def send(self, request, **kwargs):
        host_check(request.url)
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = (settings.SOURCE_CONNECT_TIMEOUT, settings.SOURCE_READ_TIMEOUT)
        return super().send(request, **kwargs)


def source_session() -> SourceSession:
    retry = Retry(
        total=settings.SOURCE_MAX_RETRIES,
        backoff_factor=0.5,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET"}),
        respect_retry_after_header=True,
        retry_after_max=RETRY_AFTER_MAX_SECONDS,
        raise_on_status=False,
    )
    session = SourceSession()
    session.headers["User-Agent"] = USER_AGENT.format(site=settings.SITE_URL)
    session.mount("https://", HTTPAdapter(max_retries=retry))
    return session


def source_get_json(url: str, *, params: dict[str, Any], session: requests.Session | None = None) -> Any:
    """GET a JSON document; SourceUnavailable for anything that is not a parseable 200 answer."""
    host_check(url)
    session = session or source_session()
    try:
        response = session.get(url, params=params)
    except requests.Timeout as exc:
        raise SourceUnavailable(f"{urlsplit(url).hostname} timed out") from exc
    except requests.RequestException as exc:
        raise SourceUnavailable(f"{urlsplit(url).hostname} could not be reached ({type(exc).__name__})") from exc
    if response.status_code != 200:
        raise SourceUnavailable(f"{urlsplit(url).hostname} answered HTTP {response.status_code}")
    try:
        return response.json()
    except ValueError as exc:
        raise SourceUnavailable(f"{urlsplit(url).hostname} sent a body that is not JSON") from exc
