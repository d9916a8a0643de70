"""Updating one column of many rows in one statement."""

from django.db import connection
from django.utils import timezone


def column_update_by_id(model, field: str, values: dict[int, object]) -> None:
    """Set one column to a value per row id, stamping auto_now fields: one statement on PostgreSQL.

    Django's bulk_update writes a CASE with one branch per row, which PostgreSQL plans slowly for thousands.
    """
    if not values:
        return
    now = timezone.now()
    stamped = [f for f in model._meta.concrete_fields if getattr(f, "auto_now", False)]
    if connection.vendor != "postgresql":
        rows = [model(pk=pk, **{field: value}, **{f.attname: now for f in stamped}) for pk, value in values.items()]
        model.objects.bulk_update(rows, [field, *(f.name for f in stamped)], batch_size=1000)
        return
    quote = connection.ops.quote_name
    target, pk = model._meta.get_field(field), model._meta.pk
    assignments = [f"{quote(target.column)} = v.value", *(f"{quote(f.column)} = %s" for f in stamped)]
    # Table, column and type names come from the model, never from input.
    sql = (
        f"UPDATE {quote(model._meta.db_table)} AS t SET {', '.join(assignments)} "  # noqa: S608
        f"FROM (SELECT unnest(%s::{pk.db_type(connection)}[]) AS id, "
        f"unnest(%s::{target.db_type(connection)}[]) AS value) AS v WHERE t.{quote(pk.column)} = v.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*(now for _ in stamped), list(values), list(values.values())])
