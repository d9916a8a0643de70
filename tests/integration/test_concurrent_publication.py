"""Readers following the city pointer during publishes on PostgreSQL never see a mixed list."""

import threading

import pytest
from django.db import connection, connections

from tests import factories
from tests.verification.conftest import clean_surgeon
from verification import publication, selectors
from verification.models import RankingSnapshot

from ..verification.test_runs import run_sync
from .conftest import run_at_once

pytestmark = pytest.mark.integration


def test_readers_see_the_old_list_or_the_new_one_never_a_mix(transactional_db, city, settings):
    settings.RANKING_MAX_CHANGES_WITHOUT_APPROVAL = 100
    factories.exclusion_list_load()
    surgeons = [clean_surgeon(city) for _ in range(14)]
    run, _ = run_sync()
    publication.rankings_publish(run=run)
    stop, observations = threading.Event(), []

    def reader():
        try:
            while not stop.is_set():
                snapshot_id = selectors.city_pointer_get(slug=city.slug).snapshot_id
                entries = selectors.snapshot_with_entries(snapshot_id=snapshot_id)[1]
                observations.append((snapshot_id, [e.surgeon_id for e in entries]))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for thread in threads:
        thread.start()
    for i in range(12):
        # Alternate who tops the list so every publish changes it.
        surgeons[i % 14].satisfaction_scores.update(score="9.99", responses=1000 + i)
        for other in surgeons:
            if other is not surgeons[i % 14]:
                other.satisfaction_scores.update(score="9.00")
        manual, _ = run_sync(kind="manual")
        publication.rankings_publish(run=manual)
    stop.set()
    for thread in threads:
        thread.join()
    published = RankingSnapshot.objects.filter(city=city).exclude(status=RankingSnapshot.Status.DRAFT)
    assert published.count() >= 10
    final_lists = {s.id: list(s.entries.order_by("rank").values_list("surgeon_id", flat=True)) for s in published}
    mixed = [(sid, ids) for sid, ids in observations if final_lists.get(sid) != ids]
    assert not mixed, f"{len(mixed)} reads saw a list that was never published whole"
    assert len({sid for sid, _ in observations}) >= 2, "readers should have observed more than one list"
    assert connection.vendor == "postgresql"


def test_two_publishers_of_the_same_cities_leave_one_published_list_per_city(transactional_db, settings):
    """Both lock the cities' pointers in city order: one waits for the other, neither deadlocks or doubles a list."""
    from directory.models import City
    from tests.factories import CityFactory
    from verification.models import CityListPointer

    settings.RANKING_MAX_CHANGES_WITHOUT_APPROVAL = 100
    factories.exclusion_list_load()
    cities = [CityFactory(name=f"Town {i}") for i in range(4)]
    surgeons = [clean_surgeon(city) for city in cities for _ in range(3)]
    run, _ = run_sync()
    publication.rankings_publish(run=run)
    for surgeon in surgeons[2::3]:  # the last in each city moves to the top
        surgeon.satisfaction_scores.update(score="9.99", responses=1000)
    manual, _ = run_sync(kind="manual")
    _, errors = run_at_once(lambda: publication.rankings_publish(run=manual, cities=list(City.objects.order_by("-id"))))

    assert errors == []
    for pointer in CityListPointer.objects.select_related("snapshot"):
        published = RankingSnapshot.objects.filter(city=pointer.city, status=RankingSnapshot.Status.PUBLISHED)
        assert list(published) == [pointer.snapshot]
        assert pointer.snapshot.run_id == manual.id
