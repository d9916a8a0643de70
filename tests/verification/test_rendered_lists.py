"""Published lists rendered once, by the publishing worker, and served as stored bytes."""

import gzip

import brotli
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import CityFactory
from verification import publication, rendering
from verification.models import CheckResult, CityListPointer, RankingSnapshot, RenderedList, VerificationRun
from verification.selectors import pointer_cache_key

from .test_runs import run_sync

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_rendering(monkeypatch):
    """Readers must be served without any rendering: a render now fails the test."""

    def refuse(snapshot_ids):
        raise AssertionError(f"rendered {snapshot_ids} while serving a request")

    monkeypatch.setattr(rendering, "snapshots_render", refuse)


def test_publication_stores_every_page_and_the_api_body(rendered_list):
    stored = RenderedList.objects.filter(snapshot=rendered_list)
    assert sorted(stored.values_list("variant", flat=True)) == ["html-en", "html-es", "json"]
    page = stored.get(variant="html-en")
    assert gzip.decompress(page.gzip) == bytes(page.identity) == brotli.decompress(page.br)
    assert rendered_list.entries.get(rank=1).surgeon.npi.encode() in bytes(page.identity)
    assert b"Publicada el" in bytes(stored.get(variant="html-es").identity)


def test_a_cold_cache_serves_the_stored_bytes_in_one_query(client, rendered_list, city, no_rendering):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(city.get_absolute_url())
    assert response.status_code == 200
    assert response.content == bytes(RenderedList.objects.get(snapshot=rendered_list, variant="html-en").identity)
    assert len(queries) == 1  # the city's pointer and the page's bytes together


@pytest.mark.parametrize(
    ("accepted", "encoding", "decode"),
    [
        ("gzip, deflate, br", "br", brotli.decompress),
        ("gzip, deflate", "gzip", gzip.decompress),
        ("br;q=0, gzip", "gzip", gzip.decompress),
        ("br;q=0.0, gzip;q=0.5", "gzip", gzip.decompress),
        ("", None, bytes),
    ],
)
def test_pages_come_precompressed_as_the_client_accepts(client, rendered_list, city, accepted, encoding, decode):
    response = client.get(city.get_absolute_url(), HTTP_ACCEPT_ENCODING=accepted)
    assert response.get("Content-Encoding") == encoding
    assert "Accept-Encoding" in response["Vary"]
    page = decode(response.content).decode()
    assert rendered_list.entries.get(rank=1).surgeon.display_name in page


def test_a_lost_render_is_made_once_by_the_first_reader(client, rendered_list, city, monkeypatch):
    RenderedList.objects.all().delete()
    assert client.get(city.get_absolute_url()).status_code == 200
    assert RenderedList.objects.filter(snapshot=rendered_list).count() == 3
    cache.clear()
    monkeypatch.setattr(rendering, "snapshots_render", lambda ids: pytest.fail("rendered twice"))
    assert client.get(city.get_absolute_url()).status_code == 200


def test_a_listed_surgeons_changed_card_is_rendered_again(
    client, rendered_list, city, django_capture_on_commit_callbacks
):
    before = client.get(city.get_absolute_url())
    surgeon = rendered_list.entries.get(rank=1).surgeon
    assert "Not accepting new patients" not in before.text
    with django_capture_on_commit_callbacks(execute=True):
        surgeon.accepting_new_patients = False
        surgeon.save()
    after = client.get(city.get_absolute_url())
    assert "Not accepting new patients" in after.text
    assert after["ETag"] != before["ETag"]
    assert client.get(city.get_absolute_url(), HTTP_IF_NONE_MATCH=before["ETag"]).status_code == 200


def test_publishing_a_chunk_of_cities_takes_the_same_queries_for_two_cities_or_five(
    make_clean_surgeon, exclusion_list_loaded, django_capture_on_commit_callbacks
):
    cities = [CityFactory(name=f"Town {i}", state="TX") for i in range(5)]
    for city in cities:
        for _ in range(3):
            make_clean_surgeon(city=city)
    run, _ = run_sync()
    # Neither is the run's last chunk: that one also refreshes the lists' planner statistics, once per run.
    VerificationRun.objects.filter(id=run.id).update(publication_chunks_left=3)

    def publish(chunk) -> int:
        with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
            publication.run_cities_publish(run_id=run.id, city_ids=[c.id for c in chunk])
        return len(queries)

    assert publish(cities[:2]) == publish(cities[2:])
    assert RenderedList.objects.filter(snapshot__status=RankingSnapshot.Status.PUBLISHED).count() == 15


def test_an_event_driven_republish_of_one_city_takes_a_fixed_number_of_queries(
    rendered_list, city, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    first = rendered_list.entries.get(rank=1).surgeon
    CheckResult.objects.filter(surgeon=first, check_key="malpractice").update(effective_outcome="fail")
    with django_assert_max_num_queries(40), django_capture_on_commit_callbacks(execute=True):
        publication.cities_republish([city.id])
    assert RenderedList.objects.filter(snapshot=CityListPointer.objects.get(city=city).snapshot).count() == 3


def test_a_revalidation_that_ends_in_304_reads_no_page_bytes(client, rendered_list, city, monkeypatch):
    etag = client.get(city.get_absolute_url())["ETag"]
    monkeypatch.setattr(rendering, "rendered_body", lambda *args: pytest.fail("read the page for a 304"))
    assert client.get(city.get_absolute_url(), HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_a_stale_validator_still_gets_the_page(client, rendered_list, city):
    client.get(city.get_absolute_url())
    response = client.get(city.get_absolute_url(), HTTP_IF_NONE_MATCH='W/"snapshot-0-000000000000"')
    assert response.status_code == 200
    assert rendered_list.entries.get(rank=1).surgeon.display_name in response.text


def test_a_list_deleted_behind_a_cached_pointer_is_a_404_not_an_error(client, rendered_list, city):
    client.get(city.get_absolute_url())
    rendering._cache_forget([rendered_list.id])
    cache.set(pointer_cache_key(city.slug), (city.id, rendered_list.id, None))  # a pointer cached before the wipe
    CityListPointer.objects.all().delete()  # as a demo reseed wipes the lists
    RankingSnapshot.objects.all().delete()
    assert client.get(city.get_absolute_url()).status_code == 404


def test_a_warm_cache_answers_a_page_or_a_revalidation_in_one_read(
    client, rendered_list, city, cache_reads, django_assert_num_queries
):
    url = city.get_absolute_url()
    etag = client.get(url)["ETag"]
    client.get(url, HTTP_IF_NONE_MATCH=etag)
    cache_reads.clear()
    with django_assert_num_queries(0):
        assert client.get(url).status_code == 200
        assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
        assert client.get(url, HTTP_IF_NONE_MATCH='W/"snapshot-0-000000000000"').status_code == 200
    rendered = [key for key in cache_reads if "rendered" in key or "pointer" in key]
    assert len(rendered) == 4  # one each; the stale validator then needed the page's bytes


def test_a_new_list_replaces_the_cached_current_one_at_once(
    client, rendered_list, city, django_capture_on_commit_callbacks
):
    first = rendered_list.entries.get(rank=1).surgeon
    assert first.display_name in client.get(city.get_absolute_url()).text
    CheckResult.objects.filter(surgeon=first, check_key="malpractice").update(effective_outcome="fail")
    with django_capture_on_commit_callbacks(execute=True):
        publication.cities_republish([city.id])
    assert first.display_name not in client.get(city.get_absolute_url()).text


def test_lists_are_rendered_a_few_at_a_time_and_all_stored(
    make_clean_surgeon, exclusion_list_loaded, django_capture_on_commit_callbacks, monkeypatch
):
    cities = [CityFactory(name=f"Town {i}", state="TX") for i in range(3)]
    for city in cities:
        make_clean_surgeon(city=city)
    run, _ = run_sync()
    with django_capture_on_commit_callbacks(execute=True):
        publication.run_cities_publish(run_id=run.id, city_ids=[city.id for city in cities])
    snapshot_ids = list(
        RankingSnapshot.objects.filter(status=RankingSnapshot.Status.PUBLISHED).values_list("id", flat=True)
    )
    RenderedList.objects.all().delete()
    monkeypatch.setattr(rendering, "RENDER_BATCH", 2)
    assert rendering.snapshots_render(snapshot_ids) == 9
    assert RenderedList.objects.filter(snapshot_id__in=snapshot_ids).count() == 9
