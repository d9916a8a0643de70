"""Planner statistics after a bulk load."""

from django.db import connection, transaction


def statistics_refresh(*models, fields: tuple[str, ...] = (), target: int | None = None) -> None:
    """ANALYZE the models' tables on PostgreSQL after a bulk load; only `fields` if given (the ones queries filter on).

    Without fresh statistics the planner may take a 100,000-row table for an empty one and scan it whole for
    every `surgeon_id IN (...)` lookup; autovacuum would catch up only minutes later. A `target` below the
    default (100) samples fewer rows (300 per unit): enough where queries only look up keys through an index.
    """
    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        if target:
            cursor.execute("SET LOCAL default_statistics_target = %s", [target])
        for model in models:
            columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
            cursor.execute(f"ANALYZE {quote(model._meta.db_table)}" + (f" ({columns})" if columns else ""))
