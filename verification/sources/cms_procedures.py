"""CMS "Medicare Physician & Other Practitioners — by Provider and Service" → ProcedureVolume (one data year).

The file is several GB: it is streamed once, rows are filtered on the HCPCS code and the NPI before anything
else is built, and counts are summed per (surgeon, code) in a dict bounded by surgeons × spine codes. Every code
of the spine table is kept, add-on codes included (for display); experience and the spine scope count primary
codes only (see spine_codes).

A file replaces its data year: new (surgeon, code) pairs are created, changed counts updated, equal ones left
alone, and pairs stored for the year that the file no longer lists are removed, so a re-import writes nothing
and a corrected file leaves exactly what it says. Other years are untouched. Surgeons whose counts changed are
re-verified (eligibility events) and their Medicare volume peak, which can bring an orthopaedic surgeon into
the spine directory, is recomputed in the same transaction.
"""

import csv
import math
import os
from collections import defaultdict

from django.db import transaction

from bulksql.insert import rows_insert
from bulksql.update import column_update_by_id
from directory.models import ProcedureVolume, Surgeon

from .. import events
from ..spine_scope import spine_volume_peaks_refresh
from .chunks import chunked
from .csv_rows import CsvRows, HeaderError
from .progress import Progress
from .spine_codes import SPINE_CODES
from .summary import ImportSummary

NPI, CODE, SERVICES = "Rndrng_NPI", "HCPCS_Cd", "Tot_Srvcs"
LAYOUT = 'the CMS "Medicare Physician & Other Practitioners - by Provider and Service" file'
# Data year 2023 (up to 2022 the file also had Rndrng_Prvdr_Gndr); columns are found by name, this names them.
PUBLISHED_HEADER = (
    "Rndrng_NPI,Rndrng_Prvdr_Last_Org_Name,Rndrng_Prvdr_First_Name,Rndrng_Prvdr_MI,Rndrng_Prvdr_Crdntls,"
    "Rndrng_Prvdr_Ent_Cd,Rndrng_Prvdr_St1,Rndrng_Prvdr_St2,Rndrng_Prvdr_City,Rndrng_Prvdr_State_Abrvtn,"
    "Rndrng_Prvdr_State_FIPS,Rndrng_Prvdr_Zip5,Rndrng_Prvdr_RUCA,Rndrng_Prvdr_RUCA_Desc,Rndrng_Prvdr_Cntry,"
    "Rndrng_Prvdr_Type,Rndrng_Prvdr_Mdcr_Prtcptg_Ind,HCPCS_Cd,HCPCS_Desc,HCPCS_Drug_Ind,Place_Of_Srvc,Tot_Benes,"
    "Tot_Srvcs,Tot_Bene_Day_Srvcs,Avg_Sbmtd_Chrg,Avg_Mdcr_Alowd_Amt,Avg_Mdcr_Pymt_Amt,Avg_Mdcr_Stdzd_Amt"
).split(",")
FIRST_DATA_YEAR = 2013  # the first year CMS published by provider and service
SOURCE = ProcedureVolume.Source.CMS_BY_SERVICE
CODES = sorted(SPINE_CODES)
CODE_INDEX = {code: index for index, code in enumerate(CODES)}
CODE_BITS = len(CODES).bit_length()
INSERT_ROWS = 10000


def _pair(surgeon_id: int, code: str) -> int:
    """(surgeon, code) as one int: a dict of ints is a third the size of one keyed by tuples."""
    return surgeon_id << CODE_BITS | CODE_INDEX[code]


def _unpair(key: int) -> tuple[int, str]:
    return key >> CODE_BITS, CODES[key & ((1 << CODE_BITS) - 1)]


def _services(text: str) -> int:
    """Tot_Srvcs as a whole number: CMS writes counts like "14.0"."""
    value = float(text)
    if not math.isfinite(value) or value < 0:
        raise ValueError(text)
    return round(value)


def _totals(rows: CsvRows, summary: ImportSummary) -> dict[int, int]:
    """{_pair(surgeon id, code): services} summed over places of service; the loop is kept lean on purpose."""
    columns = rows.column_index((NPI, CODE, SERVICES), layout=LAYOUT, expected=PUBLISHED_HEADER)
    npi_at, code_at, services_at = columns[NPI], columns[CODE], columns[SERVICES]
    code_index = CODE_INDEX
    surgeon_ids = dict(Surgeon.objects.order_by().values_list("npi", "id"))  # unsorted: a dict needs no order
    totals: dict[int, int] = defaultdict(int)
    read = skipped = 0
    for line, row in _candidate_rows(rows, npi_at, surgeon_ids):
        read += 1
        try:
            code = code_index.get(row[code_at])
            if code is None or (surgeon_id := surgeon_ids.get(row[npi_at])) is None:
                skipped += 1
                continue
            totals[surgeon_id << CODE_BITS | code] += _services(row[services_at])
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


def _store(totals: dict[int, int], *, period: str, summary: ImportSummary) -> set[int]:
    """Make the stored year what the file says, reading it row by row against the totals (which it empties); the
    surgeons whose counts changed."""
    stored = ProcedureVolume.objects.filter(source=SOURCE, period=period).values_list(
        "id", "surgeon_id", "cpt_code", "count"
    )
    changed, gone, affected, unchanged = {}, {}, set(), 0
    for pk, surgeon_id, code, count in stored.iterator(chunk_size=INSERT_ROWS):
        total = totals.pop(_pair(surgeon_id, code), None) if code in CODE_INDEX else None
        if total is None:
            gone[pk] = surgeon_id
        elif total != count:
            changed[pk] = total
            affected.add(surgeon_id)
        else:
            unchanged += 1
    new = len(totals)  # the pairs left were not stored
    for chunk in chunked(totals.items(), INSERT_ROWS):
        rows = []
        for key, count in chunk:
            surgeon_id, code = _unpair(key)
            rows.append(
                {"surgeon_id": surgeon_id, "source": SOURCE, "period": period, "cpt_code": code, "count": count}
            )
            affected.add(surgeon_id)
        rows_insert(ProcedureVolume, rows, skip_existing=("surgeon", "source", "period", "cpt_code"))
    column_update_by_id(ProcedureVolume, "count", changed)
    for pks in chunked(list(gone), 10000):  # SQLite caps the parameters of one statement
        ProcedureVolume.objects.filter(id__any_of=pks).delete()
    summary.created, summary.updated, summary.removed, summary.unchanged = new, len(changed), len(gone), unchanged
    return affected | set(gone.values())


def cms_procedures_import(*, path: str | os.PathLike, year: int, progress: Progress | None = None) -> ImportSummary:
    """Import one data year; counts are (surgeon, code) pairs, `read`/`skipped` are file rows."""
    summary = ImportSummary(source=f"CMS procedures {year}", replaces=True)
    try:
        with CsvRows(path, progress=progress) as rows:
            totals = _totals(rows, summary)
    except (HeaderError, OSError, csv.Error) as exc:
        return ImportSummary(source=summary.source, fatal=f"{exc}; nothing was imported")
    with transaction.atomic():
        affected = _store(totals, period=str(year), summary=summary)
        moved = spine_volume_peaks_refresh(surgeon_ids=affected)
        events.surgeons_changed(surgeon_ids=affected, cause=f"CMS procedure counts for {year}")
    if moved:
        summary.notes.append(f"{len(moved)} surgeons moved in or out of the spine directory")
    return summary
