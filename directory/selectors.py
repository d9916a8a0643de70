"""Reads for the public pages, each in a fixed number of queries."""

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from .models import City, PracticeLocation, Surgeon


def city_list() -> QuerySet[City]:
    return City.objects.annotate(surgeon_count=Count("locations__surgeon", distinct=True)).order_by("state", "name")


def city_get(*, slug: str) -> City:
    return get_object_or_404(city_list(), slug=slug)


def surgeon_get(*, npi: str) -> Surgeon:
    locations = PracticeLocation.objects.select_related("city")
    return get_object_or_404(
        Surgeon.objects.prefetch_related(
            Prefetch("locations", queryset=locations),
            "licenses__actions",
            "board_certifications",
            "dea_registrations",
            "csr_registrations",
            "malpractice_policies",
            "satisfaction_scores",
        ),
        npi=npi,
    )


def surgeon_search(*, query: str) -> QuerySet[Surgeon]:
    """Surgeons matching a name, NPI, city or ZIP; the simple fallback until full-text search lands."""
    terms = query.split()
    surgeons = Surgeon.objects.all()
    for term in terms[:5]:
        surgeons = surgeons.filter(
            Q(last_name__istartswith=term)
            | Q(first_name__istartswith=term)
            | Q(npi=term)
            | Q(locations__city__name__istartswith=term)
            | Q(locations__postal_code__startswith=term)
        )
    primary = PracticeLocation.objects.select_related("city").order_by("-is_primary", "id")
    return surgeons.distinct().prefetch_related(Prefetch("locations", queryset=primary)).order_by("last_name", "npi")
