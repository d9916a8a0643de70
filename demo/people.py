"""Draws surgeons, their cities, practices and defects from one Random; credentials come from CredentialDraws."""

import bisect
import itertools
import random
from collections import deque
from datetime import date, timedelta

from django.utils.text import slugify

from directory.geo import zip_centroid
from directory.models import (
    Degree,
    Gender,
    PracticeGroup,
    PracticeLocation,
)
from directory.npi import npi_check_digit

from .credentials import CredentialDraws
from .plan import CityInfo, Planned
from .vocabulary import (
    BIO_OPENINGS,
    CITY_ENDINGS,
    CITY_STEMS,
    CLEAN_SHARE,
    CSR_DEFECTS,
    CSR_STATES,
    DEACTIVATED_EVERY,
    DEFECTS,
    FEMALE_FIRST,
    FOCUS,
    GENDERS,
    INITIALS,
    LANGUAGE_CUM_WEIGHTS,
    LANGUAGE_NAMES,
    LAST_NAMES,
    MALE_FIRST,
    MEDICAL_SCHOOLS,
    MEDICARE_SPECIALTIES,
    NAMED_CITIES,
    PRACTICE_KINDS,
    PRACTICE_STEMS,
    SECOND_DEFECTS,
    SPECIALTIES,
    STREETS,
    TAXONOMIES,
    UNNAMED_PRACTICE_SHARE,
    US_STATES,
)

AREA_CODES = sorted({area for *_, area, _ in NAMED_CITIES})  # valid codes for generated cities' phones


class Seeder(CredentialDraws):
    """Draws everything from one Random in a fixed order, so a seed always yields the same data."""

    def __init__(self, *, seed: int, today: date, with_leie: bool):
        self.rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
        self.random = self.rng.random
        self.today = today
        self.with_leie = with_leie
        self.serial = itertools.count(100_001)  # license, registration and policy numbers: unique by design
        self.used_npis: set[str] = set()
        self.dea_offset = self.rng.randrange(1_000_000)
        self.surgeons_made = 0
        self.rotation = itertools.cycle(DEFECTS)
        self.waiting_for_csr_state: deque[str] = deque()
        self.leie_rows: list[list[str]] = []
        self.surgeon_keys: set[tuple[str, str, str]] = set()
        self.groups: dict[tuple[str, str], dict] = {}  # (practice name, city slug) → group row
        self.pac_ids = itertools.count(4_082_000_001)  # group PAC IDs: 10 digits, unique by design
        self.deactivated: list[tuple[str, date]] = []  # (NPI, deactivated on): the demo deactivation report

    # random.Random's randint and choice are general and slow; these draw from the same stream, just faster.
    def between(self, low: int, high: int) -> int:
        return low + int(self.random() * (high - low + 1))

    def pick(self, options):
        return options[int(self.random() * len(options))]

    def weighted(self, options, cum_weights):
        return options[bisect.bisect(cum_weights, self.random() * cum_weights[-1])]

    def days(self, low: int, high: int) -> timedelta:
        return timedelta(days=low + int(self.random() * (high - low + 1)))

    def recently(self) -> date:
        return self.today - self.days(1, 120)

    # --- cities ---

    def cities(self, count: int) -> list[CityInfo]:
        infos = [
            CityInfo({"name": name, "state": state, "slug": slugify(f"{name}-{state}")}, zip3, area)
            for name, state, zip3, area, _ in NAMED_CITIES[:count]
        ]
        weights = [weight for *_, weight in NAMED_CITIES[:count]]
        taken = {info.row["slug"] for info in infos}
        while len(infos) < count:
            name = self.pick(CITY_STEMS) + self.pick(CITY_ENDINGS)
            state = self.pick(US_STATES)
            slug = slugify(f"{name}-{state}")
            if slug not in taken:
                taken.add(slug)
                zip3, area = str(self.between(100, 999)), self.pick(AREA_CODES)
                infos.append(CityInfo({"name": name, "state": state, "slug": slug}, zip3, area))
                weights.append(self.between(1, 3))
        self.city_infos = infos
        self.cum_weights = list(itertools.accumulate(weights))
        self.by_state: dict[str, list[CityInfo]] = {}
        for info in infos:
            self.by_state.setdefault(info.state, []).append(info)
        return infos

    # --- a surgeon ---

    def surgeon(self) -> Planned:
        self.surgeons_made += 1
        gender = self.weighted(GENDERS, (20, 98, 100))
        pool = FEMALE_FIRST if gender == Gender.FEMALE else MALE_FIRST
        if gender == Gender.OTHER:
            pool = self.pick((FEMALE_FIRST, MALE_FIRST))
        surgeon = {
            "npi": self.npi(),
            "first_name": self.pick(pool),
            "middle_name": self.pick(INITIALS) if self.random() < 0.6 else "",
            "last_name": self.pick(LAST_NAMES),
            "degree": Degree.DO if self.random() < 0.15 else Degree.MD,
            "specialty": self.weighted(SPECIALTIES, (40, 65, 100)),
            "gender": gender,
            "accepting_new_patients": self.random() < 0.85,
        }
        surgeon["taxonomy_codes"] = self.pick(TAXONOMIES[surgeon["specialty"]])
        if self.surgeons_made % DEACTIVATED_EVERY == DEACTIVATED_EVERY // 2:
            surgeon["npi_deactivated_on"] = self.today - timedelta(days=30 + self.surgeons_made % 300)
            self.deactivated.append((surgeon["npi"], surgeon["npi_deactivated_on"]))
        planned = Planned(surgeon=surgeon)
        for info in self.practice_cities():
            planned.add_city(info)
        planned.defects = self.defects(planned)
        self.describe(planned)
        return planned

    def npi(self) -> str:
        while True:
            base = str(self.rng.randrange(100_000_000, 300_000_000))
            npi = base + str(npi_check_digit(base))
            if npi not in self.used_npis:
                self.used_npis.add(npi)
                return npi

    def practice_cities(self) -> list[CityInfo]:
        primary = self.weighted(self.city_infos, self.cum_weights)
        chosen = [primary]
        for _ in range(self.weighted((0, 1, 2), (75, 95, 100))):
            roll = self.random()
            if roll < 0.5:
                chosen.append(primary)  # a second office in the same city
            elif roll < 0.85:
                chosen.append(self.pick(self.by_state[primary.state]))
            else:
                chosen.append(self.pick(self.city_infos))
        return chosen

    def city_elsewhere(self, state: str) -> CityInfo:
        while True:
            info = self.pick(self.city_infos)
            if info.state != state:
                return info

    def defects(self, planned: Planned) -> frozenset[str]:
        if self.random() < CLEAN_SHARE:
            return frozenset()
        in_csr_state = any(state in CSR_STATES for state in planned.states)
        if in_csr_state and self.waiting_for_csr_state:
            defect = self.waiting_for_csr_state.popleft()
        else:
            defect = next(self.rotation)
            while defect in CSR_DEFECTS and not in_csr_state:
                self.waiting_for_csr_state.append(defect)
                defect = next(self.rotation)
        if defect == "license_missing_second_state" and len(planned.states) == 1:
            if len(self.by_state) == 1:
                defect = "license_unverified"  # every city is in one state
            else:
                del planned.cities[2:]  # at most three offices; the dropped one was in the same state
                planned.add_city(self.city_elsewhere(planned.states[0]))
        second = {self.pick(SECOND_DEFECTS)} if self.random() < 0.1 else set()
        return frozenset({defect, *second})

    def describe(self, planned: Planned) -> None:
        """Profile, practice locations, credentials, volumes, scores and any LEIE rows, in a fixed order."""
        self.profile(planned)
        self.locations(planned)
        self.licenses(planned)
        self.board_certification(planned)
        self.dea(planned)
        self.csr(planned)
        self.malpractice(planned)
        self.procedures(planned)
        self.satisfaction(planned)
        self.leie(planned)

    def profile(self, planned: Planned) -> None:
        rng, surgeon, defects = self.rng, planned.surgeon, planned.defects
        years = self.between(1, 4) if "too_new" in defects else int(rng.triangular(2, 36, 11))
        completed = self.today - timedelta(days=years * 365) - self.days(0, 300)
        first, second = rng.sample(FOCUS, 2)
        extra = self.weighted(LANGUAGE_NAMES, LANGUAGE_CUM_WEIGHTS)
        surgeon.update(
            training_completed_on=None if "no_start_date" in defects else completed,
            date_of_birth=completed - timedelta(days=self.between(31, 36) * 365) - self.days(0, 364),
            languages=f"English, {extra}" if extra else "English",
            bio=f"{BIO_OPENINGS[surgeon['specialty']]} treating {first} and {second}. "
            f"In practice since {completed.year}.",
            # As CMS's Doctors and Clinicians file publishes them (the demo DAC file says the same).
            medical_school=self.pick(MEDICAL_SCHOOLS),
            graduation_year=completed.year - self.between(5, 7),
            medicare_specialty=MEDICARE_SPECIALTIES[surgeon["specialty"]],
        )
        planned.years = years

    def practice_start(self, planned: Planned) -> date:
        return planned.surgeon["training_completed_on"] or self.today - timedelta(days=planned.years * 365)

    def group(self, planned: Planned, name: str, info: CityInfo) -> dict:
        """The practice group of that name in that city, as the demo DAC file names it (created on first use)."""
        key = (name, info.row["slug"])
        if key not in self.groups:
            self.groups[key] = {"name": name, "pac_id": f"{next(self.pac_ids):010d}"}
            planned.add(PracticeGroup, self.groups[key])
        return self.groups[key]

    def locations(self, planned: Planned) -> None:
        for position, info in enumerate(planned.cities):
            stem = self.pick(PRACTICE_STEMS) if self.random() < 0.8 else info.row["name"]
            name = f"{stem} {self.pick(PRACTICE_KINDS)}"
            group = None if self.random() < UNNAMED_PRACTICE_SHARE else self.group(planned, name, info)
            street = f"{self.between(100, 9999)} {self.pick(STREETS)}"
            suite = f"Suite {self.between(100, 950)}" if self.random() < 0.6 else ""
            postal_code = f"{info.zip3}{self.between(1, 99):02d}"
            latitude, longitude = zip_centroid(postal_code) or (None, None)
            row = {
                "surgeon": planned.surgeon,
                "city": info.row,
                "practice_name": group["name"] if group else "",  # a name only where a source gives one
                "address_line1": street,
                "address_line2": suite,
                "postal_code": postal_code,
                "latitude": latitude,
                "longitude": longitude,
                "phone": f"+1{info.area}55501{self.between(0, 99):02d}",  # 555-0100..0199: reserved for fiction
                "email": f"appointments@{(name if group else street).lower().replace(' & ', '-').replace(' ', '-')}"
                ".example",
                "is_primary": position == 0,
            }
            if group:
                row["group"] = group
            planned.add(PracticeLocation, row)
