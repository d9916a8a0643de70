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

Each row is first compared with what is on file (plain values, loaded per batch); only a row that changes something
is written, in a savepoint of its own, so re-importing the same file writes nothing at all. A bad row is reported
with its line and writes nothing; it claims nothing either: the next row naming the same surgeon, group or
location is then the first.
"""

import csv
import os
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model

from directory.models import PracticeGroup, PracticeLocation, Surgeon
from directory.phones import phone_e164

from .. import events
from .chunks import chunked
from .csv_rows import CsvRows, HeaderError
from .nppes import postal_code5
from .progress import Progress
from .providers import Cities, PracticeAddress, address_case, text_key
from .summary import ImportSummary

DAC_HEADER = (
    "NPI,Ind_PAC_ID,Ind_enrl_ID,Provider Last Name,Provider First Name,Provider Middle Name,suff,gndr,Cred,Med_sch,"
    "Grd_yr,pri_spec,sec_spec_1,sec_spec_2,sec_spec_3,sec_spec_4,sec_spec_all,Telehlth,Facility Name,org_pac_id,"
    "num_org_mem,adr_ln_1,adr_ln_2,ln_2_sprs,City/Town,State,ZIP Code,Telephone Number,ind_assgn,grp_assgn,adrs_id"
).split(",")
AT = {name: i for i, name in enumerate(DAC_HEADER)}
BATCH_ROWS = 1000  # rows per batch, one transaction each (at 500 the per-batch queries cost a third more)
INSTANCES_ONE_BY_ONE = 20
SURGEON_FIELDS = ("medical_school", "graduation_year", "medicare_specialty", "medicare_secondary_specialties")
GROUP_NAME_LENGTH = PracticeGroup._meta.get_field("name").max_length


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
        address = PracticeAddress(
            address_1=row[AT["adr_ln_1"]].strip(),
            address_2=row[AT["adr_ln_2"]].strip(),
            city=row[AT["City/Town"]].strip(),
            state=row[AT["State"]].strip().upper(),
            postal_code=postal_code5(row[AT["ZIP Code"]].strip()),
            telephone=row[AT["Telephone Number"]].strip(),
        )
        return cls(
            line=line, npi=row[AT["NPI"]].strip(), medical_school=row[AT["Med_sch"]].strip(),
            graduation_year=row[AT["Grd_yr"]].strip(), specialty=row[AT["pri_spec"]].strip(),
            secondary_specialties=row[AT["sec_spec_all"]].strip(), group_name=row[AT["Facility Name"]].strip(),
            group_pac_id=row[AT["org_pac_id"]].strip(), address=address,
            line_2_suppressed=row[AT["ln_2_sprs"]].strip().upper() == "Y",
        )  # fmt: skip


# What a row is compared with: plain values, a fraction of a model instance's cost to load. A row that writes
# loads the instances it writes (_Batch.instance).


@dataclass(slots=True)
class _SurgeonOnFile:
    id: int
    medical_school: str
    graduation_year: int | None
    medicare_specialty: str
    medicare_secondary_specialties: str


@dataclass(slots=True)
class _LocationOnFile:
    id: int | None  # None until a new location is saved
    postal_code: str
    street: str  # address_line1 as same_text compares it: what a row's address is matched by
    line_2: str  # address_line2, likewise
    group_id: int | None
    practice_name: str
    phone: str
    is_primary: bool

    @classmethod
    def of(cls, location: PracticeLocation) -> "_LocationOnFile":
        return cls(
            location.id, location.postal_code, text_key(location.address_line1), text_key(location.address_line2),
            location.group_id, location.practice_name, location.phone, location.is_primary,
        )  # fmt: skip


@dataclass(slots=True)
class _GroupOnFile:
    pac_id: str
    name: str
    id: int | None = None  # None: not on file yet


@dataclass
class _Batch:
    """What a batch of rows already has on file, loaded as plain values in three queries; a batch that writes
    nothing loads no model instance."""

    surgeons: dict[str, _SurgeonOnFile]
    locations: dict[int, list[_LocationOnFile]]
    groups: dict[str, _GroupOnFile]
    relocated: set[int] = field(default_factory=set)
    _instances: dict[type[Model], dict[int, Model]] = field(default_factory=dict)

    @classmethod
    def load(cls, rows: list[DacRow]) -> "_Batch":
        on_file = Surgeon.objects.filter(npi__any_of={row.npi for row in rows})
        on_file = on_file.values_list("id", "npi", *SURGEON_FIELDS)
        surgeons = {npi: _SurgeonOnFile(id, *values) for id, npi, *values in on_file}
        locations: dict[int, list[_LocationOnFile]] = {surgeon.id: [] for surgeon in surgeons.values()}
        columns = ("id", "surgeon_id", "postal_code", "address_line1", "address_line2", "group_id", "practice_name",
                   "phone", "is_primary")  # fmt: skip
        stored = (
            PracticeLocation.objects.filter(surgeon_id__any_of=list(locations)).order_by("id").values_list(*columns)
        )
        for id, surgeon_id, postal_code, line_1, line_2, *values in stored:
            locations[surgeon_id].append(_LocationOnFile(id, postal_code, text_key(line_1), text_key(line_2), *values))
        pac_ids = {row.group_pac_id for row in rows if row.group_pac_id}
        stored = PracticeGroup.objects.filter(pac_id__any_of=pac_ids).values_list("pac_id", "name", "id")
        groups = {pac_id: _GroupOnFile(pac_id, name, id) for pac_id, name, id in stored}
        return cls(surgeons, locations, groups)

    def instance(self, model: type[Model], pk: int) -> Model:
        """The surgeon or location to write: the batch's first few are loaded one by one (a re-import changes
        a few rows), then all of the batch's at once (a first import changes most)."""
        loaded = self._instances.setdefault(model, {})
        if pk not in loaded:
            ids = {pk}
            if len(loaded) >= INSTANCES_ONE_BY_ONE:
                if model is Surgeon:
                    ids |= {surgeon.id for surgeon in self.surgeons.values()}
                else:
                    ids |= {location.id for locations in self.locations.values() for location in locations}
            loaded.update(model.objects.in_bulk(ids - loaded.keys() - {None}))
        return loaded[pk]

    def forget(self) -> None:
        """Drop the loaded instances: a write that failed may have left its values on them."""
        self._instances.clear()


@dataclass
class _Plan:
    """What one row would write, worked out from what is on file before anything is written."""

    surgeon: _SurgeonOnFile
    surgeon_values: dict[str, object] | None  # None: an earlier row gave this surgeon's details
    group: _GroupOnFile | None = None
    group_name: str | None = None  # a new group's name, or the group's new name
    location: _LocationOnFile | None = None  # None: an earlier row named this location; id None: a new one
    link_group: bool = False  # the location joins the row's group
    location_values: dict[str, str] = field(default_factory=dict)

    @property
    def new_location(self) -> bool:
        return self.location is not None and self.location.id is None

    @property
    def location_changes(self) -> bool:
        return self.new_location or self.link_group or bool(self.location_values)

    @property
    def changes(self) -> bool:
        return bool(self.surgeon_values) or self.group_name is not None or self.location_changes


class _Import:
    """One file's import: the rows of surgeons on file, applied in batches; first-row-wins bookkeeping."""

    def __init__(self, summary: ImportSummary):
        self.summary = summary
        self.cities = Cities()
        self.seen_surgeons: set[int] = set()
        self.seen_locations: set[int] = set()
        self.seen_groups: set[str] = set()

    def surgeon(self, row: DacRow, surgeon: _SurgeonOnFile) -> dict[str, object] | None:
        """Medical school, graduation year and Medicare specialties that differ, from the surgeon's first row."""
        if surgeon.id in self.seen_surgeons:
            return None
        values = {
            "medical_school": row.medical_school,
            "medicare_specialty": row.specialty,
            "medicare_secondary_specialties": row.secondary_specialties,
        }
        if row.graduation_year.isdigit() and 1900 < int(row.graduation_year) < 2100:
            values["graduation_year"] = int(row.graduation_year)
        elif row.graduation_year:
            self.summary.error(row.line, f"Grd_yr {row.graduation_year!r} is not a year; the year on file is kept")
        return {name: value for name, value in values.items() if value and getattr(surgeon, name) != value}

    def group(self, row: DacRow, batch: _Batch) -> tuple[_GroupOnFile | None, str | None]:
        """The row's practice group as published, with the name to write when it is new or renamed; None for a
        clinician in no group."""
        if not (row.group_pac_id and row.group_name):
            return None, None
        name = row.group_name[:GROUP_NAME_LENGTH]
        group = batch.groups.get(row.group_pac_id)
        if group is None:
            return _GroupOnFile(row.group_pac_id, name), name
        if group.name == name or row.group_pac_id in self.seen_groups:
            return group, None
        return group, name

    def phone(self, row: DacRow) -> str:
        try:
            return phone_e164(row.address.telephone)
        except ValueError as exc:
            self.summary.error(row.line, f"Telephone Number {exc}; the phone on file is kept")
            return ""

    def location(self, row: DacRow, plan: _Plan, batch: _Batch) -> None:
        """The row's practice location (matched by ZIP and first address line, or new) and what it would change."""
        address, existing = row.address, batch.locations[plan.surgeon.id]
        street = text_key(address.address_1)
        match = (loc for loc in existing if loc.postal_code == address.postal_code and loc.street == street)
        location = next(match, None)
        if location is not None and location.id in self.seen_locations:
            return  # another row named this location first
        if location is None:
            if not (address.address_1 and address.city and len(address.state) == 2 and address.postal_code):
                raise ValidationError("the practice address is incomplete (adr_ln_1, City/Town, State, ZIP Code)")
            primary = not any(loc.is_primary for loc in existing)
            location = _LocationOnFile(None, address.postal_code, street, "", None, "", "", primary)
        plan.location, values = location, plan.location_values
        if group := plan.group:
            plan.link_group = group.id is None or location.group_id != group.id
            name = group.name if plan.group_name is None else plan.group_name
            if location.practice_name != name:
                values["practice_name"] = name
        if (phone := self.phone(row)) and location.phone != phone:
            values["phone"] = phone
        line_2 = address.address_2
        if line_2 and not row.line_2_suppressed and text_key(line_2) != location.line_2:
            values["address_line2"] = address_case(line_2)

    def plan(self, row: DacRow, surgeon: _SurgeonOnFile, batch: _Batch) -> _Plan:
        """What the row would change; reads only (ValidationError for a new address that is incomplete)."""
        plan = _Plan(surgeon, self.surgeon(row, surgeon))
        plan.group, plan.group_name = self.group(row, batch)
        self.location(row, plan, batch)
        return plan

    def write(self, row: DacRow, plan: _Plan, batch: _Batch) -> tuple[int | None, PracticeLocation | None]:
        """Write what the plan changes (inside the row's savepoint); the group's id and the location written."""
        if plan.surgeon_values:
            surgeon = batch.instance(Surgeon, plan.surgeon.id)
            for name, value in plan.surgeon_values.items():
                setattr(surgeon, name, value)
            surgeon.clean_fields(exclude=[f.name for f in Surgeon._meta.fields if f.name not in plan.surgeon_values])
            surgeon.save(update_fields=[*plan.surgeon_values, "updated_at"])
        group_id = plan.group.id if plan.group else None
        if plan.group_name is not None:
            group = (
                PracticeGroup(pac_id=plan.group.pac_id) if group_id is None else PracticeGroup.objects.get(pk=group_id)
            )
            group.name = plan.group_name
            group.full_clean(validate_unique=False)
            group.save()
            group_id = group.id
        if not plan.location_changes:
            return group_id, None
        if plan.new_location:
            address = row.address
            location = PracticeLocation(
                surgeon_id=plan.surgeon.id,
                city=self.cities.get(name=address.city, state=address.state),
                address_line1=address_case(address.address_1),
                postal_code=address.postal_code,
                is_primary=plan.location.is_primary,
            )
        else:
            location = batch.instance(PracticeLocation, plan.location.id)
        if plan.link_group:
            location.group_id = group_id
        for name, value in plan.location_values.items():
            setattr(location, name, value)
        location.full_clean()
        location.save()
        return group_id, location

    def settle(self, plan: _Plan, batch: _Batch, group_id: int | None, written: PracticeLocation | None) -> None:
        """The row is on file: what is kept for the next rows says so, and the row claims what it named first."""
        if plan.surgeon_values is not None:
            self.seen_surgeons.add(plan.surgeon.id)
            for name, value in plan.surgeon_values.items():
                setattr(plan.surgeon, name, value)
        if plan.group_name is not None:
            plan.group.name, plan.group.id = plan.group_name, group_id
            batch.groups[plan.group.pac_id] = plan.group
            self.seen_groups.add(plan.group.pac_id)
        if plan.location is None:
            return
        location = plan.location
        if written is not None:
            location = _LocationOnFile.of(written)
            existing = batch.locations[plan.surgeon.id]
            if plan.new_location:
                existing.append(location)
                batch.relocated.add(plan.surgeon.id)
            else:
                existing[next(i for i, loc in enumerate(existing) if loc is plan.location)] = location
        self.seen_locations.add(location.id)

    def row(self, row: DacRow, batch: _Batch) -> None:
        surgeon = batch.surgeons.get(row.npi)
        if surgeon is None:  # a surgeon removed since the file was opened
            self.summary.skipped += 1
            return
        group_id = written = None
        try:
            plan = self.plan(row, surgeon, batch)
            if plan.changes:  # only a row that writes takes a savepoint
                try:
                    with transaction.atomic():
                        group_id, written = self.write(row, plan, batch)
                except ValidationError:
                    self.cities.forget()  # a city created in the savepoint is gone with it
                    batch.forget()
                    raise
        except ValidationError as exc:
            self.summary.error(row.line, f"NPI {row.npi}: {'; '.join(exc.messages)}")
            return
        self.settle(plan, batch, group_id, written)
        if plan.new_location:
            self.summary.created += 1
        elif plan.changes:
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
