"""Patient pages in a real browser at phone and laptop widths: axe-core on every page, cards, the form, languages.

axe-core comes from the axe-playwright-python package (its bundled axe.min.js, injected into the page):
nothing is fetched from a CDN.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests import factories
from verification import publication

from ..verification.conftest import clean_surgeon
from ..verification.test_runs import run_sync
from .conftest import SCREENSHOTS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}
VIEWPORTS = {"390": PHONE, "1366": LAPTOP}


@pytest.fixture
def patient_world(transactional_db, city):
    factories.exclusion_list_load()
    surgeons = [clean_surgeon(city) for _ in range(10)]
    dallas = factories.CityFactory(name="Dallas", state="TX")
    traveller = surgeons[7]
    factories.PracticeLocationFactory(
        surgeon=traveller, city=dallas, practice_name="Summit Spine Center", postal_code="75201", is_primary=False
    )
    publication.rankings_publish(run=run_sync()[0])
    return city, surgeons, traveller


def patient_paths(city, surgeon):
    snapshot_id = city.list_pointer.snapshot_id
    paths = [
        "/",
        "/cities/",
        f"/cities/{city.slug}/",
        f"/cities/{city.slug}/history/",
        f"/cities/{city.slug}/lists/{snapshot_id}/",
        f"/surgeons/{surgeon.npi}/",
        f"/surgeons/{surgeon.npi}/consult/",
        f"/surgeons/{surgeon.npi}/consult/sent/",
        "/search/",
        "/search/?q=Houston",
        "/search/?q=77005",
        "/search/?q=00000",
        "/fbss/",
        "/fbss/what-is-fbss/",
        "/fbss/causes/",
        "/fbss/symptoms/",
        "/fbss/diagnosis-and-treatment/",
        "/how-we-verify/",
        "/privacy/",
        "/no-such-page/",
    ]
    return paths + ["/es" + path for path in paths]


@pytest.fixture
def browse(browser):
    contexts = []

    def open_page(viewport, **options):
        context = browser.new_context(viewport=viewport, **options)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def violations(page) -> list[str]:
    results = Axe().run(page)
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)" for v in results.response["violations"]]


@pytest.mark.parametrize("width", VIEWPORTS)
def test_every_patient_page_passes_axe(browse, live_server, patient_world, width):
    city, _, traveller = patient_world
    page = browse(VIEWPORTS[width])
    found = {}
    for path in patient_paths(city, traveller):
        page.goto(live_server.url + path)
        problems = violations(page)
        if problems:
            found[path] = problems
    assert found == {}


@pytest.mark.parametrize("width", VIEWPORTS)
def test_the_consultation_form_after_a_failed_submit_passes_axe_and_focuses_the_errors(
    browse, live_server, patient_world, width
):
    *_, traveller = patient_world
    page = browse(VIEWPORTS[width])
    page.goto(f"{live_server.url}/surgeons/{traveller.npi}/consult/")
    page.get_by_role("button", name="Send request").click()
    page.wait_for_selector(".error-summary")
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert violations(page) == []


def test_a_phone_shows_each_card_as_one_line_that_opens_to_the_badges(browse, live_server, patient_world):
    city, *_ = patient_world
    page = browse(PHONE)

    def shoot(name):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    page.goto(live_server.url + city.get_absolute_url())
    shoot("city-list-390")
    card = page.locator("ol.ranked-list > li").first
    summary = card.locator("summary.checks__summary")
    assert summary.inner_text().startswith("All 7 checks passed")
    assert not card.locator(".badge-list").is_visible()
    collapsed = page.evaluate("document.documentElement.scrollHeight")
    summary.click()
    assert card.locator(".badge-list").is_visible()
    page.evaluate("document.querySelectorAll('details.checks').forEach(d => d.open = true)")
    expanded = page.evaluate("document.documentElement.scrollHeight")
    assert collapsed < 0.75 * expanded, (collapsed, expanded)


def test_a_laptop_shows_the_badges_open(browse, live_server, patient_world):
    city, *_ = patient_world
    page = browse(LAPTOP)
    page.goto(live_server.url + city.get_absolute_url())
    assert page.locator("ol.ranked-list > li").first.locator(".badge-list").is_visible()


def test_every_card_says_whether_the_surgeon_accepts_new_patients_and_calls_on_tap(browse, live_server, patient_world):
    city, *_ = patient_world
    page = browse(PHONE)
    page.goto(live_server.url + city.get_absolute_url())
    cards = page.locator("ol.ranked-list > li")
    assert cards.count() == 10
    for index in range(10):
        card = cards.nth(index)
        assert "Accepting new patients" in card.inner_text()
        assert card.locator("a[href^='tel:+1']").count() == 1


def test_the_city_list_shows_a_surgeon_at_the_practice_in_that_city_and_the_form_follows(
    browse, live_server, patient_world
):
    city, _, traveller = patient_world
    page = browse(LAPTOP)
    page.goto(live_server.url + city.get_absolute_url())
    card = page.locator("ol.ranked-list > li", has_text=traveller.last_name)
    assert "Houston" in card.locator("p.meta").first.inner_text()
    assert "Summit Spine Center" not in card.inner_text()
    card.get_by_role("link", name="Request a consultation").click()
    houston = traveller.locations.get(city=city)
    assert page.locator(f"input[name=practice][value='{houston.id}']").is_checked()


def test_the_profile_breadcrumb_names_the_city(browse, live_server, patient_world):
    city, _, traveller = patient_world
    page = browse(LAPTOP)
    page.goto(f"{live_server.url}/surgeons/{traveller.npi}/")
    crumbs = page.get_by_role("navigation", name="Breadcrumb").inner_text()
    assert crumbs.split("›")[:3] == ["Home ", " Cities ", f" {city.name}, {city.state} "]


def test_the_language_switch_goes_to_spanish_and_back_and_the_choice_sticks(browse, live_server, patient_world):
    city, *_ = patient_world
    page = browse(LAPTOP, locale="es-MX", extra_http_headers={"Accept-Language": "es-MX,es;q=0.9"})
    page.goto(live_server.url + city.get_absolute_url())
    assert page.url.endswith(f"/es/cities/{city.slug}/")  # the browser's language
    assert page.locator("html").get_attribute("lang") == "es"
    page.get_by_role("navigation", name="Idioma").get_by_role("link", name="English").click()
    page.wait_for_url(f"**/cities/{city.slug}/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "en"  # the choice beats Accept-Language
    page.get_by_role("navigation", name="Language").get_by_role("link", name="Español").click()
    page.wait_for_url("**/es/")
    assert "Elija su ciudad" in page.content()
