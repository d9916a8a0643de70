"""Reviewer admin: runs with progress, results with overrides, exclusion rows, snapshots with approval."""

import csv
import itertools

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from directory.admin import SurgeonAdmin
from directory.models import Surgeon

from . import admin_views, publication, review_selectors, services, spine_scope
from .checks import CHECKS
from .models import (
    CheckResult,
    CityListPointer,
    ExclusionListImport,
    ExclusionRecord,
    RankingEntry,
    RankingSnapshot,
    ReviewDecision,
    SourceDiscrepancy,
    VerificationRun,
)


class ReadOnlyAdmin(SimpleHistoryAdmin):
    """Records written by the engine: visible to reviewers, changed only through services."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _viewer_page(model_admin, view, perm="verification.view_checkresult"):
    """Wrap a reviewer page: staff login (admin_view) plus a model permission."""

    def page(request, *args, **kwargs):
        if not request.user.has_perm(perm):
            raise PermissionDenied
        return view(request, model_admin.admin_site, *args, **kwargs)

    return model_admin.admin_site.admin_view(page)


@admin.register(VerificationRun)
class VerificationRunAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "period_key", "status", "progress", "surgeons_total", "started_at", "finished_at"]
    list_filter = ["kind", "status"]
    readonly_fields = ["checks_titles", "counts_table"]
    exclude = ["checks", "counts"]

    def get_urls(self):
        dashboard = _viewer_page(self, admin_views.dashboard, "verification.view_verificationrun")
        return [path("dashboard/", dashboard, name="verification_dashboard"), *super().get_urls()]

    @admin.display(description="progress")
    def progress(self, run):
        return f"{run.batches_done}/{run.batches_total} batches ({run.progress_percent}%)"

    @admin.display(description="checks")
    def checks_titles(self, run):
        return ", ".join(CHECKS[key].TITLE if key in CHECKS else key for key in run.checks) or "—"

    @admin.display(description="outcomes per check")
    def counts_table(self, run):
        rows = format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", review_selectors.run_counts_labelled(run.counts))
        return format_html("<table>{}</table>", rows) if rows else "—"


class ReviewDecisionInline(admin.TabularInline):
    model = ReviewDecision
    extra = 0
    can_delete = False
    readonly_fields = ["from_outcome", "to_outcome", "reason", "decided_by", "decided_at"]

    def has_add_permission(self, request, obj=None):
        return False


class CheckFilter(admin.SimpleListFilter):
    """Filter by check, listed by title in the registry's order (not by key)."""

    title = "check"
    parameter_name = "check"
    field = "check_key"

    def lookups(self, request, model_admin):
        return [(key, CHECKS[key].TITLE) for key in CHECKS]

    def queryset(self, request, queryset):
        return queryset.filter(**{self.field: self.value()}) if self.value() else queryset


class DecisionCheckFilter(CheckFilter):
    field = "result__check_key"


@admin.register(CheckResult)
class CheckResultAdmin(ReadOnlyAdmin):
    list_display = ["surgeon", "check_name", "outcome", "effective_outcome", "method", "checked_at", "valid_until"]
    list_filter = [CheckFilter, "effective_outcome", "outcome", "method", "is_current"]
    search_fields = ["surgeon__npi", "surgeon__last_name"]
    list_select_related = ["surgeon"]
    raw_id_fields = ["surgeon", "run"]
    show_full_result_count = False
    inlines = [ReviewDecisionInline]

    @admin.display(description="check", ordering="check_key")
    def check_name(self, result):
        return result.check_title

    def get_urls(self):
        return [
            path("review/", _viewer_page(self, admin_views.review_queue), name="verification_review_queue"),
            path(
                "<int:pk>/review/",
                _viewer_page(self, admin_views.review_item),
                name="verification_checkresult_review_item",
            ),
            path(
                "<int:pk>/rerun/",
                _viewer_page(self, admin_views.review_rerun, "verification.rerun_checkresult"),
                name="verification_checkresult_rerun",
            ),
            *super().get_urls(),
        ]


class Echo:
    def write(self, value):
        return value


@admin.register(ReviewDecision)
class ReviewDecisionAdmin(ReadOnlyAdmin):
    list_display = ["result", "from_outcome", "to_outcome", "decided_by", "decided_at"]
    list_filter = ["to_outcome", DecisionCheckFilter]
    list_select_related = ["result__surgeon", "decided_by"]
    search_fields = ["result__surgeon__npi", "reason"]
    actions = ["export_csv"]

    @admin.action(description="Export the selected decisions as CSV")
    def export_csv(self, request, queryset):
        writer = csv.writer(Echo())
        header = ["decided_at", "decided_by", "npi", "check", "from", "to", "reason"]
        rows = (
            [
                d.decided_at.isoformat(),
                d.decided_by.get_username(),
                d.result.surgeon.npi,
                d.result.check_key,
                d.from_outcome,
                d.to_outcome,
                d.reason,
            ]
            for d in queryset.select_related("result__surgeon", "decided_by").order_by("decided_at").iterator()
        )
        lines = (writer.writerow(row) for row in itertools.chain([header], rows))
        response = StreamingHttpResponse(lines, content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="review-decisions.csv"'
        return response


@admin.register(ExclusionRecord)
class ExclusionRecordAdmin(ReadOnlyAdmin):
    list_display = ["last_name", "first_name", "business_name", "state", "npi", "exclusion_type", "exclusion_date"]
    list_filter = ["active", "state", "exclusion_type"]
    search_fields = ["=npi", "last_name", "business_name"]
    show_full_result_count = False


@admin.register(ExclusionListImport)
class ExclusionListImportAdmin(ReadOnlyAdmin):
    list_display = ["imported_at", "source", "kind", "rows_read", "created", "reactivated", "retired"]
    list_filter = ["source", "kind"]


@admin.register(SourceDiscrepancy)
class SourceDiscrepancyAdmin(admin.ModelAdmin):
    """Review items a source raised (e.g. an NPI NPPES no longer returns): a reviewer resolves each with a note."""

    list_display = ["surgeon", "kind", "opened_at", "resolved_at"]
    list_filter = ["kind", ("resolved_at", admin.EmptyFieldListFilter)]
    list_select_related = ["surgeon"]
    search_fields = ["surgeon__npi", "surgeon__last_name"]
    fields = ["surgeon", "kind", "detail", "opened_at", "resolution", "resolved_at", "resolved_by"]
    readonly_fields = ["surgeon", "kind", "detail", "opened_at", "resolved_at", "resolved_by"]

    def has_add_permission(self, request):
        return False  # opened by importers

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("verification.override_checkresult")  # reviewers decide, as on results

    def save_model(self, request, obj, form, change):
        if obj.resolution.strip() and obj.resolved_at is None:
            obj.resolved_at, obj.resolved_by = timezone.now(), request.user
        super().save_model(request, obj, form, change)


class RankingEntryInline(admin.TabularInline):
    model = RankingEntry
    extra = 0
    can_delete = False
    fields = ["rank", "surgeon", "adjusted_satisfaction", "satisfaction_responses", "verified_procedures"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(RankingSnapshot)
class RankingSnapshotAdmin(ReadOnlyAdmin):
    list_display = [
        "id", "city", "status", "reason", "origin", "method_version", "created_at", "published_at", "approved_by",
    ]  # fmt: skip
    list_filter = ["status", "reason", "origin", "method_version"]
    list_select_related = ["city", "approved_by"]
    search_fields = ["city__name"]
    inlines = [RankingEntryInline]
    actions = ["approve_and_publish", "reject"]

    def _may_publish(self, request):
        return request.user.has_perm("verification.publish_rankingsnapshot")

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not self._may_publish(request):
            actions.pop("approve_and_publish", None)
            actions.pop("reject", None)
        return actions

    @admin.action(description="Approve and publish the selected snapshots")
    def approve_and_publish(self, request, queryset):
        return self._decide(request, queryset, approve=True)

    @admin.action(description="Reject the selected snapshots")
    def reject(self, request, queryset):
        return self._decide(request, queryset, approve=False)

    def _decide(self, request, queryset, *, approve: bool):
        """A page asking for the decision's reason (required to reject), then the decision on each snapshot."""
        form = SnapshotDecisionForm(request.POST if "apply" in request.POST else None, reason_required=not approve)
        if not form.is_valid():
            context = {
                **self.admin_site.each_context(request),
                "title": "Approve and publish" if approve else "Reject",
                "snapshots": queryset.select_related("city"),
                "form": form,
                "action": "approve_and_publish" if approve else "reject",
                "opts": self.model._meta,
            }
            return TemplateResponse(request, "admin/verification/snapshot_decision.html", context)
        reason = form.cleaned_data["reason"]
        for snapshot in queryset.select_related("city"):
            try:
                if approve:
                    publication.snapshot_publish(snapshot_id=snapshot.id, user=request.user, reason=reason)
                    self.message_user(request, f"Published the {snapshot.city} list #{snapshot.id}.", messages.SUCCESS)
                else:
                    publication.snapshot_reject(snapshot_id=snapshot.id, user=request.user, reason=reason)
                    self.message_user(request, f"Rejected the {snapshot.city} list #{snapshot.id}.", messages.SUCCESS)
            except publication.PublicationError as error:
                self.message_user(request, str(error), messages.ERROR)
        return None


class SnapshotDecisionForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False, help_text="Why; kept with the list."
    )

    def __init__(self, *args, reason_required: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = reason_required
        if reason_required:
            self.fields["reason"].help_text = "Required: why this list must not be published."


@admin.register(CityListPointer)
class CityListPointerAdmin(ReadOnlyAdmin):
    list_display = ["city", "snapshot", "updated_at"]
    list_select_related = ["city", "snapshot"]


class SpinePracticeConfirmationForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text="What shows spine practice, e.g. the operative case log or hospital privileges you checked.",
    )


class VerifiedSurgeonAdmin(SurgeonAdmin):
    """The directory's surgeon admin plus the reviewers' bulk re-run and spine-scope decisions (verification may
    import directory)."""

    actions = ["rerun_verification", "confirm_spine_practice", "withdraw_spine_practice_confirmation"]

    @admin.action(description="Confirm spine practice (with a reason)", permissions=["override"])
    def confirm_spine_practice(self, request, queryset):
        form = SpinePracticeConfirmationForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            moved = spine_scope.spine_practice_confirm(
                surgeon_ids=queryset.values_list("id", flat=True), reason=form.cleaned_data["reason"], user=request.user
            )
            self.message_user(request, f"Spine practice confirmed; {len(moved)} surgeons entered the spine directory.")
            return None
        context = {
            **self.admin_site.each_context(request), "title": "Confirm spine practice", "form": form,
            "surgeons": queryset, "action": "confirm_spine_practice", "opts": self.model._meta,
        }  # fmt: skip
        return TemplateResponse(request, "admin/verification/spine_practice_confirm.html", context)

    @admin.action(description="Withdraw a spine-practice confirmation", permissions=["override"])
    def withdraw_spine_practice_confirmation(self, request, queryset):
        moved = spine_scope.spine_practice_confirmation_withdraw(
            surgeon_ids=queryset.values_list("id", flat=True), user=request.user
        )
        self.message_user(request, f"Confirmation withdrawn; {len(moved)} surgeons left the spine directory.")

    @admin.action(description="Re-run verification for the selected surgeons", permissions=["rerun"])
    def rerun_verification(self, request, queryset):
        ids = list(queryset.values_list("id", flat=True)[:5000])
        run, _ = services.run_start(
            kind=VerificationRun.Kind.MANUAL, as_of=timezone.localdate(), surgeon_ids=ids, user=request.user
        )
        self.message_user(request, f"Run #{run.id} started for {len(ids)} surgeons.", messages.SUCCESS)

    def has_override_permission(self, request):
        return request.user.has_perm("verification.override_checkresult")  # a reviewer's decision, with a reason

    def has_rerun_permission(self, request):
        return request.user.has_perm("verification.rerun_checkresult")


admin.site.unregister(Surgeon)
admin.site.register(Surgeon, VerifiedSurgeonAdmin)
