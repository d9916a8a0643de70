import pytest
from django.contrib.auth.models import User

pytestmark = pytest.mark.django_db
LOGIN = "/admin/login/?next=/admin/"


@pytest.fixture
def staff_user(db):
    return User.objects.create_user("sam", password="correct-Horse-battery-9", is_staff=True)


def sign_in(client, password, **extra):
    return client.post(LOGIN, {"username": "sam", "password": password}, **extra)


def test_admin_sign_in_works_with_the_right_password(client, staff_user):
    assert sign_in(client, "correct-Horse-battery-9").status_code == 302


def test_admin_sign_in_is_refused_after_repeated_failures_even_with_the_right_password(client, staff_user, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        assert sign_in(client, "wrong").status_code == 200
    response = sign_in(client, "correct-Horse-battery-9")
    assert response.status_code == 200
    assert "Too many failed sign-in attempts" in response.text


def test_the_lock_also_follows_the_client_address(client, staff_user, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    for name in ("a", "b"):
        client.post(LOGIN, {"username": name, "password": "x"})
    assert "Too many failed" in sign_in(client, "correct-Horse-battery-9").text


@pytest.mark.parametrize("path", ["/", "/cities/", "/fbss/", "/how-we-verify/", "/search/?q=a", "/admin/login/"])
def test_every_page_sends_a_content_security_policy(client, path):
    policy = client.get(path).headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in policy and "script-src 'self'" in policy and "frame-ancestors 'none'" in policy


def test_pages_forbid_framing_and_sniffing(client):
    response = client.get("/")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
