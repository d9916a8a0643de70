"""CMS "Medicare Physician & Other Practitioners — by Provider and Service" → ProcedureVolume (one data year).

The file is several GB: it is streamed once, rows are filtered on the HCPCS code and the NPI before anything
else is built, and counts are summed per (surgeon, code) in a dict bounded by surgeons × spine codes.
Writing compares with what is stored: new (surgeon, code) pairs are created, changed counts updated, equal
ones left alone, so a re-import writes nothing. Pairs stored for the year but absent from the file are left
as they are (CMS suppresses small cells, so absence is not evidence of zero).
"""

import csv
import math
import os
from collections import defaultdict

from django.conf import settings
from django.db import transaction

from directory.db import column_update_by_id, rows_insert
from directory.models import ProcedureVolume, Surgeon

from .rows import CsvRows, HeaderError, ImportSummary, Progress

NPI, CODE, SERVICES = "Rndrng_NPI", "HCPCS_Cd", "Tot_Srvcs"
FIRST_DATA_YEAR = 2013  # the first year CMS published by provider and service
SOURCE = ProcedureVolume.Source.CMS_BY_SERVICE


def _services(text: str) -> int:
    """Tot_Srvcs as a whole number: CMS writes counts like "14.0"."""
    value = float(text)
    if not math.isfinite(value) or value < 0:
        raise ValueError(text)
    return round(value)


def _totals(rows: CsvRows, summary: ImportSummary) -> dict[tuple[int, str], int]:
    """{(surgeon id, code): services} summed over places of service; the loop is kept lean on purpose."""
    columns = rows.column_index((NPI, CODE, SERVICES))
    npi_at, code_at, services_at = columns[NPI], columns[CODE], columns[SERVICES]
    spine_codes = frozenset(settings.SPINE_CPT_CODES)
    surgeon_ids = dict(Surgeon.objects.order_by().values_list("npi", "id"))  # unsorted: a dict needs no order
    totals: dict[tuple[int, str], int] = defaultdict(int)
    read = skipped = 0
    for line, row in _candidate_rows(rows, npi_at, surgeon_ids):
        read += 1
        try:
            code = row[code_at]
            if code not in spine_codes or (surgeon_id := surgeon_ids.get(row[npi_at])) is None:
                skipped += 1
                continue
            totals[surgeon_id, code] += _services(row[services_at])
        except IndexError:
            summary.error(line, f"expected {len(rows.header)} fields, found {len(row)}")
        except ValueError:
            summary.error(line, f"{SERVICES} is not a count: {row[services_at]!r}")
    summary.read, summary.skipped = read + rows.passed_over, skipped + rows.passed_over
    return totals


def _candidate_rows(rows: CsvRows, npi_at: int, surgeon_ids: dict[str, int]):
    """The file's rows, less those whose line plainly starts with an NPI we do not list: most of a national
    file, passed over without CSV parsing. A line starting with a quote is always parsed."""
    return rows.prefiltered(surgeon_ids, 10) if npi_at == 0 else rows


def _store(totals: dict[tuple[int, str], int], *, period: str, summary: ImportSummary) -> None:
    stored = {
        (surgeon_id, code): (pk, count)
        for pk, surgeon_id, code, count in ProcedureVolume.objects.filter(source=SOURCE, period=period).values_list(
            "id", "surgeon_id", "cpt_code", "count"
        )
    }
    new, changed = [], {}
    for (surgeon_id, code), count in totals.items():
        pk, stored_count = stored.get((surgeon_id, code), (None, None))
        if pk is None:
            new.append({"surgeon_id": surgeon_id, "source": SOURCE, "period": period, "cpt_code": code, "count": count})
        elif stored_count != count:
            changed[pk] = count
    with transaction.atomic():
        rows_insert(ProcedureVolume, new, skip_existing=("surgeon", "source", "period", "cpt_code"))
        column_update_by_id(ProcedureVolume, "count", changed)
    summary.created, summary.updated = len(new), len(changed)
    summary.unchanged = len(totals) - len(new) - len(changed)


def cms_procedures_import(*, path: str | os.PathLike, year: int, progress: Progress | None = None) -> ImportSummary:
    """Import one data year; counts are (surgeon, code) pairs, `read`/`skipped` are file rows."""
    summary = ImportSummary(source=f"CMS procedures {year}")
    try:
        with CsvRows(path, progress=progress) as rows:
            totals = _totals(rows, summary)
    except (HeaderError, OSError, csv.Error) as exc:
        return ImportSummary(source=summary.source, fatal=f"{exc}; nothing was imported")
    _store(totals, period=str(year), summary=summary)
    return summary
