"""Their headers to our fields: check a given mapping, and suggest one from header similarity and CRM synonyms."""

from __future__ import annotations

import re
import unicodedata

from scorecards.domain.import_fields import KindSpec

EXACT, TYPO, CONTAINED, FALLBACK = 1.0, 0.8, 0.7, 0.6


def header_key(text: str) -> str:
    """How headers are compared: letters and digits only, lower case, accents dropped ("Close Date" and
    "close_date" are equal; so are "Währung" and "wahrung", "Date de clôture" and "datedecloture")."""
    decomposed = unicodedata.normalize("NFKD", text.replace("ß", "ss").replace("ẞ", "SS"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[^0-9a-z]+", "", plain.lower())


def typo_distance(a: str, b: str) -> int:
    """Edits (insert, delete, replace, swap two neighbours) that turn ``a`` into ``b``: optimal string alignment."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[len(b)]


def _score(key: str, names: set[str], fallbacks: set[str]) -> float:
    if key in names:
        return EXACT
    if key in fallbacks:
        return FALLBACK
    best = 0.0
    for name in names:
        # A typo: one edit in a short name, two in a longer one ("Parnter", "Activty Type", "Titel").
        allowed = 1 if len(name) <= 7 else 2
        if abs(len(name) - len(key)) <= allowed and typo_distance(key, name) <= allowed:
            best = max(best, TYPO)
        # A known name inside a longer header ("Amount (converted)", "Expected Close Date"): the more it covers,
        # the better, and never as good as an exact name.
        elif len(name) >= 5 and name in key:
            best = max(best, CONTAINED * len(name) / len(key))
    return best


def suggest_mapping(spec: KindSpec, headers: list[str]) -> dict[str, str]:
    """Map each field to the header that names it best: exact names and CRM synonyms, then typos, then headers
    that contain a known name; each header is used once, best matches first."""
    candidates: list[tuple[float, int, int, str, str]] = []
    for order, fspec in enumerate(spec.fields):
        names = {header_key(n) for n in (fspec.name, fspec.label, *fspec.synonyms)} - {""}
        fallbacks = {header_key(n) for n in fspec.fallback_synonyms} - {""}
        for position, header in enumerate(headers):
            key = header_key(header)
            score = _score(key, names, fallbacks) if key else 0.0
            if score:
                candidates.append((score, -order, -position, fspec.name, header))
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for _rank, _order, _position, name, header in sorted(candidates, reverse=True):
        if name not in mapping and header not in used:
            mapping[name] = header
            used.add(header)
    return {f.name: mapping[f.name] for f in spec.fields if f.name in mapping}


def saved_mapping_fits(columns: dict[str, str], spec: KindSpec, headers: list[str]) -> bool:
    """A saved mapping is reused when every header it names is in the file and it covers the required fields."""
    present = set(headers)
    known = set(spec.names)
    return (
        bool(columns)
        and all(name in known and header in present for name, header in columns.items())
        and all(f.name in columns for f in spec.fields if f.required)
    )


def check_mapping(spec: KindSpec, headers: list[str], mapping: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """The usable part of ``mapping`` and the file-level problems with it (unknown fields or headers, gaps)."""
    present = set(headers)
    known = set(spec.names)
    usable: dict[str, str] = {}
    problems: list[str] = []
    for name, header in mapping.items():
        if not header:
            continue
        if name not in known:
            problems.append(f'"{name}" is not a field of this import (fields: {", ".join(spec.names)}).')
        elif header not in present:
            problems.append(f'Column "{header}" (chosen for {spec.spec(name).label}) is not in the file.')
        else:
            usable[name] = header
    problems.extend(
        f'Required column "{fspec.label}" is missing: no column of the file is mapped to it.'
        for fspec in spec.fields
        if fspec.required and fspec.name not in usable
    )
    return {f.name: usable[f.name] for f in spec.fields if f.name in usable}, problems
