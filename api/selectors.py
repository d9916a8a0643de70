"""Reads for the partner API, each in a fixed number of queries."""

from django.db.models import Count, Exists, OuterRef, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from rest_framework.exceptions import NotFound

from directory.models import City, PracticeLocation, Surgeon
from verification import publication, ranking
from verification import selectors as listing_selectors
from verification.models import CheckResult, CityRanking, RankingSnapshot

PUBLISHED = RankingSnapshot.Status.PUBLISHED


def city_list():
    has_list = Exists(CityRanking.objects.filter(city=OuterRef("pk")))
    return City.objects.annotate(surgeon_count=Count("locations__surgeon", distinct=True), has_list=has_list).order_by(
        "state", "name"
    )


def _city(slug: str) -> City:
    city = City.objects.filter(slug=slug).select_related("ranking__snapshot").first()
    if city is None:
        raise NotFound(f"No city {slug!r}.")
    return city


def current_snapshot_id(*, slug: str) -> int:
    """The id of the city's current list (the cached pointer); 404 when the city or its list is missing."""
    try:
        snapshot_id = publication.city_pointer_fresh(slug=slug).snapshot_id
    except Http404:
        raise NotFound(f"No city {slug!r}.") from None
    if snapshot_id is None:
        raise NotFound(f"No list is published for {_city(slug)} yet.")
    return snapshot_id


def top_ten_get(*, snapshot_id: int, request) -> RankingSnapshot:
    snapshot, entries = listing_selectors.snapshot_with_entries(snapshot_id=snapshot_id)
    snapshot.entries_list = entries
    snapshot.method_url = request.build_absolute_uri(reverse("directory:how_we_verify") + "#ranking-method")
    return snapshot


def city_snapshots(*, slug: str):
    city = _city(slug)
    return (
        RankingSnapshot.objects.filter(city=city, status__in=[PUBLISHED, RankingSnapshot.Status.SUPERSEDED])
        .select_related("city")
        .order_by("-published_at", "-id")
    )


def _locations():
    return Prefetch("locations", queryset=PracticeLocation.objects.select_related("city").order_by("-is_primary", "id"))


def surgeon_list():
    return Surgeon.objects.prefetch_related(_locations()).order_by("last_name", "first_name", "npi")


def surgeon_detail_get(*, npi: str) -> Surgeon:
    surgeon = get_object_or_404(Surgeon.objects.prefetch_related(_locations()), npi=npi)
    current = list(CheckResult.objects.filter(surgeon=surgeon, is_current=True))
    surgeon.checks = listing_selectors.badges_for(current)
    verdict = ranking.eligibility({r.check_key: r for r in current}, as_of=timezone.localdate())
    surgeon.eligible = verdict.eligible
    surgeon.listings = list(
        listing_selectors.current_listings().filter(surgeon=surgeon).select_related("snapshot__city")
    )
    return surgeon


def education_article_html(page) -> str:
    return render_to_string(page.article_template)
