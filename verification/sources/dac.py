"""CMS Doctors and Clinicians National Downloadable File (DAC_NationalDownloadableFile.csv) → practices and profiles.

The real source of practice names: NPPES individual records carry none. The file has one row per clinician,
Medicare enrollment, group and address (an NPI on several rows). For surgeons on file it gives:

- the practice group (org_pac_id, Facility Name as published) → PracticeGroup;
- each practice address (adr_ln_1/2, City/Town, State, ZIP Code, Telephone Number) → PracticeLocation, matched with
  the locations on file by ZIP and first address line: its group, practice name and phone are filled in, and an
  address not on file becomes a new location (an eligibility event: a new city or state changes what is checked);
- the medical school, graduation year and Medicare specialties → Surgeon.

Only what a row states is written; a name is never made up: a location without a group keeps its name (or none).
Where two rows name one location differently, the first row in the file wins, so a re-import changes nothing.
The national file streams through the same reader as the other imports; rows of NPIs not on file are passed over
unparsed.
"""

import csv
import os
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from directory.models import PracticeGroup, PracticeLocation, Surgeon
from directory.phones import phone_e164

from .. import events
from .chunks import chunked
from .csv_rows import CsvRows, HeaderError
from .nppes import postal_code5
from .progress import Progress
from .providers import Cities, PracticeAddress, address_case, location_match, same_text
from .summary import ImportSummary

DAC_HEADER = (
    "NPI,Ind_PAC_ID,Ind_enrl_ID,Provider Last Name,Provider First Name,Provider Middle Name,suff,gndr,Cred,Med_sch,"
    "Grd_yr,pri_spec,sec_spec_1,sec_spec_2,sec_spec_3,sec_spec_4,sec_spec_all,Telehlth,Facility Name,org_pac_id,"
    "num_org_mem,adr_ln_1,adr_ln_2,ln_2_sprs,City/Town,State,ZIP Code,Telephone Number,ind_assgn,grp_assgn,adrs_id"
).split(",")
AT = {name: i for i, name in enumerate(DAC_HEADER)}
BATCH_ROWS = 500


@dataclass(frozen=True)
class DacRow:
    line: int
    npi: str
    medical_school: str
    graduation_year: str
    specialty: str
    secondary_specialties: str
    group_name: str
    group_pac_id: str
    address: PracticeAddress
    line_2_suppressed: bool

    @classmethod
    def parse(cls, line: int, row: list[str]) -> "DacRow":
        f = [value.strip() for value in row]
        address = PracticeAddress(
            address_1=f[AT["adr_ln_1"]],
            address_2=f[AT["adr_ln_2"]],
            city=f[AT["City/Town"]],
            state=f[AT["State"]].upper(),
            postal_code=postal_code5(f[AT["ZIP Code"]]),
            telephone=f[AT["Telephone Number"]],
        )
        return cls(
            line=line, npi=f[AT["NPI"]], medical_school=f[AT["Med_sch"]], graduation_year=f[AT["Grd_yr"]],
            specialty=f[AT["pri_spec"]], secondary_specialties=f[AT["sec_spec_all"]],
            group_name=f[AT["Facility Name"]], group_pac_id=f[AT["org_pac_id"]], address=address,
            line_2_suppressed=f[AT["ln_2_sprs"]].upper() == "Y",
        )  # fmt: skip


@dataclass
class _Batch:
    """What a batch of rows already has on file, loaded in three queries."""

    surgeons: dict[str, Surgeon]
    locations: dict[int, list[PracticeLocation]]
    groups: dict[str, PracticeGroup]
    relocated: set[int] = field(default_factory=set)

    @classmethod
    def load(cls, rows: list[DacRow]) -> "_Batch":
        surgeons = {s.npi: s for s in Surgeon.objects.filter(npi__in={row.npi for row in rows})}
        locations: dict[int, list[PracticeLocation]] = {surgeon.id: [] for surgeon in surgeons.values()}
        for location in PracticeLocation.objects.filter(surgeon__in=surgeons.values()).order_by("id"):
            locations[location.surgeon_id].append(location)
        pac_ids = {row.group_pac_id for row in rows if row.group_pac_id}
        groups = {group.pac_id: group for group in PracticeGroup.objects.filter(pac_id__in=pac_ids)}
        return cls(surgeons, locations, groups)


class _Import:
    """One file's import: the rows of surgeons on file, applied in batches; first-row-wins bookkeeping."""

    def __init__(self, summary: ImportSummary):
        self.summary = summary
        self.cities = Cities()
        self.seen_surgeons: set[int] = set()
        self.seen_locations: set[int] = set()
        self.seen_groups: set[str] = set()

    def surgeon(self, row: DacRow, surgeon: Surgeon) -> bool:
        """Medical school, graduation year and Medicare specialties, from the surgeon's first row."""
        if surgeon.id in self.seen_surgeons:
            return False
        self.seen_surgeons.add(surgeon.id)
        values = {
            "medical_school": row.medical_school,
            "medicare_specialty": row.specialty,
            "medicare_secondary_specialties": row.secondary_specialties,
        }
        if row.graduation_year.isdigit() and 1900 < int(row.graduation_year) < 2100:
            values["graduation_year"] = int(row.graduation_year)
        elif row.graduation_year:
            self.summary.error(row.line, f"Grd_yr {row.graduation_year!r} is not a year; the year on file is kept")
        changed = [name for name, value in values.items() if value and getattr(surgeon, name) != value]
        for name in changed:
            setattr(surgeon, name, values[name])
        if changed:
            surgeon.save(update_fields=[*changed, "updated_at"])
        return bool(changed)

    def group(self, row: DacRow, batch: _Batch) -> tuple[PracticeGroup | None, bool]:
        """The row's practice group as published, created or renamed; None for a clinician in no group."""
        if not (row.group_pac_id and row.group_name):
            return None, False
        group = batch.groups.get(row.group_pac_id)
        if group is None:
            group = batch.groups[row.group_pac_id] = PracticeGroup(pac_id=row.group_pac_id, name=row.group_name)
        elif group.name == row.group_name or row.group_pac_id in self.seen_groups:
            return group, False
        self.seen_groups.add(row.group_pac_id)
        group.name = row.group_name[: PracticeGroup._meta.get_field("name").max_length]
        group.full_clean(validate_unique=False)
        group.save()
        return group, True

    def phone(self, row: DacRow) -> str:
        try:
            return phone_e164(row.address.telephone)
        except ValueError as exc:
            self.summary.error(row.line, f"Telephone Number {exc}; the phone on file is kept")
            return ""

    def location(self, row: DacRow, surgeon: Surgeon, group: PracticeGroup | None, batch: _Batch) -> str:
        """ "created", "updated" or "" for the row's practice location."""
        existing = batch.locations[surgeon.id]
        location = location_match(existing, row.address)
        if location is not None and location.id in self.seen_locations:
            return ""  # another row named this location first
        created = location is None
        if created:
            location = self._location_new(row, surgeon, existing)
        updates = {}
        if group and location.group_id != group.id:
            updates["group"] = group
        if group and location.practice_name != group.name:
            updates["practice_name"] = group.name
        if (phone := self.phone(row)) and location.phone != phone:
            updates["phone"] = phone
        line_2 = row.address.address_2
        if line_2 and not row.line_2_suppressed and not same_text(line_2, location.address_line2):
            updates["address_line2"] = address_case(line_2)
        for name, value in updates.items():
            setattr(location, name, value)
        if created or updates:
            location.full_clean()
            location.save()
        if created:
            existing.append(location)
            batch.relocated.add(surgeon.id)
        self.seen_locations.add(location.id)
        return "created" if created else "updated" if updates else ""

    def _location_new(self, row: DacRow, surgeon: Surgeon, existing: list[PracticeLocation]) -> PracticeLocation:
        address = row.address
        if not (address.address_1 and address.city and len(address.state) == 2 and address.postal_code):
            raise ValidationError("the practice address is incomplete (adr_ln_1, City/Town, State, ZIP Code)")
        return PracticeLocation(
            surgeon=surgeon,
            city=self.cities.get(name=address.city, state=address.state),
            address_line1=address_case(address.address_1),
            postal_code=address.postal_code,
            is_primary=not any(location.is_primary for location in existing),
        )

    def row(self, row: DacRow, batch: _Batch) -> None:
        surgeon = batch.surgeons.get(row.npi)
        if surgeon is None:  # a surgeon removed since the file was opened
            self.summary.skipped += 1
            return
        try:
            with transaction.atomic():
                changed = self.surgeon(row, surgeon)
                group, renamed = self.group(row, batch)
                located = self.location(row, surgeon, group, batch)
        except ValidationError as exc:
            self.summary.error(row.line, f"NPI {row.npi}: {'; '.join(exc.messages)}")
            self.cities.forget()
            return
        if located == "created":
            self.summary.created += 1
        elif changed or renamed or located:
            self.summary.updated += 1
        else:
            self.summary.unchanged += 1

    def batch(self, rows: list[DacRow]) -> None:
        with transaction.atomic():
            batch = _Batch.load(rows)
            for row in rows:
                self.row(row, batch)
            cause = "Doctors and Clinicians: a new practice location"
            events.surgeons_changed(surgeon_ids=batch.relocated, cause=cause)


def _surgeon_rows(rows: CsvRows, npis: dict[str, int], summary: ImportSummary):
    width = len(DAC_HEADER)
    for line, row in rows.prefiltered(npis, 10):
        summary.read += 1
        if len(row) != width:
            summary.error(line, f"expected {width} fields, found {len(row)}; row skipped")
        elif row[0].strip() in npis:
            yield DacRow.parse(line, row)
        else:
            summary.skipped += 1


def dac_import(*, path: str | os.PathLike, progress: Progress | None = None) -> ImportSummary:
    """Import one national file; counts are file rows of surgeons on file (`created` when a row added a practice
    location, `updated` when it changed anything else)."""
    summary = ImportSummary(source="Doctors and Clinicians")
    work = _Import(summary)
    npis = dict(Surgeon.objects.order_by().values_list("npi", "id"))
    try:
        with CsvRows(path, progress=progress) as rows:
            rows.require_exact_header(DAC_HEADER)
            for chunk in chunked(_surgeon_rows(rows, npis, summary), BATCH_ROWS):
                work.batch(chunk)
            summary.read += rows.passed_over
            summary.skipped += rows.passed_over
    except (HeaderError, OSError, csv.Error) as exc:
        done = "rows before it were imported (importing again is safe)" if summary.read else "nothing was imported"
        return ImportSummary(source=summary.source, read=summary.read, fatal=f"{exc}; {done}")
    groups = len(work.seen_groups)
    summary.notes.append(f"{groups} practice groups created or renamed" if groups else "practice groups unchanged")
    return summary
