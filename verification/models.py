"""Verification runs, check results, reviewer overrides and the exclusion records we screen against."""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.db.models.functions import Upper
from simple_history.models import HistoricalRecords

from directory.models import EvidenceMethod, Surgeon

from .checks import CHECKS
from .checks.types import ELIGIBLE_OUTCOMES, Outcome


class VerificationRun(models.Model):
    class Kind(models.TextChoices):
        ANNUAL = "annual", "Annual full verification"
        SANCTIONS = "sanctions", "Monthly sanctions re-screen"
        EXPIRY = "expiry", "Daily expiry sweep"
        MANUAL = "manual", "Manual"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    period_key = models.CharField(max_length=40, help_text="e.g. 2026 for annual, 2026-11 for sanctions")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    as_of = models.DateField(help_text="The date every check in the run is evaluated on")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    checks = models.JSONField(default=list, help_text="Check keys evaluated in this run")
    batches_total = models.PositiveIntegerField(default=0)
    batches_done = models.PositiveIntegerField(default=0)
    surgeons_total = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True, help_text="{check: {outcome: count}}")
    note = models.TextField(blank=True)
    publication_chunks_left = models.PositiveIntegerField(default=0, help_text="City chunks still to publish")
    publication_done_at = models.DateTimeField(
        null=True, blank=True, help_text="When the lists this run leads to were published (or delistings applied)"
    )
    handed_over_at = models.DateTimeField(
        null=True, blank=True, help_text="When publication was handed to the workers; a sweeper re-drives a lost one"
    )
    publication_gated = models.BooleanField(
        default=False, help_text="A source outage held back this run's new lists (removals still apply)"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # Scheduled sweepers fire at most once per period; manual runs are keyed uniquely by the caller.
            models.UniqueConstraint(fields=["kind", "period_key"], name="run_unique_per_kind_and_period"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.period_key}"

    @property
    def progress_percent(self):
        return round(100 * self.batches_done / self.batches_total) if self.batches_total else 0


class VerificationBatch(models.Model):
    """A slice of a run's surgeons; finishing it is claimed once, so a redelivered task is a no-op."""

    run = models.ForeignKey(VerificationRun, on_delete=models.CASCADE, related_name="batches")
    index = models.PositiveIntegerField()
    surgeon_ids = models.JSONField()
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0, help_text="Times a worker started verifying it")
    sends = models.PositiveIntegerField(default=0, help_text="Times it was handed to the broker")
    sent_at = models.DateTimeField(null=True, blank=True, help_text="Last hand-over; empty while the broker refused")

    class Meta:
        ordering = ["run", "index"]
        constraints = [models.UniqueConstraint(fields=["run", "index"], name="batch_unique_index_per_run")]

    def __str__(self):
        return f"{self.run} batch {self.index}"


class CheckResultQuerySet(models.QuerySet):
    def eligible_surgeons(self, *, as_of: date) -> models.QuerySet:
        """Ids (a subquery) of the surgeons eligible on `as_of`: ranking.eligibility's rule in SQL, for counts.

        Every registered check's current result passed (or does not apply), overrides applied, evidence still valid.
        """
        counting = self.filter(
            is_current=True, check_key__in=list(CHECKS), effective_outcome__in=list(ELIGIBLE_OUTCOMES)
        ).filter(Q(valid_until=None) | Q(valid_until__gte=as_of))
        return counting.values("surgeon_id").annotate(n=Count("id")).filter(n=len(CHECKS)).values("surgeon_id")


class CheckResult(models.Model):
    run = models.ForeignKey(VerificationRun, on_delete=models.CASCADE, related_name="results")
    surgeon = models.ForeignKey(Surgeon, on_delete=models.CASCADE, related_name="check_results")
    check_key = models.CharField("check", max_length=30)
    outcome = models.CharField(max_length=15, choices=Outcome.choices)
    method = models.CharField(max_length=20, choices=EvidenceMethod.choices)
    source = models.CharField(max_length=200)
    checked_at = models.DateTimeField()
    valid_until = models.DateField(null=True, blank=True)
    evidence = models.JSONField(default=dict, blank=True)
    reason = models.CharField(max_length=500)
    source_answered = models.BooleanField(default=True, help_text="False when a source could not answer")
    fingerprint = models.CharField(max_length=64, help_text="Hash of outcome and evidence")
    # The outcome that counts: the check's own, or a reviewer's override of it.
    effective_outcome = models.CharField(max_length=15, choices=Outcome.choices)
    public_note = models.CharField(
        max_length=300, blank=True, help_text="What patients read when a reviewer decided (instead of the finding)"
    )
    is_current = models.BooleanField(default=True, help_text="The latest result for this surgeon and check")
    history = HistoricalRecords(excluded_fields=["evidence"])

    objects = CheckResultQuerySet.as_manager()

    class Meta:
        permissions = [
            ("override_checkresult", "Can override check results with a reason"),
            ("rerun_checkresult", "Can re-run checks now"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["run", "surgeon", "check_key"], name="result_unique_per_run_surgeon_check"),
            models.UniqueConstraint(
                fields=["surgeon", "check_key"], condition=Q(is_current=True), name="result_one_current_per_check"
            ),
        ]
        indexes = [
            models.Index(fields=["surgeon", "is_current"]),
            models.Index(fields=["run", "check_key", "outcome"]),
            models.Index(fields=["effective_outcome", "is_current"]),
            models.Index(fields=["valid_until"], condition=Q(is_current=True), name="result_current_valid_until"),
        ]

    def __str__(self):
        return f"{self.check_title}: {self.get_effective_outcome_display()}"

    @property
    def is_overridden(self):
        return self.effective_outcome != self.outcome

    @property
    def check_title(self):
        return CHECKS[self.check_key].TITLE if self.check_key in CHECKS else self.check_key


class ReviewDecision(models.Model):
    """A reviewer's override of a result; the original outcome stays on the result."""

    result = models.ForeignKey(CheckResult, on_delete=models.CASCADE, related_name="decisions")
    from_outcome = models.CharField(max_length=15, choices=Outcome.choices)
    to_outcome = models.CharField(max_length=15, choices=Outcome.choices)
    reason = models.TextField(help_text="Private: what the reviewer checked and why")
    public_note = models.CharField(max_length=300, blank=True, help_text="Shown to patients beside the result")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_at"]
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="decision_needs_reason")]

    def __str__(self):
        return f"{self.get_from_outcome_display()} → {self.get_to_outcome_display()} by {self.decided_by}"


class ExclusionRecord(models.Model):
    """One row of an exclusion list (OIG LEIE); private data here is never shown publicly."""

    source = models.CharField(max_length=20, default="oig_leie")
    # Unique per source, kept so by the importer (which holds a table lock while it applies a file): a unique
    # index on a random 64-character key cost a full-file import more than the rest of the table together.
    row_hash = models.CharField(max_length=64, help_text="SHA-256 of the source row")
    last_name = models.CharField(max_length=100, blank=True)
    first_name = models.CharField(max_length=100, blank=True)
    middle_name = models.CharField(max_length=100, blank=True)
    business_name = models.CharField(max_length=200, blank=True)
    general = models.CharField(max_length=100, blank=True)
    specialty = models.CharField(max_length=100, blank=True)
    npi = models.CharField(max_length=10, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2, blank=True)
    exclusion_type = models.CharField(max_length=20, blank=True)
    exclusion_date = models.DateField(null=True, blank=True)
    reinstatement_date = models.DateField(null=True, blank=True)
    waiver_date = models.DateField(null=True, blank=True)
    waiver_state = models.CharField(max_length=2, blank=True)
    first_seen_at = models.DateTimeField(auto_now_add=True)
    active = models.BooleanField(default=True, help_text="False once the row leaves the monthly full file")
    retired_at = models.DateTimeField(null=True, blank=True, help_text="When the row left the full file")

    class Meta:
        # Constraint and index objects, not unique=/db_index=: on PostgreSQL those add a second
        # (LIKE-pattern) index to each column that nothing queries, and every import pays for it.
        indexes = [
            # Name matching filters on the last name first, compared in upper case (values are stored as published);
            # a one-column index costs a monthly import far less.
            models.Index(Upper("last_name"), name="exclusion_last_name_upper"),
            # Most LEIE rows have no NPI: only the known ones are worth an index entry.
            models.Index(fields=["npi"], condition=~Q(npi=""), name="exclusion_known_npi"),
        ]

    def __str__(self):
        return f"{self.last_name}, {self.first_name} ({self.state}) excluded {self.exclusion_date}"


class ExclusionListImport(models.Model):
    """One file of an exclusion list applied (the full list or a monthly supplement): the list is as current as its
    latest import, once a full list has been applied."""

    class Kind(models.TextChoices):
        FULL = "full", "Full list"
        EXCLUSIONS = "exclusions", "Monthly supplement: exclusions"
        REINSTATEMENTS = "reinstatements", "Monthly supplement: reinstatements"

    source = models.CharField(max_length=20, default="oig_leie")
    kind = models.CharField(max_length=15, choices=Kind.choices, default=Kind.FULL)
    imported_at = models.DateTimeField()
    rows_read = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    reactivated = models.PositiveIntegerField(default=0)
    retired = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["imported_at"], name="exclusion_import_at")]

    def __str__(self):
        return f"{self.source} ({self.kind}) imported {self.imported_at:%Y-%m-%d %H:%M}"


class SourceDiscrepancy(models.Model):
    """Something a source stopped saying about a surgeon on file: a review item, never acted on silently."""

    class Kind(models.TextChoices):
        NPPES_NOT_RETURNED = "nppes_not_returned", "NPPES no longer returns this NPI for its state"

    surgeon = models.ForeignKey(Surgeon, on_delete=models.CASCADE, related_name="source_discrepancies")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    detail = models.CharField(max_length=500)
    opened_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.TextField(blank=True, help_text="What the reviewer found and did")

    class Meta:
        verbose_name = "source discrepancy (review item)"
        verbose_name_plural = "source discrepancies (review items)"
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["surgeon", "kind"], condition=Q(resolved_at__isnull=True), name="discrepancy_one_open_per_kind"
            ),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | ~Q(resolution=""), name="discrepancy_resolved_with_reason"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.surgeon_id}"


class RankingSnapshot(models.Model):
    """One published (or proposed) top-ten list for a city; its entries never change once published."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
        PUBLISHED = "published", "Published"
        SUPERSEDED = "superseded", "Superseded"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn (a newer list replaced the proposal)"

    class Reason(models.TextChoices):
        ANNUAL = "annual", "Annual verification"
        DELISTING = "delisting", "Delisting between annual runs"
        UPDATE = "update", "Update between annual runs"
        MANUAL = "manual", "Manual publication"

    class Origin(models.TextChoices):
        RUN = "run", "Verification run"
        EVENT = "event", "Eligibility event"
        COMMAND = "command", "Command line"

    city = models.ForeignKey("directory.City", on_delete=models.CASCADE, related_name="snapshots")
    run = models.ForeignKey(VerificationRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="snapshots")
    method_version = models.CharField(max_length=10)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    reason = models.CharField(max_length=10, choices=Reason.choices, default=Reason.ANNUAL)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.RUN)
    note = models.TextField(blank=True, help_text="Why this snapshot exists or waits, in plain words (public)")
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The operator account a command-line publication named",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The publisher who approved or rejected it",
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True, help_text="Why the publisher approved or rejected it")
    eligible_count = models.PositiveIntegerField(
        null=True, blank=True, help_text="Surgeons in the city who passed every check when the list was made"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["city", "status", "-published_at"])]
        permissions = [("publish_rankingsnapshot", "Can approve and publish ranking snapshots")]

    def __str__(self):
        return f"{self.city} list #{self.id} ({self.status})"


class RenderedList(models.Model):
    """A published list as its readers get it (a page per language, the API body), made once, served as bytes.

    A snapshot never changes, so its page is rendered when it is published, not per request; it is rendered
    again only when what a card shows about a listed surgeon (name, phone, accepting patients) changes.
    """

    snapshot = models.ForeignKey(RankingSnapshot, on_delete=models.CASCADE, related_name="renders")
    variant = models.CharField(max_length=10, help_text="html-<language> or json")
    etag = models.CharField(max_length=60)
    identity = models.BinaryField()
    gzip = models.BinaryField()
    br = models.BinaryField(help_text="Brotli")
    rendered_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["snapshot", "variant"], name="rendered_list_unique_variant")]

    def __str__(self):
        return f"{self.snapshot_id} {self.variant}"


class RankingEntry(models.Model):
    snapshot = models.ForeignKey(RankingSnapshot, on_delete=models.CASCADE, related_name="entries")
    rank = models.PositiveSmallIntegerField()
    surgeon = models.ForeignKey(Surgeon, on_delete=models.PROTECT, related_name="ranking_entries")
    adjusted_satisfaction = models.DecimalField(max_digits=5, decimal_places=3)
    satisfaction_score = models.DecimalField(max_digits=4, decimal_places=2)
    satisfaction_responses = models.PositiveIntegerField()
    verified_procedures = models.PositiveIntegerField()
    years_in_practice = models.PositiveSmallIntegerField()
    results = models.ManyToManyField(CheckResult, related_name="+", help_text="The results that made them eligible")

    class Meta:
        ordering = ["snapshot", "rank"]
        verbose_name_plural = "ranking entries"
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "rank"], name="entry_unique_rank"),
            models.UniqueConstraint(fields=["snapshot", "surgeon"], name="entry_unique_surgeon"),
        ]

    def __str__(self):
        return f"#{self.rank} {self.surgeon}"


class CityListPointer(models.Model):
    """The per-city pointer readers follow; switched in one transaction under a row lock."""

    city = models.OneToOneField("directory.City", on_delete=models.CASCADE, related_name="list_pointer")
    snapshot = models.ForeignKey(RankingSnapshot, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    # The last day the listed surgeons' evidence all counts: from the next day readers republish before showing it.
    valid_until = models.DateField(null=True, blank=True, db_index=True)

    def __str__(self):
        return f"{self.city} → {self.snapshot_id}"


class EligibilityEvent(models.Model):
    """An outbox row: a change that may alter eligibility, written in the transaction that made it.

    A task acts on it after commit (re-verify, republish the affected cities); a sweeper acts on any the broker
    never delivered, so a broker outage delays an event but never loses it.
    """

    cause = models.CharField(max_length=100)
    surgeon_ids = models.JSONField(default=list)
    city_ids = models.JSONField(default=list, help_text="Cities to republish besides the surgeons' own")
    recheck = models.BooleanField(default=True, help_text="Evaluate the surgeons' checks again first")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["created_at"], condition=Q(processed_at=None), name="event_pending")]

    def __str__(self):
        return f"{self.cause} ({len(self.surgeon_ids)} surgeons)"


class ListingAudit(models.Model):
    """One run of the independent listing audit: what it found (nothing, when the promise holds)."""

    ran_at = models.DateTimeField(auto_now_add=True)
    findings = models.JSONField(default=list)
    listed_surgeons = models.PositiveIntegerField(default=0)
    cities = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-ran_at"]

    def __str__(self):
        return f"Audit {self.ran_at:%Y-%m-%d %H:%M}: {len(self.findings)} findings"

    @property
    def ok(self) -> bool:
        return not self.findings
