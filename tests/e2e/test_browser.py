"""A patient and a reviewer, in a real browser."""

import pytest
from django.contrib.auth.models import Group, User

from tests import factories
from verification import publication
from verification.models import CheckResult, ExclusionRecord, ReviewDecision

from ..verification.conftest import clean_surgeon
from ..verification.test_runs import run_sync

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def listed_city(transactional_db, city):
    factories.exclusion_list_load()
    surgeons = [clean_surgeon(city) for _ in range(11)]
    suspect = clean_surgeon(city, first_name="Maria", last_name="Lopez")
    ExclusionRecord.objects.create(row_hash="amb", last_name="LOPEZ", first_name="MARIA", state="TX")
    publication.rankings_publish(run=run_sync()[0])
    return city, surgeons, suspect


def test_patient_goes_from_home_to_a_surgeons_badge_evidence(page, shoot, live_server, listed_city):
    city, *_ = listed_city
    page.goto(live_server.url + "/")
    shoot("01-home")
    page.get_by_role("link", name=f"{city.name}, {city.state}").first.click()
    page.wait_for_url(f"**{city.get_absolute_url()}")
    assert page.locator("ol.ranked-list > li").count() == 10
    shoot("02-city")
    badge = page.locator("ol.ranked-list > li").first.locator("summary.badge").first
    badge.click()
    evidence = page.locator("ol.ranked-list > li").first.locator(".badge-list details[open] .evidence")
    assert "checked" in evidence.inner_text()
    shoot("03-badge-evidence")
    page.locator("ol.ranked-list > li h2 a").first.click()
    page.wait_for_selector("#verification")
    assert "Verification record" in page.content()
    shoot("04-surgeon")
    assert page.console_errors == [], page.console_errors


def test_patient_reads_every_fbss_page(page, shoot, live_server, transactional_db):
    page.goto(live_server.url + "/fbss/")
    links = [a.get_attribute("href") for a in page.locator("main a[href^='/fbss/']").all()]
    slugs = sorted({href for href in links if href.count("/") == 3})
    assert len(slugs) == 4
    for index, href in enumerate(slugs):
        page.goto(live_server.url + href)
        assert "Last reviewed" in page.content()
        shoot(f"05-fbss-{index}")
    assert page.console_errors == [], page.console_errors


def test_reviewer_overrides_with_a_reason_and_the_audit_entry_shows(page, shoot, live_server, listed_city, roles):
    *_, suspect = listed_city
    reviewer = User.objects.create_user("rita", password="Review-Pass-2026!", is_staff=True)
    reviewer.groups.add(Group.objects.get(name="Reviewer"))
    page.goto(live_server.url + "/admin/")
    page.fill("#id_username", "rita")
    page.fill("#id_password", "Review-Pass-2026!")
    page.click("input[type=submit]")
    page.get_by_role("link", name="Review queue").click()
    shoot("06-review-queue")
    page.get_by_role("link", name=str(suspect)).first.click()
    assert "Exclusion-list rows that matched" in page.content()
    page.select_option("#id_outcome", "pass")
    page.fill("#id_reason", "Different person: the LEIE row's middle name and city differ.")
    page.click("#decision-form button[type=submit]")
    page.wait_for_selector("#decision-history")
    shoot("07-decision-recorded")
    assert "Different person" in page.locator("#decision-history").inner_text()
    decision = ReviewDecision.objects.get()
    assert (decision.decided_by.username, decision.to_outcome) == ("rita", "pass")
    assert CheckResult.objects.get(id=decision.result_id).effective_outcome == "pass"
