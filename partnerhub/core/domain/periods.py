"""Month and quarter arithmetic, written once for every app: pure functions, no clock, no database.

Two representations of a month: a ``date`` on its first day, and a *month number*, ``year * 12 + month - 1``, in
which consecutive months are consecutive integers ("the month before" is a subtraction). Longer periods (quarter,
half-year) are named either by granularity (``"month"``, ``"quarter"``, as snapshots are) or by frequency
(``"monthly"``, ``"quarterly"``, ``"biannual"``, as cadences are); both name the same calendar periods.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import pandas as pd

MONTHS_IN_PERIOD: dict[str, int] = {
    "month": 1,
    "monthly": 1,
    "quarter": 3,
    "quarterly": 3,
    "biannual": 6,
}


# --- month numbers ---


def month_number(day: date) -> int:
    """``year * 12 + month - 1``: consecutive months are consecutive integers."""
    return day.year * 12 + day.month - 1


def month_start(number: int) -> date:
    """The first day of a month number."""
    return date(number // 12, number % 12 + 1, 1)


def quarter_of(number: int) -> int:
    """The month number of the first month of the quarter holding month ``number``."""
    return number - number % 3


def month_label(number: int) -> str:
    """``2026-09`` for a month number."""
    return f"{number // 12:04d}-{number % 12 + 1:02d}"


def add_months(day: date, months: int) -> date:
    """The first day of the month ``months`` after (negative: before) the month of ``day``."""
    return month_start(month_number(day) + months)


# --- the same, column-wise (pandas) ---


def month_numbers(values: Iterable[date] | pd.Series) -> pd.Series:
    """Calendar dates (or timestamps) as month numbers; missing dates stay missing."""
    stamps = pd.to_datetime(pd.Series(values), errors="coerce")
    return (stamps.dt.year * 12 + stamps.dt.month - 1).astype("Int64")


def months_to_timestamps(numbers: pd.Series) -> pd.Series:
    """Month numbers back to the first day of each month, as datetime64[ns]."""
    numbers = pd.Series(numbers, dtype="int64")
    parts = pd.DataFrame({"year": numbers // 12, "month": numbers % 12 + 1, "day": 1})
    return pd.to_datetime(parts).astype("datetime64[ns]").set_axis(numbers.index)


# --- periods of one, three or six months ---


def months_in(period: str) -> int:
    """How many months a period of this granularity or frequency spans (ValueError for an unknown one)."""
    try:
        return MONTHS_IN_PERIOD[str(period)]
    except KeyError:
        raise ValueError(f"unknown period {period!r}") from None


def period_bounds(period: str, day: date) -> tuple[date, date]:
    """The first and last day of the month, quarter or half-year (by ``period``) that contains ``day``."""
    months = months_in(period)
    start = date(day.year, (day.month - 1) // months * months + 1, 1)
    return start, add_months(start, months) - timedelta(days=1)


def period_start(period: str, day: date) -> date:
    """The first day of the period (by ``period``) that contains ``day``."""
    return period_bounds(period, day)[0]


def next_period_start(period: str, day: date) -> date:
    """The start of the period after the one containing ``day``."""
    return add_months(period_start(period, day), months_in(period))


def shift_period(period: str, start: date, periods: int) -> date:
    """The start of the period ``periods`` away from the one containing ``start`` (negative: earlier)."""
    return add_months(period_start(period, start), periods * months_in(period))


def period_label(period: str, start: date) -> str:
    """'November 2026', 'Q4 2026' or 'H2 2026' for the period (by ``period``) containing ``start``."""
    months = months_in(period)
    if months == 3:
        return f"Q{(start.month - 1) // 3 + 1} {start.year}"
    if months == 6:
        return f"H{(start.month - 1) // 6 + 1} {start.year}"
    return f"{start:%B %Y}"


def to_date_phrase(months_covered: int, months: int = 3) -> str:
    """How every page, export and pre-read says that a period is not complete: 'to date (2 of 3 months)'
    (SCORING.md, "Quarter to date")."""
    return f"to date ({months_covered} of {months} month{'s' if months != 1 else ''})"


def to_date_label(label: str, months_covered: int, months: int = 3) -> str:
    """A period's name with ``to_date_phrase``: 'Q4 2026, to date (2 of 3 months)'."""
    return f"{label}, {to_date_phrase(months_covered, months)}"


def period_starts_between(period: str, low: date, high: date) -> list[date]:
    """Every period start from the period containing ``low`` to the one containing ``high`` (empty if low > high)."""
    if low > high:
        return []
    step = months_in(period)
    first, last = month_number(period_start(period, low)), month_number(period_start(period, high))
    return [month_start(n) for n in range(first, last + 1, step)]


# --- quarters ---


def quarter_start(day: date) -> date:
    """The first day of the calendar quarter ``day`` falls in."""
    return period_start("quarter", day)


def quarter_end(day: date) -> date:
    """The last day of the calendar quarter ``day`` falls in."""
    return period_bounds("quarter", day)[1]


def next_quarter_start(day: date) -> date:
    """The first day of the quarter after the one containing ``day``."""
    return next_period_start("quarter", day)


def quarter_label(day: date) -> str:
    """``Q3 2026`` for any day of July to September 2026."""
    return period_label("quarter", day)


def quarter_months(day: date) -> list[date]:
    """The first days of the three months of the quarter containing ``day``."""
    first = quarter_start(day)
    return [add_months(first, i) for i in range(3)]
