"""Transaction-scoped advisory locks, so concurrent writers of the same rows take turns."""

from django.db import connection


def advisory_locks_take(namespace: int, keys: list[int]) -> None:
    """Hold a transaction-scoped lock on each key (PostgreSQL), taken in ascending order so no two writers deadlock.

    SQLite needs none: it lets one writer at a time into the database.
    """
    if connection.vendor != "postgresql" or not keys:
        return
    ordered = sorted({key % 2_147_483_647 for key in keys})
    with connection.cursor() as cursor:
        # unnest keeps the array's order, so the locks are taken in the order sorted here.
        cursor.execute("SELECT pg_advisory_xact_lock(%s, k) FROM unnest(%s::int[]) AS k", [namespace, ordered])
