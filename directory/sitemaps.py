"""The directory's part of sitemap.xml: its static pages and the FBSS pages, each in every language with hreflang."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .education import PAGES


class PatientSitemap(Sitemap):
    """Each page once per language, with <xhtml:link rel="alternate" hreflang> to the others and x-default."""

    i18n = True
    alternates = True
    x_default = True


class NamedPagesSitemap(PatientSitemap):
    """Pages without arguments, by URL name."""

    names: tuple[str, ...] = ()

    def items(self):
        return list(self.names)

    def location(self, item):
        return reverse(item)


class StaticSitemap(NamedPagesSitemap):
    names = ("directory:education_index", "directory:how_we_verify", "directory:privacy")


class EducationSitemap(PatientSitemap):
    def items(self):
        return list(PAGES)

    def location(self, item):
        return reverse("directory:education", args=[item.slug])

    def lastmod(self, item):
        return item.last_reviewed


SITEMAPS = {"static": StaticSitemap, "education": EducationSitemap}
