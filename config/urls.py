"""Top-level URLs."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from directory import sitemaps as directory_sitemaps
from directory.views import healthz, language_choose, robots_txt
from verification import sitemaps as verification_sitemaps

admin.site.site_header = "Spine Surgeon Directory — verification admin"
admin.site.site_title = "Verification admin"

# Home and the city index first, then the directory's pages, then every city's list and profile.
SITEMAPS = {**verification_sitemaps.INDEX, **directory_sitemaps.SITEMAPS, **verification_sitemaps.LISTINGS}

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include(("api.urls", "api"))),
    path("fhir/r4/", include(("api.fhir_urls", "fhir"))),
    path("healthz", healthz, name="healthz"),
    path("robots.txt", robots_txt, name="robots_txt"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="django.contrib.sitemaps.views.sitemap"),
    path("language/<str:code>/", language_choose, name="language_choose"),
]
# Patient pages, each app's under its own namespace ("verification:" listing pages, "directory:" the rest), in
# English without a prefix and in Spanish under /es/.
urlpatterns += i18n_patterns(
    path("", include("verification.urls")),
    path("", include("directory.urls")),
    prefix_default_language=False,
)
