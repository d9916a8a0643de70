"""Reads for the partner API, each in a fixed number of queries."""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils import timezone
from rest_framework.exceptions import NotFound

from directory.models import City, PracticeLocation, Surgeon
from verification import publication, ranking
from verification import selectors as listing_selectors
from verification.models import CheckResult, CityListPointer, RankingSnapshot

PUBLISHED = RankingSnapshot.Status.PUBLISHED


def _public_ids():
    return Surgeon.objects.public().values("pk")


def city_list():
    has_list = Exists(CityListPointer.objects.filter(city=OuterRef("pk")))
    public = Q(locations__surgeon__in=_public_ids())
    surgeon_count = Count("locations__surgeon", distinct=True, filter=public)
    return City.objects.annotate(surgeon_count=surgeon_count, has_list=has_list).order_by("state", "name")


def _city(slug: str) -> City:
    city = City.objects.filter(slug=slug).select_related("list_pointer__snapshot").first()
    if city is None:
        raise NotFound(f"No city {slug!r}.")
    return city


def current_pointer(*, slug: str) -> listing_selectors.Pointer:
    """The city's current list (the cached pointer); 404 when the city or its list is missing."""
    try:
        pointer = publication.city_pointer_fresh(slug=slug)
    except Http404:
        raise NotFound(f"No city {slug!r}.") from None
    if pointer.snapshot_id is None:
        raise NotFound(f"No list is published for {_city(slug)} yet.")
    return pointer


PAST_OR_CURRENT = [PUBLISHED, RankingSnapshot.Status.SUPERSEDED]


def city_snapshots(*, slug: str):
    city = _city(slug)
    return (
        RankingSnapshot.objects.filter(city=city, status__in=PAST_OR_CURRENT)
        .select_related("city")
        .order_by("-published_at", "-id")
    )


def city_snapshot_id(*, slug: str, snapshot_id: int) -> int:
    """The id of one of the city's published or superseded lists; 404 for a draft, a rejected list or another city's."""
    found = RankingSnapshot.objects.filter(id=snapshot_id, city__slug=slug, status__in=PAST_OR_CURRENT).exists()
    if not found:
        raise NotFound(f"City {slug!r} has no published list {snapshot_id}.")
    return snapshot_id


def _locations():
    return Prefetch("locations", queryset=PracticeLocation.objects.select_related("city").order_by("-is_primary", "id"))


def _current_listings():
    entries = listing_selectors.current_listings().select_related("snapshot__city")
    return Prefetch("ranking_entries", queryset=entries.order_by("snapshot__city__slug"), to_attr="listings")


def _current_results():
    return Prefetch("check_results", queryset=CheckResult.objects.filter(is_current=True), to_attr="current_results")


def surgeon_list():
    """Public surgeons with their practices, current listings and current results (for eligibility): 4 queries."""
    return (
        Surgeon.objects.public()
        .prefetch_related(_locations(), _current_listings(), _current_results())
        .order_by("last_name", "first_name", "npi")
    )


def surgeon_listings_shown(surgeon, *, as_of) -> list:
    """The surgeon's current listings, shown only while the current results allow them (eligible, or kept while a
    source is silent): never a listing beside a failing check, even before the republication lands."""
    verdict = ranking.eligibility({r.check_key: r for r in surgeon.current_results}, as_of=as_of)
    return surgeon.listings if verdict.eligible or verdict.held else []


def surgeon_eligible(surgeon, *, as_of) -> bool:
    """Eligibility as publication decides it (verification.ranking), from the surgeon's current results.
    The one place the API asks: re-point it here if ranking changes shape."""
    return ranking.eligibility({r.check_key: r for r in surgeon.current_results}, as_of=as_of).eligible


def surgeon_detail_get(*, npi: str) -> Surgeon:
    surgeon = get_object_or_404(surgeon_list(), npi=npi)
    surgeon.checks = listing_selectors.badges_for(surgeon.current_results)
    surgeon.eligible = surgeon_eligible(surgeon, as_of=timezone.localdate())
    return surgeon


def education_article_html(page) -> str:
    return render_to_string(page.article_template)
