"""NPPES NPI Registry: the API client, the typed provider it parses into, and the one directory upsert.

NPPES is self-reported: it identifies a surgeon (name, specialty, where they practise, licence numbers they
list) and verifies nothing. Licences created from it are `unverified` until a reviewer checks the board.
"""

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import requests
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from directory.models import (
    City,
    CredentialStatus,
    Degree,
    EvidenceMethod,
    Gender,
    PracticeLocation,
    Specialty,
    StateLicense,
    Surgeon,
)
from directory.npi import is_valid_npi

from .http import SourceUnavailable, source_get_json, source_session
from .rows import ImportSummary, Progress, chunked

NPPES_URL = "https://npiregistry.cms.hhs.gov/api/"
NPPES_VERSION = "2.1"
PAGE_LIMIT = 200  # the API's maximum page size
MAX_SKIP = 1000  # the API's maximum offset: a query sees at most 1,200 results
SPINE_TAXONOMIES = frozenset(Specialty.values)
# Both surgical specialties; "Orthopaedic Surgery" also matches "Orthopaedic Surgery of the Spine".
DEFAULT_TAXONOMY_DESCRIPTIONS = ("Orthopaedic Surgery", "Neurological Surgery")
EVIDENCE_SOURCE = "NPPES (self-reported)"
_MD = re.compile(r"\bM\.?\s*D\b")
_DO = re.compile(r"\bD\.?\s*O\b")


class NppesQueryError(ValueError):
    """NPPES refused the query (an `Errors` array in an HTTP 200 answer): asking again will not help."""


@dataclass(frozen=True)
class Taxonomy:
    code: str
    desc: str = ""
    primary: bool = False
    state: str = ""
    license: str = ""


@dataclass(frozen=True)
class PracticeAddress:
    address_1: str
    address_2: str
    city: str
    state: str
    postal_code: str  # first five digits
    telephone: str = ""


@dataclass(frozen=True)
class Provider:
    npi: str
    first_name: str
    last_name: str
    middle_name: str = ""
    credential: str = ""  # Degree.MD, Degree.DO or "" when NPPES names neither
    gender: str = Gender.OTHER
    taxonomies: tuple[Taxonomy, ...] = ()
    addresses: tuple[PracticeAddress, ...] = ()  # practice locations only, never the mailing address
    individual: bool = True  # NPI-1

    @property
    def is_spine_surgeon(self) -> bool:
        return self.individual and any(t.code in SPINE_TAXONOMIES for t in self.taxonomies)

    @property
    def specialty(self) -> str:
        codes = [t.code for t in sorted(self.taxonomies, key=lambda t: not t.primary) if t.code in SPINE_TAXONOMIES]
        return Specialty.ORTHOPAEDIC_SPINE if Specialty.ORTHOPAEDIC_SPINE in codes else (codes or [""])[0]


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
        elif provider.is_spine_surgeon and provider.npi not in search.providers:
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
    return summary


# --- The one upsert: API and bulk file both land here ---


def _name_case(text: str) -> str:
    return text.title() if text.isupper() or text.islower() else text


def _address_case(text: str) -> str:
    return " ".join(word.capitalize() for word in text.split()) if text.isupper() else text


def _same(a: str, b: str) -> bool:
    return " ".join(a.upper().split()) == " ".join(b.upper().split())


class _Cities:
    """City by state and name, created on first sight; cached for the import."""

    def __init__(self):
        self._cache: dict[tuple[str, str], City] = {}

    def get(self, *, name: str, state: str) -> City:
        name = _name_case(" ".join(name.split()))[:100]
        key = (state, name.upper())
        if key not in self._cache:
            slug = slugify(f"{name}-{state}")
            city = City.objects.filter(state=state, name__iexact=name).first() or City.objects.filter(slug=slug).first()
            if city is None:
                city = City(name=name, state=state, slug=slug)
                city.full_clean()
                city.save()
            self._cache[key] = city
        return self._cache[key]

    def forget(self) -> None:
        self._cache.clear()


def _surgeon_fields(provider: Provider) -> dict[str, str]:
    fields = {
        "first_name": _name_case(provider.first_name),
        "middle_name": _name_case(provider.middle_name),
        "last_name": _name_case(provider.last_name),
        "specialty": provider.specialty,
        "degree": provider.credential,
        "gender": "" if provider.gender == Gender.OTHER else provider.gender,
    }
    return {name: value for name, value in fields.items() if value}  # NPPES silent: keep what we have


def _field_same(name: str, new: str, current: str) -> bool:
    return _same(new, current) if name.endswith("_name") else new == current


def _surgeon_upsert(provider: Provider, surgeon: Surgeon | None) -> tuple[Surgeon, bool]:
    """(surgeon, changed); names that differ only in case keep the directory's spelling."""
    fields = _surgeon_fields(provider)
    if surgeon is None:
        if not provider.credential:
            raise ValidationError("NPPES lists no MD or DO credential; not added")
        surgeon = Surgeon(npi=provider.npi, **fields)
        surgeon.full_clean(validate_unique=False)
        surgeon.save()
        return surgeon, True
    changed = [name for name, value in fields.items() if not _field_same(name, value, getattr(surgeon, name))]
    if changed:
        for name in changed:
            setattr(surgeon, name, fields[name])
        surgeon.full_clean(validate_unique=False)
        surgeon.save(update_fields=[*changed, "updated_at"])
    return surgeon, bool(changed)


def _location_match(existing: list[PracticeLocation], address: PracticeAddress) -> PracticeLocation | None:
    for location in existing:
        if location.postal_code == address.postal_code and _same(location.address_line1, address.address_1):
            return location
    return None


def _location_new(provider: Provider, surgeon: Surgeon, address: PracticeAddress, *, primary: bool, cities: _Cities):
    doctor = f"Dr. {_name_case(provider.first_name)} {_name_case(provider.last_name)}"
    return PracticeLocation(
        surgeon=surgeon,
        city=cities.get(name=address.city, state=address.state),
        practice_name=f"Practice of {doctor}",
        address_line1=_address_case(address.address_1),
        address_line2=_address_case(address.address_2),
        postal_code=address.postal_code,
        phone=address.telephone,
        is_primary=primary,
    )


def _location_refresh(location: PracticeLocation, address: PracticeAddress) -> bool:
    """Take NPPES's phone and suite when it gives them; everything else stays as reviewers left it."""
    changed = False
    if address.telephone and address.telephone != location.phone:
        location.phone, changed = address.telephone, True
    if address.address_2 and not _same(address.address_2, location.address_line2):
        location.address_line2, changed = _address_case(address.address_2), True
    return changed


def _locations_upsert(provider: Provider, surgeon: Surgeon, existing: list[PracticeLocation], cities: _Cities) -> bool:
    changed = False
    for address in provider.addresses:
        location = _location_match(existing, address)
        if location is None:
            primary = not any(loc.is_primary for loc in existing)
            location = _location_new(provider, surgeon, address, primary=primary, cities=cities)
            existing.append(location)
        elif not _location_refresh(location, address):
            continue
        location.full_clean()
        location.save()
        changed = True
    return changed


def _licences_upsert(
    provider: Provider, surgeon: Surgeon, stored: dict[tuple[str, str], StateLicense], problems: list[str]
) -> bool:
    """A licence number NPPES lists and we lack becomes an unverified licence; ours are never overwritten."""
    changed = False
    for taxonomy in provider.taxonomies:
        key = (taxonomy.state, taxonomy.license)
        if not all(key) or (key in stored and stored[key].surgeon_id == surgeon.id):
            continue
        if key in stored:
            problems.append(f"licence {key[0]} {key[1]} is on file for another surgeon; not linked")
            continue
        licence = StateLicense(
            surgeon=surgeon,
            state=taxonomy.state,
            number=taxonomy.license,
            first_issued=None,
            status=CredentialStatus.UNVERIFIED,
            evidence_method=EvidenceMethod.SECONDARY_SOURCE,
            evidence_source=EVIDENCE_SOURCE,
            evidence_obtained_on=timezone.localdate(),
        )
        licence.full_clean(validate_unique=False)
        licence.save()
        stored[key] = licence
        changed = True
    return changed


def _provider_upsert(provider: Provider, batch: "_Batch", problems: list[str]) -> tuple[bool, bool]:
    """(created, changed) for one provider, all or nothing."""
    with transaction.atomic():
        created = provider.npi not in batch.surgeons
        surgeon, changed = _surgeon_upsert(provider, batch.surgeons.get(provider.npi))
        changed |= _locations_upsert(provider, surgeon, batch.locations[surgeon.id], batch.cities)
        changed |= _licences_upsert(provider, surgeon, batch.licences, problems)
    batch.surgeons[provider.npi] = surgeon
    return created, changed


@dataclass
class _Batch:
    """What a batch of providers already has in the directory, loaded in three queries."""

    surgeons: dict[str, Surgeon]
    locations: dict[int, list[PracticeLocation]]
    licences: dict[tuple[str, str], StateLicense]
    cities: _Cities

    @classmethod
    def load(cls, providers: list[Provider], cities: _Cities) -> "_Batch":
        npis = [provider.npi for provider in providers]
        locations: dict[int, list[PracticeLocation]] = defaultdict(list)
        for location in PracticeLocation.objects.filter(surgeon__npi__in=npis):
            locations[location.surgeon_id].append(location)
        numbers = {t.license for p in providers for t in p.taxonomies if t.license}
        return cls(
            surgeons={s.npi: s for s in Surgeon.objects.filter(npi__in=npis)},
            locations=locations,
            licences={(lic.state, lic.number): lic for lic in StateLicense.objects.filter(number__in=numbers)},
            cities=cities,
        )


def _upsert_batch(items: list[tuple[int, Provider]], summary: ImportSummary, cities: _Cities) -> None:
    batch = _Batch.load([provider for _, provider in items], cities)
    for line, provider in items:
        if not is_valid_npi(provider.npi):
            summary.error(line, f"{provider.npi!r} is not a valid NPI")
            continue
        problems: list[str] = []
        try:
            created, changed = _provider_upsert(provider, batch, problems)
        except (ValidationError, IntegrityError) as exc:
            problems.extend(getattr(exc, "messages", None) or [str(exc)])
            created = changed = None
            cities.forget()  # what this provider added was rolled back: reload rather than trust the caches
            batch = _Batch.load([provider for _, provider in items], cities)
        for problem in problems:
            summary.error(line, f"NPI {provider.npi}: {problem}")
        if created is None:
            continue
        if created:
            summary.created += 1
        elif changed:
            summary.updated += 1
        else:
            summary.unchanged += 1


def providers_upsert(items: Iterable[tuple[int, Provider]], *, summary: ImportSummary, batch_size: int = 200) -> None:
    """Create or update each (line, provider)'s Surgeon, City, PracticeLocations and StateLicenses.

    Idempotent: a provider already stored as given changes nothing. Surgeons are never deleted here.
    """
    cities = _Cities()
    for batch in chunked(items, batch_size):
        with transaction.atomic():
            _upsert_batch(batch, summary, cities)
