"""Writing demo rows fast: TRUNCATE/DELETE the previous seed, reserve ids, COPY (PostgreSQL) or executemany."""

import operator

from django.db import connection

from bulksql.insert import column_defaults
from directory import models as directory
from verification import models as verification

from .plan import Row

# Children first: what a previous seed created in both apps (users, partners and schedules are kept).
SEEDED = [
    verification.CityListPointer, verification.RankingEntry.results.through, verification.RankingEntry,
    verification.RenderedList,
    verification.RankingSnapshot, verification.ReviewDecision, verification.CheckResult,
    verification.VerificationBatch, verification.VerificationRun, verification.ExclusionRecord,
    verification.ExclusionListImport, verification.SourceDiscrepancy,
    directory.EvidenceDocument, directory.ConsultationRequest, directory.DisciplinaryAction, directory.StateLicense,
    directory.BoardCertification, directory.DEARegistration, directory.StateControlledSubstanceRegistration,
    directory.MalpracticePolicy, directory.ProcedureVolume, directory.SatisfactionScore, directory.SurveyResponse,
    directory.PracticeLocation, directory.PracticeGroup, directory.Surgeon, directory.City,
]  # fmt: skip


def wipe() -> None:
    """Delete what a previous seed created, children first, with plain DELETEs (no per-row signals)."""
    tables = [connection.ops.quote_name(model._meta.db_table) for model in SEEDED]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One TRUNCATE skips a foreign-key check per deleted row, and fails loudly if a table we do not
            # list still refers to one of these.
            cursor.execute(f"TRUNCATE {', '.join(tables)}")
            return
        for table in tables:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - names come from the models


# Rows are written with COPY on PostgreSQL and executemany elsewhere, like the LEIE importer: bulk_create
# spends ~70 µs a row building model instances and SQL, which made 100k surgeons (1.2M rows) take minutes.
# Either way django-simple-history sees nothing: seeded rows start without history, nobody edited them.


def _reserve_ids(model: type, count: int) -> int:
    """The first of `count` fresh primary keys for `model`; never reuses an id an earlier seed had."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), nextval(pg_get_serial_sequence(%s, 'id')) + %s)",
                [table, table, count - 1],
            )
            return cursor.fetchone()[0] - count + 1
        cursor.execute(f"SELECT MAX(id) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        highest = cursor.fetchone()[0] or 0
        if connection.vendor == "sqlite":  # AUTOINCREMENT remembers deleted ids here
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            remembered = cursor.fetchone()
            highest = max(highest, remembered[0] if remembered else 0)
        return highest + 1


def _column_values(model: type, rows: list[Row]) -> list[tuple]:
    """Each row as a tuple in column order: a parent row as its id, an unset field as its default."""
    fields = model._meta.concrete_fields
    defaults = column_defaults(fields)
    parents = [(f.name, f.attname) for f in fields if f.is_relation]
    in_order = operator.itemgetter(*(f.attname for f in fields))
    values = []
    for row in rows:
        for name, attname in parents:
            if name in row:  # an optional parent the demo does not set stays empty
                row[attname] = row[name]["id"]
        values.append(in_order({**defaults, **row}))
    return values


def insert_rows(model: type, rows: list[Row]) -> None:
    """Give each row a fresh id and write them all in one statement stream."""
    if not rows:
        return
    first = _reserve_ids(model, len(rows))
    for offset, row in enumerate(rows):
        row["id"] = first + offset
    values = _column_values(model, rows)
    fields = model._meta.concrete_fields
    quote = connection.ops.quote_name
    table, names = quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for value in values:
                    copy.write_row(value)
            return
        prepared = [
            tuple(f.get_db_prep_save(v, connection) for f, v in zip(fields, row, strict=True)) for row in values
        ]
        placeholders = ", ".join(["%s"] * len(fields))
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", prepared)  # noqa: S608
