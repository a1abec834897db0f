"""A database id read from text, one way everywhere: ASCII digits from 1 to the largest bigint, else nothing.

``str.isdigit()`` is true for '①' and '²', which ``int()`` refuses; this never raises.
"""

from __future__ import annotations

import re

ID_MAX = 2**63 - 1
_DIGITS = re.compile(r"[0-9]{1,19}")


def parse_id(raw: object) -> int | None:
    """``raw`` as an id (an int, or text of ASCII digits within 1..ID_MAX); None for anything else."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if 1 <= raw <= ID_MAX else None
    if not isinstance(raw, str) or not _DIGITS.fullmatch(raw):
        return None
    value = int(raw)
    return value if 1 <= value <= ID_MAX else None
