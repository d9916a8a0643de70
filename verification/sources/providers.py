"""NPPES providers into the directory: the one idempotent upsert that the API client and the bulk file share.

NPPES is self-reported, so licenses created from it stay `unverified` until a reviewer checks the board. Its
individual records carry no practice name, so none is given (CMS's Doctors and Clinicians file supplies real ones:
dac.py). Spine surgeons (207XS0117X, 207T00000X) and orthopaedic surgeons who may be one are stored; the latter
stay out of the public directory until spine practice is shown (Surgeon.spine_scope). A new practice location or
a change of spine scope is an eligibility event.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from directory.models import (
    ORTHOPAEDIC_TAXONOMIES,
    SPINE_TAXONOMIES,
    City,
    CredentialStatus,
    EvidenceMethod,
    Gender,
    PracticeLocation,
    Specialty,
    StateLicense,
    Surgeon,
)
from directory.npi import is_valid_npi
from directory.phones import phone_e164

from .. import events
from .chunks import chunked
from .summary import ImportSummary

# Who is stored: spine surgeons, and orthopaedic surgeons whose spine practice may yet be shown.
SURGEON_TAXONOMIES = SPINE_TAXONOMIES | ORTHOPAEDIC_TAXONOMIES
EVIDENCE_SOURCE = "NPPES (self-reported)"


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
    def in_scope(self) -> bool:
        """An individual with a spine taxonomy, or an orthopaedic one (stored, shown once spine practice is)."""
        return self.individual and any(t.code in SURGEON_TAXONOMIES for t in self.taxonomies)

    @property
    def taxonomy_codes(self) -> str:
        """Every taxonomy NPPES lists, primary first, as one space-separated text."""
        ordered = sorted(self.taxonomies, key=lambda t: not t.primary)
        return " ".join(dict.fromkeys(t.code for t in ordered if t.code))

    @property
    def specialty(self) -> str:
        codes = [t.code for t in sorted(self.taxonomies, key=lambda t: not t.primary) if t.code in SURGEON_TAXONOMIES]
        for specialty in (Specialty.ORTHOPAEDIC_SPINE, Specialty.NEUROSURGERY):
            if specialty in codes:
                return specialty
        return Specialty.ORTHOPAEDIC if codes else ""


# --- The one upsert: API and bulk file both land here ---


def _name_case(text: str) -> str:
    return text.title() if text.isupper() or text.islower() else text


def address_case(text: str) -> str:
    return " ".join(word.capitalize() for word in text.split()) if text.isupper() else text


def text_key(text: str) -> str:
    """Text as `same_text` compares it: case and runs of whitespace do not count."""
    return " ".join(text.upper().split())


def same_text(a: str, b: str) -> bool:
    return text_key(a) == text_key(b)


class Cities:
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
        "taxonomy_codes": provider.taxonomy_codes[: Surgeon._meta.get_field("taxonomy_codes").max_length],
    }
    return {name: value for name, value in fields.items() if value}  # NPPES silent: keep what we have


def _field_same(name: str, new: str, current: str) -> bool:
    return same_text(new, current) if name.endswith("_name") else new == current


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


def location_match(existing: list[PracticeLocation], address: PracticeAddress) -> PracticeLocation | None:
    for location in existing:
        if location.postal_code == address.postal_code and same_text(location.address_line1, address.address_1):
            return location
    return None


def _phone(address: PracticeAddress, problems: list[str]) -> str:
    """The practice phone in E.164, or "" (reported) when NPPES's text is not a valid number."""
    try:
        return phone_e164(address.telephone)
    except ValueError as exc:
        problems.append(f"practice phone {exc}; left as it was")
        return ""


def _location_new(surgeon: Surgeon, address: PracticeAddress, *, primary: bool, cities: Cities, phone: str):
    # NPPES names no practice for an individual: the location is shown by its address until a source names it.
    return PracticeLocation(
        surgeon=surgeon,
        city=cities.get(name=address.city, state=address.state),
        address_line1=address_case(address.address_1),
        address_line2=address_case(address.address_2),
        postal_code=address.postal_code,
        phone=phone,
        is_primary=primary,
    )


def _location_refresh(location: PracticeLocation, address: PracticeAddress, phone: str) -> bool:
    """Take NPPES's phone and suite when it gives them; everything else stays as reviewers left it."""
    changed = False
    if phone and phone != location.phone:
        location.phone, changed = phone, True
    if address.address_2 and not same_text(address.address_2, location.address_line2):
        location.address_line2, changed = address_case(address.address_2), True
    return changed


def _locations_upsert(
    provider: Provider, surgeon: Surgeon, existing: list[PracticeLocation], cities: Cities, problems: list[str]
) -> tuple[bool, bool]:
    """(changed, a location was added)."""
    changed = added = False
    for address in provider.addresses:
        phone = _phone(address, problems)
        location = location_match(existing, address)
        if location is None:
            primary = not any(loc.is_primary for loc in existing)
            location = _location_new(surgeon, address, primary=primary, cities=cities, phone=phone)
            existing.append(location)
            added = True
        elif not _location_refresh(location, address, phone):
            continue
        location.full_clean()
        location.save()
        changed = True
    return changed, added


def _licenses_upsert(
    provider: Provider, surgeon: Surgeon, stored: dict[tuple[str, str], StateLicense], problems: list[str]
) -> bool:
    """A license number NPPES lists and we lack becomes an unverified license; ours are never overwritten."""
    changed = False
    for taxonomy in provider.taxonomies:
        key = (taxonomy.state, taxonomy.license)
        if not all(key) or (key in stored and stored[key].surgeon_id == surgeon.id):
            continue
        if key in stored:
            problems.append(f"license {key[0]} {key[1]} is on file for another surgeon; not linked")
            continue
        license = StateLicense(
            surgeon=surgeon,
            state=taxonomy.state,
            number=taxonomy.license,
            first_issued=None,
            status=CredentialStatus.UNVERIFIED,
            evidence_method=EvidenceMethod.SECONDARY_SOURCE,
            evidence_source=EVIDENCE_SOURCE,
            evidence_obtained_on=timezone.localdate(),
        )
        license.full_clean(validate_unique=False)
        license.save()
        stored[key] = license
        changed = True
    return changed


def _provider_upsert(provider: Provider, batch: "_Batch", problems: list[str]) -> tuple[bool, bool]:
    """(created, changed) for one provider, all or nothing; an existing surgeon's new practice location or change
    of spine scope is noted in the batch for an eligibility event."""
    with transaction.atomic():
        known = batch.surgeons.get(provider.npi)
        scope = known.spine_scope if known else None
        surgeon, changed = _surgeon_upsert(provider, known)
        located, added = _locations_upsert(provider, surgeon, batch.locations[surgeon.id], batch.cities, problems)
        changed |= located
        changed |= _licenses_upsert(provider, surgeon, batch.licenses, problems)
    batch.surgeons[provider.npi] = surgeon
    if known and added:
        batch.relocated.add(surgeon.id)
    if known and scope != surgeon.spine_scope:
        batch.rescoped.add(surgeon.id)
    return known is None, changed


@dataclass
class _Batch:
    """What a batch of providers already has in the directory, loaded in three queries."""

    surgeons: dict[str, Surgeon]
    locations: dict[int, list[PracticeLocation]]
    licenses: dict[tuple[str, str], StateLicense]
    cities: Cities
    relocated: set[int] = field(default_factory=set)  # surgeons on file given a new practice location
    rescoped: set[int] = field(default_factory=set)  # surgeons on file whose spine scope changed

    @classmethod
    def load(cls, providers: list[Provider], cities: Cities) -> "_Batch":
        npis = [provider.npi for provider in providers]
        locations: dict[int, list[PracticeLocation]] = defaultdict(list)
        for location in PracticeLocation.objects.filter(surgeon__npi__in=npis):
            locations[location.surgeon_id].append(location)
        numbers = {t.license for p in providers for t in p.taxonomies if t.license}
        return cls(
            surgeons={s.npi: s for s in Surgeon.objects.filter(npi__in=npis)},
            locations=locations,
            licenses={(lic.state, lic.number): lic for lic in StateLicense.objects.filter(number__in=numbers)},
            cities=cities,
        )


def _upsert_batch(items: list[tuple[int, Provider]], summary: ImportSummary, cities: Cities) -> None:
    batch = _Batch.load([provider for _, provider in items], cities)
    relocated, rescoped = set(), set()
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
            relocated, rescoped = relocated | batch.relocated, rescoped | batch.rescoped
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
    relocated, rescoped = relocated | batch.relocated, rescoped | batch.rescoped
    events.surgeons_changed(surgeon_ids=relocated, cause="NPPES: a new practice location")
    events.surgeons_changed(surgeon_ids=rescoped - relocated, cause="NPPES: spine scope changed", recheck=False)


def providers_upsert(items: Iterable[tuple[int, Provider]], *, summary: ImportSummary, batch_size: int = 200) -> None:
    """Create or update each (line, provider)'s Surgeon, City, PracticeLocations and StateLicenses.

    Idempotent: a provider already stored as given changes nothing. Surgeons are never deleted here.
    """
    cities = Cities()
    for batch in chunked(items, batch_size):
        with transaction.atomic():
            _upsert_batch(batch, summary, cities)
