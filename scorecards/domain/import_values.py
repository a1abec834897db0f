"""Column-wise value parsing: every function takes a column of strings and returns Python values plus row errors.

A column is factorised first (``pd.factorize``): each distinct text is parsed once and the result is spread back
over the rows with numpy indexing, so a date, stage or partner repeated on 100,000 rows costs one parse. Dates are
parsed with pandas string extraction over the distinct texts; numbers with one compiled pattern per distinct text.

Conventions: a cell that is empty (or, for typed columns, "n/a", "null", "-"…) is ``None``; whether it may be
empty is the engine's business. ``errors`` maps a row position (0-based) to a reason for the user.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pandas as pd

from partnerhub.core.domain.currencies import CURRENCY_CODES

EMPTY_MARKERS = ("", "n/a", "na", "#n/a", "null", "none", "nil", "-", "--", "\u2014", "\u2013", "nan")
FUTURE_LIMIT = timedelta(days=365)
EARLIEST_YEAR = 1900

CURRENCY_SYMBOLS = {
    "$": "USD",
    "US$": "USD",
    "€": "EUR",
    "£": "GBP",
    "¥": "JPY",
    "₹": "INR",
    "C$": "CAD",
    "CA$": "CAD",
    "A$": "AUD",
    "AU$": "AUD",
    "NZ$": "NZD",
    "R$": "BRL",
    "S$": "SGD",
    "HK$": "HKD",
    "MX$": "MXN",
}
CURRENCY_NAMES = {
    "dollar": "USD",
    "us dollar": "USD",
    "usd": "USD",
    "euro": "EUR",
    "euros": "EUR",
    "pound": "GBP",
    "pound sterling": "GBP",
    "yen": "JPY",
}
ISO_CURRENCIES = frozenset(CURRENCY_CODES)
MINUS_SIGNS = ["-", "\u2212"]

_AMOUNT = re.compile(
    r"^(?P<open>\()?\s*(?P<sign>[-+\u2212])?\s*"
    r"(?P<pre>[A-Za-z]{0,3}\$|[€£¥₹]|[A-Za-z]{3})?\s*(?P<sign2>[-+\u2212])?\s*"
    r"(?P<body>[.,]?\d[\d.,'\u2019 \u00a0\u202f]*)"  # greedy: trailing spaces are removed with the others
    r"(?P<post>%|[€£¥₹$]|[A-Za-z]{3})?\s*(?P<close>\))?\s*(?P<sign3>-)?$"
)
_SPACES_RE = re.compile(r"['\u2019 \u00a0\u202f]")
_AMBIGUOUS_COMMA = re.compile(r"\d{1,3},\d{3}")
_AMBIGUOUS_DOT = re.compile(r"\d{1,3}\.\d{3}")
_COMMA_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d*)?")
_DOT_GROUPED = re.compile(r"\d{1,3}(?:\.\d{3})*(?:,\d*)?")
_DOT_GROUPS_ONLY = re.compile(r"\d{1,3}(?:\.\d{3})+")
_PLAIN = re.compile(r"\d+(?:\.\d*)?|\.\d+")
_SIMPLE = re.compile(r"-?\d+(?:\.\d+)?")

_TIME_SUFFIX = (
    r"(?:[T ,]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[AaPp]\.?[Mm]\.?)?\s*(?:Z|[+-]\d{2}:?\d{2}|UTC|GMT)?)$"
)
_ISO = r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})$"
_COMPACT = r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$"
_NUMERIC = r"^(?P<a>\d{1,2})(?P<sep>[-/.])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})$"
_SERIAL = r"^(?P<serial>\d{5})(?:\.\d+)?$"
_YEAR_MONTH = r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})$"
_MONTH_YEAR = r"^(?P<m>\d{1,2})[-/.](?P<y>\d{4})$"
DATE_NAME_FORMATS = (
    "%b %d, %Y",
    "%B %d, %Y",
    "%b %d %Y",
    "%B %d %Y",
    "%d %b %Y",
    "%d %B %Y",
    "%d-%b-%Y",
    "%d-%B-%Y",
    "%d-%b-%y",
    "%d %b %y",
    "%d. %B %Y",
    "%a, %b %d, %Y",
    "%A, %B %d, %Y",
)
MONTH_NAME_FORMATS = ("%b %Y", "%B %Y", "%b-%y", "%b-%Y", "%B-%Y", "%b %y", "%Y %b", "%Y-%b")
EXCEL_EPOCH = np.datetime64("1899-12-30")


@dataclass
class Parsed:
    """One column's values (None when empty) and the reasons its invalid cells were refused."""

    values: list[Any]
    errors: dict[int, str] = field(default_factory=dict)
    # Per-row side information: the currency an amount named ("$", "EUR"), for the currency column.
    currencies: list[str | None] | None = None


def clean(column: pd.Series) -> pd.Series:
    """The column stripped, as strings ("" when empty)."""
    return column.fillna("").astype(object).str.strip()


def _distinct(column: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Each row's index into the column's distinct stripped texts, and those texts (parsed once each)."""
    codes, uniques = pd.factorize(column.fillna("").to_numpy(dtype=object))
    return codes, [str(text).strip() for text in uniques]


def _expand(codes: np.ndarray, parsed: Parsed) -> Parsed:
    """Turn a result over distinct texts back into one over rows."""

    def take(items: list[Any]) -> list[Any]:
        distinct = np.empty(len(items), dtype=object)
        distinct[:] = items
        per_row: list[Any] = distinct[codes].tolist()
        return per_row

    errors: dict[int, str] = {}
    if parsed.errors:
        bad = np.zeros(len(parsed.values), dtype=bool)
        bad[list(parsed.errors)] = True
        errors = {i: parsed.errors[int(codes[i])] for i in np.flatnonzero(bad[codes]).tolist()}
    currencies = take(parsed.currencies) if parsed.currencies is not None else None
    return Parsed(take(parsed.values), errors, currencies)


def per_distinct(parse: Callable[..., Parsed]) -> Callable[..., Parsed]:
    """Run a column parser over the column's distinct texts only (dates, choices and references repeat a lot)."""

    @functools.wraps(parse)
    def run(column: pd.Series, **options: Any) -> Parsed:
        codes, texts = _distinct(column)
        return _expand(codes, parse(pd.Series(texts, dtype=object), **options))

    return run


def _is_blank(text: str) -> bool:
    return text.lower() in EMPTY_MARKERS


def decimal_comma_column(split: list[_NumberParts | None]) -> bool:
    """Whether a column's numbers prove a decimal comma (and none a decimal point): see ``parse_number``."""
    hints = {_decimal_hint(part[0]) for part in split if part is not None}
    return "," in hints and "." not in hints


def blank(column: pd.Series) -> pd.Series:
    """True where a typed cell holds nothing ("", "n/a", "null", "-"…)."""
    return column.str.lower().isin(EMPTY_MARKERS)


def _errors(mask: pd.Series | np.ndarray, reason: str) -> dict[int, str]:
    return dict.fromkeys(np.flatnonzero(np.asarray(mask, dtype=bool)).tolist(), reason)


def merge_errors(into: dict[int, str], more: dict[int, str]) -> None:
    """Add ``more`` to ``into``, keeping the first reason found for a row."""
    for position, reason in more.items():
        into.setdefault(position, reason)


# --- text, choices, booleans, currency codes ---


@per_distinct
def parse_text(column: pd.Series, *, max_length: int | None = None, lower_emails: bool = False) -> Parsed:
    text = clean(column)
    if lower_emails:
        text = text.where(~text.str.contains("@", regex=False), text.str.lower())
    values = [value or None for value in text.tolist()]
    errors: dict[int, str] = {}
    if max_length is not None:
        lengths = text.str.len()
        too_long = lengths > max_length
        errors = {
            i: f"Longer than {max_length} characters ({lengths.iat[i]})." for i in np.flatnonzero(too_long).tolist()
        }
    return Parsed(values, errors)


_LIST_SEPARATORS = re.compile(r"\s*[;,|\n]\s*")


@per_distinct
def parse_list(column: pd.Series, *, max_length: int | None = None) -> Parsed:
    """Several values in one cell, separated by ";" "," "|" or a line break: a list without blanks or repeats."""
    values: list[Any] = []
    errors: dict[int, str] = {}
    for index, text in enumerate(clean(column).tolist()):
        items = list(dict.fromkeys(item for item in _LIST_SEPARATORS.split(text) if item)) if text else []
        too_long = [item for item in items if max_length is not None and len(item) > max_length]
        if too_long:
            errors[index] = f"“{too_long[0]}” is longer than {max_length} characters."
            items = []
        values.append(items or None)
    return Parsed(values, errors)


def word_key(text: str) -> str:
    """How choice words are compared: lower case, runs of spaces, underscores, hyphens and slashes as one space."""
    return re.sub(r"[\s_\-/]+", " ", text.strip().lower()).strip()


@per_distinct
def parse_choice(column: pd.Series, *, words: dict[str, str], allowed: str) -> Parsed:
    text = clean(column)
    keys = text.str.lower().str.replace(r"[\s_\-/]+", " ", regex=True).str.strip()
    empty = blank(text)
    values: list[Any] = [None if e else words.get(k) for k, e in zip(keys.tolist(), empty.tolist(), strict=True)]
    errors = {
        i: f"Not one of: {allowed} (or map the value on the import page)."
        for i, (v, e) in enumerate(zip(values, empty.tolist(), strict=True))
        if v is None and not e
    }
    return Parsed(values, errors)


TRUE_WORDS = frozenset({"yes", "y", "true", "t", "1", "x", "✓", "✔", "on", "ja", "oui", "si", "sí"})
FALSE_WORDS = frozenset({"no", "n", "false", "f", "0", "off", "nein", "non"})


@per_distinct
def parse_boolean(column: pd.Series, *, extra: dict[str, str] | None = None) -> Parsed:
    """Yes/no in the usual words; ``extra`` maps more of a file's own values (word_key) to "true" or "false"."""
    text = clean(column).str.lower()
    is_true, is_false = text.isin(TRUE_WORDS), text.isin(FALSE_WORDS)
    if extra:
        keys = text.str.replace(r"[\s_\-/]+", " ", regex=True).str.strip()
        mapped = keys.map(extra)
        is_true |= mapped == "true"
        is_false |= mapped == "false"
    empty = blank(text) & ~is_false  # "0" and "-" are not the same thing: "0" means no
    values: list[Any] = [True if t else False if f else None for t, f in zip(is_true, is_false, strict=True)]
    invalid = ~(is_true | is_false | empty)
    return Parsed(
        values,
        _errors(invalid, "Not a yes/no value (use yes/no, true/false, 1/0 or x, or map the value on the import page)."),
    )


@per_distinct
def parse_currency(column: pd.Series) -> Parsed:
    text = clean(column)
    empty = blank(text)
    values: list[Any] = []
    errors: dict[int, str] = {}
    lookup = {**CURRENCY_SYMBOLS, **{k.upper(): v for k, v in CURRENCY_NAMES.items()}}
    for i, (raw, is_empty) in enumerate(zip(text.tolist(), empty.tolist(), strict=True)):
        if is_empty:
            values.append(None)
            continue
        code = lookup.get(raw.upper(), lookup.get(raw, raw.upper()))
        if re.fullmatch(r"[A-Z]{3}", code) is None:
            errors[i] = "Not a currency code (use ISO codes such as USD, EUR, GBP)."
            code = None
        values.append(code)
    return Parsed(values, errors)


# --- numbers ---


def parse_number(
    column: pd.Series,
    *,
    decimal_places: int = 4,
    max_digits: int = 18,
    min_value: Decimal | None = None,
    max_value: Decimal | None = None,
    allow_percent: bool = True,
    allow_currency: bool = True,
    whole: bool = False,
) -> Parsed:
    """Parse decimals written any common way: "1,234.50", "1.234,50", "1 234,50 EUR", "$1,234", "(12)", "12%".

    A lone separator followed by exactly three digits ("1,234", "1.234") is ambiguous; it is read the way the rest
    of the column writes decimals (a column that elsewhere writes "12,5" reads "1.234" as 1234), else "," groups
    thousands and "." is the decimal point. Each distinct text is parsed once.
    """
    codes, texts = _distinct(column)
    split = [_split_number(text) for text in texts]
    comma_column = decimal_comma_column(split)
    quantum = Decimal(1).scaleb(-decimal_places)
    limit = Decimal(10) ** (max_digits - decimal_places)
    values: list[Any] = []
    currencies: list[str | None] = []
    errors: dict[int, str] = {}
    for index, (text, part) in enumerate(zip(texts, split, strict=True)):
        value: Any = None
        currency = None
        if part is None:
            if not _is_blank(text):
                errors[index] = "Not a number."
        elif (number := _plain_number(part[0], comma_column)) is None:
            errors[index] = "Not a number."
        elif part[2] and not allow_percent:
            errors[index] = "A percentage is not allowed here."
        elif part[3] and not allow_currency:
            errors[index] = "A currency is not allowed here."
        else:
            value = Decimal(number)
            if part[1]:
                value = -value
            currency = part[3]
            if whole and value != value.to_integral_value():
                errors[index], value = "Not a whole number.", None
            else:
                value = value.quantize(quantum, rounding=ROUND_HALF_UP)
                if abs(value) >= limit:
                    errors[index] = (
                        f"Too large (at most {max_digits - decimal_places} digits before the decimal point)."
                    )
                elif min_value is not None and value < min_value:
                    errors[index] = f"Must be at least {min_value}."
                elif max_value is not None and value > max_value:
                    errors[index] = f"Must be at most {max_value}."
                if index in errors:
                    value = None
                elif decimal_places == 0:
                    value = int(value)
        values.append(value)
        currencies.append(currency)
    return _expand(codes, Parsed(values, errors, currencies))


# (digits and separators without spaces, negative, percent, currency code)
_NumberParts = tuple[str, bool, bool, str | None]


def _split_number(text: str) -> _NumberParts | None:
    """Take a number's text apart: sign, currency symbol or code, percent sign, and the digits with separators."""
    if _SIMPLE.fullmatch(text):  # most cells of most files: "1234", "-12.5"
        return (text[1:], True, False, None) if text[0] == "-" else (text, False, False, None)
    match = _AMOUNT.match(text)
    if match is None:
        return None
    opened, closed = match["open"] is not None, match["close"] is not None
    pre, post = match["pre"] or "", match["post"] or ""
    percent = post == "%"
    if opened != closed or (pre and post and not percent):
        return None
    token = pre or ("" if percent else post)
    currency = _currency_code(token)
    if token and currency is None:
        return None
    negative = match["sign"] in MINUS_SIGNS or match["sign2"] in MINUS_SIGNS or match["sign3"] is not None or opened
    return _SPACES_RE.sub("", match["body"]), negative, percent, currency


def _decimal_hint(body: str) -> str | None:
    """The decimal mark this number proves its column uses, if it proves one ("1,5" does; "1,500" does not)."""
    commas, dots = body.count(","), body.count(".")
    if commas and dots:
        return "," if body.rfind(",") > body.rfind(".") else "."
    if commas == 1 and not _AMBIGUOUS_COMMA.fullmatch(body):
        return ","
    if dots == 1 and not _AMBIGUOUS_DOT.fullmatch(body):
        return "."
    return None


def _plain_number(body: str, comma_column: bool) -> str | None:
    """The number without grouping ("1234.50"), or None when the separators make no sense ("1,2,3")."""
    commas, dots = body.count(","), body.count(".")
    if commas and dots:
        if body.rfind(",") > body.rfind("."):
            plain = body.replace(".", "").replace(",", ".") if _DOT_GROUPED.fullmatch(body) else None
        else:
            plain = body.replace(",", "") if _COMMA_GROUPED.fullmatch(body) else None
    elif commas:
        if commas == 1 and (comma_column or not _AMBIGUOUS_COMMA.fullmatch(body)):
            plain = body.replace(",", ".")
        else:
            plain = body.replace(",", "") if _COMMA_GROUPED.fullmatch(body) else None
    elif dots > 1 or (dots == 1 and comma_column and _AMBIGUOUS_DOT.fullmatch(body)):
        plain = body.replace(".", "") if _DOT_GROUPS_ONLY.fullmatch(body) else None
    else:
        plain = body
    return plain if plain is not None and _PLAIN.fullmatch(plain) else None


def _currency_code(token: str) -> str | None:
    if not token:
        return None
    if token in CURRENCY_SYMBOLS:
        return CURRENCY_SYMBOLS[token]
    if token.upper() in CURRENCY_SYMBOLS:
        return CURRENCY_SYMBOLS[token.upper()]
    return token.upper() if token.upper() in ISO_CURRENCIES else None


# --- dates ---


@dataclass(frozen=True)
class DateOrder:
    """How the file writes numeric dates such as 03/04/2024: day first unless the file shows month first."""

    day_first: bool = True
    mixed: bool = False  # the file has both 31/03 and 03/31 style dates: the minority style is refused

    @property
    def label(self) -> str:
        return "day first (31/03/2024)" if self.day_first else "month first (03/31/2024)"


def detect_date_order(columns: list[pd.Series]) -> DateOrder:
    """Read the file's numeric date order from the values that can only be read one way (a part above 12)."""
    day_first = month_first = 0
    for column in columns:
        _, texts = _distinct(column)
        parts = pd.Series(texts, dtype=object).str.replace(_TIME_SUFFIX, "", regex=True).str.extract(_NUMERIC)
        a, b = pd.to_numeric(parts["a"]), pd.to_numeric(parts["b"])
        day_first += int(((a > 12) & (b <= 12)).sum())
        month_first += int(((b > 12) & (a <= 12)).sum())
    if month_first > day_first:
        return DateOrder(day_first=False, mixed=day_first > 0)
    return DateOrder(day_first=True, mixed=month_first > 0)


@per_distinct
def parse_dates(column: pd.Series, *, order: DateOrder, today: date, month: bool = False) -> Parsed:
    """Parse dates as real exports write them; ``month=True`` also accepts "2024-03", "Mar 2024" (first day kept).

    Accepted: ISO (2024-03-31, 2024-03-31T00:00:00), numeric with / . or - (31/03/2024, 03/31/2024, 31.03.2024, two-
    digit years), month names (Mar 31, 2024; 31 Mar 2024; 31-Mar-24), 20240331, and Excel serial numbers (45382).
    A date more than a year ahead is refused.
    """
    text = clean(column)
    empty = blank(text)
    stripped = text.str.replace(_TIME_SUFFIX, "", regex=True)
    n = len(text)
    year, mon, day = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
    errors: dict[int, str] = {}

    def fill(pattern: str, y: str = "y", m: str = "m", d: str | None = "d") -> None:
        parts = stripped.str.extract(pattern)
        hit = (parts[y].notna() & np.isnan(year)).to_numpy()
        year[hit] = pd.to_numeric(parts[y]).to_numpy()[hit]
        mon[hit] = pd.to_numeric(parts[m]).to_numpy()[hit]
        day[hit] = pd.to_numeric(parts[d]).to_numpy()[hit] if d else 1

    fill(_ISO)
    fill(_COMPACT)
    if month:
        fill(_YEAR_MONTH, d=None)
        fill(_MONTH_YEAR, d=None)
    numeric = stripped.str.extract(_NUMERIC)
    hit = (numeric["a"].notna() & np.isnan(year)).to_numpy()
    if hit.any():
        a, b = pd.to_numeric(numeric["a"]).to_numpy(), pd.to_numeric(numeric["b"]).to_numpy()
        yy = pd.to_numeric(numeric["y"]).to_numpy()
        short = numeric["y"].str.len().to_numpy() == 2
        pivot = (today.year % 100) + 20  # two-digit years: 00 to (this year + 20) are 20xx, the rest 19xx
        yy = np.where(short & (yy <= pivot), 2000 + yy, np.where(short, 1900 + yy, yy))
        only_day_first, only_month_first = (a > 12) & (b <= 12), (b > 12) & (a <= 12)
        read_day_first = only_day_first | (~only_month_first & order.day_first)
        year[hit] = yy[hit]
        day[hit] = np.where(read_day_first, a, b)[hit]
        mon[hit] = np.where(read_day_first, b, a)[hit]
        if order.mixed:
            minority = only_month_first if order.day_first else only_day_first
            merge_errors(
                errors, _errors(hit & minority, f"Date order differs from the rest of the file ({order.label}).")
            )
    serial = pd.to_numeric(stripped.str.extract(_SERIAL)["serial"]).to_numpy()
    serial_hit = ~np.isnan(serial) & np.isnan(year) & (serial >= 20000) & (serial <= 80000)
    assembled = pd.to_datetime(pd.DataFrame({"year": year, "month": mon, "day": day}), errors="coerce").to_numpy(
        dtype="datetime64[D]"
    )
    if serial_hit.any():
        assembled[serial_hit] = EXCEL_EPOCH + serial[serial_hit].astype("int64").astype("timedelta64[D]")
    remaining = np.isnan(year) & ~serial_hit & ~empty.to_numpy()
    if remaining.any():
        rest = stripped[remaining]
        found = pd.Series(pd.NaT, index=rest.index, dtype="datetime64[s]")
        for fmt in (*DATE_NAME_FORMATS, *(MONTH_NAME_FORMATS if month else ())):
            todo = found.isna()
            if not todo.any():
                break
            found[todo] = pd.to_datetime(rest[todo], format=fmt, errors="coerce")
        assembled[remaining] = found.to_numpy(dtype="datetime64[D]")
    if month:
        assembled = assembled.astype("datetime64[M]").astype("datetime64[D]")
    unparsed = np.isnat(assembled) & ~empty.to_numpy()
    merge_errors(
        errors,
        _errors(
            unparsed,
            "Not a month (use e.g. 2024-03, Mar 2024 or any date in the month)."
            if month
            else "Not a date (use e.g. 2024-03-31, 31/03/2024 or Mar 31, 2024).",
        ),
    )
    latest = np.datetime64(today + FUTURE_LIMIT, "D")
    merge_errors(
        errors,
        _errors(~np.isnat(assembled) & (assembled > latest), "In the future beyond reason (more than a year ahead)."),
    )
    earliest = np.datetime64(f"{EARLIEST_YEAR}-01-01", "D")
    merge_errors(
        errors, _errors(~np.isnat(assembled) & (assembled < earliest), f"Before {EARLIEST_YEAR}: not a plausible date.")
    )
    values = assembled.astype(object).tolist()
    for i in errors:
        values[i] = None
    return Parsed(values, errors)


# Public names for the other parsers of the import (``scorecards.domain.import_options``).
distinct_texts = _distinct
expand = _expand
is_blank = _is_blank
split_number = _split_number
plain_number = _plain_number
