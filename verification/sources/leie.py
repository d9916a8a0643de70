"""OIG LEIE monthly full file (UPDATED.csv) → ExclusionRecord: new rows added, seen rows kept active, gone rows retired.

Each row is identified by the SHA-256 of its normalised fields (trimmed, upper-case), so a re-import finds every
row already there and changes nothing but `last_seen_at`. A row that leaves the file (a reinstatement, a
correction) becomes inactive, never deleted; if it comes back it is active again. REINDATE is stored as given:
the sanctions check ignores an exclusion whose reinstatement date has passed.
The whole file is applied in one transaction: readers never see half a month. ADDRESS and ZIP are part of
the row's identity but never stored, logged or echoed in an error.
"""

import csv
import functools
import hashlib
import operator
import os
from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from directory.db import statistics_refresh
from verification.models import ExclusionRecord

from .rows import CsvRows, HeaderError, ImportSummary, Progress, chunked, prefetched

SOURCE = "oig_leie"
LEIE_HEADER = (
    "LASTNAME,FIRSTNAME,MIDNAME,BUSNAME,GENERAL,SPECIALTY,UPIN,NPI,DOB,ADDRESS,CITY,STATE,ZIP,"
    "EXCLTYPE,EXCLDATE,REINDATE,WAIVERDATE,WVRSTATE"
).split(",")
CHUNK_SIZE = 20000
EMPTY_DATE = "00000000"
UNKNOWN_NPI = "0000000000"
SEPARATOR = "\x00"  # joins the normalised fields that are hashed: strip() keeps it and csv never yields it
# A full file that would retire this share of a large active list is more likely truncated than true.
MAX_RETIRED_SHARE = 0.2
MIN_ACTIVE_FOR_SHARE_GUARD = 1000
DATES = (("DOB", 8), ("EXCLDATE", 14), ("REINDATE", 15), ("WAIVERDATE", 16))

# Stored columns in the order _values() gives them; source, seen times and active are appended per import.
COLUMNS = (
    "row_hash", "last_name", "first_name", "middle_name", "business_name", "general", "specialty", "npi",
    "date_of_birth", "city", "state", "exclusion_type", "exclusion_date", "reinstatement_date", "waiver_date",
    "waiver_state", "source", "first_seen_at", "last_seen_at", "active",
)  # fmt: skip


# What the dossier and the next import filter exclusion rows on: the columns whose statistics matter.
MATCHED_ON = ("active", "source", "npi", "last_name", "first_name", "state", "last_seen_at")

# The values of _values() that come from free text; the others are a hex hash, digits, ISO dates or None.
_FREE_TEXT = operator.itemgetter(1, 2, 3, 4, 5, 6, 9, 10, 11, 15)


class ImportRefused(Exception):
    """The file read cleanly but applying it would be unsafe; nothing is changed."""


@functools.lru_cache(maxsize=65536)  # a file holds a few thousand distinct dates; parse each once
def _iso_date(text: str) -> str | None:
    """YYYYMMDD → ISO text as both databases take it; ValueError for anything else."""
    if not text or text == EMPTY_DATE:
        return None
    if len(text) != 8 or not text.isdigit():
        raise ValueError
    return date(int(text[:4]), int(text[4:6]), int(text[6:])).isoformat()


def _dates(line: int, fields: list[str], summary: ImportSummary) -> list[str | None]:
    """DOB, EXCLDATE, REINDATE, WAIVERDATE; an unreadable date is left empty, which only widens matching."""
    parsed = []
    for name, position in DATES:
        try:
            parsed.append(_iso_date(fields[position]))
        except ValueError:
            # The value itself is not echoed: DOB is private.
            summary.error(line, f"{name} is not a YYYYMMDD date; imported with {name} empty")
            parsed.append(None)
    return parsed


def _npi(line: int, text: str, summary: ImportSummary) -> str:
    if text in ("", UNKNOWN_NPI):
        return ""
    if len(text) == 10 and text.isdigit():
        return text
    summary.error(line, "NPI is not 10 digits; imported without NPI, so it is matched on name and state")
    return ""


def _values(line: int, f: list[str], row_hash: str, summary: ImportSummary) -> tuple:
    """A row's stored values in COLUMNS order (over-long values are cut to fit); bad dates and NPIs reported."""
    dob, excluded, reinstated, waived = _dates(line, f, summary)
    return (
        row_hash, f[0][:100], f[1][:100], f[2][:100], f[3][:200], f[4][:100], f[5][:100], _npi(line, f[7], summary),
        dob, f[10][:100], f[11][:2], f[13][:20], excluded, reinstated, waived, f[17][:2],
    )  # fmt: skip


def _normalised(rows, summary: ImportSummary):
    """(line, row values) per well-formed row; a row with the wrong field count is reported and skipped."""
    width = len(LEIE_HEADER)
    for line, row in rows:
        summary.read += 1
        if len(row) != width:
            summary.error(line, f"expected {width} fields, found {len(row)}; row skipped")
            continue
        key = SEPARATOR.join(row)
        if key != key.strip() or f" {SEPARATOR}" in key or f"{SEPARATOR} " in key:  # rare: trim each field
            row = [value.strip() for value in row]
            key = SEPARATOR.join(row)
        key = key.upper()
        yield line, _values(line, key.split(SEPARATOR), hashlib.sha256(key.encode()).hexdigest(), summary)


# Raw SQL below, for speed: the ORM's IN lookup and bulk_create cost 10-40 µs a row in Python, and a monthly
# import touches every row. PostgreSQL gets one text parameter split server-side, and COPY; SQLite placeholders.


def _table() -> tuple[str, dict[str, str]]:
    quote = connection.ops.quote_name
    return quote(ExclusionRecord._meta.db_table), {f.name: quote(f.column) for f in ExclusionRecord._meta.fields}


def _hashes_in(hashes: list[str]) -> tuple[str, list]:
    """`row_hash IN …` for these hashes, and its parameters."""
    column = _table()[1]["row_hash"]
    if connection.vendor == "postgresql":
        return f"{column} = ANY(string_to_array(%s, ','))", [",".join(hashes)]
    return f"{column} IN ({', '.join(['%s'] * len(hashes))})", hashes


def _existing(hashes: list[str], stamp) -> dict[str, tuple[bool, bool]]:
    """{row_hash: (active, already seen by this import)} for the hashes already stored."""
    table, column = _table()
    clause, params = _hashes_in(hashes)
    sql = f"SELECT {column['row_hash']}, {column['active']}, {column['last_seen_at']} = %s FROM {table} WHERE {clause}"  # noqa: S608 - names from the model
    with connection.cursor() as cursor:
        cursor.execute(sql, [stamp, *params])
        return {row_hash: (bool(active), bool(seen)) for row_hash, active, seen in cursor.fetchall()}


def _mark_seen(hashes: list[str], stamp) -> None:
    table, column = _table()
    clause, params = _hashes_in(hashes)
    sql = f"UPDATE {table} SET {column['active']} = %s, {column['last_seen_at']} = %s WHERE {clause}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [True, stamp, *params])


def _copy_line(row: tuple, tail: str) -> str:
    """A row in COPY's text format; `tail` holds the columns every row shares."""
    probe = "".join(_FREE_TEXT(row))
    if "\\" in probe or "\t" in probe or "\n" in probe or "\r" in probe:  # rare: a value needs escaping
        row = tuple(None if value is None else _copy_escape(value) for value in row)
    return "\t".join("\\N" if value is None else value for value in row) + tail + "\n"


def _with_copy_lines(chunks, tail: str | None):
    """Each chunk with its rows' COPY lines (None: no COPY), built as the chunk is read, in the reader thread."""
    for chunk in chunks:
        yield chunk, None if tail is None else [_copy_line(values, tail) for _, values in chunk]


def _copy_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _insert(rows: list[tuple], copy_lines: list[str] | None, stamp) -> None:
    table, column = _table()
    names = ", ".join(column[name] for name in COLUMNS)
    with connection.cursor() as cursor:
        if copy_lines is not None:
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                copy.write("".join(copy_lines))
        else:
            placeholders = ", ".join(["%s"] * len(COLUMNS))
            sql = f"INSERT INTO {table} ({names}) VALUES ({placeholders})"  # noqa: S608
            cursor.executemany(sql, [(*row, SOURCE, stamp, stamp, True) for row in rows])


def _apply_chunk(chunk: list[tuple[int, tuple]], copy_lines: list[str] | None, summary: ImportSummary, stamp) -> None:
    by_hash = {}
    for position, (_, values) in enumerate(chunk):
        if values[0] in by_hash:
            summary.skipped += 1  # the same row twice in one file is one exclusion
        else:
            by_hash[values[0]] = position
    existing = _existing(list(by_hash), stamp)
    if new := [position for row_hash, position in by_hash.items() if row_hash not in existing]:
        lines = None if copy_lines is None else [copy_lines[position] for position in new]
        _insert([chunk[position][1] for position in new], lines, stamp)
    earlier = [row_hash for row_hash, (_, seen) in existing.items() if not seen]
    if earlier:
        _mark_seen(earlier, stamp)
    reactivated = sum(1 for active, seen in existing.values() if not active)
    summary.created += len(new)
    summary.updated += reactivated
    summary.unchanged += len(earlier) - reactivated
    summary.skipped += len(existing) - len(earlier)  # seen in an earlier chunk of this file


def _retire_absent(summary: ImportSummary, seen_at, *, previously_active: int, force: bool) -> None:
    if summary.read == 0:
        raise ImportRefused("the file has no rows; a full file is never empty")
    absent = ExclusionRecord.objects.filter(source=SOURCE, active=True, last_seen_at__lt=seen_at)
    count = absent.count()
    guarded = previously_active >= MIN_ACTIVE_FOR_SHARE_GUARD and count > previously_active * MAX_RETIRED_SHARE
    if guarded and not force:
        raise ImportRefused(
            f"it would retire {count} of {previously_active} active rows; is the file complete? "
            "(force to apply it anyway)"
        )
    absent.update(active=False)
    summary.inactive = count


def leie_import(*, path: str | os.PathLike, progress: Progress | None = None, force: bool = False) -> ImportSummary:
    """Apply one monthly UPDATED.csv; a wrong header, an unreadable or a suspicious file changes nothing.

    `force` applies a file that would retire more than MAX_RETIRED_SHARE of the active rows.
    """
    summary = ImportSummary(source="OIG LEIE", retires=True)
    seen_at = timezone.now()
    stamp = connection.ops.adapt_datetimefield_value(seen_at)
    try:
        with CsvRows(path, progress=progress) as rows, transaction.atomic():
            rows.require_exact_header(LEIE_HEADER)
            previously_active = ExclusionRecord.objects.filter(source=SOURCE, active=True).count()
            seen = seen_at.isoformat()
            tail = f"\t{SOURCE}\t{seen}\t{seen}\tt" if connection.vendor == "postgresql" else None
            chunks = _with_copy_lines(chunked(_normalised(rows, summary), CHUNK_SIZE), tail)
            with prefetched(chunks, depth=1) as ready:
                for chunk, copy_lines in ready:
                    _apply_chunk(chunk, copy_lines, summary, stamp)
            _retire_absent(summary, seen_at, previously_active=previously_active, force=force)
    except (HeaderError, ImportRefused, OSError, csv.Error) as exc:
        return ImportSummary(source=summary.source, read=summary.read, fatal=f"{exc}; nothing was imported")
    statistics_refresh(ExclusionRecord, fields=MATCHED_ON)
    return summary
