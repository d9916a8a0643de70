import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth.models import User

from tests.faults.test_faults import DEAD_REDIS

pytestmark = pytest.mark.django_db
LOGIN = "/admin/login/?next=/admin/"
PASSWORD = "correct-Horse-battery-9"


@pytest.fixture
def staff_user(db):
    return User.objects.create_user("sam", password=PASSWORD, is_staff=True)


def sign_in(client, password, username="sam", **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_admin_sign_in_works_with_the_right_password(client, staff_user):
    assert sign_in(client, PASSWORD).status_code == 302
    assert signed_in(client)


def test_admin_sign_in_is_refused_after_repeated_failures_even_with_the_right_password(client, staff_user, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(2):
        assert sign_in(client, "wrong").status_code == 200
    assert sign_in(client, "wrong").status_code == 429  # the third failure locks
    response = sign_in(client, PASSWORD)
    assert response.status_code == 429
    assert "Too many failed sign-in attempts. Try again in 15 minutes." in response.text
    assert not signed_in(client)


def test_the_lock_also_follows_the_client_address(client, staff_user, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    for name in ("a", "b"):
        sign_in(client, "x", username=name)
    assert sign_in(client, PASSWORD).status_code == 429
    assert not signed_in(client)


def test_the_lock_follows_the_username_from_any_address(client, staff_user, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    for address in ("192.0.2.1", "192.0.2.2"):
        sign_in(client, "wrong", REMOTE_ADDR=address)
    assert sign_in(client, PASSWORD, REMOTE_ADDR="192.0.2.3").status_code == 429


def test_behind_a_proxy_one_clients_failures_do_not_lock_out_the_others(client, staff_user, settings):
    settings.BEHIND_PROXY, settings.LOGIN_FAILURE_LIMIT = True, 2
    proxy = {"REMOTE_ADDR": "10.0.0.5"}
    for name in ("a", "b"):
        assert sign_in(client, "x", username=name, HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy).status_code != 302
    assert sign_in(client, "x", username="c", HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy).status_code == 429
    assert sign_in(client, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy).status_code == 302


def test_behind_a_proxy_the_address_is_the_hop_the_proxy_added(client, staff_user, settings):
    settings.BEHIND_PROXY, settings.LOGIN_FAILURE_LIMIT = True, 2
    for name, forged in (("a", "1.1.1.1"), ("b", "2.2.2.2")):  # the client forges the first hop; the proxy appends
        sign_in(client, "x", username=name, HTTP_X_FORWARDED_FOR=f"{forged}, 203.0.113.9", REMOTE_ADDR="10.0.0.5")
    response = sign_in(client, PASSWORD, HTTP_X_FORWARDED_FOR="3.3.3.3, 203.0.113.9", REMOTE_ADDR="10.0.0.5")
    assert response.status_code == 429


def test_without_a_proxy_a_forged_forwarded_header_does_not_escape_the_lock(client, staff_user, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    for index, name in enumerate(("a", "b")):
        sign_in(client, "x", username=name, HTTP_X_FORWARDED_FOR=f"198.51.100.{index}")
    assert sign_in(client, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.99").status_code == 429


def test_the_lock_lifts_after_the_lockout_period(client, staff_user, settings):
    settings.LOGIN_FAILURE_LIMIT, settings.LOGIN_LOCKOUT_SECONDS = 2, 600
    start = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        sign_in(client, "wrong")
        sign_in(client, "wrong")
    with time_machine.travel(start + dt.timedelta(seconds=590), tick=False):
        assert sign_in(client, PASSWORD).status_code == 429
    with time_machine.travel(start + dt.timedelta(seconds=610), tick=False):
        assert sign_in(client, PASSWORD).status_code == 302


def test_the_lock_holds_when_the_cache_is_down(client, staff_user, settings):
    settings.CACHES = DEAD_REDIS  # the failures are counted in the database, not the cache
    settings.LOGIN_FAILURE_LIMIT = 5
    for _ in range(8):
        sign_in(client, "wrong")
    assert sign_in(client, PASSWORD).status_code == 429
    assert not signed_in(client)


def test_the_failure_records_keep_no_password(client, staff_user):
    sign_in(client, "hunter2-typed-by-mistake")
    attempt = AccessAttempt.objects.get()
    assert "hunter2" not in attempt.post_data and attempt.failures_since_start == 1


@pytest.mark.parametrize("path", ["/", "/cities/", "/fbss/", "/how-we-verify/", "/search/?q=a", "/admin/login/"])
def test_every_page_sends_a_content_security_policy(client, path):
    policy = client.get(path).headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in policy and "script-src 'self'" in policy and "frame-ancestors 'none'" in policy


def test_pages_forbid_framing_and_sniffing(client):
    response = client.get("/")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
