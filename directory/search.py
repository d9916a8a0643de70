"""Patient search: what a query means (names, a city, a ZIP) and the surgeons it finds.

Folding is the same in Python and in the database (`directory_fold`, migration 0007: a SQL function on
PostgreSQL, a Python function registered on each SQLite connection), so "Gutiérrez", "GUTIERREZ" and
"gutierrez" meet in one form.
"""

import re
import unicodedata
import uuid
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Power

from .geo import DEFAULT_RADIUS, MILES_PER_DEGREE_LATITUDE, degrees_box, zip_centroid
from .models import City, PracticeLocation, Surgeon

# Words that say what the patient wants but name nobody: honorifics, the trade, place connectors (en/es).
FILLER_WORDS = frozenset(
    "dr dra drs doctor doctora doctors md spine spinal back surgeon surgeons surgery neurosurgeon cirujano cirujana "
    "cirujanos columna near nearby me in at the a of for and find best top en cerca de del la las los el y mi".split()
)
# Folded spellings of place words, so "St. Louis", "St Louis" and "Saint Louis" are one city.
PLACE_WORDS = {"st": "saint", "ste": "sainte", "ft": "fort", "mt": "mount", "pt": "port"}
STATES = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH "
    "OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI AS MP".lower().split()
)
LETTERS = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th"})
NOT_WORD = re.compile(r"[^a-z0-9]+")
APOSTROPHES = re.compile(r"['’`]")
ZIP = re.compile(r"^\d{5}$")
ZIP_PLUS_FOUR = re.compile(r"\b(\d{5})-\d{4}\b")
NPI = re.compile(r"^\d{10}$")
MAX_WORDS = 6
FUZZY_MIN_LENGTH = 4  # trigram matching of shorter words finds mostly noise
CITY_INDEX_KEY = "search:city-index"
CITY_INDEX_SECONDS = 300


def fold(text: str | None) -> str:
    """Lower case, no accents, apostrophes dropped, other punctuation as spaces, single spaces."""
    text = unicodedata.normalize("NFKD", (text or "").lower().translate(LETTERS))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(NOT_WORD.sub(" ", APOSTROPHES.sub("", text)).split())


def name_fold(first: str | None, middle: str | None, last: str | None) -> str:
    """The searchable form of a surgeon's name: each word preceded by a space (matched as "% word%")."""
    return " " + fold(" ".join(part for part in (first, middle, last) if part))


def place_fold(text: str) -> str:
    return " ".join(PLACE_WORDS.get(word, word) for word in fold(text).split())


@dataclass(frozen=True)
class CityRef:
    id: int
    name: str
    state: str


@dataclass
class SearchQuery:
    """What a patient's words mean: name words, a city (or namesakes), a ZIP or an NPI."""

    text: str = ""
    words: list[str] = field(default_factory=list)
    cities: list[CityRef] = field(default_factory=list)
    postal_code: str = ""
    npi: str = ""

    @property
    def city_ids(self) -> list[int]:
        return [city.id for city in self.cities]


def _within_one_edit(a: str, b: str) -> bool:
    """One insertion, deletion, substitution or swap of neighbours (Damerau) turns a into b."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        swap = (
            len(diffs) == 2 and diffs[1] == diffs[0] + 1 and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]]
        )
        return len(diffs) == 1 or swap
    short, long = sorted((a, b), key=len)
    i = next((i for i, (x, y) in enumerate(zip(short, long, strict=False)) if x != y), len(short))
    return short[i:] == long[i + 1 :]


def _city_match(words: list[str], index: dict[str, list[CityRef]], state: str) -> tuple[list[CityRef], int, int]:
    """The longest run of words naming a city (in `state`, if given): (cities, start, end); ([], 0, 0) if none."""
    for size in range(len(words), 0, -1):
        for start in range(len(words) - size + 1):
            key = " ".join(PLACE_WORDS.get(w, w) for w in words[start : start + size])
            found = [c for c in index.get(key, []) if not state or c.state.lower() == state]
            if found:
                return found, start, start + size
    whole = " ".join(PLACE_WORDS.get(w, w) for w in words if w not in FILLER_WORDS)
    if len(whole) >= 5:  # one typo in a city name, when the words are nothing but the city
        for key, cities in index.items():
            found = [c for c in cities if not state or c.state.lower() == state]
            if found and _within_one_edit(whole, key):
                return found, 0, len(words)
    return [], 0, 0


def search_query_parse(text: str, *, city_index: dict[str, list[CityRef]]) -> SearchQuery:
    """Read a free-text query: "Dr. Wang", "St. Louis", "Houston, TX", "spine surgeon near 77030"."""
    query = SearchQuery(text=text)
    words = []
    for word in fold(ZIP_PLUS_FOUR.sub(r"\1", text)).split()[: MAX_WORDS * 2]:
        if ZIP.match(word) and not query.postal_code:
            query.postal_code = word[:5]
        elif NPI.match(word) and not query.npi:
            query.npi = word
        else:
            words.append(word)
    # Cities are matched before filler words go: "El Paso", "Las Vegas" and "Lake of the Woods" keep theirs.
    state = words[-1] if len(words) > 1 and words[-1] in STATES else ""
    cities, start, end = _city_match(words[:-1], city_index, state) if state else ([], 0, 0)
    if cities:
        words = words[:-1]
    else:
        cities, start, end = _city_match(words, city_index, "")
    query.cities = cities
    query.words = [w for w in words[:start] + words[end:] if w not in FILLER_WORDS][:MAX_WORDS]
    return query


# This process's copy of the city index, under the version it was cached with: reading the whole index from the
# cache (~45 kB pickled, 1,000 cities) took ~5 ms a search, reading its version takes one small cache read.
_city_index_copy: tuple[str, dict[str, list[CityRef]]] | None = None


def city_index() -> dict[str, list[CityRef]]:
    """Folded city name → cities of that name; cached briefly (cities are added rarely, by importers).

    The cache holds a version and the index under that version; each process keeps the index it last read and
    reads it again only when the version changed, so the index is never older than the cache's CITY_INDEX_SECONDS.
    """
    global _city_index_copy
    version = cache.get(f"{CITY_INDEX_KEY}:version")
    if version is not None and _city_index_copy is not None and _city_index_copy[0] == version:
        return _city_index_copy[1]
    index = cache.get(f"{CITY_INDEX_KEY}:{version}") if version is not None else None
    if index is None:
        index = {}
        for city_id, name, state in City.objects.values_list("id", "name", "state"):
            index.setdefault(place_fold(name), []).append(CityRef(city_id, name, state))
        version = uuid.uuid4().hex
        cache.set(f"{CITY_INDEX_KEY}:{version}", index, CITY_INDEX_SECONDS)
        cache.set(f"{CITY_INDEX_KEY}:version", version, CITY_INDEX_SECONDS)
    _city_index_copy = (version, index)
    return index


class NameFold(Func):
    """directory_name_fold(first, middle, last): the expression the trigram index is built on."""

    function = "directory_name_fold"
    output_field = TextField()


class Fold(Func):
    function = "directory_fold"
    output_field = TextField()


class WordSimilar(Func):
    """PostgreSQL `haystack %> word`: the word is within pg_trgm.word_similarity_threshold of a part of haystack."""

    arg_joiner = " %%> "
    template = "(%(expressions)s)"
    output_field = BooleanField()


class WithinEdits(Func):
    """PostgreSQL (fuzzystrmatch): the two words are at most `edits` insertions, deletions or substitutions apart."""

    template = "public.levenshtein_less_equal(%(expressions)s, %(edits)s) <= %(edits)s"
    output_field = BooleanField()


class WordSimilarity(Func):
    function = "word_similarity"
    output_field = FloatField()


def _by_name(surgeons: QuerySet, words: list[str]) -> QuerySet:
    """Exact word starts; only when nothing matches so (PostgreSQL) a typo is forgiven: "Garcia" never lists Garza."""
    surgeons = surgeons.annotate(
        name_folded=NameFold("first_name", "middle_name", "last_name"), last_folded=Fold("last_name")
    )
    strict = surgeons.filter(_name_filter(words, fuzzy=False))
    if connection.vendor == "postgresql" and not strict.exists():
        strict = surgeons.filter(_name_filter(words, fuzzy=True))
    return strict.annotate(name_score=_name_score(words, fuzzy=connection.vendor == "postgresql"))


def _name_filter(words: list[str], *, fuzzy: bool) -> Q:
    """Every word begins a word of the name; `fuzzy` (PostgreSQL) also lets a word of 4+ letters be one typo off."""
    condition = Q()
    for word in words:
        matches = Q(name_folded__contains=f" {word}")
        if fuzzy and len(word) >= FUZZY_MIN_LENGTH:
            # The trigram index finds candidates; the edit distance keeps only one typo (a swap costs two).
            edits = 1 if len(word) < 6 else 2
            close = Q(WithinEdits(Fold("last_name"), Value(word), edits=edits)) | Q(
                WithinEdits(Fold("first_name"), Value(word), edits=edits)
            )
            matches |= Q(WordSimilar(F("name_folded"), Value(word))) & close
        condition &= matches
    return condition


def _name_score(words: list[str], *, fuzzy: bool):
    """Higher for a closer match: the whole last name, then the start of it, then another name, then a typo."""
    score = Value(0.0)
    for word in words:
        score += Case(
            When(last_folded=word, then=Value(4.0)),
            When(last_folded__startswith=word, then=Value(3.0)),
            When(name_folded__contains=f" {word}", then=Value(2.0)),
            default=WordSimilarity(Value(word), F("name_folded")) if fuzzy else Value(0.0),
            output_field=FloatField(),
        )
    return score


def _nearby(surgeons: QuerySet, latitude: float, longitude: float, miles: int) -> QuerySet:
    """Surgeons with a practice within `miles`, annotated with the squared distance of the nearest one."""
    half_height, half_width = degrees_box(latitude, miles=miles)
    cos_lat = half_height / half_width
    # Equirectangular distance: within 0.5% of the great circle at these ranges, and plain arithmetic in SQL.
    squared = ExpressionWrapper(
        Power((F("latitude") - latitude) * MILES_PER_DEGREE_LATITUDE, 2)
        + Power((F("longitude") - longitude) * (MILES_PER_DEGREE_LATITUDE * cos_lat), 2),
        output_field=FloatField(),
    )
    in_box = PracticeLocation.objects.filter(
        latitude__range=(latitude - half_height, latitude + half_height),
        longitude__range=(longitude - half_width, longitude + half_width),
    ).annotate(squared=squared)
    nearest = in_box.filter(surgeon=OuterRef("pk")).order_by("squared").values("squared")[:1]
    within = in_box.filter(squared__lte=miles * miles).values("surgeon_id")
    return surgeons.filter(id__in=within).annotate(distance_squared=Subquery(nearest, output_field=FloatField()))


@dataclass
class SearchOutcome:
    query: SearchQuery
    surgeons: QuerySet
    origin: tuple[float, float] | None = None  # the ZIP's centroid for a nearby search
    radius: int = DEFAULT_RADIUS
    unknown_postal_code: str = ""


def surgeon_search(
    *, text: str, specialty: str = "", accepting: bool = False, radius: int = DEFAULT_RADIUS
) -> SearchOutcome:
    """Public surgeons matching the query and filters; ordering is added by the caller (see verification)."""
    query = search_query_parse(text, city_index=city_index())
    surgeons = Surgeon.objects.public()
    outcome = SearchOutcome(query=query, surgeons=surgeons, radius=radius)
    if query.words:
        surgeons = _by_name(surgeons, query.words)
    if query.npi:
        surgeons = surgeons.filter(npi=query.npi)
    if query.cities:
        in_city = PracticeLocation.objects.filter(city_id__in=query.city_ids).values("surgeon_id")
        surgeons = surgeons.filter(id__in=in_city)
    if query.postal_code:
        centroid = zip_centroid(query.postal_code)
        if centroid is None:
            outcome.unknown_postal_code = query.postal_code
            surgeons = surgeons.none()
        else:
            outcome.origin = (float(centroid[0]), float(centroid[1]))
            surgeons = _nearby(surgeons, *outcome.origin, radius)
    if specialty:
        surgeons = surgeons.filter(specialty=specialty)
    if accepting:
        surgeons = surgeons.filter(accepting_new_patients=True)
    outcome.surgeons = surgeons
    return outcome
