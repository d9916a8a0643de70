"""NPPES providers into the directory: the one idempotent upsert that the API client and the bulk file share.

NPPES is self-reported, so licences created from it stay `unverified` until a reviewer checks the board.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from directory.models import (
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

from .rows import ImportSummary, chunked

SPINE_TAXONOMIES = frozenset(Specialty.values)
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
    def is_spine_surgeon(self) -> bool:
        return self.individual and any(t.code in SPINE_TAXONOMIES for t in self.taxonomies)

    @property
    def specialty(self) -> str:
        codes = [t.code for t in sorted(self.taxonomies, key=lambda t: not t.primary) if t.code in SPINE_TAXONOMIES]
        return Specialty.ORTHOPAEDIC_SPINE if Specialty.ORTHOPAEDIC_SPINE in codes else (codes or [""])[0]


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
