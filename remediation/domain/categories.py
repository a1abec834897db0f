"""Cause categories and root-cause notes: the built-in six, the fishbone's branches, and the rules of both."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

# The causes the practice names (seeds/002): capability gaps, misaligned incentives, go-to-market messaging,
# enablement resources, channel conflict; plus data quality, which hides the others. Admins add their own.
BUILTIN_CATEGORIES: Final[dict[str, str]] = {
    "capability_gap": "Capability gap",
    "misaligned_incentives": "Misaligned incentives",
    "gtm_messaging": "Go-to-market messaging",
    "enablement": "Enablement resources",
    "channel_conflict": "Channel conflict",
    "data_quality": "Data quality",
}
UNDIAGNOSED: Final = "Not diagnosed yet"

# A fishbone's branches for a partner's performance: where a cause can sit.
FISHBONE_BRANCHES: Final[dict[str, str]] = {
    "people": "People and skills",
    "process": "Process",
    "product": "Product and offer",
    "incentives": "Incentives and terms",
    "market": "Market and competition",
    "data": "Data and systems",
}
MAX_WHYS: Final = 5
MAX_CAUSE_CHARS: Final = 500


def category_label(key: str, custom: Mapping[str, str] | None = None) -> str:
    """The name of a category key: built-in, one of the program's own, or the key itself (a retired one)."""
    if not key:
        return UNDIAGNOSED
    return BUILTIN_CATEGORIES.get(key) or (custom or {}).get(key) or key.replace("_", " ").capitalize()


def root_cause_clean(method: str, raw: Any) -> tuple[dict[str, Any], list[str]]:
    """The root-cause notes in their stored shape, and the problems found (empty when they are fine).

    - five whys: ``{"whys": [...]}``, one to five answers, each a line of at most 500 characters; blanks dropped;
    - fishbone: ``{"branches": {branch: [cause, ...]}}`` over ``FISHBONE_BRANCHES``, empty branches dropped;
    - notes: ``{}`` (the finding's free notes say it all).
    """
    problems: list[str] = []
    if method == "notes":
        return {}, problems
    if method == "five_whys":
        whys = [str(w).strip() for w in (raw.get("whys", []) if isinstance(raw, Mapping) else raw or [])]
        whys = [w for w in whys if w]
        if len(whys) > MAX_WHYS:
            problems.append(f"Five whys means at most {MAX_WHYS} answers; there are {len(whys)}.")
        problems += [
            f"Why {i} is longer than {MAX_CAUSE_CHARS} characters."
            for i, w in enumerate(whys, 1)
            if len(w) > MAX_CAUSE_CHARS
        ]
        return {"whys": whys}, problems
    if method == "fishbone":
        branches_in = raw.get("branches", raw) if isinstance(raw, Mapping) else {}
        branches: dict[str, list[str]] = {}
        for key, causes in (branches_in or {}).items():
            if key not in FISHBONE_BRANCHES:
                problems.append(f"{key!r} is not a fishbone branch; use {', '.join(FISHBONE_BRANCHES)}.")
                continue
            items = causes.splitlines() if isinstance(causes, str) else list(causes or [])
            kept = [str(c).strip() for c in items if str(c).strip()]
            problems += [
                f"A cause under {FISHBONE_BRANCHES[key]} is longer than {MAX_CAUSE_CHARS} characters."
                for c in kept
                if len(c) > MAX_CAUSE_CHARS
            ]
            if kept:
                branches[key] = kept
        return {"branches": branches}, problems
    return {}, [f"Unknown root-cause method {method!r}."]
