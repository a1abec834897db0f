"""Switch Django's connection to the owner role for migrations (the app role may not change the schema)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connections


@contextmanager
def as_owner(using: str = "default") -> Iterator[None]:
    conn = connections[using]
    owner = settings.DATABASE_OWNER
    saved = {key: conn.settings_dict.get(key, "") for key in ("USER", "PASSWORD")}
    if saved["USER"] == owner["USER"]:
        yield
        return
    conn.close()
    conn.settings_dict.update(owner)
    try:
        yield
    finally:
        conn.close()
        conn.settings_dict.update(saved)
