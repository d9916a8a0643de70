import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from directory.models import CredentialStatus
from verification import publication, selectors
from verification.models import CheckResult, CityListPointer, VerificationRun

from .test_runs import run_sync

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(make_clean_surgeon, exclusion_list_loaded, city):
    surgeons = [make_clean_surgeon() for _ in range(12)]
    run, _ = run_sync()
    publication.rankings_publish(run=run)
    return surgeons, CityListPointer.objects.get(city=city).snapshot


def test_city_page_shows_the_ranked_list_with_a_badge_per_criterion(client, published, city):
    surgeons, snapshot = published
    text = client.get(city.get_absolute_url()).text
    top = snapshot.entries.get(rank=1)
    assert top.surgeon.display_name in text
    for title in [
        "License and sanctions",
        "Board certification",
        "DEA registration",
        "Malpractice insurance",
        "Experience",
        "Patient satisfaction",
        "State controlled-substance registration",
    ]:
        assert title in text
    assert text.count('class="badge badge--') >= 70
    assert "(n=120)" in text
    assert "Document on file" in text or "Primary source" in text
    assert reverse("verification:city_history", args=[city.slug]) in text
    assert "#ranking-method" in text


def test_city_page_never_shows_private_fields(client, published, city):
    surgeons, _ = published
    text = client.get(city.get_absolute_url()).text
    for surgeon in surgeons:
        assert surgeon.dea_registrations.get().number not in text
    assert "1970-03-14" not in text and "March 14, 1970" not in text


def test_city_page_etag_is_the_snapshot_and_a_match_gets_304(client, published, city):
    _, snapshot = published
    response = client.get(city.get_absolute_url())
    assert response["ETag"].startswith(f'W/"snapshot-{snapshot.id}-')
    again = client.get(city.get_absolute_url(), HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert client.get(city.get_absolute_url(), HTTP_IF_NONE_MATCH='"snapshot-0"').status_code == 200


def test_city_page_and_its_304_need_no_query_after_the_first_view(client, published, city, django_assert_num_queries):
    etag = client.get(city.get_absolute_url())["ETag"]
    with django_assert_num_queries(0):
        assert client.get(city.get_absolute_url()).status_code == 200
        assert client.get(city.get_absolute_url(), HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_a_delisting_shows_at_once_despite_the_cached_pointer(
    client, published, city, django_capture_on_commit_callbacks
):
    _, first = published
    first_etag = client.get(city.get_absolute_url())["ETag"]
    victim = first.entries.get(rank=1).surgeon
    victim.licenses.update(status=CredentialStatus.REVOKED)
    with django_capture_on_commit_callbacks(execute=True):
        sanctions, _ = run_sync(kind=VerificationRun.Kind.SANCTIONS)
        publication.after_run(run_id=sanctions.id)
    current = CityListPointer.objects.get(city=city).snapshot
    assert current.id != first.id
    response = client.get(city.get_absolute_url())
    assert response["ETag"].startswith(f'W/"snapshot-{current.id}-')
    assert victim.display_name not in response.text
    assert client.get(city.get_absolute_url(), HTTP_IF_NONE_MATCH=first_etag).status_code == 200


def test_uncached_city_page_query_count_does_not_grow_with_data(
    client, make_clean_surgeon, exclusion_list_loaded, city, django_assert_max_num_queries
):
    for _ in range(20):
        make_clean_surgeon()
    publication.rankings_publish(run=run_sync()[0])
    with django_assert_max_num_queries(8):
        assert client.get(city.get_absolute_url()).status_code == 200


def test_home_and_city_index_show_which_cities_have_lists(client, published, city):
    assert "Top-ten list published" in client.get("/").text
    assert "Published" in client.get(reverse("verification:city_index")).text


def test_history_lists_past_snapshots_and_each_opens(client, published, city):
    _, snapshot = published
    text = client.get(reverse("verification:city_history", args=[city.slug])).text
    url = reverse("verification:snapshot", args=[city.slug, snapshot.id])
    assert url in text
    assert client.get(url).status_code == 200


def test_unknown_snapshot_is_404(client, published, city):
    assert client.get(reverse("verification:snapshot", args=[city.slug, 999999])).status_code == 404


def test_profile_shows_the_full_verification_record_and_listing(client, published, city):
    _, snapshot = published
    top = snapshot.entries.get(rank=1).surgeon
    text = client.get(top.get_absolute_url()).text
    assert "Verification record" in text
    assert "#1 in" in text
    assert "Board certification" in text and "Passed" in text


def test_profile_query_count_is_bounded_with_a_verification_record(client, published, django_assert_max_num_queries):
    _, snapshot = published
    with django_assert_max_num_queries(15):
        assert client.get(snapshot.entries.get(rank=1).surgeon.get_absolute_url()).status_code == 200


def test_an_unchanged_profile_is_served_from_the_cache_in_one_query(
    client, published, django_assert_num_queries, django_capture_on_commit_callbacks
):
    surgeon = published[1].entries.get(rank=1).surgeon
    first = client.get(surgeon.get_absolute_url())
    with django_assert_num_queries(1):
        assert client.get(surgeon.get_absolute_url()).content == first.content


@pytest.mark.parametrize(
    "change",
    [
        "a reviewer decision",
        "a new result",
        "a license edit",
        "a practice's phone",
        "the surgeon's own record",
        "a new list",
        "a new day",
    ],
)
def test_a_cached_profile_changes_with_anything_it_shows(client, published, city, change, admin_user):
    from verification import services

    surgeon = published[1].entries.get(rank=1).surgeon
    url = surgeon.get_absolute_url()
    before = client.get(url).text
    result = surgeon.check_results.get(check_key="malpractice", is_current=True)
    if change == "a reviewer decision":
        services.result_override(
            result_id=result.id,
            to_outcome="needs_review",
            reason="Policy lapsed?",
            user=admin_user,
            public_note="Under review",
        )
        assert "Under review" in client.get(url).text
    elif change == "a new result":
        surgeon.licenses.update(status=CredentialStatus.REVOKED)  # no signal: only the re-check shows it
        assert client.get(url).text == before
        run_sync(kind=VerificationRun.Kind.SANCTIONS)
        assert "revoked" in client.get(url).text
    elif change == "a license edit":
        license = surgeon.licenses.first()
        license.evidence_source = "Texas Medical Board lookup, re-checked"
        license.save()
        assert "re-checked" in client.get(url).text
    elif change == "a practice's phone":
        location = surgeon.locations.first()
        location.phone = "+17135550199"
        location.save()
        assert "555-0199" in client.get(url).text
    elif change == "the surgeon's own record":
        surgeon.bio = "Treats adult spinal deformity."
        surgeon.save()
        assert "adult spinal deformity" in client.get(url).text
    elif change == "a new list":
        second = published[1].entries.get(rank=2).surgeon
        assert "#2 in" in client.get(second.get_absolute_url()).text
        result.effective_outcome = "fail"  # the first leaves the list; the second moves up
        CheckResult.objects.bulk_update([result], ["effective_outcome"])
        publication.cities_republish([city.id])
        assert "#1 in" in client.get(second.get_absolute_url()).text
    else:
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        assert selectors.profile_version(npi=surgeon.npi) != selectors.profile_version(npi=surgeon.npi, today=tomorrow)
