"""FHIR search parameters: how each value of each parameter becomes a database condition.

Every parameter the CapabilityStatement declares is here and nowhere else (api.fhir_capability reads this table,
and a test compares the two). Parameters for concepts the directory does not have (payer networks, healthcare
services, endpoints, location hierarchies, coverage areas) are accepted and match nothing.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db.models import CharField, Exists, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from rest_framework.exceptions import ParseError

from directory.models import BoardCertification, PracticeLocation, StateLicense
from directory.npi import is_valid_npi

from . import fhir
from .models import FhirResourceVersion

NOTHING = Q(pk__in=[])
STRING_MODIFIERS = ("exact", "contains")
STRING_LOOKUPS = {None: "istartswith", "exact": "exact", "contains": "icontains"}
ROW_ID = re.compile(r"^\d{1,18}$")
DATE = re.compile(
    r"^(?P<year>\d{4})(-(?P<month>\d{2})(-(?P<day>\d{2})"
    r"(T(?P<hour>\d{2}):(?P<minute>\d{2})(:(?P<second>\d{2})(\.(?P<fraction>\d{1,9}))?)?"
    r"(?P<zone>Z|[+-]\d{2}:\d{2})?)?)?)?$"
)
DATE_PREFIXES = ("eq", "ne", "gt", "lt", "ge", "le", "sa", "eb")


class InvalidSearch(ParseError):
    default_code = "invalid"


@dataclass(frozen=True)
class Param:
    """One search parameter. `build(value, modifier)` gives the condition on the resource's rows; `own(value,
    modifier)` says whether our own Organization (no row of its own) matches."""

    kind: str
    doc: str
    build: Callable[[str, str | None], Q]
    modifiers: tuple[str, ...] = ()
    own: Callable[[str, str | None], bool] = field(default=lambda value, modifier: False)
    # For a reference: (the type it points to, the path from this row to that type's row, or None when the
    # directory never fills the reference); `reference.param=value` chains one level deep.
    chain: tuple[str, str | None] | None = None


# --- value parsers ---


def token(value: str, *, system: str, name: str) -> str:
    """The code of `system|code`, `|code` or `code`; another system is refused (we code with this one only)."""
    if "|" not in value:
        return value
    given_system, _, code = value.partition("|")
    if given_system and given_system != system:
        raise InvalidSearch(f"{name}: only the system {system} is supported.")
    return code


def reference_id(value: str, *, resource_type: str, name: str) -> str:
    """The id of `Type/id`, a bare id, or an absolute URL ending in `Type/id`."""
    head, _, rest = value.rpartition(f"{resource_type}/")
    if head and not head.endswith("/"):
        raise InvalidSearch(f"{name}: expected {resource_type}/<id>, got {value!r}.")
    if not head and "/" in rest:
        raise InvalidSearch(f"{name}: only {resource_type} references are supported.")
    return rest


def npi(value: str, *, name: str) -> str:
    if not is_valid_npi(value):
        raise InvalidSearch(f"{name}: {value!r} is not an NPI (10 digits with a valid check digit).")
    return value


def date_range(value: str, *, name: str) -> tuple[str, datetime, datetime]:
    """(prefix, start, end): the instants a FHIR date value covers at its precision, end exclusive."""
    prefix = value[:2] if value[:2] in DATE_PREFIXES else "eq"
    text = value[2:] if value[:2] in DATE_PREFIXES else value
    match = DATE.match(text)
    if value[:2] == "ap" or not match:
        raise InvalidSearch(f"{name}: {value!r} is not a date (e.g. ge2026-01-31 or gt2026-01-31T12:00:00Z).")
    parts = {key: int(part) for key, part in match.groupdict().items() if part and key not in ("zone", "fraction")}
    try:
        start = datetime(parts["year"], parts.get("month", 1), parts.get("day", 1), parts.get("hour", 0))  # noqa: DTZ001 (zoned below)
        start = start.replace(minute=parts.get("minute", 0), second=parts.get("second", 0))
    except ValueError:
        raise InvalidSearch(f"{name}: {value!r} is not a valid date.") from None
    if match["fraction"]:
        start = start.replace(microsecond=int(match["fraction"][:6].ljust(6, "0")))
    start = _zoned(start, match["zone"])
    return prefix, start, _range_end(start, match)


def _zoned(moment: datetime, zone: str | None) -> datetime:
    if zone is None:  # no zone given: the server's
        return timezone.make_aware(moment)
    if zone == "Z":
        return moment.replace(tzinfo=UTC)
    sign = 1 if zone[0] == "+" else -1
    offset = timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6])) * sign
    return moment.replace(tzinfo=timezone.get_fixed_timezone(offset))


def _range_end(start: datetime, match) -> datetime:
    if match["fraction"]:
        return start + timedelta(microseconds=10 ** (6 - min(len(match["fraction"]), 6)))
    if match["second"]:
        return start + timedelta(seconds=1)
    if match["minute"]:
        return start + timedelta(minutes=1)
    if match["day"]:
        return start + timedelta(days=1)
    if match["month"]:
        year, month = (start.year + 1, 1) if start.month == 12 else (start.year, start.month + 1)
        return start.replace(year=year, month=month)
    return start.replace(year=start.year + 1)


# --- condition builders ---


def string(*paths: str) -> Callable[[str, str | None], Q]:
    def build(value: str, modifier: str | None) -> Q:
        condition = Q()
        for path in paths:
            condition |= Q(**{f"{path}__{STRING_LOOKUPS[modifier]}": value})
        return condition

    return build


def string_matches(text: str, value: str, modifier: str | None) -> bool:
    if modifier == "exact":
        return text == value
    if modifier == "contains":
        return value.lower() in text.lower()
    return text.lower().startswith(value.lower())


def matches_nothing(value: str, modifier: str | None) -> Q:
    return NOTHING


def fixed_code(system: str, code: str, *, name: str) -> Callable[[str, str | None], Q]:
    """A token every row of this type carries (e.g. every Location is a provider's office)."""

    def build(value: str, modifier: str | None) -> Q:
        return Q() if token(value, system=system, name=name) == code else NOTHING

    return build


def last_updated(updated_since: Callable[[datetime], Q]) -> Callable[[str, str | None], Q]:
    """`_lastUpdated` with FHIR's prefixes, from one predicate: "last updated at or after this instant"."""

    def build(value: str, modifier: str | None) -> Q:
        prefix, start, end = date_range(value, name="_lastUpdated")
        conditions = {
            "ge": updated_since(start),
            "gt": updated_since(end),
            "sa": updated_since(end),
            "lt": ~updated_since(start),
            "eb": ~updated_since(start),
            "le": ~updated_since(end),
            "eq": updated_since(start) & ~updated_since(end),
            "ne": ~(updated_since(start) & ~updated_since(end)),
        }
        return conditions[prefix]

    return build


def own_last_updated(moment: datetime, value: str) -> bool:
    prefix, start, end = date_range(value, name="_lastUpdated")
    return {
        "ge": moment >= start,
        "gt": moment >= end,
        "sa": moment >= end,
        "lt": moment < start,
        "eb": moment < start,
        "le": moment < end,
        "eq": start <= moment < end,
        "ne": not start <= moment < end,
    }[prefix]


def _versions_since(resource_type: str, resource_id, moment: datetime) -> Exists:
    return Exists(
        FhirResourceVersion.objects.filter(
            resource_type=resource_type, resource_id=resource_id, last_updated__gte=moment
        )
    )


def _text(expression):
    return Cast(expression, output_field=CharField())


# "Last updated at or after `moment`", per resource type: the rows the resource is made of, or a recorded version
# (which also catches changes no row's timestamp shows, such as a credential expiring).
def practitioner_updated_since(moment: datetime) -> Q:
    return (
        Q(updated_at__gte=moment)
        | Q(Exists(StateLicense.objects.filter(surgeon=OuterRef("pk"), updated_at__gte=moment)))
        | Q(Exists(BoardCertification.objects.filter(surgeon=OuterRef("pk"), updated_at__gte=moment)))
        | Q(_versions_since("Practitioner", OuterRef("npi"), moment))
    )


def role_updated_since(moment: datetime) -> Q:
    role_id = Concat(OuterRef("surgeon__npi"), Value("-"), _text(OuterRef("pk")), output_field=CharField())
    return (
        Q(updated_at__gte=moment)
        | Q(surgeon__updated_at__gte=moment)
        | Q(city__updated_at__gte=moment)
        | Q(group__updated_at__gte=moment)
        | Q(_versions_since("PractitionerRole", role_id, moment))
    )


def location_updated_since(moment: datetime) -> Q:
    return (
        Q(updated_at__gte=moment)
        | Q(city__updated_at__gte=moment)
        | Q(group__updated_at__gte=moment)
        | Q(_versions_since("Location", _text(OuterRef("pk")), moment))
    )


def group_updated_since(moment: datetime) -> Q:
    return (
        Q(updated_at__gte=moment)
        | Q(Exists(PracticeLocation.objects.filter(group=OuterRef("pk"), updated_at__gte=moment)))
        | Q(_versions_since("Organization", OuterRef("pac_id"), moment))
    )


def result_updated_since(moment: datetime) -> Q:
    return Q(checked_at__gte=moment) | Q(_versions_since("VerificationResult", _text(OuterRef("pk")), moment))


# --- the parameters of each resource type ---


def _identifier(value: str, modifier: str | None) -> Q:
    return Q(npi=npi(token(value, system=fhir.NPI_SYSTEM, name="identifier"), name="identifier"))


def _specialty(path: str) -> Callable[[str, str | None], Q]:
    def build(value: str, modifier: str | None) -> Q:
        return Q(**{path: token(value, system=fhir.NUCC_SYSTEM, name="specialty")})

    return build


def _practising_in(value: str, modifier: str | None) -> Q:
    lookup = f"city__name__{STRING_LOOKUPS[modifier]}"
    return Q(Exists(PracticeLocation.objects.filter(surgeon=OuterRef("pk"), **{lookup: value})))


def _practitioner(value: str, modifier: str | None) -> Q:
    return Q(
        surgeon__npi=npi(reference_id(value, resource_type="Practitioner", name="practitioner"), name="practitioner")
    )


def _location(value: str, modifier: str | None) -> Q:
    pk = reference_id(value, resource_type="Location", name="location")
    if not ROW_ID.match(pk):
        raise InvalidSearch(f"location: {value!r} is not a Location id.")
    return Q(pk=int(pk))


def _organization(path: str, name: str) -> Callable[[str, str | None], Q]:
    def build(value: str, modifier: str | None) -> Q:
        return Q(**{path: reference_id(value, resource_type="Organization", name=name)})

    return build


def _target(value: str, modifier: str | None) -> Q:
    return Q(surgeon__npi=npi(reference_id(value, resource_type="Practitioner", name="target"), name="target"))


def _row_id(value: str, modifier: str | None) -> Q:
    return Q(pk=int(value)) if ROW_ID.match(value) else NOTHING


def _role_id(value: str, modifier: str | None) -> Q:
    surgeon_npi, _, pk = value.partition("-")
    return Q(surgeon__npi=surgeon_npi, pk=int(pk)) if ROW_ID.match(pk) else NOTHING


def _role(value: str, modifier: str | None) -> Q:
    # Every role here is a physician's; HL7's practitioner-role code for it is "doctor".
    if value.partition("|")[0] == fhir.HL7_ROLE_SYSTEM:
        return Q() if value.partition("|")[2] == "doctor" else NOTHING
    return Q() if token(value, system=fhir.PROVIDER_ROLE_SYSTEM, name="role") == "ph" else NOTHING


def _group_address(value: str, modifier: str | None) -> Q:
    at = PracticeLocation.objects.filter(group=OuterRef("pk")).filter(_address_fields("", value, modifier))
    return Q(Exists(at))


def _address_fields(prefix: str, value: str, modifier: str | None) -> Q:
    paths = ("address_line1", "address_line2", "city__name", "city__state", "postal_code")
    return string(*(f"{prefix}{path}" for path in paths))(value, modifier)


def _own_type(value: str, modifier: str | None) -> bool:
    return token(value, system=fhir.ORG_TYPE_SYSTEM, name="type") == "bus"


def _group_type(value: str, modifier: str | None) -> Q:
    return Q() if token(value, system=fhir.ORG_TYPE_SYSTEM, name="type") == "prvgrp" else NOTHING


ID_DOC = "The resource id"
UPDATED_DOC = "When the resource last changed; prefixes eq, ne, gt, ge, lt, le, sa, eb"
STRING_DOC = "; starts-with and case-insensitive, :exact and :contains supported"
CITY_DOC = "City of a practice location" + STRING_DOC
NUCC_DOC = "NUCC taxonomy code, e.g. http://nucc.org/provider-taxonomy|207XS0117X"
NONE_DOC = "Accepted; the directory has no {}, so nothing matches"
S = STRING_MODIFIERS
GROUP = Param(
    "reference",
    "Organization/<group PAC ID>",
    _organization("group__pac_id", "organization"),
    chain=("Organization", "group"),
)


def unfilled(concept: str, target: str) -> Param:
    return Param("reference", NONE_DOC.format(concept), matches_nothing, chain=(target, None))


SEARCH: dict[str, dict[str, Param]] = {
    "Practitioner": {
        "_id": Param("token", "The NPI", lambda value, modifier: Q(npi=value)),
        "_lastUpdated": Param("date", UPDATED_DOC, last_updated(practitioner_updated_since)),
        "identifier": Param("token", "NPI, e.g. http://hl7.org/fhir/sid/us-npi|1234567893", _identifier),
        "name": Param(
            "string", "A given, middle or family name" + STRING_DOC, string("first_name", "middle_name", "last_name"), S
        ),
        "family": Param("string", "Family name" + STRING_DOC, string("last_name"), S),
        "given": Param("string", "Given or middle name" + STRING_DOC, string("first_name", "middle_name"), S),
        "address-city": Param("string", CITY_DOC + " (the Practitioner carries no address)", _practising_in, S),
        "specialty": Param("token", NUCC_DOC, _specialty("specialty")),
    },
    "PractitionerRole": {
        "_id": Param("token", "<NPI>-<Location id>", _role_id),
        "_lastUpdated": Param("date", UPDATED_DOC, last_updated(role_updated_since)),
        "practitioner": Param("reference", "Practitioner/<NPI>", _practitioner, chain=("Practitioner", "surgeon")),
        "organization": GROUP,
        "location": Param("reference", "Location/<id>", _location, chain=("Location", "pk")),
        "role": Param("token", "ProviderRoleCS ph (Physician): every role here", _role),
        "specialty": Param("token", NUCC_DOC, _specialty("surgeon__specialty")),
        "address-city": Param("string", CITY_DOC + " (through the role's location)", string("city__name"), S),
        "service": unfilled("HealthcareService", "HealthcareService"),
        "network": unfilled("payer network", "Organization"),
        "endpoint": unfilled("Endpoint", "Endpoint"),
    },
    "Location": {
        "_id": Param("token", ID_DOC, _row_id),
        "_lastUpdated": Param("date", UPDATED_DOC, last_updated(location_updated_since)),
        "address": Param("string", "Any part of the address" + STRING_DOC, lambda v, m: _address_fields("", v, m), S),
        "address-city": Param("string", "City" + STRING_DOC, string("city__name"), S),
        "address-state": Param("string", "Two-letter state" + STRING_DOC, string("city__state"), S),
        "address-postalcode": Param("string", "ZIP code" + STRING_DOC, string("postal_code"), S),
        "type": Param(
            "token",
            "v3-RoleCode PROFF (Provider's Office): every location here",
            fixed_code(fhir.ROLE_CODE_SYSTEM, "PROFF", name="type"),
        ),
        "organization": GROUP,
        "partof": unfilled("location hierarchy", "Location"),
        "endpoint": unfilled("Endpoint", "Endpoint"),
    },
    "Organization": {
        "_id": Param(
            "token",
            ID_DOC,
            lambda value, modifier: Q(pac_id=value),
            own=lambda value, modifier: value == fhir.OWN_ORGANIZATION_ID,
        ),
        "_lastUpdated": Param("date", UPDATED_DOC, last_updated(group_updated_since)),
        "name": Param(
            "string",
            "Name" + STRING_DOC,
            string("name"),
            S,
            own=lambda value, modifier: string_matches(fhir.OWN_ORGANIZATION_NAME, value, modifier),
        ),
        "address": Param(
            "string",
            "Any part of an address" + STRING_DOC,
            _group_address,
            S,
            own=lambda value, modifier: string_matches("US", value, modifier),
        ),
        "type": Param("token", "OrgTypeCS: prvgrp (practice groups), bus (this directory)", _group_type, own=_own_type),
        "partof": unfilled("organization hierarchy", "Organization"),
        "endpoint": unfilled("Endpoint", "Endpoint"),
        "coverage-area": unfilled("coverage area", "Location"),
    },
    "VerificationResult": {
        "_id": Param("token", ID_DOC, _row_id),
        "_lastUpdated": Param("date", UPDATED_DOC, last_updated(result_updated_since)),
        "target": Param(
            "reference",
            "Practitioner/<NPI>: the current result of each check of that surgeon",
            _target,
            chain=("Practitioner", "surgeon"),
        ),
    },
}
