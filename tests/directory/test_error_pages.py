"""The site's own 404 and 500 pages, also in the demo that `make run` serves."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import path

from config.urls import urlpatterns as site_urls

ROOT = Path(__file__).resolve().parents[2]


def broken_view(request):
    raise RuntimeError("boom")


urlpatterns = [*site_urls, path("boom/", broken_view)]


@pytest.mark.django_db
def test_an_unknown_address_gets_the_designed_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "We could not find that page" in response.text
    assert 'name="viewport"' in response.text


@pytest.mark.django_db
def test_a_spanish_unknown_address_gets_the_404_in_spanish(client):
    assert "No encontramos esa página" in client.get("/es/no-such-page/").text


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_a_server_error_gets_the_designed_500():
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text


def test_make_run_serves_the_demo_with_debug_off():
    makefile = (ROOT / "Makefile").read_text()
    demo_env = re.search(r"^DEMO_ENV := (.+)$", makefile, re.M).group(1)
    assert "$(DEMO_ENV)" in makefile.split("serve:", 1)[1].split("\n\n")[0]
    env = {**os.environ, **dict(pair.split("=", 1) for pair in demo_env.split())}
    env["DJANGO_SECRET_KEY"] = "x" * 64
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DEBUG, settings.CSRF_COOKIE_SECURE)"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == ["False", "False"]
