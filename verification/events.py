"""Eligibility events: a change that may alter who is eligible re-verifies what it touches and republishes.

Call `surgeons_changed` inside the transaction that made the change. Once it commits, the surgeons' checks
are evaluated again (unless `recheck=False`, e.g. a reviewer's decision changed a result directly) and every
affected city's list is republished: the cities where they practise, the cities whose current list names
them, and `city_ids` (e.g. the city a practice location was just removed from).
"""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone


def surgeons_changed(*, surgeon_ids: Iterable[int], cause: str, recheck: bool = True, city_ids: Iterable[int] = ()):
    """Record an eligibility event for these surgeons; it is acted on after the current transaction commits."""
    surgeon_ids, city_ids = sorted(set(surgeon_ids)), sorted(set(city_ids))
    if not surgeon_ids and not city_ids:
        return

    def act():
        from . import services

        services.run_start(kind="manual", as_of=timezone.localdate(), surgeon_ids=surgeon_ids, enqueue=True)

    transaction.on_commit(act, robust=True)
