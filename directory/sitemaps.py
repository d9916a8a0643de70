"""sitemap.xml: static pages, FBSS pages, cities and surgeon profiles."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .education import PAGES
from .models import City, Surgeon


class StaticSitemap(Sitemap):
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


class EducationSitemap(Sitemap):
    def items(self):
        return list(PAGES)

    def location(self, item):
        return reverse("directory:education", args=[item.slug])

    def lastmod(self, item):
        return item.last_reviewed


class CitySitemap(Sitemap):
    def items(self):
        return City.objects.order_by("slug").only("slug", "updated_at")

    def lastmod(self, item):
        return item.updated_at


class SurgeonSitemap(Sitemap):
    limit = 10000

    def items(self):
        return Surgeon.objects.order_by("npi").only("npi", "updated_at")

    def lastmod(self, item):
        return item.updated_at


SITEMAPS = {
    "static": StaticSitemap,
    "education": EducationSitemap,
    "cities": CitySitemap,
    "surgeons": SurgeonSitemap,
}
