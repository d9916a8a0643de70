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


def surgeon_search(*, query: str, specialty: str = "", accepting: bool = False) -> QuerySet[Surgeon]:
    """Surgeons matching every word of the query as a name, NPI, city or ZIP prefix.

    On PostgreSQL the name lookups use trigram indexes (migration 0004); SQLite scans, which is fine at its size.
    """
    surgeons = Surgeon.objects.all()
    for term in query.split()[:5]:
        # Two id sets the database builds once each from indexes, not a correlated lookup per surgeon.
        by_name = Surgeon.objects.filter(
            Q(last_name__istartswith=term) | Q(first_name__istartswith=term) | Q(npi=term)
        ).values("id")
        places = Q(city__in=City.objects.filter(name__istartswith=term))
        if term.isdigit():
            places |= Q(postal_code__startswith=term)
        by_place = PracticeLocation.objects.filter(places).values("surgeon_id")
        surgeons = surgeons.filter(Q(id__in=by_name) | Q(id__in=by_place))
    if specialty:
        surgeons = surgeons.filter(specialty=specialty)
    if accepting:
        surgeons = surgeons.filter(accepting_new_patients=True)
    primary = PracticeLocation.objects.select_related("city").order_by("-is_primary", "id")
    return surgeons.prefetch_related(Prefetch("locations", queryset=primary))
