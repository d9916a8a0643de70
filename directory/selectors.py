"""Reads for the public pages, each in a fixed number of queries."""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
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


def surgeon_search(*, query: str, specialty: str = "", accepting: bool = False) -> QuerySet[Surgeon]:
    """Surgeons matching every word of the query as a name, NPI, city or ZIP prefix.

    On PostgreSQL the name lookups use trigram indexes (migration 0004); SQLite scans, which is fine at its size.
    """
    surgeons = Surgeon.objects.all()
    for term in query.split()[:5]:
        at_location = PracticeLocation.objects.filter(surgeon=OuterRef("pk"))
        place = Exists(at_location.filter(Q(city__name__istartswith=term) | Q(postal_code__startswith=term)))
        surgeons = surgeons.filter(
            Q(last_name__istartswith=term) | Q(first_name__istartswith=term) | Q(npi=term) | place
        )
    if specialty:
        surgeons = surgeons.filter(specialty=specialty)
    if accepting:
        surgeons = surgeons.filter(accepting_new_patients=True)
    primary = PracticeLocation.objects.select_related("city").order_by("-is_primary", "id")
    return surgeons.prefetch_related(Prefetch("locations", queryset=primary))
