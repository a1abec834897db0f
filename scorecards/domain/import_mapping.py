"""Their headers to our fields: check a given mapping, and suggest one from header similarity and CRM synonyms."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

import pandas as pd

from scorecards.domain import import_values as norm
from scorecards.domain.import_fields import (
    BOOLEAN,
    CHOICE,
    DATE,
    DECIMAL,
    INTEGER,
    METRIC,
    MONTH,
    PARTNER,
    PERCENT,
    FieldSpec,
    KindSpec,
)
from scorecards.domain.import_values import word_key

EXACT, TYPO, CONTAINED, FALLBACK, CONTENT = 1.0, 0.8, 0.7, 0.6, 0.5
SAMPLE_ROWS = 200  # values per column looked at when matching on content
FITS = 0.8  # share of a column's values that must fit a field for its content alone to choose it
# Header stems (accents folded) that tell which date a column of dates is, in the languages of the synonyms.
DATE_STEMS: dict[str, tuple[str, ...]] = {
    "created_on": ("creat", "erstell", "angelegt", "anlage", "cree", "crea", "aangemaakt", "gemaakt", "criad", "open"),
    "close_date": ("clos", "schlie", "schluss", "abschl", "clotur", "cierr", "chius", "slui", "afsl", "fech", "encerr"),
    "registered_on": ("regist", "enregistr"),
    "registration_expires_on": ("expir", "ablauf", "gultig", "venc", "scad", "verv", "verloop"),
}


@dataclass(frozen=True)
class ColumnProfile:
    """What a column's first values look like: shares of dates, numbers, amounts naming a currency, known partner
    and metric names, and how many distinct values it has."""

    filled: int
    dates: float = 0.0
    months: float = 0.0
    numbers: float = 0.0
    amounts: float = 0.0
    partners: float = 0.0
    metrics: float = 0.0
    distinct: int = 0
    values: tuple[str, ...] = ()  # the distinct values when there are few (for enumerated fields)
    within_0_100: bool = False


def profile_columns(
    frame: pd.DataFrame, *, today: date, partner_keys: set[str], metric_keys: set[str]
) -> dict[str, ColumnProfile]:
    """Profile each column of ``frame`` from its first non-empty values (see ColumnProfile); keys are casefolded."""
    profiles: dict[str, ColumnProfile] = {}
    for header in frame.columns:
        column = norm.clean(frame[header].head(SAMPLE_ROWS))
        column = column[(column != "") & ~norm.blank(column)]
        n = len(column)
        if not n:
            profiles[str(header)] = ColumnProfile(filled=0)
            continue
        order = norm.detect_date_order([column])
        dates = norm.parse_dates(column, order=order, today=today)
        months = norm.parse_dates(column, order=order, today=today, month=True)
        numbers = norm.parse_number(column, decimal_places=4, max_digits=30)
        parsed = [v for v in numbers.values if v is not None]
        keys = [" ".join(text.split()).casefold() for text in column.tolist()]
        distinct = sorted(set(column.tolist()))
        profiles[str(header)] = ColumnProfile(
            filled=n,
            dates=sum(1 for v in dates.values if v is not None) / n,
            months=sum(1 for v in months.values if v is not None) / n,
            numbers=len(parsed) / n,
            amounts=sum(1 for c in (numbers.currencies or []) if c) / n,
            partners=sum(1 for k in keys if k in partner_keys) / n,
            metrics=sum(1 for k in keys if k in metric_keys) / n,
            distinct=len(distinct),
            values=tuple(distinct) if len(distinct) <= 40 else (),
            within_0_100=bool(parsed) and all(0 <= v <= 100 for v in parsed),
        )
    return profiles


def _fits(fspec: FieldSpec, profile: ColumnProfile | None) -> bool:
    """Whether a column's content can hold the field: a date field needs dates, a number field numbers."""
    if profile is None or not profile.filled:
        return True
    if fspec.type == DATE:
        return profile.dates >= 0.5
    if fspec.type == MONTH:
        return profile.months >= 0.5
    if fspec.type in (DECIMAL, INTEGER, PERCENT):
        return profile.numbers >= 0.5
    return True


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


def suggest_mapping(
    spec: KindSpec, headers: list[str], profiles: dict[str, ColumnProfile] | None = None
) -> dict[str, str]:
    """Map each field to the header that names it best: exact names and CRM synonyms (in several languages), then
    typos, then headers that contain a known name; each header is used once, best matches first. With
    ``profiles``, a header whose values cannot hold the field is passed over (a date field needs dates), and
    fields still unmapped are matched on content: a column of known partner names, of metric names, of a choice
    field's words, of dates under a header like "created", of amounts naming a currency."""
    profiles = profiles or {}
    candidates: list[tuple[float, int, int, str, str]] = []
    for order, fspec in enumerate(spec.fields):
        names = {header_key(n) for n in (fspec.name, fspec.label, *fspec.synonyms)} - {""}
        fallbacks = {header_key(n) for n in fspec.fallback_synonyms} - {""}
        for position, header in enumerate(headers):
            key = header_key(header)
            score = _score(key, names, fallbacks) if key else 0.0
            if score and _fits(fspec, profiles.get(header)):
                candidates.append((score, -order, -position, fspec.name, header))
    for order, fspec in enumerate(spec.fields):
        for position, header in enumerate(headers):
            profile = profiles.get(header)
            if profile is not None and (score := _content_score(fspec, header, profile)):
                candidates.append((score, -order, -position, fspec.name, header))
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for _rank, _order, _position, name, header in sorted(candidates, reverse=True):
        if name not in mapping and header not in used:
            mapping[name] = header
            used.add(header)
    return {f.name: mapping[f.name] for f in spec.fields if f.name in mapping}


def _content_score(fspec: FieldSpec, header: str, profile: ColumnProfile) -> float:
    """How well a column's values alone say it holds ``fspec`` (0: not at all); always below a header match."""
    if not profile.filled:
        return 0.0
    if fspec.type == PARTNER:
        return CONTENT if profile.partners >= FITS else 0.0
    if fspec.type == METRIC:
        return CONTENT if profile.metrics >= FITS else 0.0
    if fspec.type in (CHOICE, BOOLEAN) and profile.values and _is_list_of_values(profile):
        return CONTENT if _choice_share(fspec, profile.values) >= FITS else 0.0
    if fspec.type in (DATE, MONTH) and profile.dates >= FITS:
        key = fold_key(header)
        return CONTENT if any(stem in key for stem in DATE_STEMS.get(fspec.name, ())) else 0.0
    if fspec.type == DECIMAL and fspec.name == "amount" and profile.amounts >= FITS:
        return CONTENT
    return 0.0


def _is_list_of_values(profile: ColumnProfile) -> bool:
    """A column of a few values that repeat (a type, a status), not of names that happen to contain a word."""
    return profile.distinct <= 12 and profile.distinct * 2 <= profile.filled


def _choice_share(fspec: FieldSpec, values: tuple[str, ...]) -> float:
    """The share of a column's distinct values that read as one of the field's values (our words or obvious)."""
    from scorecards.domain.import_options import suggest_value  # the options module builds on this one

    words = {word_key(w) for value, synonyms in fspec.choices for w in (value, *synonyms)}
    if fspec.type == BOOLEAN:
        hits = [suggest_value(fspec, v, column=list(values)) is not None for v in values]
        # Yes/no words alone say little (a column of "1"/"0" could be anything): a yes/no field needs a word of its own
        # among the values ("Renewal").
        named = any(suggest_value(fspec, v) == "true" and len(v.split()) <= 3 for v in values)
        return sum(hits) / len(values) if named else 0.0
    hits = [word_key(v) in words or suggest_value(fspec, v) is not None for v in values]
    return sum(hits) / len(values)


def fold_key(text: str) -> str:
    """Lower case, accents folded, letters only: where stems are looked for."""
    return header_key(text)


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
