"""Reads for reviewers: the review queue, one item's evidence side by side, and the dashboard."""

from datetime import date, timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from directory.models import (
    BoardCertification,
    City,
    DEARegistration,
    MalpracticePolicy,
    PracticeLocation,
    StateControlledSubstanceRegistration,
    StateLicense,
)

from .checks import CHECKS
from .checks.panels import Panel
from .checks.types import Outcome
from .models import CheckResult, CityListPointer, VerificationRun

QUEUE_OUTCOMES = (Outcome.NEEDS_REVIEW, Outcome.UNKNOWN)
EXPIRY_WINDOW = timedelta(days=60)


def review_queue_list(*, check: str = "", city: str = "", run: str = "") -> QuerySet[CheckResult]:
    results = CheckResult.objects.filter(is_current=True, effective_outcome__in=QUEUE_OUTCOMES)
    if check:
        results = results.filter(check_key=check)
    if city:
        results = results.filter(Exists(PracticeLocation.objects.filter(surgeon=OuterRef("surgeon"), city__slug=city)))
    if run.isdigit():
        results = results.filter(run_id=int(run))
    return results.select_related("surgeon", "run").order_by("checked_at", "id")


def evidence_panels(result: CheckResult) -> list[Panel]:
    """What the reviewer compares with the surgeon's record, as the result's check declares it."""
    check = CHECKS.get(result.check_key)
    return check.review_panels(result) if check else []


def eligible_and_listed_per_city(*, today: date, limit: int = 25) -> list[dict]:
    cities = (
        City.objects.annotate(
            eligible=Count(
                "locations__surgeon",
                filter=Q(locations__surgeon__in=Subquery(CheckResult.objects.eligible_surgeons(as_of=today))),
                distinct=True,
            )
        )
        .filter(eligible__gt=0)
        .order_by("-eligible", "name")[:limit]
    )
    rows = [{"city": c, "eligible": c.eligible, "listed": 0} for c in cities]
    listed = dict(
        CityListPointer.objects.filter(city__in=[r["city"] for r in rows])
        .annotate(n=Count("snapshot__entries"))
        .values_list("city_id", "n")
    )
    for row in rows:
        row["listed"] = listed.get(row["city"].id, 0)
    return rows


def outcomes_by_check() -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {key: {} for key in CHECKS}
    rows = CheckResult.objects.filter(is_current=True).values("check_key", "effective_outcome").annotate(n=Count("id"))
    for row in rows.order_by():
        counts.setdefault(row["check_key"], {})[row["effective_outcome"]] = row["n"]
    return counts


EXPIRING = [
    ("Medical licenses", StateLicense, ["surgeon"]),
    ("Board certifications", BoardCertification, ["surgeon"]),
    ("DEA registrations", DEARegistration, ["surgeon"]),
    ("State controlled-substance registrations", StateControlledSubstanceRegistration, ["surgeon"]),
    ("Malpractice policies", MalpracticePolicy, ["surgeon"]),
]


def expiring_credentials(*, today: date, limit: int = 10) -> list[dict]:
    window = Q(expires__gte=today, expires__lte=today + EXPIRY_WINDOW)
    return [
        {
            "title": title,
            "items": list(model.objects.filter(window).select_related(*related).order_by("expires")[:limit]),
            "total": model.objects.filter(window).count(),
        }
        for title, model, related in EXPIRING
    ]


OUTCOME_LABELS = dict(Outcome.choices)


def run_counts_labelled(counts: dict[str, dict[str, int]]) -> list[tuple[str, str]]:
    """A run's {check: {outcome: n}} as a reviewer reads it: ("DEA registration", "Passed 40, Needs review 2")."""
    return [
        (
            CHECKS[check].TITLE if check in CHECKS else check,
            ", ".join(f"{OUTCOME_LABELS.get(outcome, outcome)} {n}" for outcome, n in outcomes.items()),
        )
        for check, outcomes in counts.items()
    ]


def latest_runs(limit: int = 5) -> list[VerificationRun]:
    runs = list(VerificationRun.objects.order_by("-created_at")[:limit])
    for run in runs:
        run.counts_labelled = run_counts_labelled(run.counts)
    return runs
