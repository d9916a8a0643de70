"""FHIR R4 read-only views: partner key, per-key throttle and errors as OperationOutcome (application/fhir+json)."""

from django.http import JsonResponse
from django.urls import reverse
from django.utils import timezone
from rest_framework import permissions
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from . import fhir, fhir_selectors
from .auth import PrivateAnswers

CONTENT_TYPE = "application/fhir+json"
ISSUE_CODES = {400: "invalid", 401: "login", 403: "forbidden", 404: "not-found", 429: "throttled"}
BUILDERS = {
    "Practitioner": lambda row, as_of: fhir.practitioner(row),
    "PractitionerRole": lambda row, as_of: fhir.practitioner_role(row),
    "Location": lambda row, as_of: fhir.location(row),
    "VerificationResult": lambda row, as_of: fhir.verification_result(row, as_of=as_of),
}


class FhirJsonRenderer(JSONRenderer):
    media_type = CONTENT_TYPE
    format = "fhir+json"
    charset = "utf-8"


class FhirJsonOnly(BaseContentNegotiation):
    """Every answer is application/fhir+json, whatever the Accept header asks for."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def _detail(exc) -> str:
    detail = getattr(exc, "detail", exc)
    if isinstance(detail, dict | list):
        return "; ".join(str(part) for part in (detail.values() if isinstance(detail, dict) else detail))
    return str(detail)


def exception_handler(exc, context):
    response = drf_exception_handler(exc, context)
    if response is not None:
        code = ISSUE_CODES.get(response.status_code, "not-supported" if response.status_code < 500 else "exception")
        response.data = fhir.operation_outcome(code, _detail(exc))
    return response


def not_found(request, *args, **kwargs):
    """Unknown paths and resource types under /fhir/r4/."""
    body = fhir.operation_outcome("not-found", f"No FHIR endpoint at {request.path}.")
    return JsonResponse(body, status=404, content_type=CONTENT_TYPE)


def _base(request) -> str:
    return request.build_absolute_uri(reverse("fhir:metadata")).removesuffix("metadata")


class FhirApi(PrivateAnswers, APIView):
    """Partner key, permission and throttle come from the REST_FRAMEWORK defaults, as for /api/v1/."""

    schema = None  # not part of the partner API's OpenAPI document
    metadata_class = None  # OPTIONS is a 405 OperationOutcome, not DRF's own description
    renderer_classes = [FhirJsonRenderer]
    content_negotiation_class = FhirJsonOnly

    def get_exception_handler(self):
        return exception_handler


class FhirMetadataApi(FhirApi):
    """The CapabilityStatement; public like /api/schema/, since it holds no directory data."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = []

    def get(self, request):
        statement = fhir.capability_statement(
            base=_base(request), search_params=fhir_selectors.search_params(), when=timezone.localdate()
        )
        return Response(statement)


class FhirSearchApi(FhirApi):
    resource_type = ""

    def get(self, request):
        page = fhir_selectors.search(self.resource_type, request.query_params)
        as_of = timezone.localdate()
        entries = [BUILDERS[self.resource_type](row, as_of) for row in page.rows]
        base = _base(request)
        links = _links(f"{base}{self.resource_type}", request.query_params, page)
        return Response(fhir.searchset(base=base, entries=entries, total=page.total, links=links))


def _links(url: str, params, page) -> dict[str, str]:
    def at(offset: int) -> str:
        query = params.copy()
        query.setlist("_count", [str(page.count)])
        query.setlist("_offset", [str(offset)])
        return f"{url}?{query.urlencode()}"

    links = {"self": at(page.offset)}
    if page.count and page.offset + page.count < page.total:
        links["next"] = at(page.offset + page.count)
    if page.count and page.offset > 0:
        links["previous"] = at(max(page.offset - page.count, 0))
    return links


class FhirReadApi(FhirApi):
    resource_type = ""

    def get(self, request, resource_id):
        row = fhir_selectors.read(self.resource_type, resource_id)
        return Response(BUILDERS[self.resource_type](row, timezone.localdate()))
