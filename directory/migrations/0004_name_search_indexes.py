"""Trigram indexes for name search on PostgreSQL; SQLite uses plain scans (the embedded default is small)."""

from django.db import migrations

INDEXES = {
    "directory_surgeon_last_name_trgm": "last_name",
    "directory_surgeon_first_name_trgm": "first_name",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {name} ON directory_surgeon USING gin (UPPER("{column}"::text) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("directory", "0003_consultation_requests")]
    operations = [migrations.RunPython(create, drop)]
