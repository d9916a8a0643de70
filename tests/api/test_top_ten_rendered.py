"""The partner API serves a published list's body as the bytes rendered when it was published."""

import gzip

import pytest
from django.core.cache import cache

from verification import publication, rendering
from verification.models import CheckResult, CityListPointer, RenderedList

from ..verification.test_runs import run_sync

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(make_clean_surgeon, exclusion_list_loaded, city, django_capture_on_commit_callbacks):
    for _ in range(12):
        make_clean_surgeon()
    with django_capture_on_commit_callbacks(execute=True):
        publication.rankings_publish(run=run_sync()[0])
    cache.clear()
    return CityListPointer.objects.get(city=city).snapshot


def test_the_api_body_is_stored_too(api, published, city, monkeypatch):
    monkeypatch.setattr(rendering, "snapshots_render", lambda ids: pytest.fail("rendered while serving"))
    response = api.get(f"/api/v1/cities/{city.slug}/top-ten/", HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert response["Last-Modified"] and response["ETag"].startswith(f'W/"snapshot-{published.id}-')
    body = gzip.decompress(response.content)
    assert body == bytes(RenderedList.objects.get(snapshot=published, variant="json").identity)
    assert b'"status":"published"' in body


def test_a_superseded_list_loses_its_renders_and_reads_as_superseded(
    api, client, published, city, django_capture_on_commit_callbacks
):
    first = published.entries.get(rank=1).surgeon
    CheckResult.objects.filter(surgeon=first, check_key="malpractice").update(effective_outcome="fail")
    with django_capture_on_commit_callbacks(execute=True):
        publication.cities_republish([city.id])
    current = CityListPointer.objects.get(city=city).snapshot
    assert current.id != published.id
    assert not RenderedList.objects.filter(snapshot=published).exists()
    assert RenderedList.objects.filter(snapshot=current).count() == 3
    old = api.get(f"/api/v1/cities/{city.slug}/snapshots/{published.id}/").json()
    assert old["status"] == "superseded"
    assert first.display_name not in client.get(city.get_absolute_url()).text
