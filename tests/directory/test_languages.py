"""English and Spanish patient pages: /es/ prefix, Accept-Language, the switcher, hreflang, what stays English."""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.utils import translation

from directory.education import PAGES, REFERENCES
from verification import publication

from ..verification.test_runs import run_sync
from .test_consultations import GOOD

pytestmark = pytest.mark.django_db

CATALOG = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.po"
SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es-MX,es;q=0.9,en;q=0.5"}


def test_spanish_pages_live_under_es_and_say_so(client):
    response = client.get("/es/")
    assert response.status_code == 200
    assert '<html lang="es">' in response.text
    assert "Cirujanos de columna que usted mismo puede revisar" in response.text


def test_english_pages_keep_their_unprefixed_addresses(client):
    response = client.get("/")
    assert '<html lang="en">' in response.text
    assert "Spine surgeons you can check for yourself" in response.text


def test_a_browser_preferring_spanish_is_sent_to_the_spanish_page(client, city):
    response = client.get(f"/search/?q={city.name}", **SPANISH)
    assert response.status_code == 302
    assert response["Location"] == f"/es/search/?q={city.name}"
    assert "Accept-Language" in response["Vary"]


def test_a_patient_who_chose_english_stays_in_english(client):
    chosen = client.get("/language/en/", {"next": "/es/privacy/"})
    assert chosen["Location"] == "/privacy/"
    assert chosen.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert client.get("/privacy/", **SPANISH).status_code == 200


def test_the_switcher_links_to_the_same_page_in_the_other_language(client, surgeon):
    page = client.get(surgeon.get_absolute_url()).text
    assert f'href="/language/es/?next=%2Fes%2Fsurgeons%2F{surgeon.npi}%2F"' in page
    assert f'<link rel="alternate" hreflang="es" href="{settings.SITE_URL}/es/surgeons/{surgeon.npi}/">' in page
    assert 'hreflang="x-default"' in page


def test_the_switcher_refuses_to_send_a_patient_to_another_site(client):
    response = client.get("/language/es/", {"next": "https://evil.example/"})
    assert response["Location"] == "/es/"


def test_an_unknown_language_is_not_found(client):
    assert client.get("/language/fr/").status_code == 404


def test_the_sitemap_lists_every_page_in_both_languages_with_alternates(client, surgeon, city):
    text = client.get("/sitemap.xml").text
    es_profile = f"http://testserver/es/surgeons/{surgeon.npi}/"
    assert f"<loc>{es_profile}</loc>" in text
    assert f'hreflang="es" href="{es_profile}"' in text
    assert f'hreflang="x-default" href="http://testserver/cities/{city.slug}/"' in text


def test_the_sitemap_leaves_out_withdrawn_surgeons(client, surgeon):
    surgeon.is_active = False
    surgeon.save()
    assert f"/surgeons/{surgeon.npi}/" not in client.get("/sitemap.xml").text


@pytest.fixture
def listed(make_clean_surgeon, exclusion_list_loaded, city):
    surgeons = [make_clean_surgeon() for _ in range(3)]
    publication.rankings_publish(run=run_sync()[0])
    return surgeons


def test_a_city_list_is_cached_once_per_language(client, city, listed):
    english = client.get(city.get_absolute_url()).text
    spanish = client.get(f"/es/cities/{city.slug}/").text
    assert "Accepting new patients" in english
    assert "Acepta pacientes nuevos" in spanish and "Accepting new patients" not in spanish
    assert "Acepta pacientes nuevos" in client.get(f"/es/cities/{city.slug}/").text  # served from the cache


def test_the_practice_gets_the_request_in_english_when_the_patient_wrote_from_spanish_pages(
    client, surgeon, django_capture_on_commit_callbacks, celery_eager
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/es/surgeons/{surgeon.npi}/consult/", GOOD)
    assert response.status_code == 302
    assert mail.outbox[0].body.startswith("A patient asked for a consultation")
    assert "Consultation request for" in mail.outbox[0].subject


def test_spanish_form_errors_are_in_spanish(client, surgeon):
    page = client.post(f"/es/surgeons/{surgeon.npi}/consult/", {**GOOD, "phone": "", "email": ""}).text
    assert "Dé un número de teléfono o un correo electrónico" in page


def test_the_admin_stays_english_for_a_spanish_browser(client):
    response = client.get("/admin/login/", **SPANISH)
    assert response.status_code == 200
    assert '<html lang="en"' in response.text


def test_the_api_stays_english_for_a_spanish_browser(client):
    response = client.get("/api/v1/cities/", **SPANISH)
    assert response.status_code == 401
    assert "An API key is required" in response.json()["detail"]


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.slug)
def test_each_spanish_fbss_page_keeps_the_references_and_review_date(client, page):
    text = client.get(f"/es/fbss/{page.slug}/").text
    with translation.override("es"):
        assert str(page.title) in text
        assert page.last_reviewed.strftime("%Y-%m-%d") in text
        assert "1 de noviembre de 2026" in text  # the one Spanish date format
    for reference in REFERENCES:
        assert reference.url in text
    assert '"inLanguage": "es-US"' in text


def test_the_spanish_fbss_article_is_the_spanish_text(client):
    assert "crónico" in client.get("/es/fbss/what-is-fbss/").text
    assert "chronic pain syndrome" in client.get("/fbss/what-is-fbss/").text


def _catalog_entries():
    text = CATALOG.read_text(encoding="utf-8")
    for block in text.split("\n\n")[1:]:
        if "msgid_plural" in block or "#~" in block:
            continue
        msgid = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        msgstr = re.search(r'^msgstr ((?:".*"\n?)+)', block, re.M)
        if msgid and msgstr:
            yield [
                "".join(ast.literal_eval(line) for line in part.split("\n") if line)
                for part in (msgid.group(1), msgstr.group(1))
            ]


def _po_text(quoted: str) -> str:
    """A .po string as written (one quoted line or several) as the text it stands for."""
    return "".join(ast.literal_eval(line) for line in quoted.split("\n") if line)


def test_every_patient_page_string_has_a_spanish_translation():
    untranslated = []
    for block in CATALOG.read_text(encoding="utf-8").split("\n\n")[1:]:
        patient = "templates/" in block or "directory/" in block
        if patient and re.search(r'^msgstr(\[\d\])? ""$', block, re.M) and '\n"' not in block.split("msgstr")[1]:
            untranslated.append(block)
    assert untranslated == []


def test_the_compiled_catalog_matches_the_po_file():
    with translation.override("es"):
        stale = [msgid for msgid, msgstr in _catalog_entries() if msgid and translation.gettext(msgid) != msgstr]
    assert stale == []
