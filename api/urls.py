"""Partner API v1, its schema and docs."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views
from .problems import not_found, problem_page

urlpatterns = [
    path("v1/cities/", views.CityListApi.as_view(), name="city-list"),
    path("v1/cities/<slug:slug>/top-ten/", views.CityTopTenApi.as_view(), name="city-top-ten"),
    path("v1/cities/<slug:slug>/snapshots/", views.CitySnapshotListApi.as_view(), name="city-snapshots"),
    path(
        "v1/cities/<slug:slug>/snapshots/<int:snapshot_id>/",
        views.CitySnapshotDetailApi.as_view(),
        name="city-snapshot-detail",
    ),
    path("v1/surgeons/", views.SurgeonListApi.as_view(), name="surgeon-list"),
    path("v1/surgeons/<str:npi>/", views.SurgeonDetailApi.as_view(), name="surgeon-detail"),
    path("v1/education/", views.EducationListApi.as_view(), name="education-list"),
    path("v1/education/<slug:slug>/", views.EducationDetailApi.as_view(), name="education-detail"),
    path("problems/", problem_page, name="problems"),
    path("problems/<slug:slug>/", problem_page, name="problem"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    re_path(r"^[\s\S]*$", not_found),  # [\s\S], not ".": a path with a newline is still an API 404
]
