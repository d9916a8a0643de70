"""Deterministic demo data: cities, surgeons, their credentials on file, and a demo OIG LEIE file.

Seeding replaces, in one transaction, everything a previous seed made: every city and surgeon with their
locations, credentials, volumes and scores, and the verification data hanging off them (runs, results,
review decisions, ranking snapshots, exclusion records). Users, partners and schedules are kept.

About 60% of surgeons meet every criterion; the rest each carry one defect (sometimes two) from DEFECTS,
dealt in a fixed rotation so that even a small seed fails every check in every way it can fail.
"""

import bisect
import csv
import itertools
import operator
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
MAX_CITIES = 20_000
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
Houston,TX,770,713,9;Dallas,TX,752,214,8;San Antonio,TX,782,210,7;Austin,TX,787,512,6;Fort Worth,TX,761,817,6;
El Paso,TX,799,915,5;Chicago,IL,606,312,8;Boston,MA,021,617,6;Detroit,MI,482,313,6;St. Louis,MO,631,314,6;
Newark,NJ,071,973,5;Oklahoma City,OK,731,405,5;Phoenix,AZ,850,602,6;Denver,CO,802,303,5;Baltimore,MD,212,410,4;
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
INITIALS = "ABCDEFGHJKLMNPRSTW"
GENDERS = [Gender.FEMALE, Gender.MALE, Gender.OTHER]
SPECIALTIES = [Specialty.ORTHOPAEDIC_SPINE, Specialty.ORTHOPAEDIC, Specialty.NEUROSURGERY]
LANGUAGES = [
    ("", 55), ("Spanish", 22), ("Mandarin", 3), ("Hindi", 3), ("Vietnamese", 2), ("Arabic", 2), ("French", 2),
    ("Korean", 2), ("Polish", 1), ("Portuguese", 2), ("Gujarati", 1), ("Russian", 1), ("Spanish, Portuguese", 1),
    ("Tagalog", 1), ("Yoruba", 1), ("German", 1),
]  # fmt: skip
LANGUAGE_NAMES = [name for name, _ in LANGUAGES]
LANGUAGE_CUM_WEIGHTS = list(itertools.accumulate(weight for _, weight in LANGUAGES))
BIO_OPENINGS = {
    Specialty.ORTHOPAEDIC_SPINE: "Fellowship-trained orthopaedic spine surgeon",
    Specialty.ORTHOPAEDIC: "Orthopaedic surgeon",
    Specialty.NEUROSURGERY: "Neurosurgeon",
}
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


Row = dict  # column values by field name; a parent's row stands in for its id until it is written


@dataclass
class _CityInfo:
    row: Row
    zip3: str
    area: str

    @property
    def state(self) -> str:
        return self.row["state"]


@dataclass
class _Planned:
    """One surgeon and every record made for them, not yet written."""

    surgeon: Row
    cities: list[_CityInfo] = field(default_factory=list)
    states: list[str] = field(default_factory=list)  # of the practice cities, primary first
    defects: frozenset[str] = frozenset()
    years: int = 0  # in practice, whether or not a start date is on file
    rows: dict[type, list[Row]] = field(default_factory=dict)

    def add_city(self, info: _CityInfo) -> None:
        self.cities.append(info)
        if info.state not in self.states:
            self.states.append(info.state)

    def add(self, model: type, row: Row) -> None:
        self.rows.setdefault(model, []).append(row)


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


def _credential(surgeon: Row, source: str, obtained_on: date, **fields) -> Row:
    return {
        "surgeon": surgeon,
        "status": CredentialStatus.ACTIVE,
        "evidence_method": EvidenceMethod.ATTESTED_DOCUMENT,
        "evidence_source": source,
        "evidence_obtained_on": obtained_on,
        **fields,
    }


class _Seeder:
    """Draws everything from one Random in a fixed order, so a seed always yields the same data."""

    def __init__(self, *, seed: int, today: date, with_leie: bool):
        self.rng = random.Random(seed)
        self.random = self.rng.random
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

    def cities(self, count: int) -> list[_CityInfo]:
        infos = [
            _CityInfo({"name": name, "state": state, "slug": slugify(f"{name}-{state}")}, zip3, area)
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
                zip3, area = str(self.between(100, 999)), str(self.between(201, 989))
                infos.append(_CityInfo({"name": name, "state": state, "slug": slug}, zip3, area))
                weights.append(self.between(1, 3))
        self.city_infos = infos
        self.cum_weights = list(itertools.accumulate(weights))
        self.by_state: dict[str, list[_CityInfo]] = {}
        for info in infos:
            self.by_state.setdefault(info.state, []).append(info)
        return infos

    # --- a surgeon ---

    def surgeon(self) -> _Planned:
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
        planned = _Planned(surgeon=surgeon)
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

    def practice_cities(self) -> list[_CityInfo]:
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

    def city_elsewhere(self, state: str) -> _CityInfo:
        while True:
            info = self.pick(self.city_infos)
            if info.state != state:
                return info

    def defects(self, planned: _Planned) -> frozenset[str]:
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
        if defect == "licence_missing_second_state" and len(planned.states) == 1:
            if len(self.by_state) == 1:
                defect = "licence_unverified"  # every city is in one state
            else:
                del planned.cities[2:]  # at most three offices; the dropped one was in the same state
                planned.add_city(self.city_elsewhere(planned.states[0]))
        second = {self.pick(SECOND_DEFECTS)} if self.random() < 0.1 else set()
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
        )
        planned.years = years

    def practice_start(self, planned: _Planned) -> date:
        return planned.surgeon["training_completed_on"] or self.today - timedelta(days=planned.years * 365)

    def locations(self, planned: _Planned) -> None:
        for position, info in enumerate(planned.cities):
            stem = self.pick(PRACTICE_STEMS) if self.random() < 0.8 else info.row["name"]
            name = f"{stem} {self.pick(PRACTICE_KINDS)}"
            planned.add(
                PracticeLocation,
                {
                    "surgeon": planned.surgeon,
                    "city": info.row,
                    "practice_name": name,
                    "address_line1": f"{self.between(100, 9999)} {self.pick(STREETS)}",
                    "address_line2": f"Suite {self.between(100, 950)}" if self.random() < 0.6 else "",
                    "postal_code": f"{info.zip3}{self.between(1, 99):02d}",
                    "phone": f"{info.area}-555-01{self.between(0, 99):02d}",  # 555-0100..0199: reserved for fiction
                    "email": f"appointments@{name.lower().replace(' & ', '-').replace(' ', '-')}.example",
                    "is_primary": position == 0,
                },
            )

    def licences(self, planned: _Planned) -> None:
        defects, surgeon = planned.defects, planned.surgeon
        start = self.practice_start(planned)
        states = planned.states[:1] if "licence_missing_second_state" in defects else planned.states
        for position, state in enumerate(states):
            # The first licence comes with training; a second state's some time after.
            later = self.days(0, max(0, (self.today - start).days - 30))
            issued = start - self.days(0, 60) if position == 0 else start + later
            licence = _credential(
                surgeon,
                f"{state} medical board profile",
                self.today - self.days(1, 90),
                state=state,
                number=f"{self.pick('DEHKMNPQR')}{next(self.serial)}",
                first_issued=None if "no_start_date" in defects else issued,
                expires=self.today + self.days(30, 730),
                evidence_method=EvidenceMethod.PRIMARY_SOURCE,
            )
            planned.add(StateLicense, licence)
            if position == 0:
                self.licence_defects(planned, licence)

    def licence_defects(self, planned: _Planned, licence: Row) -> None:
        defects = planned.defects
        if "licence_expired" in defects:
            expired = self.today - self.days(5, 400)
            issued = licence["first_issued"]
            licence.update(status=CredentialStatus.EXPIRED, expires=max(expired, issued or expired))
        if "licence_revoked" in defects:
            licence["status"] = self.pick([CredentialStatus.REVOKED, CredentialStatus.SUSPENDED])
        if "licence_unverified" in defects:
            licence.update(
                status=CredentialStatus.UNVERIFIED,
                first_issued=None,
                evidence_method=EvidenceMethod.SECONDARY_SOURCE,
                evidence_source="NPPES (self-reported)",
            )
        if "serious_action" in defects:
            when, severity, text = self.days(60, 3000), DisciplinaryAction.Severity.SERIOUS, self.pick(SERIOUS_ACTIONS)
        elif self.random() < 0.04:  # a minor action never fails the check
            when, severity, text = self.days(200, 6000), DisciplinaryAction.Severity.MINOR, self.pick(MINOR_ACTIONS)
        else:
            return
        action = {"license": licence, "action_date": self.today - when, "severity": severity, "description": text}
        planned.add(DisciplinaryAction, action)

    def board_certification(self, planned: _Planned) -> None:
        defects, surgeon = planned.defects, planned.surgeon
        if "board_missing" in defects:
            return
        neuro = (surgeon["specialty"] == Specialty.NEUROSURGERY) != ("board_wrong_board" in defects)
        do = surgeon["degree"] == Degree.DO
        Board = BoardCertification.Board
        if neuro:
            board = self.pick([Board.AOBS, Board.ABNS]) if do else Board.ABNS
        else:
            board = self.pick([Board.AOBOS, Board.ABOS]) if do else Board.ABOS
        certified = min(self.practice_start(planned) + self.days(400, 1100), self.today - timedelta(days=30))
        expires = _add_years(certified, 10)
        while expires <= self.today + timedelta(days=30):  # ten-year cycles, recertified on time
            expires = _add_years(expires, 10)
        status = CredentialStatus.ACTIVE
        if "board_lapsed" in defects:
            status, expires = CredentialStatus.EXPIRED, self.today - self.days(30, 700)
            certified = min(certified, _add_years(expires, -10))
        cert = _credential(
            surgeon,
            f"{board} certificate on file",
            self.recently(),
            board=board,
            specialty=Specialty.NEUROSURGERY if neuro else Specialty.ORTHOPAEDIC,
            certified_on=certified,
            expires=expires,
            status=status,
        )
        planned.add(BoardCertification, cert)

    def dea(self, planned: _Planned) -> None:
        defects, surgeon = planned.defects, planned.surgeon
        if "dea_missing" in defects:
            return
        serial = (self.dea_offset + self.surgeons_made) % 2_000_000  # unique up to two million surgeons
        prefix = "BF"[serial // 1_000_000] + surgeon["last_name"][0].upper()
        number = _dea_number(prefix, f"{serial % 1_000_000:06d}", valid="dea_bad_check_digit" not in defects)
        status, expires = CredentialStatus.ACTIVE, self.today + self.days(30, 1095)
        if "dea_expired" in defects:
            status, expires = CredentialStatus.EXPIRED, self.today - self.days(5, 500)
        registration = _credential(
            surgeon,
            "DEA registration certificate",
            self.recently(),
            number=number,
            state=planned.states[0],
            schedules="2,2N,3,3N,4,5",
            expires=expires,
            status=status,
        )
        planned.add(DEARegistration, registration)

    def csr(self, planned: _Planned) -> None:
        defects = planned.defects
        required = [state for state in planned.states if state in CSR_STATES]
        for position, state in enumerate(required):
            if position == 0 and "csr_missing" in defects:
                continue
            status, expires = CredentialStatus.ACTIVE, self.today + self.days(30, 730)
            if position == 0 and "csr_expired" in defects:
                status, expires = CredentialStatus.EXPIRED, self.today - self.days(5, 300)
            registration = _credential(
                planned.surgeon,
                f"{state} controlled-substance registration certificate",
                self.recently(),
                state=state,
                number=f"CS{next(self.serial):08d}",
                expires=expires,
                status=status,
            )
            planned.add(StateControlledSubstanceRegistration, registration)

    def malpractice(self, planned: _Planned) -> None:
        defects = planned.defects
        if "malpractice_missing" in defects:
            return
        carrier, code = self.pick(CARRIERS)
        per_claim, aggregate = self.weighted([(1, 3), (2, 4), (1, 3), (2, 6)], (60, 85, 95, 100))
        if "malpractice_low_limits" in defects:
            per_claim, aggregate = self.pick([(0.5, 1.5), (0.2, 0.6), (1, 2)])
        effective = self.today - self.days(1, 330)
        if "malpractice_lapsed" in defects:
            effective = self.today - self.days(370, 600)
        terms = [(effective, effective + timedelta(days=365))]
        if self.random() < 0.15:  # last year's policy, long expired, still on file
            terms.append((effective - timedelta(days=365), effective - timedelta(days=1)))
        for start, end in terms:
            policy = _credential(
                planned.surgeon,
                "Certificate of insurance",
                self.recently(),
                carrier=carrier,
                policy_number=f"{code}-{next(self.serial)}",
                per_claim_limit=int(per_claim * 1_000_000),
                aggregate_limit=int(aggregate * 1_000_000),
                effective=start,
                expires=end,
            )
            del policy["status"]
            planned.add(MalpracticePolicy, policy)

    def procedures(self, planned: _Planned) -> None:
        """Medicare counts (two-year lag, cells under 11 suppressed); a practice case log for some newcomers."""
        rng, defects = self.rng, planned.defects
        codes = NEURO_CODES if planned.surgeon["specialty"] == Specialty.NEUROSURGERY else ORTHO_CODES
        low_volume = defects & {"too_new", "no_start_date"}
        if planned.years >= 3 or low_volume:
            for code in rng.sample(codes, self.between(0, 2) if low_volume else self.between(2, 5)):
                self.volume(planned, ProcedureVolume.Source.CMS_BY_SERVICE, self.today.year - 2, code)
        if planned.years < 5 and not low_volume:  # meets the bar on volume rather than years
            for code in rng.sample(codes, 4):
                self.volume(planned, ProcedureVolume.Source.ATTESTED, self.today.year - 1, code, low=80)

    def volume(self, planned: _Planned, source: str, year: int, code: str, *, low: int = 11) -> None:
        count = int(self.rng.triangular(low, low + 110, low + 15))
        row = {"surgeon": planned.surgeon, "source": source, "period": str(year), "cpt_code": code, "count": count}
        planned.add(ProcedureVolume, row)

    def satisfaction(self, planned: _Planned) -> None:
        rng, defects = self.rng, planned.defects
        if "no_survey" in defects:
            return
        score = rng.uniform(6.2, 8.4) if "low_satisfaction" in defects else rng.triangular(8.5, 9.9, 9.3)
        responses = self.between(3, 29) if "few_responses" in defects else int(rng.triangular(30, 480, 80))
        end = self.today - (self.days(600, 900) if "stale_survey" in defects else self.days(15, 120))
        periods = [(end, score)]
        if self.random() < 0.25:  # the year before, for trend
            periods.append((end - timedelta(days=365), rng.uniform(7.8, 9.8)))
        verified = "unverified_respondents" not in defects
        for period_end, value in periods:
            row = {
                "surgeon": planned.surgeon,
                "period_start": period_end - timedelta(days=364),
                "period_end": period_end,
                "score": f"{value:.2f}",
                "responses": responses,
                "verified_patients_only": verified,
                "source": "Verified-patient survey" if verified else "Practice-run survey (unverified)",
            }
            planned.add(SatisfactionScore, row)

    # --- the demo exclusion list ---

    def leie(self, planned: _Planned) -> None:
        if not self.with_leie:
            return
        surgeon, primary = planned.surgeon, planned.cities[0]
        first, last = surgeon["first_name"].upper(), surgeon["last_name"].upper()
        self.surgeon_keys.update((first, last, state) for state in planned.states)
        if "leie_npi" in planned.defects:
            self.leie_rows.append(self.leie_row(surgeon, primary, npi=surgeon["npi"], dob=surgeon["date_of_birth"]))
        if "leie_name" in planned.defects:
            row = self.leie_row(surgeon, primary, npi=None, dob=None)
            row[2] = self.pick(INITIALS)  # a middle initial the directory may not have
            self.leie_rows.append(row)

    def leie_row(self, surgeon: Row, info: _CityInfo, *, npi: str | None, dob: date | None) -> list[str]:
        neuro = surgeon["specialty"] == Specialty.NEUROSURGERY
        return [
            surgeon["last_name"].upper(), surgeon["first_name"].upper(), surgeon["middle_name"].upper(), "",
            f"MEDICAL PRACTICE, {surgeon['degree']}", "NEUROLOGICAL SURGERY" if neuro else "ORTHOPEDIC SURGERY", "",
            npi or "0000000000", _leie_date(dob), f"{self.between(100, 9999)} {self.pick(STREETS).upper()}",
            info.row["name"].upper(), info.state, f"{info.zip3}{self.between(1, 99):02d}", self.pick(LEIE_TYPES),
            _leie_date(self.today - self.days(20, 700)), "00000000", "00000000", "",
        ]  # fmt: skip

    def unrelated_leie_rows(self, count: int) -> None:
        while count:
            general, specialty = self.pick(LEIE_OTHERS)
            city, state, zip3, *_ = self.pick(NAMED_CITIES)
            business = general in ("BUSINESS", "OTHER BUSINESS")
            first, last = self.pick(MALE_FIRST + FEMALE_FIRST).upper(), self.pick(LAST_NAMES).upper()
            if not business and (first, last, state) in self.surgeon_keys:
                continue  # would look like one of our surgeons
            npi = self.npi() if self.random() < 0.1 else "0000000000"
            busname = f"{self.pick(LEIE_BUSINESSES)} {specialty.split(' ')[0]} LLC" if business else ""
            dob = None if business else date(self.between(1940, 1995), self.between(1, 12), self.between(1, 28))
            excluded = date(self.between(1995, self.today.year - 1), self.between(1, 12), self.between(1, 28))
            self.leie_rows.append(
                [
                    "" if business else last, "" if business else first, "", busname, general, specialty, "", npi,
                    _leie_date(dob), f"{self.between(100, 9999)} {self.pick(STREETS).upper()}", city.upper(), state,
                    f"{zip3}{self.between(1, 99):02d}", self.pick(LEIE_TYPES), _leie_date(excluded), "00000000",
                    "00000000", "",
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
    tables = [connection.ops.quote_name(m._meta.db_table) for m in (verification[0], ranking_entry_results)]
    tables += [connection.ops.quote_name(m._meta.db_table) for m in (*verification[1:], *directory)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One TRUNCATE skips a foreign-key check per deleted row, and fails loudly if a table we do not
            # list still refers to one of these.
            cursor.execute(f"TRUNCATE {', '.join(tables)}")
            return
        for table in tables:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - names come from the models


# Rows are written with COPY on PostgreSQL and executemany elsewhere, like the LEIE importer: bulk_create
# spends ~70 µs a row building model instances and SQL, which made 100k surgeons (1.2M rows) take minutes.
# Either way django-simple-history sees nothing: seeded rows start without history, nobody edited them.


def _reserve_ids(model: type, count: int) -> int:
    """The first of `count` fresh primary keys for `model`; never reuses an id an earlier seed had."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), nextval(pg_get_serial_sequence(%s, 'id')) + %s)",
                [table, table, count - 1],
            )
            return cursor.fetchone()[0] - count + 1
        cursor.execute(f"SELECT MAX(id) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        highest = cursor.fetchone()[0] or 0
        if connection.vendor == "sqlite":  # AUTOINCREMENT remembers deleted ids here
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            remembered = cursor.fetchone()
            highest = max(highest, remembered[0] if remembered else 0)
        return highest + 1


def _column_values(model: type, rows: list[Row]) -> list[tuple]:
    """Each row as a tuple in column order: a parent row as its id, an unset field as its default."""
    now = timezone.now()
    fields = model._meta.concrete_fields
    defaults = {
        f.attname: now if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) else f.get_default()
        for f in fields
    }
    parents = [(f.name, f.attname) for f in fields if f.is_relation]
    in_order = operator.itemgetter(*(f.attname for f in fields))
    values = []
    for row in rows:
        for name, attname in parents:
            row[attname] = row[name]["id"]
        values.append(in_order({**defaults, **row}))
    return values


def _insert(model: type, rows: list[Row]) -> None:
    """Give each row a fresh id and write them all in one statement stream."""
    if not rows:
        return
    first = _reserve_ids(model, len(rows))
    for offset, row in enumerate(rows):
        row["id"] = first + offset
    values = _column_values(model, rows)
    fields = model._meta.concrete_fields
    quote = connection.ops.quote_name
    table, names = quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for value in values:
                    copy.write_row(value)
            return
        prepared = [
            tuple(f.get_db_prep_save(v, connection) for f, v in zip(fields, row, strict=True)) for row in values
        ]
        placeholders = ", ".join(["%s"] * len(fields))
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", prepared)  # noqa: S608


def _write(planned: list[_Planned], counts: dict[type, int]) -> None:
    for model in WRITE_ORDER:
        rows = [p.surgeon for p in planned] if model is Surgeon else [r for p in planned for r in p.rows.get(model, ())]
        _insert(model, rows)
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
    if not 1 <= cities <= MAX_CITIES:
        raise ValueError(f"cities must be between 1 and {MAX_CITIES}")
    today = today or timezone.localdate()
    report = _progress_callable(progress)
    seeder = _Seeder(seed=seed, today=today, with_leie=leie_path is not None)
    counts: dict[type, int] = {}
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # foreign keys checked while rows stream in, not all at commit
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        _wipe()
        _insert(City, [info.row for info in seeder.cities(cities)])
        for start in range(0, surgeons, CHUNK_SURGEONS):
            size = min(CHUNK_SURGEONS, surgeons - start)
            _write([seeder.surgeon() for _ in range(size)], counts)
            if report:
                report(size)
        if leie_path is not None:
            seeder.unrelated_leie_rows(LEIE_UNRELATED_ROWS)
            _write_leie(seeder.leie_rows, Path(leie_path))
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # back to Django's default for the rest of a caller's transaction
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return DemoSeedSummary(
        surgeons=surgeons,
        cities=cities,
        locations=counts[PracticeLocation],
        credentials=sum(counts.get(model, 0) for model in CREDENTIALS),
        procedure_volumes=counts.get(ProcedureVolume, 0),
        satisfaction_scores=counts.get(SatisfactionScore, 0),
        leie_rows=len(seeder.leie_rows) if leie_path is not None else 0,
        leie_path=Path(leie_path) if leie_path is not None else None,
    )
