"""NPPES NPI Registry: the API client and the parser of its old and new answer shapes.

NPPES is self-reported: it identifies a surgeon (name, specialty, where they practise, license numbers they
list) and verifies nothing. What it finds goes into the directory through providers.providers_upsert. A complete
search of a state (or city) that no longer returns an NPI on file there opens a review item for that surgeon: the
NPI may have been deactivated or the practice moved, and a person decides; nothing is deleted.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import requests
from django.utils import timezone

from directory.models import Degree, Gender, Surgeon
from verification.models import SourceDiscrepancy

from .http import SourceUnavailable, source_get_json, source_session
from .progress import Progress
from .providers import PracticeAddress, Provider, Taxonomy, providers_upsert
from .summary import ImportSummary

NPPES_URL = "https://npiregistry.cms.hhs.gov/api/"
NPPES_VERSION = "2.1"
PAGE_LIMIT = 200  # the API's maximum page size
MAX_SKIP = 1000  # the API's maximum offset: a query sees at most 1,200 results
# Both surgical specialties; "Orthopaedic Surgery" also matches "Orthopaedic Surgery of the Spine".
DEFAULT_TAXONOMY_DESCRIPTIONS = ("Orthopaedic Surgery", "Neurological Surgery")
_MD = re.compile(r"\bM\.?\s*D\b")
_DO = re.compile(r"\bD\.?\s*O\b")


class NppesQueryError(ValueError):
    """NPPES refused the query (an `Errors` array in an HTTP 200 answer): asking again will not help."""


# --- Parsing: permissive about the API's old and new shapes ---


def degree_from_credential(text: str) -> str:
    text = (text or "").upper()
    if _MD.search(text):
        return Degree.MD
    return Degree.DO if _DO.search(text) else ""


def gender_from_code(text: str) -> str:
    code = (text or "").strip().upper()[:1]
    return code if code in (Gender.FEMALE, Gender.MALE) else Gender.OTHER


def postal_code5(text: Any) -> str:
    digits = re.sub(r"\D", "", str(text or ""))
    return digits[:5] if len(digits) >= 5 else ""


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _is_true(value: Any) -> bool:
    return value is True or _text(value).upper() in ("Y", "YES", "TRUE", "1")


def _taxonomy(raw: dict) -> Taxonomy:
    return Taxonomy(
        code=_text(raw.get("code")).upper(),
        desc=_text(raw.get("desc")),
        primary=_is_true(raw.get("primary")),
        state=_text(raw.get("state")).upper(),
        license=_text(raw.get("license")),
    )


def _address(raw: dict) -> PracticeAddress | None:
    address = PracticeAddress(
        address_1=_text(raw.get("address_1")),
        address_2=_text(raw.get("address_2")),
        city=_text(raw.get("city")),
        state=_text(raw.get("state")).upper(),
        postal_code=postal_code5(raw.get("postal_code")),
        telephone=_text(raw.get("telephone_number")),
    )
    usable = address.address_1 and address.city and len(address.state) == 2 and address.postal_code
    return address if usable else None


def provider_parse(raw: dict) -> Provider:
    """One API result → Provider; ValueError when it has no NPI or no name (TypeError/AttributeError for junk)."""
    basic = raw.get("basic") or {}
    npi = _text(raw.get("number"))
    if not npi or not (basic.get("last_name") or basic.get("organization_name")):
        raise ValueError("result without an NPI or a name")
    locations = [a for a in raw.get("addresses") or [] if _text(a.get("address_purpose")).upper() == "LOCATION"]
    addresses = [_address(a) for a in [*locations, *(raw.get("practiceLocations") or [])]]
    return Provider(
        npi=npi,
        first_name=_text(basic.get("first_name")),
        last_name=_text(basic.get("last_name")),
        middle_name=_text(basic.get("middle_name")),
        credential=degree_from_credential(_text(basic.get("credential"))),
        gender=gender_from_code(_text(basic.get("sex") or basic.get("gender"))),
        taxonomies=tuple(_taxonomy(t) for t in raw.get("taxonomies") or []),
        addresses=tuple(dict.fromkeys(a for a in addresses if a)),
        individual=_text(raw.get("enumeration_type")).upper() == "NPI-1",
    )


# --- The API client ---


def nppes_page(params: dict[str, Any], *, session: requests.Session) -> list[dict]:
    """One page of raw results; NppesQueryError for an `Errors` answer, SourceUnavailable for anything odd."""
    body = source_get_json(NPPES_URL, params={"version": NPPES_VERSION, **params}, session=session)
    if not isinstance(body, dict):
        raise SourceUnavailable("NPPES sent an answer that is not a JSON object")
    if errors := body.get("Errors"):
        errors = errors if isinstance(errors, list) else [errors]
        reasons = "; ".join(_text(e.get("description")) for e in errors if isinstance(e, dict))
        raise NppesQueryError(f"NPPES refused the query: {reasons or 'no reason given'}")
    results = body.get("results", [])
    if not isinstance(results, list):
        raise SourceUnavailable("NPPES sent an answer without a results list")
    return results


@dataclass
class NppesSearch:
    """Spine surgeons found (NPI-1 with a spine taxonomy, each once), and how the search went."""

    providers: dict[str, Provider] = field(default_factory=dict)
    returned: set[str] = field(default_factory=set)  # every NPI in the answers, in scope or not
    results: int = 0
    skipped: int = 0
    unreadable: list[int] = field(default_factory=list)  # positions of results without an NPI or a name
    truncated: bool = False


def nppes_search(
    *,
    state: str,
    city: str = "",
    taxonomy_descriptions: Iterable[str] = DEFAULT_TAXONOMY_DESCRIPTIONS,
    limit: int | None = None,
    session: requests.Session | None = None,
    on_page: Callable[[int], object] | None = None,
) -> NppesSearch:
    """Page through NPI-1 results (200 a page, skip ≤ 1000) for each taxonomy description."""
    session = session or source_session()
    search = NppesSearch()
    remaining = limit if limit is not None else float("inf")
    query = {"enumeration_type": "NPI-1", "state": state, "city": city}
    for description in taxonomy_descriptions:
        skip = 0
        while remaining > 0:
            size = int(min(PAGE_LIMIT, remaining))
            params = {k: v for k, v in {**query, "taxonomy_description": description}.items() if v}
            page = nppes_page({**params, "limit": size, "skip": skip}, session=session)
            _collect(page, search)
            remaining -= len(page)
            if on_page:
                on_page(len(page))
            if len(page) < size:
                break
            skip += size
            if skip > MAX_SKIP:
                search.truncated = True
                break
    return search


def _collect(page: list[dict], search: NppesSearch) -> None:
    for raw in page:
        search.results += 1
        try:
            provider = provider_parse(raw)
        except (ValueError, TypeError, AttributeError):  # not the shape of a result at all
            provider = None
        if provider is None:
            search.unreadable.append(search.results)
            continue
        search.returned.add(provider.npi)
        if provider.in_scope and provider.npi not in search.providers:
            search.providers[provider.npi] = provider
        else:
            search.skipped += 1


def nppes_import(
    *,
    state: str,
    city: str = "",
    taxonomy: str = "",
    limit: int | None = None,
    session: requests.Session | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    """Search NPPES, then upsert what it found; if any page fails nothing is written.

    SourceUnavailable when NPPES could not answer, NppesQueryError when it refused the query.
    """
    descriptions = [taxonomy] if taxonomy else DEFAULT_TAXONOMY_DESCRIPTIONS
    search = nppes_search(
        state=state, city=city, taxonomy_descriptions=descriptions, limit=limit, session=session, on_page=progress
    )
    summary = ImportSummary(source="NPPES", unit="result")
    summary.read, summary.skipped = search.results, search.skipped
    for position in search.unreadable:
        summary.error(position, "a result without an NPI or a name")
    providers_upsert(enumerate(search.providers.values(), start=1), summary=summary)
    if search.truncated:
        summary.notes.append(f"truncated: NPPES returns at most {PAGE_LIMIT + MAX_SKIP} results a query; narrow it")
    elif limit is None and not taxonomy:  # a complete answer: what it leaves out means something
        summary.notes.append(_not_returned_review(state=state, city=city, returned=search.returned))
    return summary


def _not_returned_review(*, state: str, city: str, returned: set[str]) -> str:
    """Open a review item for each surgeon on file in the place searched whom NPPES no longer returned."""
    on_file = Surgeon.objects.filter(is_active=True, npi_deactivated_on__isnull=True, locations__city__state=state)
    if city:
        on_file = on_file.filter(locations__city__name__iexact=city)
    missing = {npi: id_ for npi, id_ in on_file.values_list("npi", "id") if npi not in returned}
    kind = SourceDiscrepancy.Kind.NPPES_NOT_RETURNED
    already = set(
        SourceDiscrepancy.objects.filter(kind=kind, resolved_at=None, surgeon_id__in=missing.values()).values_list(
            "surgeon_id", flat=True
        )
    )
    place, today = f"{city}, {state}" if city else state, timezone.localdate()
    SourceDiscrepancy.objects.bulk_create(
        SourceDiscrepancy(
            surgeon_id=id_,
            kind=kind,
            detail=(
                f"NPPES returned no record of NPI {npi} in a complete search of {place} on {today}: the NPI may have "
                "been deactivated or the practice moved. Check the NPI Registry, then update, deactivate or keep "
                "the surgeon."
            ),
        )
        for npi, id_ in sorted(missing.items())
        if id_ not in already
    )
    opened = len(missing) - len(already)
    return f"{len(missing)} NPIs on file in {place} not returned by NPPES: {opened} review items opened"
