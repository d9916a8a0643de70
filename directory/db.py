"""Database housekeeping shared by the bulk writers."""

from django.db import connection


def statistics_refresh(*models) -> None:
    """ANALYZE the models' tables on PostgreSQL after a bulk load.

    Without fresh statistics the planner may take a 100,000-row table for an empty one and scan it whole for
    every `surgeon_id IN (...)` lookup; autovacuum would catch up only minutes later.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
