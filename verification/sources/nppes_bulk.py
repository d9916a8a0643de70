"""The NPPES monthly bulk file (npidata_pfile_….csv, ~9M rows, 330 columns) → the same upsert as the API.

Rows are filtered on the entity type and the 15 taxonomy slots before a Provider is built; providers are
upserted in batches as the file streams, so memory stays constant. A batch commits on its own: a file
that fails half-way can simply be imported again.
"""

import csv
import os

from directory.models import Specialty

from .nppes import degree_from_credential, gender_from_code, postal_code5
from .providers import SPINE_TAXONOMIES, PracticeAddress, Provider, Taxonomy, providers_upsert
from .rows import CsvRows, HeaderError, ImportSummary, Progress

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
}
SEX_COLUMNS = ("Provider Sex Code", "Provider Gender Code")  # renamed in 2024; older files have the latter
TAXONOMY, LICENSE, LICENSE_STATE, PRIMARY = (
    "Healthcare Provider Taxonomy Code_{}",
    "Provider License Number_{}",
    "Provider License Number State Code_{}",
    "Healthcare Provider Primary Taxonomy Switch_{}",
)


class _Positions:
    """Where each needed column sits in this file's header."""

    def __init__(self, rows: CsvRows):
        sex = next((name for name in SEX_COLUMNS if name in rows.header), SEX_COLUMNS[0])
        slots = [template.format(i) for i in SLOTS for template in (TAXONOMY, LICENSE, LICENSE_STATE, PRIMARY)]
        index = rows.column_index([*COLUMNS.values(), sex, *slots])
        self.fields = {key: index[name] for key, name in COLUMNS.items()}
        self.sex = index[sex]
        self.slots = [tuple(index[t.format(i)] for t in (TAXONOMY, LICENSE, LICENSE_STATE, PRIMARY)) for i in SLOTS]
        self.taxonomy_codes = [slot[0] for slot in self.slots]
        self.width = max(index.values()) + 1


def _taxonomy(row: list[str], slot: tuple[int, int, int, int]) -> Taxonomy:
    code, licence, state, primary = (row[position].strip() for position in slot)
    code = code.upper()
    return Taxonomy(
        code=code,
        desc=Specialty(code).label if code in SPINE_TAXONOMIES else "",
        primary=primary.upper() == "Y",
        state=state.upper(),
        license=licence,
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


def _spine_providers(rows: CsvRows, at: _Positions, summary: ImportSummary):
    """(line, Provider) for individual providers with a spine taxonomy; everyone else is skipped cheaply."""
    entity, codes, width = at.fields["entity"], at.taxonomy_codes, at.width
    for line, row in rows:
        summary.read += 1
        if len(row) < width:
            summary.error(line, f"expected {len(rows.header)} fields, found {len(row)}")
        elif row[entity] == "1" and any(row[i] in SPINE_TAXONOMIES for i in codes):
            yield line, _provider(row, at)
        else:
            summary.skipped += 1


def nppes_bulk_import(*, path: str | os.PathLike, progress: Progress | None = None) -> ImportSummary:
    """Stream the bulk file into the directory; counts are per surgeon, `read`/`skipped` per file row."""
    summary = ImportSummary(source="NPPES bulk file")
    try:
        with CsvRows(path, progress=progress) as rows:
            positions = _Positions(rows)
            providers_upsert(_spine_providers(rows, positions, summary), summary=summary)
    except (HeaderError, OSError, csv.Error) as exc:
        done = "rows before it were imported (importing again is safe)" if summary.read else "nothing was imported"
        summary.fatal = f"{exc}; {done}"
    return summary
