"""The partner API serves a published list's body as the bytes rendered when it was published."""

import gzip

import pytest

from verification import publication, rendering
from verification.models import CheckResult, CityListPointer, RenderedList

pytestmark = pytest.mark.django_db


def test_the_api_body_is_stored_too(api, rendered_list, city, monkeypatch):
    monkeypatch.setattr(rendering, "snapshots_render", lambda ids: pytest.fail("rendered while serving"))
    response = api.get(f"/api/v1/cities/{city.slug}/top-ten/", HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert response["Last-Modified"] and response["ETag"].startswith(f'W/"snapshot-{rendered_list.id}-')
    body = gzip.decompress(response.content)
    assert body == bytes(RenderedList.objects.get(snapshot=rendered_list, variant="json").identity)
    assert b'"status":"published"' in body


def test_a_superseded_list_loses_its_renders_and_reads_as_superseded(
    api, client, rendered_list, city, django_capture_on_commit_callbacks
):
    first = rendered_list.entries.get(rank=1).surgeon
    CheckResult.objects.filter(surgeon=first, check_key="malpractice").update(effective_outcome="fail")
    with django_capture_on_commit_callbacks(execute=True):
        publication.cities_republish([city.id])
    current = CityListPointer.objects.get(city=city).snapshot
    assert current.id != rendered_list.id
    assert not RenderedList.objects.filter(snapshot=rendered_list).exists()
    assert RenderedList.objects.filter(snapshot=current).count() == 3
    old = api.get(f"/api/v1/cities/{city.slug}/snapshots/{rendered_list.id}/").json()
    assert old["status"] == "superseded"
    assert first.display_name not in client.get(city.get_absolute_url()).text


def test_a_warm_cache_answers_the_list_or_a_revalidation_in_one_read(api, rendered_list, city, cache_reads):
    url = f"/api/v1/cities/{city.slug}/top-ten/"
    etag = api.get(url, HTTP_ACCEPT_ENCODING="gzip")["ETag"]
    api.get(url, HTTP_IF_NONE_MATCH=etag)
    cache_reads.clear()
    assert api.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert api.get(url, HTTP_ACCEPT_ENCODING="gzip").status_code == 200
    assert len([key for key in cache_reads if "rendered" in key or "pointer" in key]) == 2
