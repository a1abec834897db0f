"""What the dashboard shows, computed from a slice's cells: the chosen period (a month, a quarter or a fiscal year),
the period it is compared with, and each figure's value and change. Pure: no ORM, no clock.

A month or a quarter is one cell. A fiscal year is composed: its flows (pipeline, revenue, reviews, action items,
metric sums) are the sums of its months' cells, its forecasts those of its quarters, and its status figures (score,
RAG, trend, data quality) those of its last month with data — a year has no score of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Final

import numpy as np

from partnerhub.core.domain.periods import add_months, month_number, period_label
from partnerhub.executive.domain.cube import FloatArray

Key = tuple[str, date]
GRANULARITIES: Final = ("month", "quarter", "year")
COMPARISONS: Final = ("previous", "year")
FORECAST_MEASURES: Final = ("forecast_n", "forecast_accuracy_sum")
# Flows: what happened during the period (summed over a fiscal year's months); the rest describe the partners at
# the end of the period (taken from its last month).
FLOW_PREFIXES: Final = ("reviews_", "actions_", "metric_")


@dataclass(frozen=True)
class Period:
    """A period a user picks: its granularity and first day, and which cells make it up."""

    granularity: str
    start: date
    flow_keys: tuple[Key, ...]  # cells whose flows add up to the period's
    status_key: Key | None  # the cell describing the partners at the end of the period
    forecast_keys: tuple[Key, ...]
    label: str
    to_date: bool = False  # a quarter (or year) not yet complete

    @property
    def empty(self) -> bool:
        return self.status_key is None and not self.flow_keys


def fiscal_year_start(day: date, first_month: int) -> date:
    """The first day of the fiscal year (starting in month ``first_month``) that holds ``day``."""
    year = day.year if day.month >= first_month else day.year - 1
    return date(year, first_month, 1)


def fiscal_year_label(start: date) -> str:
    """``FY2025`` for the fiscal year ending in 2025 (a calendar year is named by itself)."""
    end = add_months(start, 11)
    return f"FY{end.year}"


def period_of(
    granularity: str, start: date, available: Mapping[str, Sequence[date]], *, complete_quarters: set[date]
) -> Period:
    """The period of ``granularity`` starting on ``start``, from the cells that exist (``available`` per cell kind)."""
    months = set(available.get("month", ()))
    quarters = set(available.get("quarter", ()))
    if granularity == "month":
        key = ("month", start)
        return Period(
            "month", start, (key,) if start in months else (), key if start in months else None, (), f"{start:%B %Y}"
        )
    if granularity == "quarter":
        key = ("quarter", start)
        present = start in quarters
        return Period(
            "quarter",
            start,
            (key,) if present else (),
            key if present else None,
            (key,) if present else (),
            period_label("quarter", start),
            to_date=present and start not in complete_quarters,
        )
    in_year = [add_months(start, i) for i in range(12)]
    flow = tuple(("month", m) for m in in_year if m in months)
    last = flow[-1] if flow else None
    forecasts = tuple(("quarter", m) for m in in_year if m in quarters)
    to_date = bool(flow) and in_year[-1] not in months
    return Period("year", start, flow, last, forecasts, fiscal_year_label(start), to_date=to_date)


def compared_start(granularity: str, start: date, comparison: str) -> date:
    """The start of the period a period is compared with: the one before, or the same one a year earlier."""
    if comparison == "year" or granularity == "year":
        return add_months(start, -12)
    return add_months(start, -3 if granularity == "quarter" else -1)


@dataclass(frozen=True)
class Totals:
    """A period's measures by name (flows summed over its cells; status measures from its status cell)."""

    values: dict[str, float] = field(default_factory=dict)

    def __getitem__(self, name: str) -> float:
        return self.values.get(name, 0.0)

    def ratio(self, numerator: str, denominator: str, scale: float = 1.0) -> float | None:
        bottom = self[denominator]
        return None if bottom == 0 else scale * self[numerator] / bottom


def totals(period: Period, cells: Mapping[Key, FloatArray], layout: Sequence[str]) -> Totals:
    """Sum a period's cells into one value per measure (see the module docstring for which cell counts where)."""
    width = len(layout)
    flow = np.zeros(width)
    for key in period.flow_keys:
        flow += cells.get(key, np.zeros(width))
    status = cells.get(period.status_key, np.zeros(width)) if period.status_key else np.zeros(width)
    forecast = np.zeros(width)
    for key in period.forecast_keys:
        forecast += cells.get(key, np.zeros(width))
    values: dict[str, float] = {}
    for i, name in enumerate(layout):
        if name in FORECAST_MEASURES:
            values[name] = float(forecast[i])
        elif name.startswith(FLOW_PREFIXES):
            values[name] = float(flow[i])
        else:
            values[name] = float(status[i])
    return Totals(values)


def change(now: float | None, then: float | None) -> float | None:
    """``now - then``, or None when either is missing."""
    return None if now is None or then is None else now - then


def history(
    granularity: str,
    starts: Sequence[date],
    make: Callable[[date], Period],
    cells: Mapping[Key, FloatArray],
    layout: Sequence[str],
    last: date,
    count: int = 12,
) -> list[tuple[Period, Totals]]:
    """The last ``count`` periods of a granularity up to ``last`` (oldest first), each with its totals."""
    chosen = sorted({s for s in starts if s <= last})[-count:]
    return [(p, totals(p, cells, layout)) for p in (make(s) for s in chosen) if not p.empty]


def month_starts_to_years(months: Sequence[date], first_month: int) -> list[date]:
    """The fiscal years (their first days) that hold any of ``months``."""
    return sorted({fiscal_year_start(m, first_month) for m in months})


def months_between(a: date, b: date) -> int:
    return month_number(b) - month_number(a)
