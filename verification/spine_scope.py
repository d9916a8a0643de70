"""Keeping the spine scope current: Medicare volume peaks (CMS importer) and reviewers' confirmations.

A surgeon's `spine_scope` is derived from their own row on every save (Surgeon.spine_scope_derive); these services
change its inputs and say which surgeons moved in or out of the spine directory, so their lists follow at once.
"""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from directory.models import ProcedureVolume, Surgeon

from . import events
from .sources.chunks import chunked
from .sources.spine_codes import PRIMARY_CODES

PEAK_FIELDS = ("spine_volume_peak", "spine_volume_peak_year", "spine_scope", "updated_at")
CHUNK = 5000


def _peaks(surgeon_ids: list[int]) -> dict[int, tuple[int, int]]:
    """{surgeon id: (most primary spine procedures in one CMS data year, that year)}; the latest year on a tie."""
    totals = (
        ProcedureVolume.objects.filter(
            surgeon_id__any_of=surgeon_ids, source=ProcedureVolume.Source.CMS_BY_SERVICE, cpt_code__in=PRIMARY_CODES
        )
        .values("surgeon_id", "period")
        .annotate(total=Sum("count"))
        .order_by()
    )
    peaks: dict[int, tuple[int, int]] = {}
    for row in totals:
        if row["period"].isdigit():
            peak = (row["total"], int(row["period"]))
            peaks[row["surgeon_id"]] = max(peaks.get(row["surgeon_id"], peak), peak)
    return peaks


def spine_volume_peaks_refresh(*, surgeon_ids: Iterable[int]) -> list[int]:
    """Recompute the surgeons' Medicare volume peaks; the ids whose spine scope changed as a result."""
    moved = []
    for ids in chunked(sorted(set(surgeon_ids)), CHUNK):
        peaks = _peaks(ids)
        surgeons = Surgeon.objects.filter(id__any_of=ids).only(
            "id", "specialty", "taxonomy_codes", "spine_volume_peak", "spine_volume_peak_year",
            "spine_practice_confirmed_at", "spine_scope",
        )  # fmt: skip
        changed = []
        for surgeon in surgeons:
            peak, year = peaks.get(surgeon.id, (0, None))
            if (surgeon.spine_volume_peak, surgeon.spine_volume_peak_year) == (peak, year):
                continue
            surgeon.spine_volume_peak, surgeon.spine_volume_peak_year = peak, year
            scope, surgeon.spine_scope = surgeon.spine_scope, surgeon.spine_scope_derive()
            surgeon.updated_at = timezone.now()
            changed.append(surgeon)
            if scope != surgeon.spine_scope:
                moved.append(surgeon.id)
        Surgeon.objects.bulk_update(changed, PEAK_FIELDS, batch_size=1000)
    return moved


def _confirmation_set(surgeons, *, reason: str, user, at) -> list[int]:
    moved = []
    for surgeon in surgeons:
        scope = surgeon.spine_scope
        surgeon.spine_practice_confirmed_at, surgeon.spine_practice_confirmed_by = at, user
        surgeon.spine_practice_confirmation = reason
        surgeon.save(
            update_fields=[
                "spine_practice_confirmed_at", "spine_practice_confirmed_by", "spine_practice_confirmation",
                "updated_at",
            ]
        )  # fmt: skip
        if surgeon.spine_scope != scope:
            moved.append(surgeon.id)
    return moved


def spine_practice_confirm(*, surgeon_ids: Iterable[int], reason: str, user) -> list[int]:
    """A reviewer confirms spine practice (a reason is required); the ids that entered the spine directory."""
    reason = reason.strip()
    if not reason:
        raise ValueError("A reason is required to confirm spine practice.")
    with transaction.atomic():
        surgeons = Surgeon.objects.select_for_update().filter(id__in=list(surgeon_ids))
        moved = _confirmation_set(surgeons, reason=reason, user=user, at=timezone.now())
        events.surgeons_changed(surgeon_ids=moved, cause="spine practice confirmed by a reviewer", recheck=False)
    return moved


def spine_practice_confirmation_withdraw(*, surgeon_ids: Iterable[int], user) -> list[int]:
    """Withdraw a confirmation (e.g. given in error); the ids that left the spine directory."""
    with transaction.atomic():
        surgeons = Surgeon.objects.select_for_update().filter(id__in=list(surgeon_ids))
        moved = _confirmation_set(surgeons, reason="", user=None, at=None)
        cause = f"spine practice confirmation withdrawn by {user}"
        events.surgeons_changed(surgeon_ids=moved, cause=cause, recheck=False)
    return moved
