"""Reads for the FHIR view: search parameters, paging and reads, each in a fixed number of queries."""

import re
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from rest_framework.exceptions import NotFound, ParseError

from directory.models import PracticeLocation, Surgeon
from directory.npi import is_valid_npi
from verification.models import CheckResult

from . import selectors
from .fhir import NPI_SYSTEM, NUCC_SYSTEM

DEFAULT_COUNT = 20
MAX_COUNT = 100
MAX_OFFSET = 1_000_000
PAGING_PARAMS = ("_count", "_offset")
JSON_FORMATS = {"json", "application/json", "application/fhir+json"}
ROLE_ID = re.compile(r"^(\d{10})-(\d{1,18})$")
ROW_ID = re.compile(r"^\d{1,18}$")


class InvalidSearch(ParseError):
    default_code = "invalid"


@dataclass(frozen=True)
class Page:
    rows: list
    total: int
    count: int
    offset: int


def _public_surgeon_ids() -> QuerySet:
    """The surgeons the partner API shows (api.selectors decides); the FHIR view shows exactly the same ones."""
    return selectors.surgeon_list().values("pk")


def _practitioners() -> QuerySet[Surgeon]:
    return (
        Surgeon.objects.filter(pk__in=_public_surgeon_ids())
        .prefetch_related("licenses", "board_certifications")
        .order_by("last_name", "first_name", "npi")
    )


def _practice_locations() -> QuerySet[PracticeLocation]:
    return PracticeLocation.objects.filter(surgeon__in=_public_surgeon_ids()).select_related("city", "surgeon")


def _roles() -> QuerySet[PracticeLocation]:
    return _practice_locations().order_by("surgeon__last_name", "surgeon__first_name", "surgeon__npi", "pk")


def _locations() -> QuerySet[PracticeLocation]:
    return _practice_locations().order_by("pk")


def _verification_results() -> QuerySet[CheckResult]:
    # Evidence is never loaded, let alone shown: it can hold identifiers and payload hashes.
    return (
        CheckResult.objects.filter(is_current=True, surgeon__in=_public_surgeon_ids())
        .select_related("surgeon")
        .defer("evidence", "surgeon__date_of_birth")
        .order_by("surgeon__npi", "check_key", "pk")
    )


# --- parsing one value of a search parameter ---


def _token(value: str, *, system: str, name: str) -> str:
    if "|" not in value:
        return value
    given_system, _, code = value.partition("|")
    if given_system and given_system != system:
        raise InvalidSearch(f"{name}: only the system {system} is supported.")
    return code


def _npi(value: str, *, name: str) -> str:
    if not is_valid_npi(value):
        raise InvalidSearch(f"{name}: {value!r} is not an NPI (10 digits with a valid check digit).")
    return value


def _reference(value: str, *, resource_type: str, name: str) -> str:
    """`Type/id`, a bare id, or an absolute URL ending in `Type/id`."""
    head, _, rest = value.rpartition(f"{resource_type}/")
    if head and not head.endswith("/"):
        raise InvalidSearch(f"{name}: expected {resource_type}/<id>, got {value!r}.")
    if not head and "/" in rest:
        raise InvalidSearch(f"{name}: only {resource_type} references are supported.")
    return rest


def _identifier(value: str) -> Q:
    return Q(npi=_npi(_token(value, system=NPI_SYSTEM, name="identifier"), name="identifier"))


def _name(value: str) -> Q:
    return Q(first_name__istartswith=value) | Q(middle_name__istartswith=value) | Q(last_name__istartswith=value)


def _specialty(field: str):
    def build(value: str) -> Q:
        return Q(**{field: _token(value, system=NUCC_SYSTEM, name="specialty")})

    return build


def _practising_in(value: str) -> Q:
    return Q(Exists(PracticeLocation.objects.filter(surgeon=OuterRef("pk"), city__name__istartswith=value)))


def _city(value: str) -> Q:
    return Q(city__name__istartswith=value)


def _practitioner_ref(value: str) -> Q:
    npi = _npi(_reference(value, resource_type="Practitioner", name="practitioner"), name="practitioner")
    return Q(surgeon__npi=npi)


def _location_ref(value: str) -> Q:
    pk = _reference(value, resource_type="Location", name="location")
    if not ROW_ID.match(pk):
        raise InvalidSearch(f"location: {value!r} is not a Location id.")
    return Q(pk=int(pk))


def _target(value: str) -> Q:
    npi = _npi(_reference(value, resource_type="Practitioner", name="target"), name="target")
    return Q(surgeon__npi=npi)


CITY_DOC = "City of a practice location; starts-with, case-insensitive"
NUCC_DOC = "NUCC taxonomy code, e.g. http://nucc.org/provider-taxonomy|207XS0117X"
# resource type -> parameter -> (FHIR type, documentation, value -> Q)
SEARCH = {
    "Practitioner": {
        "identifier": ("token", "NPI, e.g. http://hl7.org/fhir/sid/us-npi|1234567893", _identifier),
        "name": ("string", "Start of a given, middle or family name; case-insensitive", _name),
        "address-city": ("string", CITY_DOC + " (the Practitioner carries no address)", _practising_in),
        "specialty": ("token", NUCC_DOC, _specialty("specialty")),
    },
    "PractitionerRole": {
        "practitioner": ("reference", "Practitioner/<NPI>", _practitioner_ref),
        "location": ("reference", "Location/<id>", _location_ref),
        "specialty": ("token", NUCC_DOC, _specialty("surgeon__specialty")),
        "address-city": ("string", CITY_DOC + " (through the role's location)", _city),
    },
    "Location": {
        "address-city": ("string", CITY_DOC, _city),
    },
    "VerificationResult": {
        "target": ("reference", "Practitioner/<NPI>: the current result of each check of that surgeon", _target),
    },
}
QUERYSETS = {
    "Practitioner": _practitioners,
    "PractitionerRole": _roles,
    "Location": _locations,
    "VerificationResult": _verification_results,
}


def search_params() -> dict[str, dict[str, tuple[str, str]]]:
    """For the CapabilityStatement: resource type -> parameter -> (type, documentation)."""
    return {rtype: {name: (kind, doc) for name, (kind, doc, _) in params.items()} for rtype, params in SEARCH.items()}


def _int_param(params, name: str, *, default: int, low: int, high: int | None) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < low or (high is not None and int(raw) > high):
        limit = f"from {low} to {high}" if high is not None else f"{low} or more"
        raise InvalidSearch(f"{name} must be a whole number {limit}.")
    return int(raw)


def _check_params(resource_type: str, params) -> None:
    known = set(SEARCH[resource_type]) | set(PAGING_PARAMS) | {"_format"}
    unknown = sorted(set(params) - known)
    if unknown:
        supported = ", ".join(sorted(SEARCH[resource_type]))
        raise InvalidSearch(
            f"Unsupported search parameter(s): {', '.join(unknown)}. {resource_type} supports: {supported}."
        )
    for fmt in params.getlist("_format"):
        if fmt not in JSON_FORMATS:
            raise InvalidSearch("_format: only JSON (application/fhir+json) is served.")
    for name in PAGING_PARAMS:
        if len(params.getlist(name)) > 1:
            raise InvalidSearch(f"{name} may be given once.")


def _filtered(resource_type: str, params) -> QuerySet:
    """Repeated parameters are ANDed; comma-separated values within one are ORed (FHIR search rules)."""
    queryset = QUERYSETS[resource_type]()
    for name, (_, _, build) in SEARCH[resource_type].items():
        for raw in params.getlist(name):
            values = [value.strip() for value in raw.split(",")]
            if not all(values) or "\x00" in raw:
                raise InvalidSearch(f"{name} needs a value (and no NUL characters).")
            condition = Q()
            for value in values:
                condition |= build(value)
            queryset = queryset.filter(condition)
    return queryset


def search(resource_type: str, params) -> Page:
    _check_params(resource_type, params)
    count = _int_param(params, "_count", default=DEFAULT_COUNT, low=0, high=MAX_COUNT)
    offset = _int_param(params, "_offset", default=0, low=0, high=MAX_OFFSET)
    queryset = _filtered(resource_type, params)
    total = queryset.count()
    rows = list(queryset[offset : offset + count]) if count else []
    return Page(rows=rows, total=total, count=count, offset=offset)


def read(resource_type: str, resource_id: str):
    """One resource's row by its FHIR id, or 404."""
    queryset = QUERYSETS[resource_type]()
    if resource_type == "Practitioner":
        row = queryset.filter(npi=resource_id).first() if is_valid_npi(resource_id) else None
    elif resource_type == "PractitionerRole":
        match = ROLE_ID.match(resource_id)
        row = queryset.filter(surgeon__npi=match[1], pk=int(match[2])).first() if match else None
    else:
        row = queryset.filter(pk=int(resource_id)).first() if ROW_ID.match(resource_id) else None
    if row is None:
        raise NotFound(f"{resource_type}/{resource_id} is not known.")
    return row
