"""Reads for the FHIR view: search with _include/_revinclude, paging and reads, each in a fixed number of queries.

Every row served belongs to a surgeon of `Surgeon.objects.public()`; a practice group is served while it has a
practice location of one. Our own Organization has no row: it is built from constants and matched in Python.
"""

import re
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from rest_framework.exceptions import NotFound

from directory.models import PracticeGroup, PracticeLocation, Surgeon
from directory.npi import is_valid_npi
from verification.models import CheckResult

from . import fhir
from .fhir_search import NOTHING, SEARCH, InvalidSearch, own_last_updated
from .models import FhirResourceVersion

DEFAULT_COUNT = 20
MAX_COUNT = 100
MAX_OFFSET = 1_000_000
PAGING_PARAMS = ("_count", "_offset")
CONTROL_PARAMS = (*PAGING_PARAMS, "_format", "_include", "_revinclude")
JSON_FORMATS = {"json", "application/json", "application/fhir+json"}
ROLE_ID = re.compile(r"^(\d{10})-(\d{1,18})$")
ROW_ID = re.compile(r"^\d{1,18}$")
OWN = "own-organization"  # the row standing for our own Organization


@dataclass
class Page:
    rows: list
    total: int
    count: int
    offset: int
    included: list[tuple[str, object]] = field(default_factory=list)  # (resource type, row)


def _public_surgeons() -> QuerySet:
    return Surgeon.objects.public().values("pk")


def practitioners() -> QuerySet[Surgeon]:
    return (
        Surgeon.objects.filter(pk__in=_public_surgeons())
        .prefetch_related("licenses", "board_certifications")
        .order_by("last_name", "first_name", "npi")
    )


def _practice_locations() -> QuerySet[PracticeLocation]:
    return PracticeLocation.objects.filter(surgeon__in=_public_surgeons()).select_related("city", "surgeon", "group")


def roles() -> QuerySet[PracticeLocation]:
    return _practice_locations().order_by("surgeon__last_name", "surgeon__first_name", "surgeon__npi", "pk")


def locations() -> QuerySet[PracticeLocation]:
    return _practice_locations().order_by("pk")


def groups() -> QuerySet[PracticeGroup]:
    public_locations = PracticeLocation.objects.filter(surgeon__in=_public_surgeons())
    served = Exists(public_locations.filter(group=OuterRef("pk")))
    return (
        PracticeGroup.objects.filter(served)
        .prefetch_related(
            Prefetch(
                "locations", queryset=public_locations.select_related("city").order_by("pk"), to_attr="public_locations"
            )
        )
        .order_by("name", "pac_id")
    )


def verification_results() -> QuerySet[CheckResult]:
    # Evidence is never loaded, let alone shown: it can hold identifiers and payload hashes.
    return (
        CheckResult.objects.filter(is_current=True, surgeon__in=_public_surgeons())
        .select_related("surgeon")
        .defer("evidence", "surgeon__date_of_birth")
        .order_by("surgeon__npi", "check_key", "pk")
    )


QUERYSETS = {
    "Practitioner": practitioners,
    "PractitionerRole": roles,
    "Location": locations,
    "Organization": groups,
    "VerificationResult": verification_results,
}


# --- _include and _revinclude: each takes the page's rows and returns (resource type, rows) in one or two queries ---


def _practitioners_of(rows) -> tuple[str, list]:
    return "Practitioner", list(practitioners().filter(pk__in={row.surgeon_id for row in rows}))


def _groups_of(rows) -> tuple[str, list]:
    return "Organization", list(groups().filter(pk__in={row.group_id for row in rows if row.group_id}))


def _locations_of(rows) -> tuple[str, list]:
    return "Location", list(rows)  # a role is one surgeon at one location row: the same rows


def _roles_of_surgeons(rows) -> tuple[str, list]:
    return "PractitionerRole", list(roles().filter(surgeon__in=[row.pk for row in rows]))


def _roles_at(rows) -> tuple[str, list]:
    return "PractitionerRole", list(rows)


def _roles_in_groups(rows) -> tuple[str, list]:
    return "PractitionerRole", list(roles().filter(group__in=[row.pk for row in rows if row is not OWN]))


# None: a relation the directory never fills (no services, networks, endpoints, hierarchies): accepted, adds nothing.
INCLUDES = {
    "Practitioner": {},
    "PractitionerRole": {
        "PractitionerRole:practitioner": _practitioners_of,
        "PractitionerRole:organization": _groups_of,
        "PractitionerRole:location": _locations_of,
        "PractitionerRole:service": None,
        "PractitionerRole:network": None,
        "PractitionerRole:endpoint": None,
    },
    "Location": {"Location:organization": _groups_of, "Location:partof": None, "Location:endpoint": None},
    "Organization": {"Organization:partof": None, "Organization:endpoint": None, "Organization:coverage-area": None},
    "VerificationResult": {"VerificationResult:target": _practitioners_of},
}
REVINCLUDES = {
    "Practitioner": {"PractitionerRole:practitioner": _roles_of_surgeons},
    "PractitionerRole": {},
    "Location": {
        "PractitionerRole:location": _roles_at,
        "HealthcareService:location": None,
        "InsurancePlan:coverage-area": None,
        "OrganizationAffiliation:location": None,
    },
    "Organization": {
        "PractitionerRole:organization": _roles_in_groups,
        "PractitionerRole:network": None,
        "Endpoint:organization": None,
        "HealthcareService:organization": None,
        "InsurancePlan:administered-by": None,
        "InsurancePlan:owned-by": None,
        "OrganizationAffiliation:primary-organization": None,
        "OrganizationAffiliation:participating-organization": None,
    },
    "VerificationResult": {},
}


# --- checking and applying the parameters ---


def _split(name: str) -> tuple[str, str | None]:
    base, _, modifier = name.partition(":")
    return base, modifier or None


def _int_param(params, name: str, *, default: int, low: int, high: int) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        raise InvalidSearch(f"{name} must be a whole number from {low} to {high}.")
    return int(raw)


def _known(resource_type: str, name: str) -> bool:
    """A parameter of this type (with a modifier it supports), or a reference chained one level deep."""
    base, _, chained = name.partition(".")
    if not chained:
        base, modifier = _split(name)
        param = SEARCH[resource_type].get(base)
        return param is not None and (modifier is None or modifier in param.modifiers)
    param = SEARCH[resource_type].get(base)
    if param is None or param.chain is None or "." in chained:
        return False
    target = param.chain[0]
    return target not in SEARCH or _known(target, chained)  # a type we never serve: any chain matches nothing


def _check_params(resource_type: str, params) -> None:
    known = SEARCH[resource_type]
    unknown = [name for name in params if name not in CONTROL_PARAMS and not _known(resource_type, name)]
    if unknown:
        supported = ", ".join(sorted(known))
        raise InvalidSearch(
            f"Unsupported search parameter(s) or modifier(s): {', '.join(sorted(unknown))}. "
            f"{resource_type} supports: {supported}."
        )
    for fmt in params.getlist("_format"):
        if fmt not in JSON_FORMATS:
            raise InvalidSearch("_format: only JSON (application/fhir+json) is served.")
    for name in PAGING_PARAMS:
        if len(params.getlist(name)) > 1:
            raise InvalidSearch(f"{name} may be given once.")
    _check_includes(resource_type, params)


def _check_includes(resource_type: str, params) -> None:
    for name, table in (("_include", INCLUDES), ("_revinclude", REVINCLUDES)):
        for value in params.getlist(name):
            if value not in table[resource_type]:
                supported = ", ".join(table[resource_type]) or "none"
                raise InvalidSearch(f"{name}: {value!r} is not supported on {resource_type} (supported: {supported}).")


def _values(name: str, raw: str) -> list[str]:
    values = [value.strip() for value in raw.split(",")]
    if not all(values) or "\x00" in raw:
        raise InvalidSearch(f"{name} needs a value (and no NUL characters).")
    return values


def _filtered(resource_type: str, params) -> tuple[QuerySet, bool]:
    """Repeated parameters are ANDed; comma-separated values within one are ORed (FHIR search rules).
    The boolean says whether our own Organization matches too."""
    queryset, own = QUERYSETS[resource_type](), resource_type == "Organization"
    for name in params:
        if name in CONTROL_PARAMS:
            continue
        for raw in params.getlist(name):
            condition, own_matches = Q(), False
            for value in _values(name, raw):
                found, found_own = _condition(resource_type, name, value)
                condition, own_matches = condition | found, own_matches or found_own
            queryset, own = queryset.filter(condition), own and own_matches
    return queryset, own


def _condition(resource_type: str, name: str, value: str) -> tuple[Q, bool]:
    """The condition on this type's rows, and whether our own Organization matches."""
    base, _, chained = name.partition(".")
    if chained:
        return _chained(SEARCH[resource_type][base], chained, value), False
    base, modifier = _split(name)
    param = SEARCH[resource_type][base]
    if base == "_lastUpdated" and resource_type == "Organization":
        return param.build(value, modifier), own_last_updated(own_organization_updated(), value)
    return param.build(value, modifier), param.own(value, modifier)


def _chained(param, chained: str, value: str) -> Q:
    """`organization.name=Bayou`: rows whose referenced row matches (one subquery)."""
    target, path = param.chain
    if path is None:
        return NOTHING
    name, modifier = _split(chained)
    referenced = QUERYSETS[target]().prefetch_related(None).filter(SEARCH[target][name].build(value, modifier))
    return Q(**{f"{path}__in": referenced.values("pk")})


def own_organization_updated():
    """When our own Organization last changed, as recorded (its content depends only on settings)."""
    row = (
        FhirResourceVersion.objects.filter(resource_type="Organization", resource_id=fhir.OWN_ORGANIZATION_ID)
        .order_by("-version")
        .values_list("last_updated", flat=True)
        .first()
    )
    return row or timezone.now()


def search(resource_type: str, params) -> Page:
    _check_params(resource_type, params)
    count = _int_param(params, "_count", default=DEFAULT_COUNT, low=0, high=MAX_COUNT)
    offset = _int_param(params, "_offset", default=0, low=0, high=MAX_OFFSET)
    queryset, own = _filtered(resource_type, params)
    total = queryset.count() + own
    if not count:
        rows = []
    elif own and offset == 0:  # our own Organization comes first
        rows = [OWN, *queryset[: count - 1]]
    else:
        start = offset - 1 if own else offset
        rows = list(queryset[start : start + count])
    page = Page(rows=rows, total=total, count=count, offset=offset)
    page.included = _included(resource_type, params, [row for row in rows if row is not OWN])
    return page


def _included(resource_type: str, params, rows: list) -> list[tuple[str, object]]:
    included = []
    if not rows:
        return included
    for name, table in (("_include", INCLUDES), ("_revinclude", REVINCLUDES)):
        for value in dict.fromkeys(params.getlist(name)):
            fetch = table[resource_type][value]
            if fetch is not None:
                included_type, found = fetch(rows)
                included += [(included_type, row) for row in found]
    return included


def read(resource_type: str, resource_id: str):
    """One resource's row by its FHIR id, or 404."""
    queryset = QUERYSETS[resource_type]()
    if resource_type == "Practitioner":
        row = queryset.filter(npi=resource_id).first() if is_valid_npi(resource_id) else None
    elif resource_type == "PractitionerRole":
        match = ROLE_ID.match(resource_id)
        row = queryset.filter(surgeon__npi=match[1], pk=int(match[2])).first() if match else None
    elif resource_type == "Organization":
        row = OWN if resource_id == fhir.OWN_ORGANIZATION_ID else queryset.filter(pac_id=resource_id).first()
    else:
        row = queryset.filter(pk=int(resource_id)).first() if ROW_ID.match(resource_id) else None
    if row is None:
        raise NotFound(f"{resource_type}/{resource_id} is not known.")
    return row
