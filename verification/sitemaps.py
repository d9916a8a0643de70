"""The listing pages' part of sitemap.xml: home, the city index, each city's list and each surgeon's profile."""

from collections.abc import Sequence

from django.conf import settings

from directory.models import City, Surgeon
from directory.sitemaps import NamedPagesSitemap, PatientSitemap


class ListingIndexSitemap(NamedPagesSitemap):
    names = ("verification:home", "verification:city_index")


class CitySitemap(PatientSitemap):
    def items(self):
        return City.objects.order_by("slug").only("slug", "updated_at")

    def lastmod(self, item):
        return item.updated_at


class PerLanguage(Sequence):
    """(row, language) pairs over a queryset, read one page at a time.

    Django's i18n sitemap builds every pair in memory; at 100,000 surgeons that read the whole table per page.
    """

    def __init__(self, queryset, languages: list[str]):
        self.queryset, self.languages = queryset, languages

    def __len__(self):
        return self.queryset.count() * len(self.languages)

    def __getitem__(self, index):
        n = len(self.languages)
        if not isinstance(index, slice):
            return (self.queryset[index // n], self.languages[index % n])
        start, stop, _ = index.indices(len(self))
        rows = self.queryset[start // n : (stop + n - 1) // n]
        pairs = [(row, language) for row in rows for language in self.languages]
        skip = start % n
        return pairs[skip : skip + max(stop - start, 0)]


class SurgeonSitemap(PatientSitemap):
    limit = 10000

    def items(self):
        return Surgeon.objects.public().order_by("npi").only("npi", "updated_at")

    def _items(self):
        return PerLanguage(self.items(), [code for code, _ in settings.LANGUAGES])

    def lastmod(self, item):
        return item.updated_at


INDEX = {"listing-index": ListingIndexSitemap}
LISTINGS = {"cities": CitySitemap, "surgeons": SurgeonSitemap}
