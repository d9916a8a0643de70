"""Reads for reviewers: the review queue, one item's evidence side by side, and the dashboard."""

from dataclasses import dataclass
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

from .checks import CHECKS, REQUIRED_CHECKS
from .checks.types import ELIGIBLE_OUTCOMES, Outcome
from .models import CheckResult, CityRanking, ExclusionRecord, VerificationRun
from .sources.spine_codes import ADD_ON_CODES

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


@dataclass
class Panel:
    title: str
    columns: list[str]
    rows: list[list]


def _panel(title, queryset, columns, row) -> Panel:
    return Panel(title, columns, [row(item) for item in queryset])


def evidence_panels(result: CheckResult) -> list[Panel]:
    """What the reviewer compares with the surgeon's record, chosen by the check."""
    surgeon = result.surgeon
    key = result.check_key
    panels = []
    if key in ("license_sanctions", "experience"):
        panels.append(
            _panel(
                "Licenses on file",
                surgeon.licenses.prefetch_related("actions"),
                ["State", "Number", "Status", "First issued", "Expires", "Serious actions"],
                lambda lic: [
                    lic.state,
                    lic.number,
                    lic.get_status_display(),
                    lic.first_issued,
                    lic.expires,
                    ", ".join(str(a.action_date) for a in lic.actions.all() if a.severity == "serious") or "—",
                ],
            )
        )
    if key == "license_sanctions":
        ids = [m["id"] for m in result.evidence.get("exclusion_matches", [])]
        panels.append(
            _panel(
                "Exclusion-list rows that matched",
                ExclusionRecord.objects.filter(id__in=ids),
                ["Name", "State", "NPI", "Birth date", "Type", "Excluded", "Reinstated", "Waiver"],
                lambda r: [
                    f"{r.last_name}, {r.first_name} {r.middle_name}".strip(),
                    r.state,
                    r.npi or "(none)",
                    r.date_of_birth,
                    r.exclusion_type,
                    r.exclusion_date,
                    r.reinstatement_date,
                    f"{r.waiver_state} since {r.waiver_date}" if r.waiver_state else "—",
                ],
            )
        )
    if key == "board_certification":
        panels.append(
            _panel(
                "Board certifications on file",
                surgeon.board_certifications.all(),
                ["Board", "Specialty", "Certified", "Expires", "Status", "Method"],
                lambda c: [
                    c.get_board_display(),
                    c.get_specialty_display(),
                    c.certified_on,
                    c.expires,
                    c.get_status_display(),
                    c.get_evidence_method_display(),
                ],
            )
        )
    if key == "dea":
        panels.append(
            _panel(
                "DEA registrations on file",
                surgeon.dea_registrations.all(),
                ["Number", "State", "Schedules", "Expires", "Status", "Method"],
                lambda d: [
                    d.masked_number,
                    d.state,
                    d.schedules,
                    d.expires,
                    d.get_status_display(),
                    d.get_evidence_method_display(),
                ],
            )
        )
    if key == "state_csr":
        panels.append(
            _panel(
                "State controlled-substance registrations",
                surgeon.csr_registrations.all(),
                ["State", "Number", "Expires", "Status"],
                lambda r: [r.state, r.number, r.expires, r.get_status_display()],
            )
        )
    if key == "malpractice":
        panels.append(
            _panel(
                "Malpractice policies",
                surgeon.malpractice_policies.all(),
                ["Carrier", "Per claim", "Aggregate", "Effective", "Expires"],
                lambda p: [p.carrier, f"${p.per_claim_limit:,}", f"${p.aggregate_limit:,}", p.effective, p.expires],
            )
        )
    if key == "experience":
        panels.append(
            _panel(
                "Procedure volumes",
                surgeon.procedure_volumes.all(),
                ["Source", "Period", "Code", "Count", "Counted as"],
                lambda v: [
                    v.get_source_display(),
                    v.period,
                    v.cpt_code,
                    v.count,
                    "add-on (not an operation)" if v.cpt_code in ADD_ON_CODES else "operation",
                ],  # fmt: skip
            )
        )
    if key == "satisfaction":
        panels.append(
            _panel(
                "Satisfaction scores",
                surgeon.satisfaction_scores.all(),
                ["Period", "Score", "n", "Verified only"],
                lambda s: [f"{s.period_start} – {s.period_end}", s.score, s.responses, s.verified_patients_only],
            )
        )
    return panels


def _eligible_surgeons(today: date):
    ok = CheckResult.objects.filter(is_current=True, effective_outcome__in=list(ELIGIBLE_OUTCOMES)).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=today)
    )
    return ok.values("surgeon").annotate(n=Count("id")).filter(n=len(REQUIRED_CHECKS)).values("surgeon")


def eligible_and_listed_per_city(*, today: date, limit: int = 25) -> list[dict]:
    cities = (
        City.objects.annotate(
            eligible=Count(
                "locations__surgeon",
                filter=Q(locations__surgeon__in=Subquery(_eligible_surgeons(today))),
                distinct=True,
            )
        )
        .filter(eligible__gt=0)
        .order_by("-eligible", "name")[:limit]
    )
    rows = [{"city": c, "eligible": c.eligible, "listed": 0} for c in cities]
    listed = dict(
        CityRanking.objects.filter(city__in=[r["city"] for r in rows])
        .annotate(n=Count("snapshot__entries"))
        .values_list("city_id", "n")
    )
    for row in rows:
        row["listed"] = listed.get(row["city"].id, 0)
    return rows


def outcomes_by_check() -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {key: {} for key in REQUIRED_CHECKS}
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
