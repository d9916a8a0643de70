"""FHIR R4 view at /fhir/r4/: metadata, then search and read for each resource type."""

from django.urls import path, re_path

from . import fhir_views

RESOURCE_TYPES = ("Practitioner", "PractitionerRole", "Location", "VerificationResult")

urlpatterns = [
    path("metadata", fhir_views.FhirMetadataApi.as_view(), name="metadata"),
    *(
        pattern
        for resource_type in RESOURCE_TYPES
        for pattern in (
            path(resource_type, fhir_views.FhirSearchApi.as_view(resource_type=resource_type), name=resource_type),
            path(
                f"{resource_type}/<str:resource_id>",
                fhir_views.FhirReadApi.as_view(resource_type=resource_type),
                name=f"{resource_type}-read",
            ),
        )
    ),
    re_path(r"^[\s\S]*$", fhir_views.not_found),  # [\s\S], not ".": a path with a newline is still a FHIR 404
]
