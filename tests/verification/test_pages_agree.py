"""Pages never contradict themselves: a listing only beside checks that allow it, words that match the outcome."""

import datetime as dt

import pytest
from django.utils import timezone

from directory.models import MalpracticePolicy
from verification import publication, services
from verification.models import CheckResult, CityListPointer, ExclusionRecord

from .test_runs import run_sync

pytestmark = pytest.mark.django_db


@pytest.fixture
def listed(make_clean_surgeon, exclusion_list_loaded, city):
    for _ in range(3):
        make_clean_surgeon()
    publication.rankings_publish(run=run_sync()[0])
    return CityListPointer.objects.get(city=city).snapshot.entries.get(rank=1).surgeon


def profile(client, surgeon) -> str:
    return client.get(surgeon.get_absolute_url()).text


def test_a_listing_is_shown_beside_passing_checks(client, listed):
    assert "#1 in" in profile(client, listed)


def test_a_failing_check_hides_the_listing_even_before_the_republication(client, listed):
    CheckResult.objects.filter(surgeon=listed, check_key="dea", is_current=True).update(effective_outcome="fail")
    page = profile(client, listed)
    assert "#1 in" not in page and "Not on a published top-ten list right now" in page


def test_a_silent_source_shows_its_last_answer_not_unknown(client, listed):
    answered = CheckResult.objects.get(surgeon=listed, check_key="license_sanctions", is_current=True)
    silent = CheckResult.objects.get(id=answered.id)
    silent.pk, silent.run = None, run_sync(kind="manual", period_key="silent", surgeon_ids=[])[0]
    silent.outcome = silent.effective_outcome = "unknown"
    silent.source_answered, silent.checked_at, silent.valid_until = False, timezone.now(), None
    silent.reason = "OIG LEIE exclusion list did not answer; the check will be repeated."
    CheckResult.objects.filter(id=answered.id).update(is_current=False)
    silent.save()
    page = profile(client, listed)
    assert "#1 in" in page  # kept on the list while the source is silent
    assert "Re-check pending" in page and "Its last answer" in page and answered.reason in page
    assert ">Unknown<" not in page


def test_an_overridden_result_shows_the_reviewer_s_public_note(client, listed, admin_user):
    result = CheckResult.objects.get(surgeon=listed, check_key="board_certification", is_current=True)
    services.result_override(
        result_id=result.id, to_outcome="pass", reason="Called ABOS; birth year 1970 matches", user=admin_user,
        public_note="Certification confirmed with the board by phone.",
    )  # fmt: skip
    page = profile(client, listed)
    assert "Certification confirmed with the board by phone." in page
    assert result.reason not in page and "1970" not in page  # neither the machine's wording nor the private reason


def test_an_override_without_a_note_reads_as_the_reviewer_s_conclusion(client, listed, admin_user):
    result = CheckResult.objects.get(surgeon=listed, check_key="experience", is_current=True)
    CheckResult.objects.filter(id=result.id).update(outcome="needs_review", effective_outcome="needs_review")
    services.result_override(result_id=result.id, to_outcome="pass", reason="case log seen", user=admin_user)
    assert "A reviewer checked the evidence on file and decided: Passed." in profile(client, listed)


def test_a_credential_past_its_date_reads_expired_never_in_force(client, listed):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    MalpracticePolicy.objects.filter(surgeon=listed).update(expires=yesterday)
    listed.licenses.update(expires=yesterday)
    page = profile(client, listed)
    assert page.count("Expired on") == 2 and "In force from" not in page


def test_the_short_list_banner_tells_the_true_count_when_a_change_waits(
    client, listed, city, make_clean_surgeon, settings
):
    settings.RANKING_MAX_CHANGES_WITHOUT_APPROVAL = 0
    settings.RANKING_LIST_SIZE = 10
    for _ in range(2):
        make_clean_surgeon()
    run_sync(kind="manual", period_key="more")
    CheckResult.objects.filter(surgeon=listed, check_key="dea", is_current=True).update(effective_outcome="fail")
    publication.cities_republish([city.id])  # one leaves, one moves up; the second newcomer waits for approval
    page = client.get(city.get_absolute_url()).text
    assert "3 of the 4 surgeons in Houston who pass every check are listed" in page


def test_an_excluded_surgeon_is_offered_no_consultation(client, listed):
    ExclusionRecord.objects.create(row_hash="x", npi=listed.npi, last_name="X", exclusion_date=dt.date(2024, 1, 1))
    run_sync(kind="manual", period_key="excluded", surgeon_ids=[listed.id])
    page = profile(client, listed)
    assert "Consultation requests are not offered through this site" in page
    assert 'class="btn btn--primary"' not in page


def test_a_surgeon_not_accepting_patients_is_reached_by_phone_first(client, listed, city):
    listed.accepting_new_patients = False
    listed.save()
    page = profile(client, listed)
    assert "Not accepting new patients: call the practice" in page and 'href="tel:+1' in page
    assert 'class="btn btn--primary"' not in page


def test_the_api_shows_no_listing_beside_a_failing_check(client, listed):
    from api.models import Partner, PartnerAPIKey

    _, key = PartnerAPIKey.objects.create_key(name="k", partner=Partner.objects.create(name="P"))
    url = f"/api/v1/surgeons/{listed.npi}/"
    assert client.get(url, HTTP_AUTHORIZATION=f"Api-Key {key}").json()["listings"] != []
    CheckResult.objects.filter(surgeon=listed, check_key="dea", is_current=True).update(effective_outcome="fail")
    body = client.get(url, HTTP_AUTHORIZATION=f"Api-Key {key}").json()
    assert body["listings"] == [] and body["eligible"] is False
