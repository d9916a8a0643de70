"""Reviewer pages inside the admin: dashboard, review queue, one result with its evidence side by side."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_POST

from directory.models import City

from . import charts, review_selectors, services
from .checks import CHECKS
from .models import CheckResult, ListingAudit, VerificationRun


class DecisionForm(forms.Form):
    # No default: a reviewer who only meant to read must not record a pass by pressing the button.
    outcome = forms.ChoiceField(choices=[("", "Choose…"), ("pass", "Confirm pass"), ("fail", "Confirm fail")])
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, help_text="Required: what you checked and why."
    )
    public_note = forms.CharField(
        required=False,
        max_length=300,
        label="Note for patients",
        help_text="Optional, shown on public pages instead of the automatic finding. No private details.",
    )


DASHBOARD_CACHE_SECONDS = 60


def dashboard(request, admin_site):
    today = timezone.localdate()
    # The two aggregates scan every current result (700k rows at 100k surgeons): a minute old is fine for a
    # chart, while the runs and their progress below stay live.
    by_check = cache.get_or_set(
        "dashboard:outcomes-by-check", review_selectors.outcomes_by_check, DASHBOARD_CACHE_SECONDS
    )
    per_city = cache.get_or_set(
        "dashboard:per-city",
        lambda: review_selectors.eligible_and_listed_per_city(today=today),
        DASHBOARD_CACHE_SECONDS,
    )
    context = {
        **admin_site.each_context(request),
        "title": "Verification dashboard",
        "runs": review_selectors.latest_runs(),
        "audit": ListingAudit.objects.first(),
        "by_check": by_check,
        "outcomes_chart": charts.stacked_bars(
            [(CHECKS[key].TITLE, by_check.get(key, {})) for key in CHECKS], title="Outcomes by check"
        ),
        "cities_chart": charts.paired_bars(
            [(f"{row['city'].name}, {row['city'].state}", row["eligible"], row["listed"]) for row in per_city],
            title="Eligible and listed surgeons per city",
        ),
        "per_city": per_city,
        "expiring": review_selectors.expiring_credentials(today=today),
        "colours": charts.OUTCOME_COLOURS,
    }
    return TemplateResponse(request, "admin/verification/dashboard.html", context)


def review_queue(request, admin_site):
    filters = {name: request.GET.get(name, "") for name in ("check", "city", "run")}
    page = Paginator(review_selectors.review_queue_list(**filters), 50).get_page(request.GET.get("page"))
    context = {
        **admin_site.each_context(request),
        "title": "Review queue",
        "page": page,
        "filters": filters,
        "checks": [(key, CHECKS[key].TITLE) for key in CHECKS],
        "cities": City.objects.order_by("state", "name").values_list("slug", "name", "state"),
        "runs": VerificationRun.objects.order_by("-created_at")[:20],
    }
    return TemplateResponse(request, "admin/verification/review_queue.html", context)


def review_item(request, admin_site, pk):
    result = get_object_or_404(CheckResult.objects.select_related("surgeon", "run"), pk=pk)
    form = DecisionForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("verification.override_checkresult"):
            messages.error(request, "You may not override results.")
        elif form.is_valid():
            try:
                services.result_override(
                    result_id=result.id,
                    to_outcome=form.cleaned_data["outcome"],
                    reason=form.cleaned_data["reason"],
                    public_note=form.cleaned_data["public_note"],
                    user=request.user,
                )
            except services.ResultSuperseded as superseded:
                messages.error(request, str(superseded))
                return redirect("admin:verification_checkresult_review_item", pk=_current_id(result))
            messages.success(request, "Decision recorded.")
            return redirect("admin:verification_checkresult_review_item", pk=result.id)
    context = {
        **admin_site.each_context(request),
        "title": f"Review: {result.check_title} for {result.surgeon}",
        "result": result,
        "surgeon": result.surgeon,
        "locations": result.surgeon.locations.select_related("city"),
        "panels": review_selectors.evidence_panels(result),
        "decisions": result.decisions.select_related("decided_by"),
        "form": form,
        "may_override": request.user.has_perm("verification.override_checkresult"),
        "may_rerun": request.user.has_perm("verification.rerun_checkresult"),
    }
    return TemplateResponse(request, "admin/verification/review_item.html", context)


def _current_id(result: CheckResult) -> int:
    current = CheckResult.objects.filter(surgeon_id=result.surgeon_id, check_key=result.check_key, is_current=True)
    return (current.first() or result).id


@require_POST
@permission_required("verification.rerun_checkresult", raise_exception=True)
def review_rerun(request, admin_site, pk):
    result = get_object_or_404(CheckResult, pk=pk)
    run, _ = services.run_start(
        kind=VerificationRun.Kind.MANUAL, as_of=timezone.localdate(), surgeon_ids=[result.surgeon_id], user=request.user
    )
    messages.success(request, f"Re-running every check for this surgeon (run #{run.id}).")
    return redirect("admin:verification_checkresult_review_item", pk=_current_id(result))
