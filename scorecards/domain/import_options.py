"""What an import needs besides the column mapping: units of percent columns, the file's currency, the mapping of
an enumerated column's own values to ours, and what to do with likely duplicates and unknown partners.

Pure functions and plain data; the options travel as JSON (``ImportBatch.options``, ``ImportMapping.values`` and
``.options``, the API's body) and are checked here before anything reads them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pandas as pd

from scorecards.domain.import_fields import BOOLEAN, CHOICE, KINDS, PERCENT, FieldSpec, KindSpec
from scorecards.domain.import_values import (
    ISO_CURRENCIES,
    Parsed,
    decimal_comma_column,
    distinct_texts,
    expand,
    is_blank,
    plain_number,
    split_number,
    word_key,
)

FRACTION, PERCENT_UNIT = "fraction", "percent"
UNITS = (FRACTION, PERCENT_UNIT)
UNIT_LABELS = {FRACTION: "fractions (0.6 = 60 %)", PERCENT_UNIT: "percent (60 = 60 %)"}
LINK, SKIP, KEEP_BOTH = "link", "skip", "keep"
DUPLICATE_CHOICES = (LINK, SKIP, KEEP_BOTH)
TRUE, FALSE = "true", "false"
# An enumerated column with more distinct values than this is not offered for value mapping (it is not a list).
MAX_DISTINCT_VALUES = 40


class OptionsProblem(ValueError):
    """Options that cannot be used; the message says which and why."""


@dataclass
class ImportOptions:
    """The choices beside the column mapping. Every part is optional; an empty one means "decide from the file"."""

    units: dict[str, str] = field(default_factory=dict)  # field -> fraction | percent
    currency: str = ""  # the file's currency for amounts that name none; "" = the program's
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # field -> {file value: our value}
    duplicates: str = ""  # link | skip | keep; "" = not decided yet
    new_partners: dict[str, str] = field(default_factory=dict)  # {"partner_type", "region"} when creating them
    defaults: dict[str, str] = field(default_factory=dict)  # field -> value for rows (or files) without one

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "units": self.units,
            "currency": self.currency,
            "values": self.values,
            "duplicates": self.duplicates,
            "new_partners": self.new_partners,
            "defaults": self.defaults,
        }
        return {key: value for key, value in data.items() if value}

    def saved_part(self) -> dict[str, Any]:
        """What is remembered for the next file of the same kind and source (not per-file decisions)."""
        return {key: value for key, value in (("units", self.units), ("currency", self.currency)) if value}


def options_from_json(spec: KindSpec, data: Any) -> ImportOptions:
    """Read options from JSON, refusing what does not fit the import kind (OptionsProblem says what)."""
    if data is None:
        return ImportOptions()
    if not isinstance(data, dict):
        raise OptionsProblem("Options must be an object.")
    known = {"units", "currency", "values", "duplicates", "new_partners", "defaults"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise OptionsProblem(f'Unknown option "{unknown[0]}": use {", ".join(sorted(known))}.')
    options = ImportOptions()
    units = data.get("units") or {}
    if not isinstance(units, dict):
        raise OptionsProblem('"units" must be an object: {field: "fraction" or "percent"}.')
    percent_fields = {f.name for f in spec.fields if f.type == PERCENT}
    for name, unit in units.items():
        if name not in percent_fields:
            raise OptionsProblem(
                f'"{name}" has no unit to choose (fields with one: {", ".join(sorted(percent_fields))}).'
            )
        if unit not in UNITS:
            raise OptionsProblem(f'The unit of "{name}" must be "fraction" or "percent", not "{unit}".')
        options.units[name] = unit
    currency = data.get("currency") or ""
    if currency:
        code = str(currency).strip().upper()
        if code not in ISO_CURRENCIES:
            raise OptionsProblem(f'"{currency}" is not a currency code we know (use ISO codes such as USD, EUR).')
        options.currency = code
    options.values = _values_from_json(spec, data.get("values") or {})
    duplicates = data.get("duplicates") or ""
    if duplicates and duplicates not in DUPLICATE_CHOICES:
        raise OptionsProblem(f'"duplicates" must be one of {", ".join(DUPLICATE_CHOICES)}.')
    options.duplicates = duplicates
    options.new_partners = _choices_from_json(data.get("new_partners") or {}, "new_partners", PARTNER_DEFAULTS)
    if options.new_partners and set(options.new_partners) != set(PARTNER_DEFAULTS):
        raise OptionsProblem("To create the partners a file names, choose both a type and a region for them.")
    defaults_for = {f.name: f for f in spec.fields if f.name in DEFAULTABLE.get(spec.kind, ())}
    options.defaults = _choices_from_json(data.get("defaults") or {}, "defaults", defaults_for)
    return options


def _values_from_json(spec: KindSpec, data: Any) -> dict[str, dict[str, str]]:
    if not isinstance(data, dict):
        raise OptionsProblem('"values" must be an object: {field: {"their value": "our value"}}.')
    enumerated = {f.name: f for f in spec.fields if f.type in (CHOICE, BOOLEAN)}
    out: dict[str, dict[str, str]] = {}
    for name, pairs in data.items():
        fspec = enumerated.get(name)
        if fspec is None:
            raise OptionsProblem(f'"{name}" has no values to map (fields with some: {", ".join(sorted(enumerated))}).')
        if not isinstance(pairs, dict):
            raise OptionsProblem(f'The values of "{name}" must be an object: {{"their value": "our value"}}.')
        allowed = our_values(fspec)
        mapped: dict[str, str] = {}
        for theirs, ours in pairs.items():
            value = _our_value(fspec, ours)
            if value not in allowed:
                labels = ", ".join(label for _, label in allowed_labels(fspec))
                raise OptionsProblem(f'"{ours}" is not a value of {fspec.label} (use {labels}).')
            mapped[str(theirs).strip()] = value
        out[name] = mapped
    return out


def _our_value(fspec: FieldSpec, ours: Any) -> str:
    if fspec.type == BOOLEAN:
        if isinstance(ours, bool):
            return TRUE if ours else FALSE
        return {"yes": TRUE, "no": FALSE, "1": TRUE, "0": FALSE}.get(
            str(ours).strip().lower(), str(ours).strip().lower()
        )
    return str(ours).strip()


def _choices_from_json(data: Any, label: str, fields: dict[str, FieldSpec]) -> dict[str, str]:
    if not isinstance(data, dict):
        raise OptionsProblem(f'"{label}" must be an object.')
    out = {}
    for name, value in data.items():
        fspec = fields.get(name)
        if fspec is None:
            raise OptionsProblem(f'"{label}" has no "{name}" (use {", ".join(sorted(fields))}).')
        if value in ("", None):
            continue
        if str(value) not in {v for v, _ in allowed_labels(fspec)}:
            raise OptionsProblem(
                f'"{value}" is not a {fspec.label.lower()} (use {", ".join(v for v, _ in allowed_labels(fspec))}).'
            )
        out[name] = str(value)
    return out


def our_values(fspec: FieldSpec) -> set[str]:
    return {value for value, _ in allowed_labels(fspec)}


def allowed_labels(fspec: FieldSpec) -> list[tuple[str, str]]:
    """Our values of an enumerated field with their labels, for a select."""
    if fspec.type == BOOLEAN:
        return [(TRUE, "yes"), (FALSE, "no")]
    labels = dict(fspec.labels)
    return [(value, labels.get(value, synonyms[0] if synonyms else value)) for value, synonyms in fspec.choices]


# --- units ---


@dataclass(frozen=True)
class UnitDecision:
    unit: str
    detected: str
    chosen: bool
    reason: str


def decide_unit(
    numbers: Iterable[Decimal], *, with_percent_sign: bool, decimals_written: bool, chosen: str = ""
) -> UnitDecision:
    """Read a percent column's unit from its values: a "%" anywhere means percent; every value within 0 to 1, one of
    them strictly between or written with decimals ("1.0"), means fractions; anything else percent."""
    values = list(numbers)
    if with_percent_sign:
        detected, reason = PERCENT_UNIT, 'values carry a "%" sign'
    elif values and all(0 <= v <= 1 for v in values) and (decimals_written or any(0 < v < 1 for v in values)):
        detected, reason = FRACTION, "every value lies between 0 and 1"
    elif values and all(v in (0, 1) for v in values):
        detected, reason = PERCENT_UNIT, "the values are only 0 and 1: if they mean 0 % and 100 %, choose fractions"
    else:
        detected, reason = PERCENT_UNIT, "values go above 1" if values else "no values"
    if chosen in UNITS:
        return UnitDecision(chosen, detected, True, "chosen on the import page")
    return UnitDecision(detected, detected, False, reason)


def parse_percent(column: pd.Series, fspec: FieldSpec, *, chosen: str = "") -> tuple[Parsed, UnitDecision]:
    """Parse a percent column in the unit its values show (or the one chosen): fractions are multiplied by 100.

    "60 %" is always sixty percent. A value outside the unit's range is an error (1.5 in a column of fractions,
    120 in percent), never clipped. A field kept in whole percent refuses 60.5 rather than round it; others keep
    ``decimal_places`` (rounding half up beyond them).
    """
    codes, texts = distinct_texts(column)
    split = [split_number(text) for text in texts]
    comma_column = decimal_comma_column(split)
    numbers: list[tuple[Decimal, bool] | None] = []
    errors: dict[int, str] = {}
    for index, (text, part) in enumerate(zip(texts, split, strict=True)):
        number = None
        if part is None:
            if not is_blank(text):
                errors[index] = "Not a number."
        elif (plain := plain_number(part[0], comma_column)) is None:
            errors[index] = "Not a number."
        elif part[3]:
            errors[index] = "A currency is not allowed here."
        else:
            value = Decimal(plain)
            number = (-value if part[1] else value, part[2])
        numbers.append(number)
    plain_values = [n[0] for n in numbers if n is not None and not n[1]]
    decision = decide_unit(
        plain_values,
        with_percent_sign=any(n is not None and n[1] for n in numbers),
        decimals_written=any(part is not None and ("." in part[0] or "," in part[0]) and not part[2] for part in split),
        chosen=chosen,
    )
    quantum = Decimal(1).scaleb(-fspec.decimal_places)
    values: list[Any] = []
    for index, number in enumerate(numbers):
        if number is None:
            values.append(None)
            continue
        value, signed = number
        percent = value if signed or decision.unit == PERCENT_UNIT else value * 100
        if value < 0:
            errors[index] = "Below 0: a percentage is between 0 and 100."
        elif not signed and decision.unit == FRACTION and value > 1:
            errors[index] = (
                f"Above 1 in a column of fractions (0.6 = 60 %): {value} would be {percent.normalize():f} %."
            )
        elif percent > 100:
            errors[index] = "Above 100 %."
        elif fspec.whole_percent and percent != percent.to_integral_value():
            errors[index] = (
                f"Not a whole percentage ({percent.normalize():f} %): {fspec.label.removesuffix(' %')} is kept in "
                "whole percent and nothing is rounded."
            )
        if index in errors:
            values.append(None)
        elif fspec.whole_percent:
            values.append(int(percent))
        else:
            values.append(percent.quantize(quantum, rounding=ROUND_HALF_UP))
    return expand(codes, Parsed(values, errors)), decision


# --- currencies ---

_BRACKETED = re.compile(r"[(\[{]\s*([^)\]}]{1,12}?)\s*[)\]}]")
_TRAILING_CODE = re.compile(r"(?:^|[\s_\-/])(?:in\s+)?([A-Z]{3})\s*$")
_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "US$": "USD", "CHF": "CHF"}


def currency_in_header(header: str) -> str | None:
    """The currency a column header names: "Betrag (EUR)", "Amount [€]", "Amount in GBP", "Deal value USD"."""
    for inner in _BRACKETED.findall(header):
        token = str(inner).strip()
        if token.upper() in ISO_CURRENCIES:
            return token.upper()
        if token in _SYMBOLS:
            return _SYMBOLS[token]
    match = _TRAILING_CODE.search(header.strip())
    if match and match.group(1) in ISO_CURRENCIES:
        return match.group(1)
    for symbol, code in (("€", "EUR"), ("£", "GBP"), ("¥", "JPY"), ("₹", "INR")):
        if symbol in header:
            return code
    return None


# --- value mapping ---


def fold(text: str) -> str:
    """Lower case without accents ("Gewonnen", "gagné" -> "gewonnen", "gagne"), for comparing words."""
    decomposed = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    return word_key("".join(ch for ch in decomposed if not unicodedata.combining(ch)))


# Words that, inside a value, suggest one of our values (whole words, accents ignored, in the languages CRMs export).
_STATUS_WON = ("won", "win", "gewonnen", "gagne", "gagnee", "ganado", "ganada", "vinto", "vinta", "ganho", "ganha")
_STATUS_LOST = ("lost", "loss", "verloren", "perdu", "perdue", "perdido", "perdida", "perso", "persa")
_RENEWAL_STEMS = ("renew", "verlang", "erneuer", "renouvel", "renov", "rinnov", "verleng", "prolong")
_NEW_STEMS = ("new", "neu", "nouv", "nuev", "nuov", "nieuw", "novo", "nova")
SUGGESTIONS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "registration_status": (
        ("approved", ("approv", "genehmig", "akzeptiert", "accepte", "aprob", "aprov", "goedgekeurd", "accettat")),
        ("rejected", ("reject", "declin", "denied", "abgelehnt", "rejet", "refus", "rechaz", "rifiut", "afgewezen")),
        ("pending", ("pend", "submit", "review", "ausstehend", "attente", "in attesa", "behandeling", "offen")),
    ),
    "kind": (
        ("webinar", ("webinar", "webinaire", "seminario web", "online seminar", "event", "veranstaltung")),
        ("co_sell", ("co sell", "cosell", "campaign", "kampagne", "campagne", "campana", "campagna", "campanha")),
        ("integration", ("integrat", "milestone", "meilenstein", "jalon", "hito", "traguardo", "mijlpaal", "marco")),
        ("training", ("training", "schulung", "formation", "formacion", "formazione", "opleiding", "treinamento")),
        ("certification", ("certif", "zertifi", "certific", "certifica")),
    ),
    "survey": (
        ("csat", ("csat", "customer satisfaction", "kundenzufriedenheit", "satisfaction client", "satisfaccion")),
        ("sentiment", ("sentiment", "partner satisfaction", "partnerzufriedenheit", "stimmung")),
        ("collaboration", ("collaborat", "zusammenarbeit", "colaboracion", "collaborazione", "samenwerking")),
    ),
    "respondent_type": (
        ("customer", ("customer", "client", "kunde", "cliente", "klant")),
        ("partner", ("partner", "socio", "partenaire", "parceiro")),
        ("internal", ("internal", "intern", "interne", "interno", "employee", "mitarbeiter", "vendor")),
    ),
}


def _words(text: str) -> list[str]:
    return fold(text).split()


def suggest_value(fspec: FieldSpec, text: str, *, column: list[str] | None = None) -> str | None:
    """An obvious reading of one of a column's own values ("closedwon" -> won, "Renewal" -> yes), or None."""
    folded = fold(text)
    compact = folded.replace(" ", "")
    words = folded.split()
    if fspec.name == "status":
        if compact.endswith(("won", "gewonnen")) or any(w in _STATUS_WON for w in words):
            return "won"
        if compact.endswith(("lost", "verloren")) or any(w in _STATUS_LOST for w in words):
            return "lost"
        return None
    if fspec.name == "is_renewal":
        if any(stem in compact for stem in _RENEWAL_STEMS):
            return TRUE
        others = column or []
        renewal_column = any(any(stem in fold(v).replace(" ", "") for stem in _RENEWAL_STEMS) for v in others)
        if any(w.startswith(_NEW_STEMS) for w in words) or renewal_column:
            return FALSE  # "New Business"; or, in a column that names renewals, anything else is not one
        return None
    for value, stems in SUGGESTIONS.get(fspec.name, ()):
        if any(stem in folded or stem.replace(" ", "") in compact for stem in stems):
            return value
    for value, label in allowed_labels(fspec):
        if fold(label) == folded or fold(value) == folded:
            return value
    return None


@dataclass(frozen=True)
class ValueReading:
    """How one of an enumerated column's own values is read: chosen on the page (or saved from the last import of
    the source), known (one of our words for it), suggested (an obvious match), derived (a stage that names no
    outcome is open), or unread (None: its rows are errors until it is mapped)."""

    value: str
    rows: int
    ours: str | None
    how: str

    def as_json(self) -> dict[str, Any]:
        return {"value": self.value, "rows": self.rows, "ours": self.ours, "how": self.how}


CHOSEN, KNOWN, SUGGESTED, DERIVED = "chosen", "known", "suggested", "derived"


def read_values(
    fspec: FieldSpec,
    counts: list[tuple[str, int]],
    *,
    chosen: dict[str, str],
    known: dict[str, str],
    otherwise: str | None = None,
) -> list[ValueReading]:
    """Read each distinct value of an enumerated column: ``chosen`` (their value -> ours, compared without case and
    accents) first, then ``known`` (word_key -> ours), then an obvious suggestion, then ``otherwise``."""
    chosen_by_key = {fold(theirs): ours for theirs, ours in chosen.items()}
    texts = [text for text, _ in counts]
    readings = []
    for text, rows in counts:
        if (ours := chosen_by_key.get(fold(text))) is not None:
            how = CHOSEN
        elif (ours := known.get(word_key(text))) is not None:
            how = KNOWN
        elif (ours := suggest_value(fspec, text, column=texts)) is not None:
            how = SUGGESTED
        elif otherwise is not None:
            ours, how = otherwise, DERIVED
        else:
            how = ""
        readings.append(ValueReading(text, rows, ours, how))
    return readings


def applied_values(readings: list[ValueReading]) -> dict[str, str]:
    """The readings a parser must be told about (word_key -> ours): all but those it knows already."""
    return {word_key(r.value): r.ours for r in readings if r.ours is not None and r.how != KNOWN}


def remembered_values(readings: list[ValueReading]) -> dict[str, str]:
    """What to save for the source's next file: every reading that is not one of our own words."""
    return {r.value: r.ours for r in readings if r.ours is not None and r.how != KNOWN}


# --- defaults for required enumerated fields (partners) and for partners created from a deals file ---

# A partner needs a type and a region: a deals file naming unknown partners creates them with one of each chosen
# on the page, and a partners file may give one of each for every new partner without its own.
PARTNER_DEFAULTS: dict[str, FieldSpec] = {name: KINDS["partners"].spec(name) for name in ("partner_type", "region")}
DEFAULTABLE: dict[str, tuple[str, ...]] = {"partners": ("partner_type", "region")}
