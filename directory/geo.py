"""ZIP code centroids (the `zipcodes` package's offline list) and distances between them."""

import math
import re
from decimal import Decimal
from functools import cache

import zipcodes

ZIP = re.compile(r"^(\d{5})(?:-\d{4})?$")
RADIUS_CHOICES = (10, 25, 50, 100)  # miles
DEFAULT_RADIUS = 25
MILES_PER_DEGREE_LATITUDE = 69.0
EARTH_RADIUS_MILES = 3958.8


@cache
def _centroids() -> dict[str, tuple[Decimal, Decimal]]:
    # ~43,000 ZIPs read once per process (~0.5 s); a lookup is then a dict access.
    return {row["zip_code"]: (Decimal(row["lat"]), Decimal(row["long"])) for row in zipcodes.list_all()}


def zip_centroid(postal_code: str) -> tuple[Decimal, Decimal] | None:
    """(latitude, longitude) of a 5-digit ZIP or ZIP+4; None for anything else or a ZIP the list lacks."""
    match = ZIP.match((postal_code or "").strip())
    return _centroids().get(match.group(1)) if match else None


def degrees_box(latitude: float, *, miles: float) -> tuple[float, float]:
    """Half-height and half-width in degrees of a box holding every point within `miles`."""
    cos_lat = max(math.cos(math.radians(latitude)), 0.01)
    return miles / MILES_PER_DEGREE_LATITUDE, miles / (MILES_PER_DEGREE_LATITUDE * cos_lat)


def miles_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine) in miles."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*map(float, a), *map(float, b)))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(h))
