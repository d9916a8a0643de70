"""Deterministic demo data: cities, surgeons, their credentials on file, a demo OIG LEIE file and the other demo
source files (CMS Doctors and Clinicians, CMS Medicare by provider and service, NPPES Deactivated NPI Report).

Seeding replaces, in one transaction, everything a previous seed made: every city and surgeon with their
locations, practice groups, credentials, volumes and scores, and the verification data hanging off them (runs,
results, review decisions, ranking snapshots, exclusion records). Users, partners and schedules are kept.

The demo follows the sources' rules: a practice is named only where its (demo) group is, phones are E.164, general
orthopaedic surgeons are spine surgeons only where Medicare volume or a reviewer shows spine practice, some NPIs are
deactivated. The demo files say exactly what was seeded, so importing any of them changes nothing.

About 60% of surgeons meet every criterion; the rest each carry one defect (sometimes two) from DEFECTS,
dealt in a fixed rotation so that even a small seed fails every check in every way it can fail.
"""

import csv
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from bulksql.statistics import statistics_refresh
from directory.models import (
    BoardCertification,
    City,
    DEARegistration,
    DisciplinaryAction,
    MalpracticePolicy,
    PracticeGroup,
    PracticeLocation,
    ProcedureVolume,
    SatisfactionScore,
    StateControlledSubstanceRegistration,
    StateLicense,
    Surgeon,
)

from .files import DemoFiles
from .people import Seeder
from .plan import Planned
from .tables import insert_rows, wipe
from .vocabulary import (
    CHUNK_SURGEONS,
    LEIE_HEADER,
    LEIE_UNRELATED_ROWS,
    MAX_CITIES,
    UNRELATED_DEACTIVATIONS,
)

Progress = Callable[[int], object]


@dataclass(frozen=True)
class DemoSeedSummary:
    surgeons: int
    cities: int
    locations: int
    credentials: int
    procedure_volumes: int
    satisfaction_scores: int
    leie_rows: int = 0
    leie_path: Path | None = None
    files_dir: Path | None = None
    cms_year: int | None = None

    def line(self) -> str:
        leie = f"{self.leie_rows:,} LEIE rows → {self.leie_path}" if self.leie_path else "no LEIE file"
        files = f"; DAC, CMS {self.cms_year} and deactivation files → {self.files_dir}" if self.files_dir else ""
        return (
            f"Seeded {self.surgeons:,} surgeons in {self.cities:,} cities "
            f"({self.credentials:,} credentials, {leie}{files})."
        )


WRITE_ORDER = [
    Surgeon, PracticeGroup, PracticeLocation, StateLicense, DisciplinaryAction, BoardCertification, DEARegistration,
    StateControlledSubstanceRegistration, MalpracticePolicy, ProcedureVolume, SatisfactionScore,
]  # fmt: skip
CREDENTIALS = (
    StateLicense, DisciplinaryAction, BoardCertification, DEARegistration, StateControlledSubstanceRegistration,
    MalpracticePolicy,
)  # fmt: skip


def _write(planned: list[Planned], counts: dict[type, int]) -> None:
    for model in WRITE_ORDER:
        rows = [p.surgeon for p in planned] if model is Surgeon else [r for p in planned for r in p.rows.get(model, ())]
        insert_rows(model, rows)
        counts[model] = counts.get(model, 0) + len(rows)


def _write_leie(rows: list[list[str]], path: Path) -> None:
    """The LEIE full-file layout, sorted as OIG sorts it; written beside the target, then moved into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(LEIE_HEADER)
        writer.writerows(sorted(rows, key=lambda row: (row[0], row[1], row[3], row[7])))
    os.replace(partial, path)


def _progress_callable(progress) -> Progress | None:
    if progress is None or callable(progress):
        return progress
    return progress.update


def demo_data_seed(
    *,
    surgeons: int = 400,
    cities: int = 14,
    seed: int = 7,
    today: date | None = None,
    progress: Progress | object | None = None,
    leie_path: str | os.PathLike | None = None,
    files_dir: str | os.PathLike | None = None,
) -> DemoSeedSummary:
    """Replace the directory with deterministic demo data; optionally write a matching demo LEIE file and the other
    demo source files (in `files_dir`)."""
    if surgeons < 1:
        raise ValueError("surgeons must be at least 1")
    if not 1 <= cities <= MAX_CITIES:
        raise ValueError(f"cities must be between 1 and {MAX_CITIES}")
    today = today or timezone.localdate()
    report = _progress_callable(progress)
    seeder = Seeder(seed=seed, today=today, with_leie=leie_path is not None)
    counts: dict[type, int] = {}
    files = DemoFiles(Path(files_dir), cms_year=today.year - 2) if files_dir is not None else None
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # foreign keys checked while rows stream in, not all at commit
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        wipe()
        insert_rows(City, [info.row for info in seeder.cities(cities)])
        for start in range(0, surgeons, CHUNK_SURGEONS):
            size = min(CHUNK_SURGEONS, surgeons - start)
            planned = [seeder.surgeon() for _ in range(size)]
            _write(planned, counts)
            if files:
                files.add(planned)
            if report:
                report(size)
        if leie_path is not None:
            seeder.unrelated_leie_rows(LEIE_UNRELATED_ROWS)
            _write_leie(seeder.leie_rows, Path(leie_path))
        if files:
            files.close(seeder.deactivated, [seeder.npi() for _ in range(UNRELATED_DEACTIVATIONS)])
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # back to Django's default for the rest of a caller's transaction
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    statistics_refresh(City, *WRITE_ORDER)
    return DemoSeedSummary(
        surgeons=surgeons,
        cities=cities,
        locations=counts[PracticeLocation],
        credentials=sum(counts.get(model, 0) for model in CREDENTIALS),
        procedure_volumes=counts.get(ProcedureVolume, 0),
        satisfaction_scores=counts.get(SatisfactionScore, 0),
        leie_rows=len(seeder.leie_rows) if leie_path is not None else 0,
        leie_path=Path(leie_path) if leie_path is not None else None,
        files_dir=Path(files_dir) if files_dir is not None else None,
        cms_year=today.year - 2,
    )
