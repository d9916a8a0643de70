"""Deterministic demo data: cities, surgeons, their credentials on file, and a demo OIG LEIE file.

Seeding replaces, in one transaction, everything a previous seed made: every city and surgeon with their
locations, credentials, volumes and scores, and the verification data hanging off them (runs, results,
review decisions, ranking snapshots, exclusion records). Users, partners and schedules are kept.

About 60% of surgeons meet every criterion; the rest each carry one defect (sometimes two) from DEFECTS,
dealt in a fixed rotation so that even a small seed fails every check in every way it can fail.
"""

import csv
import itertools
import os
import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from .models import (
    BoardCertification,
    City,
    CredentialStatus,
    DEARegistration,
    Degree,
    DisciplinaryAction,
    EvidenceMethod,
    Gender,
    MalpracticePolicy,
    PracticeLocation,
    ProcedureVolume,
    SatisfactionScore,
    Specialty,
    StateControlledSubstanceRegistration,
    StateLicense,
    Surgeon,
)
from .npi import npi_check_digit

CHUNK_SURGEONS = 2000  # surgeons generated and written per round: bounded memory at any size
BATCH_SIZE = 5000
CLEAN_SHARE = 0.6
LEIE_UNRELATED_ROWS = 300

# Mirrors the LEIE importer's header and the states that issue controlled-substance registrations
# (verification.checks.state_csr.STATE_RULES); directory never imports verification, a test keeps them equal.
LEIE_HEADER = (
    "LASTNAME,FIRSTNAME,MIDNAME,BUSNAME,GENERAL,SPECIALTY,UPIN,NPI,DOB,ADDRESS,CITY,STATE,ZIP,"
    "EXCLTYPE,EXCLDATE,REINDATE,WAIVERDATE,WVRSTATE"
).split(",")
CSR_STATES = frozenset("AL CT DE DC HI ID IL IN IA LA MD MA MI MO NV NJ NM OK RI SC SD UT WY PR GU".split())
US_STATES = (
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH "
    "OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY"
).split()

# (name, state, ZIP prefix, area code, weight): Texas first, then states that require a CSR, then others.
NAMED_CITIES = [
    (name, state, zip3, area, int(weight))
    for name, state, zip3, area, weight in (
        row.split(",")
        for row in """
Houston,TX,770,713,10;Dallas,TX,752,214,8;San Antonio,TX,782,210,7;Austin,TX,787,512,6;Fort Worth,TX,761,817,5;
El Paso,TX,799,915,4;Chicago,IL,606,312,9;Boston,MA,021,617,6;Detroit,MI,482,313,5;St. Louis,MO,631,314,5;
Newark,NJ,071,973,4;Oklahoma City,OK,731,405,4;Phoenix,AZ,850,602,6;Denver,CO,802,303,5;Baltimore,MD,212,410,4;
Indianapolis,IN,462,317,4;New Orleans,LA,701,504,3;Atlanta,GA,303,404,6;Seattle,WA,981,206,5;
Nashville,TN,372,615,4;Kansas City,MO,641,816,4;Tulsa,OK,741,918,3;Grand Rapids,MI,495,616,3;
Springfield,IL,627,217,2;Worcester,MA,016,508,2;Jersey City,NJ,073,201,3;Salt Lake City,UT,841,801,3;
Las Vegas,NV,891,702,4;Albuquerque,NM,871,505,3;Columbus,OH,432,614,4;Philadelphia,PA,191,215,6;
Charlotte,NC,282,704,4;Minneapolis,MN,554,612,4;Portland,OR,972,503,4;Miami,FL,331,305,6;
Los Angeles,CA,900,213,9;Lubbock,TX,794,806,2;Corpus Christi,TX,784,361,2;Providence,RI,029,401,2;
Birmingham,AL,352,205,3
""".replace("\n", "").split(";")
    )
]
CITY_STEMS = (
    "Cedar Maple River Oak Pine Lake Fair Spring Green Stone Red Silver North West East South Bright Elm Willow Ash "
    "Clear Rock Sun Mill Bay Glen High Wood"
).split()
CITY_ENDINGS = [
    "field", "ville", "ton", "wood", "dale", "port", "view", "brook", "ford", "mont", "haven", "crest", "burg",
    " Springs", " Falls", " Heights", " Park", " Hills", " City", " Junction", " Creek", " Valley", " Harbor",
]  # fmt: skip

MALE_FIRST = (
    "James Robert Michael David William Richard Joseph Thomas Charles Daniel Matthew Anthony Mark Steven Paul Andrew "
    "Joshua Kevin Brian George Edward Ronald Timothy Jason Jeffrey Ryan Jacob Gary Nicholas Eric Jonathan Stephen "
    "Carlos Luis Jorge Miguel Alejandro Rajesh Sanjay Arjun Vikram Wei Jun Hiroshi Minh Omar Tariq Samuel Benjamin "
    "Aaron Nathan Adam Patrick Sean Gregory Peter Victor Dmitri Ivan Tomasz Olusegun Kwame"
).split()
FEMALE_FIRST = (
    "Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Nancy Lisa Emily Michelle Laura "
    "Rebecca Rachel Amanda Stephanie Nicole Katherine Christine Maria Ana Sofia Lucia Gabriela Priya Anjali Deepa "
    "Mei Ling Yuki Hana Linh Fatima Leila Amara Ngozi Claire Julia Hannah Olivia Grace Natalie Alicia Monica Irene"
).split()
LAST_NAMES = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson "
    "Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis Robinson "
    "Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell "
    "Mitchell Carter Roberts Patel Shah Kumar Singh Gupta Chen Wang Li Zhang Liu Kim Park Choi Tran Pham Nakamura "
    "Tanaka Cohen Levy Friedman Schwartz Murphy Sullivan Kelly Brennan Walsh Novak Kowalski Nowak Ivanov Petrov "
    "Rossi Russo Bianchi Esposito Muller Schmidt Weber Becker Fischer Okafor Adeyemi Mensah Haddad Khoury Mansour "
    "Rahman Hussain Ali Khan Castillo Morales Ortiz Gutierrez Chavez Ramos Ruiz Vargas Mendoza Reyes Aguilar Delgado "
    "Hughes Price Bennett Wood Barnes Ross Henderson Coleman Jenkins Perry Powell Long Patterson Foster Sanders "
    "Bryant Russell Griffin Hayes Myers Ford Hamilton Graham Wallace Cole West Jordan Owens Reynolds Fisher Ellis"
).split()
LANGUAGES = [
    ("", 55), ("Spanish", 22), ("Mandarin", 3), ("Hindi", 3), ("Vietnamese", 2), ("Arabic", 2), ("French", 2),
    ("Korean", 2), ("Polish", 1), ("Portuguese", 2), ("Gujarati", 1), ("Russian", 1), ("Spanish, Portuguese", 1),
    ("Tagalog", 1), ("Yoruba", 1), ("German", 1),
]  # fmt: skip
FOCUS = [
    "minimally invasive lumbar decompression", "cervical disc replacement", "adult spinal deformity",
    "revision surgery for failed back surgery syndrome", "spinal cord stimulation", "lumbar fusion",
    "spinal tumours", "sports-related spine injuries", "cervical myelopathy", "degenerative scoliosis",
    "spinal stenosis", "osteoporotic fractures",
]  # fmt: skip
PRACTICE_STEMS = (
    "Summit Riverside Parkway Cornerstone Lakeside Heritage Crossroads Northstar Pinnacle Meridian Keystone "
    "Liberty Unity Beacon Harbor Sequoia Evergreen Compass"
).split()
PRACTICE_KINDS = ["Spine Center", "Spine Institute", "Neurosurgery Associates", "Orthopaedic & Spine", "Spine Care"]
STREETS = (
    "Main St|Medical Center Blvd|Oak Ave|Park Pl|Hospital Dr|Lakeview Pkwy|Elm St|Washington Ave|Commerce St|"
    "University Blvd|Health Plaza Dr|Ridge Rd|Market St|Broadway|Lincoln Ave"
).split("|")
CARRIERS = [
    ("Prairie Physicians Mutual", "PPM"),
    ("Great Lakes Medical Liability", "GLM"),
    ("Keystone Surgeons Mutual", "KSM"),
    ("Harbor Medical Protective", "HMP"),
    ("Frontier Professional Liability", "FPL"),
    ("Magnolia Medical Assurance", "MMA"),
]
ORTHO_CODES = ["63030", "63047", "63045", "22612", "22630", "22633", "22840", "22842", "22551", "63042", "22845"]
NEURO_CODES = ["22551", "63047", "63030", "63045", "22845", "22600", "63081", "63650", "63685", "22612", "22842"]
SERIOUS_ACTIONS = [
    "Restriction of surgical privileges after standard-of-care findings",
    "Suspension for inadequate post-operative monitoring",
    "Probation with chart monitoring after a wrong-level operation",
]
MINOR_ACTIONS = ["Administrative penalty for late CME reporting", "Fine for not updating the practice address"]
LEIE_OTHERS = [
    ("IND- LIC HC SERV PRO", "NURSE/NURSES AIDE"), ("IND- LIC HC SERV PRO", "PHARMACIST"),
    ("OTHER BUSINESS", "PHARMACY"), ("IND- LIC HC SERV PRO", "CHIROPRACTOR"), ("BUSINESS", "HOME HEALTH AGENCY"),
    ("IND- UNLICENSED", "BILLING SERVICES"), ("IND- LIC HC SERV PRO", "PHYSICIAN ASSISTANT"),
    ("MEDICAL PRACTICE, MD", "FAMILY PRACTICE"), ("BUSINESS", "DME - SUPPLIER"),
]  # fmt: skip
LEIE_BUSINESSES = "SUNRISE|GOLDEN CARE|PREMIER|ALLIED|FIRST CHOICE|HOPE|RELIANT|CITYWIDE|NORTHSIDE|TRINITY".split("|")
LEIE_TYPES = ["1128a1", "1128a2", "1128a3", "1128b4", "1128b7", "1128b8", "1128b14"]

# One defect per non-clean surgeon, dealt in this order. CSR defects wait for a surgeon in a state that
# requires a registration. Expected outcome in the comment (see verification/checks/).
DEFECTS = [
    "licence_expired",  # licence_sanctions: fail
    "board_lapsed",  # board_certification: fail
    "dea_expired",  # dea: fail
    "csr_missing",  # state_csr: needs_review
    "malpractice_lapsed",  # malpractice: fail
    "too_new",  # experience: fail (under 5 years, under 300 procedures)
    "low_satisfaction",  # satisfaction: fail
    "serious_action",  # licence_sanctions: fail
    "board_missing",  # board_certification: needs_review
    "dea_missing",  # dea: needs_review
    "csr_expired",  # state_csr: fail
    "malpractice_low_limits",  # malpractice: fail
    "few_responses",  # satisfaction: unknown (not enough answers)
    "leie_npi",  # licence_sanctions: fail once the demo LEIE file is imported
    "board_wrong_board",  # board_certification: needs_review (only an unrelated board)
    "dea_bad_check_digit",  # dea: needs_review
    "malpractice_missing",  # malpractice: needs_review
    "no_start_date",  # experience: needs_review
    "no_survey",  # satisfaction: needs_review
    "licence_revoked",  # licence_sanctions: fail
    "leie_name",  # licence_sanctions: needs_review (name and state match, no NPI)
    "licence_unverified",  # licence_sanctions: needs_review (self-reported number)
    "stale_survey",  # satisfaction: unknown (survey too old)
    "licence_missing_second_state",  # licence_sanctions: needs_review
    "unverified_respondents",  # satisfaction: needs_review
]
CSR_DEFECTS = frozenset({"csr_missing", "csr_expired"})
SECOND_DEFECTS = [d for d in DEFECTS if d not in CSR_DEFECTS and d != "licence_missing_second_state"]

Progress = Callable[[int], object]


@dataclass(frozen=True)
class DemoSeedSummary:
    surgeons: int
    cities: int
    locations: int
    credentials: int
    procedure_volumes: int
    satisfaction_scores: int
    leie_rows: int = 0
    leie_path: Path | None = None

    def line(self) -> str:
        leie = f"{self.leie_rows:,} LEIE rows → {self.leie_path}" if self.leie_path else "no LEIE file"
        return (
            f"Seeded {self.surgeons:,} surgeons in {self.cities:,} cities ({self.credentials:,} credentials, {leie})."
        )


@dataclass
class _CityInfo:
    city: City
    zip3: str
    area: str


@dataclass
class _Planned:
    """One surgeon and every record made for them, not yet saved."""

    surgeon: Surgeon
    defects: frozenset[str]
    cities: list[_CityInfo]
    years: int = 0  # in practice, whether or not a start date is on file
    rows: dict[type, list] = field(default_factory=dict)

    def add(self, *records) -> None:
        for record in records:
            self.rows.setdefault(type(record), []).append(record)

    @property
    def states(self) -> list[str]:
        return list(dict.fromkeys(info.city.state for info in self.cities))


WRITE_ORDER = [
    Surgeon, PracticeLocation, StateLicense, DisciplinaryAction, BoardCertification, DEARegistration,
    StateControlledSubstanceRegistration, MalpracticePolicy, ProcedureVolume, SatisfactionScore,
]  # fmt: skip
CREDENTIALS = (
    StateLicense, DisciplinaryAction, BoardCertification, DEARegistration, StateControlledSubstanceRegistration,
    MalpracticePolicy,
)  # fmt: skip


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _leie_date(day: date | None) -> str:
    return day.strftime("%Y%m%d") if day else "00000000"


def _dea_number(prefix: str, six: str, *, valid: bool = True) -> str:
    d = [int(c) for c in six]
    check = (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10
    return f"{prefix}{six}{check if valid else (check + 1) % 10}"


class _Seeder:
    """Draws everything from one Random in a fixed order, so a seed always yields the same data."""

    def __init__(self, *, seed: int, today: date, with_leie: bool):
        self.rng = random.Random(seed)
        self.today = today
        self.with_leie = with_leie
        self.serial = itertools.count(100_001)  # licence, registration and policy numbers: unique by design
        self.used_npis: set[str] = set()
        self.dea_offset = self.rng.randrange(1_000_000)
        self.surgeons_made = 0
        self.rotation = itertools.cycle(DEFECTS)
        self.waiting_for_csr_state: deque[str] = deque()
        self.leie_rows: list[list[str]] = []
        self.surgeon_keys: set[tuple[str, str, str]] = set()

    def days(self, low: int, high: int) -> timedelta:
        return timedelta(days=self.rng.randint(low, high))

    # --- cities ---

    def cities(self, count: int) -> list[_CityInfo]:
        infos = [
            _CityInfo(City(name=name, state=state, slug=slugify(f"{name}-{state}")), zip3, area)
            for name, state, zip3, area, _ in NAMED_CITIES[:count]
        ]
        self.city_weights = [weight for *_, weight in NAMED_CITIES[:count]]
        taken = {info.city.slug for info in infos}
        while len(infos) < count:
            name = self.rng.choice(CITY_STEMS) + self.rng.choice(CITY_ENDINGS)
            state = self.rng.choice(US_STATES)
            slug = slugify(f"{name}-{state}")
            if slug not in taken:
                taken.add(slug)
                zip3, area = str(self.rng.randint(100, 999)), str(self.rng.randint(201, 989))
                infos.append(_CityInfo(City(name=name, state=state, slug=slug), zip3, area))
                self.city_weights.append(self.rng.randint(1, 3))
        self.city_infos = infos
        self.cum_weights = list(itertools.accumulate(self.city_weights))
        self.by_state: dict[str, list[_CityInfo]] = {}
        for info in infos:
            self.by_state.setdefault(info.city.state, []).append(info)
        return infos

    # --- a surgeon ---

    def surgeon(self) -> _Planned:
        rng = self.rng
        self.surgeons_made += 1
        gender = rng.choices(Gender.values, weights=(20, 78, 2))[0]
        pool = FEMALE_FIRST if gender == Gender.FEMALE else MALE_FIRST
        if gender == Gender.OTHER:
            pool = rng.choice((FEMALE_FIRST, MALE_FIRST))
        specialty = rng.choices(Specialty.values, weights=(40, 25, 35))[0]
        surgeon = Surgeon(
            npi=self.npi(),
            first_name=rng.choice(pool),
            middle_name=rng.choice("ABCDEFGHJKLMNPRSTW") if rng.random() < 0.6 else "",
            last_name=rng.choice(LAST_NAMES),
            degree=Degree.DO if rng.random() < 0.15 else Degree.MD,
            specialty=specialty,
            gender=gender,
            accepting_new_patients=rng.random() < 0.85,
        )
        planned = _Planned(surgeon=surgeon, defects=frozenset(), cities=self.practice_cities())
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

    def practice_cities(self) -> list[_CityInfo]:
        rng = self.rng
        primary = rng.choices(self.city_infos, cum_weights=self.cum_weights)[0]
        chosen = [primary]
        for _ in range(rng.choices((0, 1, 2), weights=(75, 20, 5))[0]):
            roll = rng.random()
            if roll < 0.5:
                chosen.append(primary)  # a second office in the same city
            elif roll < 0.85:
                chosen.append(rng.choice(self.by_state[primary.city.state]))
            else:
                chosen.append(rng.choice(self.city_infos))
        return chosen

    def defects(self, planned: _Planned) -> frozenset[str]:
        if self.rng.random() < CLEAN_SHARE:
            return frozenset()
        in_csr_state = any(state in CSR_STATES for state in planned.states)
        if in_csr_state and self.waiting_for_csr_state:
            defect = self.waiting_for_csr_state.popleft()
        else:
            defect = next(self.rotation)
            while defect in CSR_DEFECTS and not in_csr_state:
                self.waiting_for_csr_state.append(defect)
                defect = next(self.rotation)
        if defect == "licence_missing_second_state" and len(planned.states) == 1:
            others = [info for info in self.city_infos if info.city.state != planned.cities[0].city.state]
            if not others:
                defect = "licence_unverified"  # every city is in one state
            else:
                planned.cities.append(self.rng.choice(others))
        second = {self.rng.choice(SECOND_DEFECTS)} if self.rng.random() < 0.1 else set()
        return frozenset({defect, *second})

    def describe(self, planned: _Planned) -> None:
        """Profile, practice locations, credentials, volumes, scores and any LEIE rows, in a fixed order."""
        self.profile(planned)
        self.locations(planned)
        self.licences(planned)
        self.board_certification(planned)
        self.dea(planned)
        self.csr(planned)
        self.malpractice(planned)
        self.procedures(planned)
        self.satisfaction(planned)
        self.leie(planned)

    def profile(self, planned: _Planned) -> None:
        rng, surgeon, defects = self.rng, planned.surgeon, planned.defects
        years = rng.randint(1, 4) if "too_new" in defects else int(rng.triangular(2, 36, 11))
        completed = self.today - timedelta(days=years * 365) - self.days(0, 300)
        surgeon.training_completed_on = None if "no_start_date" in defects else completed
        surgeon.date_of_birth = completed - timedelta(days=rng.randint(31, 36) * 365) - self.days(0, 364)
        extra = rng.choices([lang for lang, _ in LANGUAGES], weights=[w for _, w in LANGUAGES])[0]
        surgeon.languages = f"English, {extra}" if extra else "English"
        kind = {
            Specialty.ORTHOPAEDIC_SPINE: "Fellowship-trained orthopaedic spine surgeon",
            Specialty.ORTHOPAEDIC: "Orthopaedic surgeon",
            Specialty.NEUROSURGERY: "Neurosurgeon",
        }[surgeon.specialty]
        first, second = rng.sample(FOCUS, 2)
        surgeon.bio = f"{kind} treating {first} and {second}. In practice since {completed.year}."
        planned.years = years

    def locations(self, planned: _Planned) -> None:
        rng = self.rng
        for position, info in enumerate(planned.cities):
            name = f"{rng.choice(PRACTICE_STEMS + [info.city.name])} {rng.choice(PRACTICE_KINDS)}"
            planned.add(
                PracticeLocation(
                    surgeon=planned.surgeon,
                    city=info.city,
                    practice_name=name,
                    address_line1=f"{rng.randint(100, 9999)} {rng.choice(STREETS)}",
                    address_line2=f"Suite {rng.randint(100, 950)}" if rng.random() < 0.6 else "",
                    postal_code=f"{info.zip3}{rng.randint(1, 99):02d}",
                    phone=f"{info.area}-555-01{rng.randint(0, 99):02d}",  # 555-0100..0199: reserved for fiction
                    email=f"appointments@{slugify(name)}.example",
                    is_primary=position == 0,
                )
            )

    def licences(self, planned: _Planned) -> None:
        rng, defects, surgeon = self.rng, planned.defects, planned.surgeon
        start = surgeon.training_completed_on or (self.today - timedelta(days=planned.years * 365))
        states = planned.states[:1] if "licence_missing_second_state" in defects else planned.states
        for position, state in enumerate(states):
            # The first licence comes with training; a second state's some time after.
            later = self.days(0, max(0, (self.today - start).days - 30))
            issued = start - self.days(0, 60) if position == 0 else start + later
            licence = StateLicense(
                surgeon=surgeon,
                state=state,
                number=f"{rng.choice('DEHKMNPQR')}{next(self.serial)}",
                first_issued=None if "no_start_date" in defects else issued,
                expires=self.today + self.days(30, 730),
                status=CredentialStatus.ACTIVE,
                evidence_method=EvidenceMethod.PRIMARY_SOURCE,
                evidence_source=f"{state} medical board profile",
                evidence_obtained_on=self.today - self.days(1, 90),
            )
            if position == 0:
                self.licence_defects(planned, licence)
            planned.add(licence)

    def licence_defects(self, planned: _Planned, licence: StateLicense) -> None:
        defects, rng = planned.defects, self.rng
        if "licence_expired" in defects:
            licence.status = CredentialStatus.EXPIRED
            licence.expires = self.today - self.days(5, 400)
            if licence.first_issued and licence.expires < licence.first_issued:
                licence.expires = licence.first_issued + timedelta(days=1)
        if "licence_revoked" in defects:
            licence.status = rng.choice([CredentialStatus.REVOKED, CredentialStatus.SUSPENDED])
        if "licence_unverified" in defects:
            licence.status = CredentialStatus.UNVERIFIED
            licence.first_issued = None
            licence.evidence_method = EvidenceMethod.SECONDARY_SOURCE
            licence.evidence_source = "NPPES (self-reported)"
        if "serious_action" in defects:
            action = DisciplinaryAction(
                license=licence,
                action_date=self.today - self.days(60, 3000),
                severity=DisciplinaryAction.Severity.SERIOUS,
                description=rng.choice(SERIOUS_ACTIONS),
            )
            planned.add(action)
        elif rng.random() < 0.04:  # an old or minor action alone never fails the check
            planned.add(
                DisciplinaryAction(
                    license=licence,
                    action_date=self.today - self.days(200, 6000),
                    severity=DisciplinaryAction.Severity.MINOR,
                    description=rng.choice(MINOR_ACTIONS),
                )
            )

    def board_certification(self, planned: _Planned) -> None:
        rng, defects, surgeon = self.rng, planned.defects, planned.surgeon
        if "board_missing" in defects:
            return
        neuro = surgeon.specialty == Specialty.NEUROSURGERY
        if "board_wrong_board" in defects:
            neuro = not neuro
        Board = BoardCertification.Board
        if neuro:
            board = rng.choice([Board.AOBS, Board.ABNS]) if surgeon.degree == Degree.DO else Board.ABNS
        else:
            board = rng.choice([Board.AOBOS, Board.ABOS]) if surgeon.degree == Degree.DO else Board.ABOS
        start = surgeon.training_completed_on or (self.today - timedelta(days=planned.years * 365))
        certified = min(start + self.days(400, 1100), self.today - timedelta(days=30))
        expires = _add_years(certified, 10)
        while expires <= self.today + timedelta(days=30):
            expires = _add_years(expires, 10)
        cert = BoardCertification(
            surgeon=surgeon,
            board=board,
            specialty=Specialty.NEUROSURGERY if neuro else Specialty.ORTHOPAEDIC,
            certified_on=certified,
            expires=expires,
            status=CredentialStatus.ACTIVE,
            evidence_source=f"{board} certificate on file",
            evidence_obtained_on=self.today - self.days(1, 120),
        )
        if "board_lapsed" in defects:
            cert.status = CredentialStatus.EXPIRED
            cert.expires = self.today - self.days(30, 700)
            cert.certified_on = min(cert.certified_on, _add_years(cert.expires, -10))
        planned.add(cert)

    def dea(self, planned: _Planned) -> None:
        defects, surgeon = planned.defects, planned.surgeon
        if "dea_missing" in defects:
            return
        serial = (self.dea_offset + self.surgeons_made) % 2_000_000  # unique up to two million surgeons
        prefix = "BF"[serial // 1_000_000] + surgeon.last_name[0].upper()
        registration = DEARegistration(
            surgeon=surgeon,
            number=_dea_number(prefix, f"{serial % 1_000_000:06d}", valid="dea_bad_check_digit" not in defects),
            state=planned.states[0],
            expires=self.today + self.days(30, 1095),
            status=CredentialStatus.ACTIVE,
            evidence_source="DEA registration certificate",
            evidence_obtained_on=self.today - self.days(1, 120),
        )
        if "dea_expired" in defects:
            registration.status = CredentialStatus.EXPIRED
            registration.expires = self.today - self.days(5, 500)
        planned.add(registration)

    def csr(self, planned: _Planned) -> None:
        defects = planned.defects
        required = [state for state in planned.states if state in CSR_STATES]
        for position, state in enumerate(required):
            if position == 0 and "csr_missing" in defects:
                continue
            registration = StateControlledSubstanceRegistration(
                surgeon=planned.surgeon,
                state=state,
                number=f"CS{next(self.serial):08d}",
                expires=self.today + self.days(30, 730),
                status=CredentialStatus.ACTIVE,
                evidence_source=f"{state} controlled-substance registration certificate",
                evidence_obtained_on=self.today - self.days(1, 120),
            )
            if position == 0 and "csr_expired" in defects:
                registration.status = CredentialStatus.EXPIRED
                registration.expires = self.today - self.days(5, 300)
            planned.add(registration)

    def malpractice(self, planned: _Planned) -> None:
        rng, defects = self.rng, planned.defects
        if "malpractice_missing" in defects:
            return
        carrier, code = rng.choice(CARRIERS)
        per_claim, aggregate = rng.choices([(1, 3), (2, 4), (1, 3), (2, 6)], weights=(60, 25, 10, 5))[0]
        if "malpractice_low_limits" in defects:
            per_claim, aggregate = rng.choice([(0.5, 1.5), (0.2, 0.6), (1, 2)])
        effective = self.today - self.days(1, 330)
        if "malpractice_lapsed" in defects:
            effective = self.today - self.days(370, 600)
        policies = [(effective, effective + timedelta(days=365))]
        if rng.random() < 0.15:  # last year's policy, long expired, still on file
            policies.append((effective - timedelta(days=365), effective - timedelta(days=1)))
        for start, end in policies:
            planned.add(
                MalpracticePolicy(
                    surgeon=planned.surgeon,
                    carrier=carrier,
                    policy_number=f"{code}-{next(self.serial)}",
                    per_claim_limit=int(per_claim * 1_000_000),
                    aggregate_limit=int(aggregate * 1_000_000),
                    effective=start,
                    expires=end,
                    evidence_source="Certificate of insurance",
                    evidence_obtained_on=self.today - self.days(1, 120),
                )
            )

    def procedures(self, planned: _Planned) -> None:
        """Medicare counts (two-year lag, cells under 11 suppressed); a practice case log for some newcomers."""
        rng, defects, surgeon = self.rng, planned.defects, planned.surgeon
        codes = NEURO_CODES if surgeon.specialty == Specialty.NEUROSURGERY else ORTHO_CODES
        low_volume = defects & {"too_new", "no_start_date"}
        if planned.years >= 3 or low_volume:
            for code in rng.sample(codes, rng.randint(0, 2) if low_volume else rng.randint(2, 5)):
                planned.add(self.volume(surgeon, ProcedureVolume.Source.CMS_BY_SERVICE, self.today.year - 2, code))
        if planned.years < 5 and not low_volume:  # meets the bar on volume rather than years
            for code in rng.sample(codes, 4):
                planned.add(self.volume(surgeon, ProcedureVolume.Source.ATTESTED, self.today.year - 1, code, 80))

    def volume(self, surgeon, source, year: int, code: str, low: int = 11) -> ProcedureVolume:
        count = int(self.rng.triangular(low, low + 110, low + 15))
        return ProcedureVolume(surgeon=surgeon, source=source, period=str(year), cpt_code=code, count=count)

    def satisfaction(self, planned: _Planned) -> None:
        rng, defects = self.rng, planned.defects
        if "no_survey" in defects:
            return
        score = rng.triangular(8.5, 9.9, 9.3)
        responses = int(rng.triangular(30, 480, 80))
        end = self.today - self.days(15, 120)
        if "low_satisfaction" in defects:
            score = rng.uniform(6.2, 8.4)
        if "few_responses" in defects:
            responses = rng.randint(3, 29)
        if "stale_survey" in defects:
            end = self.today - self.days(600, 900)
        periods = [(end - timedelta(days=364), end, score, responses)]
        if rng.random() < 0.25:  # the year before, for trend
            previous_end = end - timedelta(days=365)
            periods.append((previous_end - timedelta(days=364), previous_end, rng.uniform(7.8, 9.8), responses))
        verified = "unverified_respondents" not in defects
        for start, finish, value, n in periods:
            planned.add(
                SatisfactionScore(
                    surgeon=planned.surgeon,
                    period_start=start,
                    period_end=finish,
                    score=f"{min(value, 10):.2f}",
                    responses=n,
                    verified_patients_only=verified,
                    source="Verified-patient survey" if verified else "Practice-run survey (unverified)",
                )
            )

    # --- the demo exclusion list ---

    def leie(self, planned: _Planned) -> None:
        if not self.with_leie:
            return
        surgeon, primary = planned.surgeon, planned.cities[0]
        for state in planned.states:
            self.surgeon_keys.add((surgeon.first_name.upper(), surgeon.last_name.upper(), state))
        if "leie_npi" in planned.defects:
            self.leie_rows.append(self.leie_row(surgeon, primary, npi=surgeon.npi, dob=surgeon.date_of_birth))
        if "leie_name" in planned.defects:
            row = self.leie_row(surgeon, primary, npi=None, dob=None)
            row[2] = self.rng.choice("ABCDEFGHJKLMNPRSTW")  # a middle initial the directory may not have
            self.leie_rows.append(row)

    def leie_row(self, surgeon: Surgeon, info: _CityInfo, *, npi: str | None, dob: date | None) -> list[str]:
        rng = self.rng
        specialty = "NEUROLOGICAL SURGERY" if surgeon.specialty == Specialty.NEUROSURGERY else "ORTHOPEDIC SURGERY"
        return [
            surgeon.last_name.upper(), surgeon.first_name.upper(), surgeon.middle_name.upper(), "",
            "MEDICAL PRACTICE, MD" if surgeon.degree == Degree.MD else "MEDICAL PRACTICE, DO", specialty, "",
            npi or "0000000000", _leie_date(dob), f"{rng.randint(100, 9999)} {rng.choice(STREETS).upper()}",
            info.city.name.upper(), info.city.state, f"{info.zip3}{rng.randint(1, 99):02d}", rng.choice(LEIE_TYPES),
            _leie_date(self.today - self.days(20, 700)), "00000000", "00000000", "",
        ]  # fmt: skip

    def unrelated_leie_rows(self, count: int) -> None:
        rng = self.rng
        while count:
            general, specialty = rng.choice(LEIE_OTHERS)
            _, state, zip3, *_ = city = rng.choice(NAMED_CITIES)
            business = general in ("BUSINESS", "OTHER BUSINESS")
            first, last = rng.choice(MALE_FIRST + FEMALE_FIRST).upper(), rng.choice(LAST_NAMES).upper()
            if not business and (first, last, state) in self.surgeon_keys:
                continue  # would look like one of our surgeons
            npi = ""
            if rng.random() < 0.1:
                npi = self.npi()
            busname = f"{rng.choice(LEIE_BUSINESSES)} {specialty.split(' ')[0]} LLC" if business else ""
            dob = None if business else date(rng.randint(1940, 1995), rng.randint(1, 12), rng.randint(1, 28))
            self.leie_rows.append(
                [
                    "" if business else last, "" if business else first, "", busname, general, specialty, "",
                    npi or "0000000000", _leie_date(dob), f"{rng.randint(100, 9999)} {rng.choice(STREETS).upper()}",
                    city[0].upper(), state, f"{zip3}{rng.randint(1, 99):02d}", rng.choice(LEIE_TYPES),
                    _leie_date(date(rng.randint(1995, self.today.year - 1), rng.randint(1, 12), rng.randint(1, 28))),
                    "00000000", "00000000", "",
                ]
            )  # fmt: skip
            count -= 1


def _wipe() -> None:
    """Delete what a previous seed created, children first, with plain DELETEs (no per-row signals)."""
    verification = [
        apps.get_model("verification", name)
        for name in (
            "CityRanking", "RankingEntry", "RankingSnapshot", "ReviewDecision", "CheckResult", "VerificationBatch",
            "VerificationRun", "ExclusionRecord",
        )
    ]  # fmt: skip
    ranking_entry_results = apps.get_model("verification", "RankingEntry").results.through
    directory = [
        apps.get_model("directory", name)
        for name in (
            "EvidenceDocument", "ConsultationRequest", "DisciplinaryAction", "StateLicense", "BoardCertification",
            "DEARegistration", "StateControlledSubstanceRegistration", "MalpracticePolicy", "ProcedureVolume",
            "SatisfactionScore", "SurveyResponse", "PracticeLocation", "Surgeon", "City",
        )
    ]  # fmt: skip
    models = [verification[0], ranking_entry_results, *verification[1:], *directory]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"DELETE FROM {quote(model._meta.db_table)}")  # noqa: S608 - names come from the models


def _write(planned: list[_Planned], counts: dict[type, int]) -> None:
    # bulk_create bypasses django-simple-history: seeded rows start without history, nobody edited them.
    for model in WRITE_ORDER:
        rows = [row for p in planned for row in p.rows.get(model, ())]
        if model is Surgeon:
            rows = [p.surgeon for p in planned]
        model.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        counts[model] = counts.get(model, 0) + len(rows)


def _write_leie(rows: list[list[str]], path: Path) -> None:
    """The LEIE full-file layout, sorted as OIG sorts it; written beside the target, then moved into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(LEIE_HEADER)
        writer.writerows(sorted(rows, key=lambda row: (row[0], row[1], row[3], row[7])))
    os.replace(partial, path)


def _progress_callable(progress) -> Progress | None:
    if progress is None or callable(progress):
        return progress
    return progress.update


def demo_data_seed(
    *,
    surgeons: int = 400,
    cities: int = 14,
    seed: int = 7,
    today: date | None = None,
    progress: Progress | object | None = None,
    leie_path: str | os.PathLike | None = None,
) -> DemoSeedSummary:
    """Replace the directory with deterministic demo data; optionally write a matching demo LEIE file."""
    if surgeons < 1:
        raise ValueError("surgeons must be at least 1")
    if not 1 <= cities <= 20_000:
        raise ValueError("cities must be between 1 and 20000")
    today = today or timezone.localdate()
    report = _progress_callable(progress)
    seeder = _Seeder(seed=seed, today=today, with_leie=leie_path is not None)
    counts: dict[type, int] = {}
    with transaction.atomic():
        _wipe()
        City.objects.bulk_create([info.city for info in seeder.cities(cities)], batch_size=BATCH_SIZE)
        for start in range(0, surgeons, CHUNK_SURGEONS):
            size = min(CHUNK_SURGEONS, surgeons - start)
            _write([seeder.surgeon() for _ in range(size)], counts)
            if report:
                report(size)
        if leie_path is not None:
            seeder.unrelated_leie_rows(LEIE_UNRELATED_ROWS)
            _write_leie(seeder.leie_rows, Path(leie_path))
    return DemoSeedSummary(
        surgeons=surgeons,
        cities=cities,
        locations=counts[PracticeLocation],
        credentials=sum(counts[model] for model in CREDENTIALS),
        procedure_volumes=counts[ProcedureVolume],
        satisfaction_scores=counts[SatisfactionScore],
        leie_rows=len(seeder.leie_rows) if leie_path is not None else 0,
        leie_path=Path(leie_path) if leie_path is not None else None,
    )
