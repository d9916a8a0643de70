"""The independent audit finds every way a listing can break its promise, and nothing when it holds."""

import datetime as dt
from dataclasses import replace

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from directory.models import DEARegistration, MalpracticePolicy, Surgeon
from verification import publication, rendering, selectors
from verification.audit import listings_audit
from verification.models import CheckResult, CityListPointer, ExclusionRecord, ListingAudit, RenderedList

from .test_runs import run_sync

pytestmark = pytest.mark.django_db


@pytest.fixture
def listed_city(make_clean_surgeon, exclusion_list_loaded, city):
    surgeons = [make_clean_surgeon() for _ in range(12)]
    publication.rankings_publish(run=run_sync()[0])
    return city, surgeons


def top(city) -> Surgeon:
    return CityListPointer.objects.get(city=city).snapshot.entries.get(rank=1).surgeon


def test_a_consistent_directory_gives_no_findings(listed_city, capsys):
    report = listings_audit()
    assert report.findings == [] and report.listed_surgeons == 10 and report.cities == 1
    call_command("audit_listings")
    assert "Audited 10 listed surgeons in 1 cities: 0 findings" in capsys.readouterr().out
    assert ListingAudit.objects.count() == 2 and ListingAudit.objects.first().ok


def test_a_listed_surgeon_failing_a_check_is_found_and_the_command_fails(listed_city):
    city, _ = listed_city
    CheckResult.objects.filter(surgeon=top(city), check_key="dea", is_current=True).update(effective_outcome="fail")
    with pytest.raises(CommandError, match="1 findings"):
        call_command("audit_listings")
    assert "dea is fail" in ListingAudit.objects.first().findings[0]


def test_the_audit_does_not_trust_the_results_linked_to_an_entry(listed_city):
    city, _ = listed_city
    surgeon = top(city)
    # A newer current result exists that the snapshot never linked: the audit reads current results.
    CheckResult.objects.filter(surgeon=surgeon, check_key="satisfaction", is_current=True).update(
        effective_outcome="needs_review"
    )
    assert any("satisfaction is needs_review" in f for f in listings_audit().findings)


def test_credentials_that_contradict_a_pass_are_found(listed_city):
    city, _ = listed_city
    surgeon = top(city)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    MalpracticePolicy.objects.filter(surgeon=surgeon).update(expires=yesterday)
    DEARegistration.objects.filter(surgeon=surgeon).update(status="revoked")
    findings = listings_audit().findings
    assert any("no malpractice policy in force" in f for f in findings)
    assert any("no active, unexpired DEA registration" in f for f in findings)


def test_an_npi_exclusion_is_found(listed_city):
    city, _ = listed_city
    surgeon = top(city)
    ExclusionRecord.objects.create(row_hash="x", npi=surgeon.npi, last_name="X", exclusion_date=dt.date(2024, 1, 1))
    assert any("OIG exclusion list by NPI" in f for f in listings_audit().findings)


def test_a_withdrawn_surgeon_still_listed_is_found(listed_city):
    city, _ = listed_city
    Surgeon.objects.filter(id=top(city).id).update(is_active=False)
    assert any("not in the public directory" in f for f in listings_audit().findings)


def test_a_list_shorter_than_the_eligible_surgeons_allow_is_found(listed_city, make_clean_surgeon):
    city, _ = listed_city
    snapshot = CityListPointer.objects.get(city=city).snapshot
    snapshot.entries.filter(rank=10).delete()
    findings = listings_audit().findings
    assert any("9 listed while 10 could be" in f for f in findings)


def test_a_lapsed_list_is_found(listed_city):
    city, _ = listed_city
    CityListPointer.objects.filter(city=city).update(valid_until=timezone.localdate() - dt.timedelta(days=1))
    assert any("lapsed" in f for f in listings_audit().findings)


def test_a_cached_pointer_or_a_stored_or_cached_page_that_disagrees_is_found(listed_city, client):
    city, _ = listed_city
    pointer = CityListPointer.objects.get(city=city)
    client.get(city.get_absolute_url())  # caches the page's bytes
    stored = RenderedList.objects.get(snapshot_id=pointer.snapshot_id, variant="json")
    stored.identity = bytes(stored.identity).replace(top(city).npi.encode(), b"0000000000")
    stored.save()
    key = rendering._cache_key(pointer.snapshot_id, "html-en", "identity")
    page = cache.get(key)
    cache.set(key, replace(page, content=page.content.replace(top(city).npi.encode(), b"0000000000")))
    cache.set(selectors.pointer_cache_key(city.slug), (city.id, 999, None))
    findings = listings_audit().findings
    assert any("cached pointer names list #999" in f for f in findings)
    assert any("cached city page does not show the current list" in f for f in findings)
    assert any("stored API top ten does not show the current list" in f for f in findings)


def test_a_cached_current_list_that_disagrees_is_found(listed_city, client):
    city, _ = listed_city
    pointer = CityListPointer.objects.get(city=city)
    client.get(city.get_absolute_url(), HTTP_ACCEPT_ENCODING="")  # caches the current page, uncompressed
    key = rendering._front_key(city.slug, "html-en", "identity")
    current = cache.get(key)
    wrong = replace(current.body, content=current.body.content.replace(top(city).npi.encode(), b"0000000000"))
    cache.set(key, replace(current, body=wrong))
    assert any("cached current city page does not show the current list" in f for f in listings_audit().findings)
    cache.set(key, replace(current, pointer=current.pointer._replace(snapshot_id=999)))
    assert any(f"names list #999, not #{pointer.snapshot_id}" in f for f in listings_audit().findings)


def test_a_listed_surgeon_held_by_a_silent_source_is_reported_but_not_a_finding(listed_city):
    city, _ = listed_city
    CheckResult.objects.filter(surgeon=top(city), check_key="license_sanctions", is_current=True).update(
        effective_outcome="unknown", source_answered=False
    )
    report = listings_audit()
    assert report.findings == [] and len(report.held) == 1


def test_the_dashboard_shows_the_last_audit(client, admin_user, listed_city):
    client.force_login(admin_user)
    url = "/admin/verification/verificationrun/dashboard/"
    assert "The audit has not run yet" in client.get(url).text
    CheckResult.objects.filter(surgeon=top(listed_city[0]), check_key="dea", is_current=True).update(
        effective_outcome="fail"
    )
    listings_audit()
    page = client.get(url).text
    assert "1 finding" in page and "dea is fail" in page
