"""Reads for the public pages, each in a fixed number of queries."""

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from .geo import miles_between
from .models import City, PracticeLocation, Surgeon


def city_list() -> QuerySet[City]:
    """Cities with the number of public surgeons practicing there."""
    public = Q(locations__surgeon__in=Surgeon.objects.public())
    return City.objects.annotate(surgeon_count=Count("locations__surgeon", distinct=True, filter=public)).order_by(
        "state", "name"
    )


def city_get(*, slug: str) -> City:
    return get_object_or_404(city_list(), slug=slug)


def surgeon_get(*, npi: str, deactivated_too: bool = False) -> Surgeon:
    """A public surgeon's profile data; 404 for a withdrawn surgeon, or a deactivated NPI unless `deactivated_too`."""
    locations = PracticeLocation.objects.select_related("city")
    surgeons = Surgeon.objects.with_profile() if deactivated_too else Surgeon.objects.public()
    return get_object_or_404(
        surgeons.prefetch_related(
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


def practice_shown(
    surgeon: Surgeon, *, city_ids: list[int] = (), origin: tuple[float, float] | None = None
) -> tuple[PracticeLocation | None, float | None]:
    """(the practice to show, miles from origin): the nearest one, else one in the city, else the primary one."""
    locations = list(surgeon.locations.all())
    if origin:
        located = [(miles_between(origin, (loc.latitude, loc.longitude)), loc) for loc in locations if loc.latitude]
        if located:
            distance, nearest = min(located, key=lambda pair: pair[0])
            return nearest, round(distance, 1)
    in_city = [loc for loc in locations if loc.city_id in city_ids]
    return next(iter(in_city or locations), None), None


def practice_in_city(surgeon: Surgeon, city_id: int) -> PracticeLocation | None:
    """The surgeon's practice in that city (a list shows them there), else their primary practice."""
    return practice_shown(surgeon, city_ids=[city_id])[0]
