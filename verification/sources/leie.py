"""OIG LEIE → ExclusionRecord: the monthly full file (UPDATED.csv) and OIG's monthly supplements.

Values are stored as OIG publishes them (trimmed only: exclusion types stay "1128a1"); each row is identified by
the SHA-256 of its fields trimmed and upper-cased, so normalisation serves identity and matching, never storage.
The file is compared with the stored list in memory, so only changes are written:

- the full file: a new row is inserted, a row that leaves the file (a reinstatement, a correction) becomes
  inactive, never deleted, and is active again if it comes back; a row still listed is not touched. A full file
  that would retire more than a fifth of the active list is refused unless forced, whatever the list's size:
  a supplement or a truncated download given as the full file looks exactly like that;
- the exclusions supplement (same header) adds its rows and retires nothing;
- the reinstatements supplement (same header, REINDATE filled) records the reinstatement date on the stored row
  of that exclusion (or stores the row as published if none is found) and retires nothing: the sanctions check
  ignores an exclusion whose reinstatement date has passed.

Each applied file is recorded as an ExclusionListImport: the list is as current as its latest import. Surgeons a
changed row matches (by NPI, or by name in a state they practise in) are re-verified through eligibility events.
A file is applied in one transaction, one import at a time: readers never see half a month. ADDRESS and ZIP are
part of the row's identity but never stored, logged or echoed in an error.
"""

import csv
import hashlib
import os
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction
from django.db.models.functions import Upper
from django.utils import timezone

from bulksql.statistics import statistics_refresh
from directory.models import City, PracticeLocation, Surgeon
from verification import events
from verification.models import ExclusionListImport, ExclusionRecord

from .chunks import chunked
from .csv_rows import CsvRows, HeaderError
from .progress import Progress
from .summary import ImportSummary

SOURCE = "oig_leie"
LEIE_HEADER = (
    "LASTNAME,FIRSTNAME,MIDNAME,BUSNAME,GENERAL,SPECIALTY,UPIN,NPI,DOB,ADDRESS,CITY,STATE,ZIP,"
    "EXCLTYPE,EXCLDATE,REINDATE,WAIVERDATE,WVRSTATE"
).split(",")
CHUNK_SIZE = 20000  # rows per INSERT batch where there is no COPY
COPY_CHUNK_SIZE = 1000  # rows per write into the COPY stream: small, so the database starts early
EMPTY_DATE = "00000000"
UNKNOWN_NPI = "0000000000"
SEPARATOR = "\x00"  # joins the normalised fields that are hashed: strip() keeps it; a field holding it is refused
_PADDED = (" " + SEPARATOR, SEPARATOR + " ")  # a field that ends or starts with a space
# A full file that would retire more than this share of the active list is more likely a supplement or truncated.
MAX_RETIRED_SHARE = 0.2
DATES = (("DOB", 8), ("EXCLDATE", 14), ("REINDATE", 15), ("WAIVERDATE", 16))
REINDATE_AT = 15
Kind = ExclusionListImport.Kind
SUPPLEMENTS = (Kind.EXCLUSIONS, Kind.REINSTATEMENTS)

# Stored columns in the order _values() gives them; source, seen times and active are appended per import.
COLUMNS = (
    "row_hash", "last_name", "first_name", "middle_name", "business_name", "general", "specialty", "npi",
    "date_of_birth", "city", "state", "exclusion_type", "exclusion_date", "reinstatement_date", "waiver_date",
    "waiver_state", "source", "first_seen_at", "active",
)  # fmt: skip


# What the dossier and the next import filter exclusion rows on: the columns whose statistics matter.
MATCHED_ON = ("active", "source", "npi", "last_name", "first_name", "state")
# They are looked up by key through indexes: a coarse sample (6,000 rows) is enough, at a quarter of the default's cost.
STATISTICS_TARGET = 20

# The positions in _values() of free text; the others are a hex hash, digits, ISO dates or empty (None, or COPY_NULL).
_FREE_TEXT = frozenset((1, 2, 3, 4, 5, 6, 9, 10, 11, 15))
COPY_NULL = "\\N"


class ImportRefused(Exception):
    """The file read cleanly but applying it would be unsafe; nothing is changed."""


def _iso_date(text: str) -> str | None:
    """YYYYMMDD → ISO text as both databases take it; ValueError for anything else."""
    if not text or text == EMPTY_DATE:
        return None
    if len(text) != 8 or not text.isdigit():
        raise ValueError
    return date(int(text[:4]), int(text[4:6]), int(text[6:])).isoformat()


# Valid YYYYMMDD texts already parsed: a file holds a few thousand distinct dates, so most rows need only lookups.
_ISO_DATES: dict[str, str | None] = {}
MAX_CACHED_DATES = 100_000


def _dates(line: int, fields: list[str], summary: ImportSummary) -> tuple | list:
    """DOB, EXCLDATE, REINDATE, WAIVERDATE; an unreadable date is left empty, which only widens matching."""
    try:
        return _ISO_DATES[fields[8]], _ISO_DATES[fields[14]], _ISO_DATES[fields[15]], _ISO_DATES[fields[16]]
    except KeyError:
        pass
    parsed = []
    for name, position in DATES:
        try:
            parsed.append(_iso_date(fields[position]))
        except ValueError:
            # The value itself is not echoed: DOB is private.
            summary.error(line, f"{name} is not a YYYYMMDD date; imported with {name} empty")
            parsed.append(None)
        else:
            if len(_ISO_DATES) < MAX_CACHED_DATES:
                _ISO_DATES[fields[position]] = parsed[-1]
    return parsed


def _npi(line: int, text: str, summary: ImportSummary) -> str:
    if text in ("", UNKNOWN_NPI):
        return ""
    if len(text) == 10 and text.isdigit():
        return text
    summary.error(line, "NPI is not 10 digits; imported without NPI, so it is matched on name and state")
    return ""


def _values(line: int, f: list[str], row_hash: str, summary: ImportSummary, null: str | None) -> tuple:
    """A row's stored values in COLUMNS order (over-long values cut to fit, an empty date `null`); bad dates and
    NPIs reported."""
    dob, excluded, reinstated, waived = _dates(line, f, summary)
    return (
        row_hash, f[0][:100], f[1][:100], f[2][:100], f[3][:200], f[4][:100], f[5][:100], _npi(line, f[7], summary),
        dob or null, f[10][:100], f[11][:2], f[13][:20], excluded or null, reinstated or null, waived or null,
        f[17][:2],
    )  # fmt: skip


def _row_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _normalised(rows, summary: ImportSummary, *, for_copy: bool):
    """(line, row values, identity key) per well-formed row, values as published (trimmed) and ready for COPY's
    text format if `for_copy`; a row with the wrong field count is reported and skipped."""
    width, null = len(LEIE_HEADER), COPY_NULL if for_copy else None
    for line, row in rows:
        summary.read += 1
        if len(row) != width:
            summary.error(line, f"expected {width} fields, found {len(row)}; row skipped")
            continue
        joined = SEPARATOR.join(row)
        if joined != joined.strip() or _PADDED[0] in joined or _PADDED[1] in joined:  # rare: trim each field
            row = [value.strip() for value in row]
            joined = SEPARATOR.join(row)
        if joined.count(SEPARATOR) != width - 1:
            summary.error(line, "a field holds a NUL character; row skipped")
            continue
        key = joined.upper()  # identity ignores case; the stored values keep it
        values = _values(line, row, _row_hash(key), summary, null)
        if for_copy and ("\\" in joined or "\t" in joined or "\n" in joined or "\r" in joined):  # rare: escape
            values = tuple(_copy_escape(v) if i in _FREE_TEXT else v for i, v in enumerate(values))
        yield line, values, key


# Raw SQL below, for speed: bulk_create costs 10-40 µs a row in Python, and a full file holds ~80k rows.


def _table() -> tuple[str, dict[str, str]]:
    quote = connection.ops.quote_name
    return quote(ExclusionRecord._meta.db_table), {f.name: quote(f.column) for f in ExclusionRecord._meta.fields}


def _lock_for_import() -> None:
    """One import at a time (row_hash stays unique without an index); readers of the list are not blocked."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {_table()[0]} IN SHARE ROW EXCLUSIVE MODE")


@dataclass
class _Diff:
    """The file against the stored list: rows known before (by hash: id, active), rows seen, rows to revive."""

    known: dict[str, tuple[int, bool]]
    seen: set[str] = field(default_factory=set)
    reactivated: list[int] = field(default_factory=list)
    changed_ids: list[int] = field(default_factory=list)  # stored rows retired, reactivated or reinstated
    # Who the rows this import adds can match: their NPIs, and (last, first, state) in upper case of those without.
    npis: set[str] = field(default_factory=set)
    names: set[tuple[str, str, str]] = field(default_factory=set)

    def note_new(self, values: tuple) -> None:
        if values[7]:
            self.npis.add(values[7])
        else:
            self.names.add((values[1].upper(), values[2].upper(), values[10].upper()))

    @classmethod
    def load(cls) -> "_Diff":
        rows = ExclusionRecord.objects.filter(source=SOURCE).values_list("row_hash", "id", "active")
        return cls(known={row_hash: (id_, active) for row_hash, id_, active in rows.iterator(chunk_size=20000)})

    def active_before(self) -> int:
        return sum(1 for _, active in self.known.values() if active)

    def absent(self) -> list[int]:
        """Ids of active rows the file no longer lists."""
        return [id_ for row_hash, (id_, active) in self.known.items() if active and row_hash not in self.seen]


def _copy_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _new_rows(rows, diff: _Diff, summary: ImportSummary):
    """The file's rows not stored yet; stored ones are only noted (a row still listed is not written)."""
    for _, values, _ in rows:
        row_hash = values[0]
        if row_hash in diff.seen:
            summary.skipped += 1  # the same row twice in one file is one exclusion
            continue
        diff.seen.add(row_hash)
        known = diff.known.get(row_hash)
        if known is None:
            summary.created += 1
            diff.note_new(values)
            yield values
        elif known[1]:
            summary.unchanged += 1
        else:
            diff.reactivated.append(known[0])


def _insert(rows, seen_at) -> None:
    """Store the rows: one COPY streamed as the file is read, so PostgreSQL inserts while Python parses."""
    table, column = _table()
    names = ", ".join(column[name] for name in COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            ending = f"\t{SOURCE}\t{seen_at.isoformat()}\tt\n"  # the columns every row shares, and the newline
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for chunk in chunked(rows, COPY_CHUNK_SIZE):
                    copy.write(ending.join(["\t".join(values) for values in chunk]) + ending)
        else:
            stamp = connection.ops.adapt_datetimefield_value(seen_at)
            placeholders = ", ".join(["%s"] * len(COLUMNS))
            sql = f"INSERT INTO {table} ({names}) VALUES ({placeholders})"  # noqa: S608
            for chunk in chunked(rows, CHUNK_SIZE):
                cursor.executemany(sql, [(*values, SOURCE, stamp, True) for values in chunk])


def _set_active(ids: list[int], *, active: bool, at) -> None:
    for some in chunked(ids, 10000):  # SQLite caps the parameters of one statement
        ExclusionRecord.objects.filter(id__any_of=some).update(active=active, retired_at=None if active else at)


def _retire_absent(diff: _Diff, summary: ImportSummary, seen_at, *, force: bool) -> None:
    if summary.read == 0:
        raise ImportRefused("the file has no rows; a full file is never empty")
    absent, previously_active = diff.absent(), diff.active_before()
    if len(absent) > previously_active * MAX_RETIRED_SHARE and not force:
        raise ImportRefused(
            f"it would retire {len(absent)} of {previously_active} active rows, more than a fifth; is the file "
            "complete? A monthly supplement is applied with --supplement exclusions|reinstatements, never as the "
            "full file (force to apply a full file that really drops this many)"
        )
    _set_active(absent, active=False, at=seen_at)
    summary.inactive = len(absent)
    diff.changed_ids += absent


def _reinstatements(rows, diff: _Diff, summary: ImportSummary, seen_at) -> None:
    """Record each row's reinstatement on the stored row of that exclusion; a row with no stored exclusion is
    stored as published. Nothing is retired."""
    reinstated: dict[int, str] = {}  # stored row id → ISO reinstatement date
    unmatched = []
    for line, values, key in rows:
        reinstated_on = values[13]
        if reinstated_on in (None, COPY_NULL):
            summary.error(line, "REINDATE is empty: not a reinstatement (new exclusions are --supplement exclusions)")
            continue
        fields = key.split(SEPARATOR)
        fields[REINDATE_AT] = EMPTY_DATE
        excluded = diff.known.get(_row_hash(SEPARATOR.join(fields)))  # the row as the full file listed it
        if excluded is not None:
            reinstated[excluded[0]] = reinstated_on
        elif values[0] in diff.known:
            summary.unchanged += 1  # this reinstatement row was stored before
        else:
            unmatched.append(values)
    unmatched = [values for values in unmatched if not _reinstate_by_name(values, reinstated)]
    summary.created = len(unmatched)
    for values in unmatched:
        diff.note_new(values)
    _insert(iter(unmatched), seen_at)
    stored = dict(ExclusionRecord.objects.filter(id__in=list(reinstated)).values_list("id", "reinstatement_date"))
    changed = {id_: on for id_, on in reinstated.items() if stored[id_] is None or stored[id_].isoformat() != on}
    for on in set(changed.values()):
        ExclusionRecord.objects.filter(id__in=[i for i, d in changed.items() if d == on]).update(reinstatement_date=on)
    summary.updated, summary.unchanged = len(changed), summary.unchanged + len(reinstated) - len(changed)
    diff.changed_ids += list(changed)


def _reinstate_by_name(values: tuple, reinstated: dict[int, str]) -> bool:
    """A reinstated row whose published profile changed since (an address, say): the stored exclusion with the same
    name (or business), NPI, type and date. True if one was found."""
    _, last, first, _, business, _, _, npi, _, _, _, excltype, excluded, on, *_ = values
    matches = ExclusionRecord.objects.alias(last=Upper("last_name"), first=Upper("first_name")).filter(
        last=last.upper(), first=first.upper(), business_name__iexact=business, npi=npi, exclusion_type=excltype,
        exclusion_date=excluded if excluded != COPY_NULL else None, reinstatement_date=None, source=SOURCE,
    )  # fmt: skip
    ids = list(matches.values_list("id", flat=True))
    reinstated.update(dict.fromkeys(ids, on))
    return bool(ids)


def _changed_rows_noted(diff: _Diff) -> None:
    """Note the stored rows this import retired, reactivated or reinstated, as added rows were noted."""
    for ids in chunked(diff.changed_ids, 10000):
        rows = ExclusionRecord.objects.filter(id__any_of=ids).values_list("npi", "last_name", "first_name", "state")
        for npi, last, first, state in rows:
            diff.note_new((None, last, first, None, None, None, None, npi, None, None, state))


def _in_chunks(values: set[str]):
    """PostgreSQL takes a list as one array (a hashed lookup per row); SQLite caps the parameters of a statement."""
    return chunked(sorted(values), 10000 if connection.vendor != "postgresql" else max(len(values), 1))


def _surgeons_matching(diff: _Diff) -> set[int]:
    """Surgeons the rows this import wrote match: by NPI, or an NPI-less row by name in a state they practise in.
    Wider than the dossier's match (no birth-date test): it only decides who is re-verified."""
    _changed_rows_noted(diff)
    matched: set[int] = set()
    for npis in _in_chunks(diff.npis):
        matched.update(Surgeon.objects.filter(npi__any_of=npis).values_list("id", flat=True))
    directory = Surgeon.objects.order_by().values_list("last_name", flat=True).distinct()
    # Most excluded people share no last name with any surgeon: the directory's last names narrow the search first.
    last_names = {last.upper() for last in directory} if diff.names else set()
    names = [name for name in diff.names if name[0] in last_names]
    return matched | (_by_name_postgresql(names) if connection.vendor == "postgresql" else _by_name(names))


def _by_name(names: list[tuple[str, str, str]]) -> set[int]:
    """Surgeons with a practice in the state under these (upper-case last, first, state) names."""
    wanted, matched = set(names), set()
    for lasts in _in_chunks({last for last, _, _ in names}):
        candidates = (
            PracticeLocation.objects.annotate(last=Upper("surgeon__last_name"), first=Upper("surgeon__first_name"))
            .filter(last__any_of=lasts)
            .values_list("surgeon_id", "last", "first", "city__state")
            .order_by()
        )
        matched.update(id_ for id_, *name in candidates if tuple(name) in wanted)
    return matched


def _by_name_postgresql(names: list[tuple[str, str, str]]) -> set[int]:
    """As _by_name, in one hash join of the practice locations with the names (three arrays)."""
    if not names:
        return set()
    quote = connection.ops.quote_name
    location, surgeon, city = (quote(m._meta.db_table) for m in (PracticeLocation, Surgeon, City))
    sql = (
        f"SELECT DISTINCT l.surgeon_id FROM {location} l JOIN {surgeon} s ON s.id = l.surgeon_id "  # noqa: S608
        f"JOIN {city} c ON c.id = l.city_id JOIN unnest(%s::text[], %s::text[], %s::text[]) AS n(last, first, state) "
        "ON UPPER(s.last_name) = n.last AND UPPER(s.first_name) = n.first AND c.state = n.state"
    )  # table names come from the models
    with connection.cursor() as cursor:
        cursor.execute(sql, [list(column) for column in zip(*names, strict=True)])
        return {row[0] for row in cursor.fetchall()}


def _apply(rows, kind: str, summary: ImportSummary, seen_at, *, force: bool) -> _Diff:
    """Write what the file changes; the diff says which rows changed."""
    diff = _Diff.load()
    if kind == Kind.REINSTATEMENTS:
        _reinstatements(rows, diff, summary, seen_at)
        return diff
    _insert(_new_rows(rows, diff, summary), seen_at)
    if kind == Kind.FULL:
        _retire_absent(diff, summary, seen_at, force=force)
    _set_active(diff.reactivated, active=True, at=seen_at)
    summary.updated = len(diff.reactivated)
    diff.changed_ids += diff.reactivated
    return diff


def leie_import(
    *,
    path: str | os.PathLike,
    progress: Progress | None = None,
    force: bool = False,
    supplement: str | None = None,
) -> ImportSummary:
    """Apply one monthly UPDATED.csv, or a monthly supplement (`supplement`: "exclusions" or "reinstatements");
    a wrong header, an unreadable or a suspicious file changes nothing.

    `force` applies a full file that would retire more than MAX_RETIRED_SHARE of the active rows.
    """
    kind = Kind(supplement) if supplement else Kind.FULL
    name = f"OIG LEIE {kind.label.lower()}" if supplement else "OIG LEIE"
    summary = ImportSummary(source=name, retires=kind == Kind.FULL)
    seen_at = timezone.now()
    try:
        with CsvRows(path, progress=progress) as rows, transaction.atomic():
            rows.require_exact_header(LEIE_HEADER)
            _lock_for_import()
            rows = _normalised(rows, summary, for_copy=connection.vendor == "postgresql")
            diff = _apply(rows, kind, summary, seen_at, force=force)
            ExclusionListImport.objects.create(
                source=SOURCE, kind=kind, imported_at=seen_at, rows_read=summary.read, created=summary.created,
                reactivated=summary.updated, retired=summary.inactive,
            )  # fmt: skip
            if summary.changed:
                matched = _surgeons_matching(diff)
                events.surgeons_changed(surgeon_ids=matched, cause=f"{name}: exclusion rows added or changed")
    except (HeaderError, ImportRefused, OSError, csv.Error) as exc:
        return ImportSummary(source=summary.source, read=summary.read, fatal=f"{exc}; nothing was imported")
    statistics_refresh(ExclusionRecord, fields=MATCHED_ON, target=STATISTICS_TARGET)
    return summary
