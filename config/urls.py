"""Top-level URLs."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from directory import urls as directory_urls
from directory.sitemaps import SITEMAPS
from directory.views import healthz, language_choose, robots_txt
from verification import urls as verification_urls

admin.site.site_header = "Spine Surgeon Directory — verification admin"
admin.site.site_title = "Verification admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include(("api.urls", "api"))),
    path("fhir/r4/", include(("api.fhir_urls", "fhir"))),
    path("healthz", healthz, name="healthz"),
    path("robots.txt", robots_txt, name="robots_txt"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="django.contrib.sitemaps.views.sitemap"),
    path("language/<str:code>/", language_choose, name="language_choose"),
]
# One public namespace: listing pages (verification) and directory pages share "directory:".
# Patient pages in English without a prefix and in Spanish under /es/.
urlpatterns += i18n_patterns(
    path("", include((verification_urls.urlpatterns + directory_urls.urlpatterns, "directory"))),
    prefix_default_language=False,
)
