"""Schemathesis drives every documented operation in-process against the committed schema.

Positive and negative cases: no server error, every status, header and body as documented, and every
schema-violating request (bad page, bad state, unknown parameter, no key) refused.
"""

from pathlib import Path

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from config.wsgi import application

SCHEMA = schemathesis.openapi.from_path(Path(__file__).resolve().parents[2] / "api" / "openapi.yaml")
SCHEMA.app = application  # every request, replays included, goes to the WSGI app in this process
SCHEMA.config.update(base_url="http://testserver")
PARTNER_KEY = {}
STATUSES = []


@SCHEMA.auth(refresh_interval=None)
class PartnerKey:
    """Schemathesis leaves the key out itself for the cases that test a missing key."""

    def get(self, case, context):
        return PARTNER_KEY.get("value")

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "Authorization": f"Api-Key {data}"}


@pytest.fixture
def partner_key(api_key, published_city):
    PARTNER_KEY["value"] = api_key
    STATUSES.clear()
    # As Django's test client does: a request's start and end must not close the test's own connection.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)
    PARTNER_KEY.clear()
    assert set(STATUSES) - {401}, "no case got past authentication with the partner key"


@SCHEMA.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_operation_conforms_and_never_errors(case, partner_key):
    STATUSES.append(case.call_and_validate().status_code)
