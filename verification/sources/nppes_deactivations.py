"""CMS's monthly NPPES Deactivated NPI Report → Surgeon.npi_deactivated_on.

CMS publishes the report as an Excel workbook ("NPPES Deactivated NPI Report 20241014.xlsx"): a title line, then
the header `NPI | NPPES Deactivation Date` and one row per deactivated NPI (dates as MM/DD/YYYY). It lists every
NPI deactivated at the time, so for the surgeons on file it is the whole truth: a listed NPI is deactivated on
its date, and an NPI on file marked deactivated that the report no longer lists has been reactivated. The same
two columns saved as CSV are read too. A deactivated NPI is out of the public directory at once: the change is an
eligibility event.

The workbook is read by calamine (python-calamine, a Rust reader; xls, xlsb and ods too): its first sheet is parsed
in one go, so a damaged workbook is refused before any row is read, and held in memory (~60 MB for 300,000 rows,
parsed in ~1 s where openpyxl's read-only parser took 15 s and more, cell by cell in Python). Rows are then checked
cheapest first: an NPI as CMS writes it (10 digits, as text) that is not on file is counted and passed over
without reading the rest of its row; each distinct date text is parsed once.
"""

import csv
import functools
import os
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from python_calamine import CalamineError, CalamineWorkbook

from directory.models import Surgeon

from .. import events
from .chunks import chunked
from .csv_rows import CsvRows, HeaderError
from .progress import Progress
from .summary import ImportSummary

HEADER = ("NPI", "NPPES Deactivation Date")
LAYOUT = "CMS's NPPES Deactivated NPI Report"
HEADER_SEARCH_ROWS = 10  # the header follows a title line; it is looked for among the first rows
DATE_FORMAT = "%m/%d/%Y"
PROGRESS_EVERY = 1000


class ReportRefused(Exception):
    """The report read cleanly but applying it would be unsafe; nothing is changed."""


def _cells(path: Path) -> Iterator[tuple[int, list]]:
    """(row number, cells) of the workbook's first sheet, or of a CSV file; numbers as Excel or a text editor shows
    them. A file that is not a workbook calamine reads (xlsx, xlsm, xlsb, xls, ods) is refused before any row."""
    if path.suffix.lower() == ".csv":
        return _csv_cells(path)
    with path.open("rb"):  # a missing or unreadable file fails here, its OSError naming it (calamine's would not)
        pass
    try:
        with CalamineWorkbook.from_path(path) as workbook:
            sheet = workbook.get_sheet_by_index(0)  # the whole sheet parsed: a damaged one fails here
    except CalamineError as exc:  # ZipError, XmlError, PasswordError, WorksheetNotFound, an unknown format...
        raise HeaderError(f"{path.name} is not an Excel workbook ({type(exc).__name__})") from None
    if sheet.start is None:  # no cell at all (calamine's row iterator needs one to start from)
        return iter(())
    # calamine's rows are numbered as Excel's (empty leading rows included) but start at the first column used.
    rows = sheet.iter_rows()
    if columns_before := sheet.start[1]:
        rows = ([""] * columns_before + row for row in rows)
    return enumerate(rows, start=1)


def _csv_cells(path: Path) -> Iterator[tuple[int, list]]:
    with CsvRows(path) as rows:
        yield 1, rows.header
        yield from rows


def _text(value) -> str:
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if type(value) is float and value.is_integer():
        return str(int(value))  # a whole number as Excel shows it (calamine reads every xlsx number as a float)
    return str(value).strip()


def _npi(value) -> str:
    text = _text(value)
    return text[:-2] if text.endswith(".0") else text  # a number saved as text with its decimal point


@functools.lru_cache(maxsize=4096)
def _parsed(text: str) -> date:
    """A MM/DD/YYYY text as a date; the report's few distinct dates are each parsed once."""
    return datetime.strptime(text, DATE_FORMAT).date()  # noqa: DTZ007 - a calendar date


def _date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return _parsed(_text(value))


def _data_rows(path: Path) -> Iterator[tuple[int, list]]:
    """The rows after the header; HeaderError if the header is not found where the report puts it."""
    cells = _cells(path)
    for number, row in cells:
        if tuple(_text(value) for value in row[:2]) == HEADER and not any(_text(v) for v in row[2:]):
            return cells
        if number >= HEADER_SEARCH_ROWS:
            break
    if close := getattr(cells, "close", None):  # a CSV file's
        close()
    raise HeaderError(f"{path.name} is not {LAYOUT}: no header {','.join(HEADER)} in its first rows")


def _listed(path: Path, on_file: dict[str, tuple[int, date | None]], summary: ImportSummary, progress):
    """{surgeon id: deactivation date} for the NPIs on file the report lists; bad rows reported.

    Nearly all rows list other providers: an NPI written as CMS writes it (10 digits, as text) that is not on file
    is counted as skipped on sight, the rest of its row unread. Every other row takes the full checks."""
    listed: dict[int, date] = {}
    read = skipped = 0
    try:
        for number, row in _data_rows(path):
            read += 1
            if progress and not read % PROGRESS_EVERY:
                progress(PROGRESS_EVERY)
            npi = row[0] if row else None
            if type(npi) is str and len(npi) == 10 and npi not in on_file and npi.isdigit():
                skipped += 1
                continue
            if not any(_text(value) for value in row):
                read -= 1  # a trailing empty row
                continue
            npi = _npi(npi)
            if len(npi) != 10 or not npi.isdigit():
                summary.error(number, f"NPI {npi!r} is not 10 digits; row skipped")
                continue
            if npi not in on_file:
                skipped += 1
                continue
            value = row[1] if len(row) > 1 else None
            try:
                listed[on_file[npi][0]] = _date(value)
            except (ValueError, TypeError):
                summary.error(number, f"NPPES Deactivation Date {_text(value)!r} is not MM/DD/YYYY")
    finally:
        summary.read, summary.skipped = summary.read + read, summary.skipped + skipped
    return listed


def _apply(changes: dict[int, date | None]) -> None:
    for chunk in chunked(sorted(changes.items()), 1000):
        for on in {day for _, day in chunk}:
            ids = [id_ for id_, day in chunk if day == on]
            Surgeon.objects.filter(id__in=ids).update(npi_deactivated_on=on, updated_at=timezone.now())
            cause = f"NPPES Deactivated NPI Report: deactivated on {on}" if on else "NPPES: NPI reactivated"
            events.surgeons_changed(surgeon_ids=ids, cause=cause, recheck=False)


def nppes_deactivations_import(*, path: str | os.PathLike, progress: Progress | None = None) -> ImportSummary:
    """Apply one monthly report: set the deactivation date of listed NPIs on file, clear it for NPIs on file the
    report no longer lists. A wrong layout or an empty report changes nothing."""
    summary = ImportSummary(source="NPPES Deactivated NPI Report", unit="row")
    path = Path(path)
    rows = Surgeon.objects.order_by().values_list("npi", "id", "npi_deactivated_on")
    on_file = {npi: (id_, on) for npi, id_, on in rows.iterator(chunk_size=20000)}
    try:
        listed = _listed(path, on_file, summary, progress)
        if summary.read == 0:
            raise ReportRefused("the report lists no NPI; a full report is never empty")
    except (HeaderError, ReportRefused, OSError, csv.Error) as exc:
        return ImportSummary(source=summary.source, unit="row", fatal=f"{exc}; nothing was imported")
    stored = dict(on_file.values())
    changes = {id_: on for id_, on in listed.items() if stored[id_] != on}
    changes |= {id_: None for id_, on in stored.items() if on is not None and id_ not in listed}
    with transaction.atomic():
        _apply(changes)
    deactivated = sum(1 for on in changes.values() if on)
    summary.updated, summary.unchanged = len(changes), len(listed) - deactivated
    summary.notes.append(f"{deactivated} NPIs deactivated, {len(changes) - deactivated} reactivated")
    return summary
