"""FHIR R4 read-only views: partner key, per-key throttle and errors as OperationOutcome (application/fhir+json)."""

from datetime import datetime

from django.http import JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date
from rest_framework import permissions
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from . import fhir, fhir_capability, fhir_selectors, fhir_versions
from .auth import PrivateAnswers

CONTENT_TYPE = "application/fhir+json"
ISSUE_CODES = {400: "invalid", 401: "login", 403: "forbidden", 404: "not-found", 429: "throttled"}
OWN = fhir_selectors.OWN


def _latest(*moments):
    return max((moment for moment in moments if moment is not None), default=None)


# resource type -> (build the resource from its row, when the row's parts last recorded a change)
BUILDERS = {
    "Practitioner": (
        lambda row, as_of: fhir.practitioner(row, as_of=as_of),
        lambda row: _latest(
            row.updated_at,
            *(lic.updated_at for lic in row.licenses.all()),
            *(cert.updated_at for cert in row.board_certifications.all()),
        ),
    ),
    "PractitionerRole": (
        lambda row, as_of: fhir.practitioner_role(row),
        lambda row: _latest(
            row.updated_at, row.surgeon.updated_at, row.city.updated_at, row.group.updated_at if row.group else None
        ),
    ),
    "Location": (
        lambda row, as_of: fhir.location(row),
        lambda row: _latest(row.updated_at, row.city.updated_at, row.group.updated_at if row.group else None),
    ),
    "Organization": (
        lambda row, as_of: fhir.own_organization() if row is OWN else fhir.practice_group(row),
        lambda row: None if row is OWN else _latest(row.updated_at, *(p.updated_at for p in row.public_locations)),
    ),
    "VerificationResult": (
        lambda row, as_of: fhir.verification_result(row, as_of=as_of),
        lambda row: row.checked_at,
    ),
}


def resources_build(rows: list[tuple[str, object]]) -> list[dict]:
    """Builds each (resource type, row) and stamps its version; one query reads the versions, one writes new ones."""
    as_of = timezone.localdate()
    built = []
    for resource_type, row in rows:
        build, rows_changed = BUILDERS[resource_type]
        built.append((build(row, as_of), rows_changed(row)))
    return fhir_versions.versions_stamp(built)


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
        return Response(fhir_capability.capability_statement(base=_base(request), when=timezone.localdate()))


class FhirSearchApi(FhirApi):
    resource_type = ""

    def get(self, request):
        page = fhir_selectors.search(self.resource_type, request.query_params)
        resources = resources_build([(self.resource_type, row) for row in page.rows] + _unique(page.included))
        matches, included = (
            resources[: len(page.rows)],
            _without(resources[len(page.rows) :], resources[: len(page.rows)]),
        )
        base = _base(request)
        links = _links(f"{base}{self.resource_type}", request.query_params, page)
        return Response(fhir.searchset(base=base, matches=matches, included=included, total=page.total, links=links))


def _unique(rows: list[tuple[str, object]]) -> list[tuple[str, object]]:
    seen, unique = set(), []
    for resource_type, row in rows:
        key = (resource_type, id(row) if row is OWN else row.pk)
        if key not in seen:
            seen.add(key)
            unique.append((resource_type, row))
    return unique


def _without(included: list[dict], matches: list[dict]) -> list[dict]:
    """An included resource that is also a match appears once, as the match."""
    matched = {(r["resourceType"], r["id"]) for r in matches}
    return [r for r in included if (r["resourceType"], r["id"]) not in matched]


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


def _version_headers(resource: dict) -> dict[str, str]:
    modified = datetime.fromisoformat(resource["meta"]["lastUpdated"]).timestamp()
    return {"ETag": f'W/"{resource["meta"]["versionId"]}"', "Last-Modified": http_date(modified)}


class FhirReadApi(FhirApi):
    resource_type = ""

    def get(self, request, resource_id):
        row = fhir_selectors.read(self.resource_type, resource_id)
        (resource,) = resources_build([(self.resource_type, row)])
        return Response(resource, headers=_version_headers(resource))


class FhirHistoryApi(FhirApi):
    """The versions of one resource this server has served, newest first (the current one included)."""

    resource_type = ""

    def get(self, request, resource_id):
        row = fhir_selectors.read(self.resource_type, resource_id)
        resources_build([(self.resource_type, row)])
        versions = fhir_versions.versions_list(self.resource_type, resource_id)
        return Response(fhir.history(base=_base(request), versions=versions, self_url=request.build_absolute_uri()))


class FhirVreadApi(FhirApi):
    resource_type = ""

    def get(self, request, resource_id, version_id):
        row = fhir_selectors.read(self.resource_type, resource_id)  # a surgeon no longer public has no versions
        resources_build([(self.resource_type, row)])
        resource = fhir_versions.version_get(self.resource_type, resource_id, version_id)
        return Response(resource, headers=_version_headers(resource))
