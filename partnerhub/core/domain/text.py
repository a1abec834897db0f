"""Text the database can store: PostgreSQL refuses the NUL character (``\\x00``) in any text column.

Every text input is checked once, at the edge: the request middleware (query strings, form fields, JSON bodies)
and the import reader (cells of an uploaded file) both ask ``nul_position`` and refuse with ``NUL_MESSAGE``.
Nothing strips it silently: a value is stored as it was given or not at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

NUL = "\x00"
NUL_MESSAGE = (
    "Text may not contain the NUL character (\\0, often left by a binary file or a broken export): "
    "remove it and try again."
)


def nul_position(text: str) -> int | None:
    """Where the first NUL character of ``text`` is, or None when there is none."""
    position = text.find(NUL)
    return None if position < 0 else position


def first_nul_path(value: Any, path: str = "") -> str | None:
    """The path (``a.b[2]``) of the first string holding a NUL in a JSON-like value (keys count too), or None."""
    for where, text in _strings(value, path):
        if NUL in text:
            return where or "(body)"
    return None


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            yield where, str(key)
            yield from _strings(item, where)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}[{index}]")
