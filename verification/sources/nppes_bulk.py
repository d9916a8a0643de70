"""The NPPES monthly bulk file (npidata_pfile_….csv, ~9M rows, 330 columns) → the same upsert as the API.

Rows are filtered on the entity type and the 15 taxonomy slots before a Provider is built; providers are
upserted in batches as the file streams, so memory stays constant. A batch commits on its own: a file
that fails half-way can simply be imported again.

The file also lists deactivated NPIs (NPI and "NPI Deactivation Date", nothing else) and reactivated ones (their
full record with "NPI Reactivation Date"). For NPIs on file this sets or clears Surgeon.npi_deactivated_on: a
deactivated NPI is out of the public directory at once (eligibility event), a reactivation restores it.
"""

import csv
import os
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from directory.models import Specialty, Surgeon

from .. import events
from .chunks import chunked
from .csv_rows import CsvRows, HeaderError
from .nppes import degree_from_credential, gender_from_code, postal_code5
from .progress import Progress
from .providers import SURGEON_TAXONOMIES, PracticeAddress, Provider, Taxonomy, providers_upsert
from .summary import ImportSummary

LAYOUT = "the NPPES Data Dissemination file (npidata_pfile_….csv)"
SLOTS = range(1, 16)
PRACTICE = "Provider {} Business Practice Location Address"
COLUMNS = {
    "npi": "NPI",
    "entity": "Entity Type Code",
    "last_name": "Provider Last Name (Legal Name)",
    "first_name": "Provider First Name",
    "middle_name": "Provider Middle Name",
    "credential": "Provider Credential Text",
    "address_1": PRACTICE.format("First Line"),
    "address_2": PRACTICE.format("Second Line"),
    "city": "Provider Business Practice Location Address City Name",
    "state": "Provider Business Practice Location Address State Name",
    "postal_code": "Provider Business Practice Location Address Postal Code",
    "telephone": "Provider Business Practice Location Address Telephone Number",
    "deactivated": "NPI Deactivation Date",
    "reactivated": "NPI Reactivation Date",
}
SEX_COLUMNS = ("Provider Sex Code", "Provider Gender Code")  # renamed in 2024; older files have the latter
TAXONOMY, LICENSE, LICENSE_STATE, PRIMARY = (
    "Healthcare Provider Taxonomy Code_{}",
    "Provider License Number_{}",
    "Provider License Number State Code_{}",
    "Healthcare Provider Primary Taxonomy Switch_{}",
)
DATE_FORMAT = "%m/%d/%Y"
STATUS_CHUNK = 1000


class _Positions:
    """Where each needed column sits in this file's header."""

    def __init__(self, rows: CsvRows):
        sex = next((name for name in SEX_COLUMNS if name in rows.header), SEX_COLUMNS[0])
        slots = [template.format(i) for i in SLOTS for template in (TAXONOMY, LICENSE, LICENSE_STATE, PRIMARY)]
        index = rows.column_index([*COLUMNS.values(), sex, *slots], layout=LAYOUT)
        self.fields = {key: index[name] for key, name in COLUMNS.items()}
        self.sex = index[sex]
        self.slots = [tuple(index[t.format(i)] for t in (TAXONOMY, LICENSE, LICENSE_STATE, PRIMARY)) for i in SLOTS]
        self.taxonomy_codes = [slot[0] for slot in self.slots]
        self.width = max(index.values()) + 1


def _taxonomy(row: list[str], slot: tuple[int, int, int, int]) -> Taxonomy:
    code, license, state, primary = (row[position].strip() for position in slot)
    code = code.upper()
    return Taxonomy(
        code=code,
        desc=Specialty(code).label if code in Specialty.values else "",
        primary=primary.upper() == "Y",
        state=state.upper(),
        license=license,
    )


def _provider(row: list[str], at: _Positions) -> Provider:
    f = {key: row[position].strip() for key, position in at.fields.items()}
    taxonomies = tuple(_taxonomy(row, slot) for slot in at.slots if row[slot[0]].strip())
    address = PracticeAddress(
        address_1=f["address_1"],
        address_2=f["address_2"],
        city=f["city"],
        state=f["state"].upper(),
        postal_code=postal_code5(f["postal_code"]),
        telephone=f["telephone"],
    )
    usable = address.address_1 and address.city and len(address.state) == 2 and address.postal_code
    return Provider(
        npi=f["npi"],
        first_name=f["first_name"],
        last_name=f["last_name"],
        middle_name=f["middle_name"],
        credential=degree_from_credential(f["credential"]),
        gender=gender_from_code(row[at.sex]),
        taxonomies=taxonomies,
        addresses=(address,) if usable else (),
    )


def _date(text: str) -> date | None:
    return datetime.strptime(text.strip(), DATE_FORMAT).date() if text.strip() else None  # noqa: DTZ007 - a date


@dataclass
class _Statuses:
    """NPIs on file (npi → (id, deactivated on)) and the deactivation dates the file gives them, where they differ."""

    on_file: dict[str, tuple[int, date | None]]
    changes: dict[int, date | None] = field(default_factory=dict)

    @classmethod
    def load(cls) -> "_Statuses":
        rows = Surgeon.objects.order_by().values_list("npi", "id", "npi_deactivated_on")
        return cls(on_file={npi: (id_, on) for npi, id_, on in rows.iterator(chunk_size=20000)})

    def note(self, line: int, row: list[str], at: _Positions, summary: ImportSummary) -> None:
        """The NPI's status as the file gives it: deactivated unless reactivated on or after its deactivation."""
        id_, stored = self.on_file[row[at.fields["npi"]]]
        try:
            deactivated, reactivated = _date(row[at.fields["deactivated"]]), _date(row[at.fields["reactivated"]])
        except ValueError:
            summary.error(line, "NPI Deactivation/Reactivation Date is not MM/DD/YYYY; NPI status left as it was")
            return
        current = deactivated if deactivated and not (reactivated and reactivated >= deactivated) else None
        if current != stored:
            self.changes[id_] = current

    def apply(self, summary: ImportSummary) -> None:
        for chunk in chunked(sorted(self.changes.items()), STATUS_CHUNK):
            with transaction.atomic():
                for on in {on for _, on in chunk}:
                    ids = [id_ for id_, day in chunk if day == on]
                    Surgeon.objects.filter(id__in=ids).update(npi_deactivated_on=on, updated_at=timezone.now())
                    cause = f"NPPES: NPI deactivated on {on}" if on else "NPPES: NPI reactivated"
                    events.surgeons_changed(surgeon_ids=ids, cause=cause, recheck=False)
        deactivated = sum(1 for on in self.changes.values() if on)
        summary.updated += len(self.changes)
        summary.notes.append(f"{deactivated} NPIs deactivated, {len(self.changes) - deactivated} reactivated")


def _surgeon_rows(rows: CsvRows, at: _Positions, statuses: _Statuses, summary: ImportSummary):
    """(line, Provider) for individuals in scope; the status of every NPI on file is noted, everyone else is
    skipped cheaply."""
    entity, codes, width, npi_at = at.fields["entity"], at.taxonomy_codes, at.width, at.fields["npi"]
    on_file = statuses.on_file
    for line, row in rows:
        summary.read += 1
        if len(row) < width:
            summary.error(line, f"expected {len(rows.header)} fields, found {len(row)}")
            continue
        if row[npi_at] in on_file:
            statuses.note(line, row, at, summary)
        if row[entity] == "1" and any(row[i] in SURGEON_TAXONOMIES for i in codes):
            yield line, _provider(row, at)
        else:
            summary.skipped += 1


def nppes_bulk_import(*, path: str | os.PathLike, progress: Progress | None = None) -> ImportSummary:
    """Stream the bulk file into the directory; counts are per surgeon, `read`/`skipped` per file row."""
    summary = ImportSummary(source="NPPES bulk file")
    try:
        with CsvRows(path, progress=progress) as rows:
            positions = _Positions(rows)
            statuses = _Statuses.load()
            providers_upsert(_surgeon_rows(rows, positions, statuses, summary), summary=summary)
    except (HeaderError, OSError, csv.Error) as exc:
        done = "rows before it were imported (importing again is safe)" if summary.read else "nothing was imported"
        summary.fatal = f"{exc}; {done}"
        return summary
    statuses.apply(summary)
    return summary
