"""FHIR R4 view at /fhir/r4/: metadata, then search, read, vread and history for each resource type."""

from django.urls import path, re_path

from . import fhir_views
from .fhir_search import SEARCH

RESOURCE_TYPES = tuple(SEARCH)


def _patterns(resource_type: str) -> list:
    views = {
        "search": fhir_views.FhirSearchApi,
        "read": fhir_views.FhirReadApi,
        "history": fhir_views.FhirHistoryApi,
        "vread": fhir_views.FhirVreadApi,
    }
    view = {name: cls.as_view(resource_type=resource_type) for name, cls in views.items()}
    return [
        path(resource_type, view["search"], name=resource_type),
        path(f"{resource_type}/<str:resource_id>", view["read"], name=f"{resource_type}-read"),
        path(f"{resource_type}/<str:resource_id>/_history", view["history"], name=f"{resource_type}-history"),
        path(
            f"{resource_type}/<str:resource_id>/_history/<str:version_id>", view["vread"], name=f"{resource_type}-vread"
        ),
    ]


urlpatterns = [
    path("metadata", fhir_views.FhirMetadataApi.as_view(), name="metadata"),
    *(pattern for resource_type in RESOURCE_TYPES for pattern in _patterns(resource_type)),
    re_path(r"^[\s\S]*$", fhir_views.not_found),  # [\s\S], not ".": a path with a newline is still a FHIR 404
]
