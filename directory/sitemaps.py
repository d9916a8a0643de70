"""sitemap.xml: static pages, FBSS pages, cities and surgeon profiles, each in every language with hreflang."""

from collections.abc import Sequence

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .education import PAGES
from .models import City, Surgeon


class PatientSitemap(Sitemap):
    """Each page once per language, with <xhtml:link rel="alternate" hreflang> to the others and x-default."""

    i18n = True
    alternates = True
    x_default = True


class StaticSitemap(PatientSitemap):
    def items(self):
        return [
            "directory:home",
            "directory:city_index",
            "directory:education_index",
            "directory:how_we_verify",
            "directory:privacy",
        ]

    def location(self, item):
        return reverse(item)


class EducationSitemap(PatientSitemap):
    def items(self):
        return list(PAGES)

    def location(self, item):
        return reverse("directory:education", args=[item.slug])

    def lastmod(self, item):
        return item.last_reviewed


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


SITEMAPS = {
    "static": StaticSitemap,
    "education": EducationSitemap,
    "cities": CitySitemap,
    "surgeons": SurgeonSitemap,
}
