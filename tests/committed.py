"""Data a module commits for all its tests (the seeded demo, the every-page walk's program), emptied afterwards: the
tables it filled are truncated, and the tables that held rows before (content types, permissions) are left as they
were, so the tests after it on the same database see the database as pytest-django leaves it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


def tables_with_rows() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        tables = [row[0] for row in cursor.fetchall()]
        filled = set()
        for table in tables:
            cursor.execute(f'SELECT EXISTS (SELECT 1 FROM "{table}")')
            if cursor.fetchone()[0]:
                filled.add(table)
    return filled


@contextmanager
def emptied_afterwards() -> Iterator[None]:
    """Run the block, then truncate every table that was empty before it and holds rows now."""
    filled_before = tables_with_rows()
    try:
        yield
    finally:
        seeded = sorted(tables_with_rows() - filled_before)
        if seeded:
            with connection.cursor() as cursor:
                cursor.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in seeded) + " CASCADE")
