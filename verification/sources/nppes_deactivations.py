"""CMS's monthly NPPES Deactivated NPI Report → Surgeon.npi_deactivated_on.

CMS publishes the report as an Excel workbook ("NPPES Deactivated NPI Report 20241014.xlsx"): a title line, then
the header `NPI | NPPES Deactivation Date` and one row per deactivated NPI (dates as MM/DD/YYYY). It lists every
NPI deactivated at the time, so for the surgeons on file it is the whole truth: a listed NPI is deactivated on
its date, and an NPI on file marked deactivated that the report no longer lists has been reactivated. The same
two columns saved as CSV are read too. Rows stream (openpyxl's read-only mode); only NPIs on file are kept.
A deactivated NPI is out of the public directory at once: the change is an eligibility event.
"""

import csv
import os
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

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
    them."""
    if path.suffix.lower() == ".csv":
        with CsvRows(path) as rows:
            yield 1, rows.header
            yield from rows
        return
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError) as exc:  # not a workbook openpyxl reads
        raise HeaderError(f"{path.name} is not an Excel workbook ({type(exc).__name__})") from None
    try:
        yield from enumerate((list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)), start=1)
    finally:
        workbook.close()


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _npi(value) -> str:
    text = _text(value)
    return text[:-2] if text.endswith(".0") else text  # a number cell read as a float


def _date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return datetime.strptime(_text(value), DATE_FORMAT).date()  # noqa: DTZ007 - a calendar date


def _data_rows(path: Path) -> Iterator[tuple[int, list]]:
    """The rows after the header; HeaderError if the header is not found where the report puts it."""
    cells = _cells(path)
    for number, row in cells:
        if tuple(_text(value) for value in row[:2]) == HEADER and not any(_text(v) for v in row[2:]):
            yield from cells
            return
        if number >= HEADER_SEARCH_ROWS:
            break
    cells.close()
    raise HeaderError(f"{path.name} is not {LAYOUT}: no header {','.join(HEADER)} in its first rows")


def _listed(path: Path, on_file: dict[str, tuple[int, date | None]], summary: ImportSummary, progress):
    """{surgeon id: deactivation date} for the NPIs on file the report lists; bad rows reported."""
    listed: dict[int, date] = {}
    for number, row in _data_rows(path):
        summary.read += 1
        if progress and summary.read % PROGRESS_EVERY == 0:
            progress(PROGRESS_EVERY)
        if not any(_text(value) for value in row):
            summary.read -= 1  # a trailing empty row
            continue
        npi = _npi(row[0] if row else None)
        if len(npi) != 10 or not npi.isdigit():
            summary.error(number, f"NPI {npi!r} is not 10 digits; row skipped")
            continue
        if npi not in on_file:
            summary.skipped += 1
            continue
        value = row[1] if len(row) > 1 else None
        try:
            listed[on_file[npi][0]] = _date(value)
        except (ValueError, TypeError):
            summary.error(number, f"NPPES Deactivation Date {_text(value)!r} is not MM/DD/YYYY")
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
