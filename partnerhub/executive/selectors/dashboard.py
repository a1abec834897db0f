"""The executive dashboard, read: the chosen slice's cells (one query), turned into the figures the page shows.

Queries, whatever the number of partners: the computation (1), the slice's cells (1; beyond two filters the fallback
aggregate instead, 1), the owners' names (1), the top and bottom movers (2, each with a LIMIT), and whatever the seam
figures' apps read (none while those apps are absent).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from partnerhub.core.domain.periods import add_months, period_label
from partnerhub.core.models import Membership, Tenant
from partnerhub.executive.domain.cube import MOVE_RAGS, RAGS, SCORE_BINS, TRENDS
from partnerhub.executive.domain.figures import (
    COMPARISONS,
    GRANULARITIES,
    Period,
    Totals,
    change,
    compared_start,
    fiscal_year_label,
    fiscal_year_start,
    history,
    month_starts_to_years,
    period_of,
    totals,
)
from partnerhub.executive.errors import DashboardFilterError
from partnerhub.executive.models import DashboardComputation
from partnerhub.executive.selectors.cube import SliceSeries, clean_filters, slice_series
from partnerhub.executive.selectors.seams import SeamFigure, seam_figures
from partnerhub.executive.selectors.slices import partners_in_slice, slice_q
from scorecards.selectors.snapshots import portfolio_snapshots

OUTCOME_KEYS = ("revenue", "win_rate", "pipeline_created")  # results first, when the program's scorecards weigh them
SUMMED_UNITS = ("currency", "count", "hours")  # shown as totals; other units as means


@dataclass(frozen=True)
class DashboardQuery:
    """What the user asked for (already shape-checked by the form; values are checked against the program here)."""

    filters: dict[str, Any] = field(default_factory=dict)
    granularity: str = "quarter"
    at: date | None = None
    compare: str = "previous"


@dataclass(frozen=True)
class Number:
    """One figure: its value and unit, the compared period's value and the change, and where it leads."""

    key: str
    label: str
    value: float | None
    unit: str  # count | percent | score | currency | points | days
    compare: float | None = None
    better: str = "higher"  # which way is good, for the change's colour
    show: str = ""  # the drill-down of the partners behind it ("" : the slice's scorecards)
    glossary: str = ""  # a definitions key, or "metric:<id>"
    note: str = ""

    @property
    def delta(self) -> float | None:
        return change(self.value, self.compare)

    @property
    def delta_tone(self) -> str:
        if self.delta is None or abs(self.delta) < 1e-9:
            return "flat"
        good = self.delta > 0 if self.better == "higher" else self.delta < 0
        return "good" if good else "bad"


@dataclass(frozen=True)
class MetricRow:
    id: int
    key: str
    name: str
    unit: str
    timing: str
    direction: str
    actual: float | None
    target: float | None
    compare: float | None
    partners: int
    summed: bool
    history: list[float | None]  # actuals of the last periods, oldest first
    attainment_history: list[float | None]  # actual / target (%) of the same periods

    @property
    def attainment(self) -> float | None:
        """Actual against target in percent; for a metric where lower is better (days of sales cycle), target
        against actual, so that 100 % and more is on target either way (as on the scorecards)."""
        if self.actual is None or not self.target:
            return None
        if self.direction == "lower":
            return None if not self.actual else 100 * self.target / self.actual
        return 100 * self.actual / self.target

    @property
    def delta(self) -> float | None:
        return change(self.actual, self.compare)


@dataclass(frozen=True)
class Mover:
    partner_id: int
    name: str
    score: float | None
    change: float
    rag: str


@dataclass
class Dashboard:
    computation: DashboardComputation | None
    query: DashboardQuery
    filters: dict[str, Any] = field(default_factory=dict)  # cleaned: stored values
    period: Period | None = None
    compared: Period | None = None
    periods: list[tuple[date, str]] = field(default_factory=list)  # what the period picker offers
    headline: list[Number] = field(default_factory=list)
    rag: list[Number] = field(default_factory=list)
    trend: list[Number] = field(default_factory=list)
    activity: list[Number] = field(default_factory=list)
    distribution: list[tuple[str, int, int]] = field(default_factory=list)  # (band, now, compared)
    moves: list[list[int]] = field(default_factory=list)  # 3 x 3, from (rows) to (columns): green, amber, red
    history: list[dict[str, Any]] = field(default_factory=list)
    outcome_metrics: list[MetricRow] = field(default_factory=list)
    leading_metrics: list[MetricRow] = field(default_factory=list)
    risers: list[Mover] = field(default_factory=list)
    fallers: list[Mover] = field(default_factory=list)
    seams: list[SeamFigure] = field(default_factory=list)
    owner_names: dict[Any, str] = field(default_factory=dict)
    from_cube: bool = True
    currency: str = "USD"

    @property
    def move_rows(self) -> list[dict[str, Any]]:
        """The movement grid: per RAG before, the partners at each RAG now, and whether that is up, down or the same."""
        return [
            {
                "before": before,
                "cells": [
                    {"after": after, "count": count, "kind": "up" if j < i else "down" if j > i else "same"}
                    for j, (after, count) in enumerate(zip(MOVE_RAGS, row, strict=True))
                ],
            }
            for i, (before, row) in enumerate(zip(MOVE_RAGS, self.moves, strict=True))
        ]

    @property
    def ready(self) -> bool:
        return self.computation is not None and self.period is not None and not self.period.empty


def _complete_quarters(series: SliceSeries) -> set[date]:
    return {start for start in series.periods("quarter") if series.value(("quarter", start), "to_date") == 0}


def _make_period(series: SliceSeries, fiscal_first_month: int) -> Any:
    # The periods one may pick are those with scorecards (a review planned next quarter makes no period of figures).
    available = {
        kind: [start for start in series.periods(kind) if series.value((kind, start), "partners") > 0]
        for kind in ("month", "quarter")
    }
    complete = _complete_quarters(series)

    def make(granularity: str, start: date) -> Period:
        return period_of(granularity, start, available, complete_quarters=complete)

    def starts(granularity: str) -> list[date]:
        if granularity == "year":
            return month_starts_to_years(available["month"], fiscal_first_month)
        return list(available[granularity])

    return make, starts


def _default_start(granularity: str, starts: list[date], series: SliceSeries, fiscal_first_month: int) -> date | None:
    """The latest complete quarter (a quarter to date only when there is no other), the latest month, the latest
    fiscal year."""
    if not starts:
        return None
    if granularity == "quarter":
        complete = [s for s in starts if series.value(("quarter", s), "to_date") == 0]
        return (complete or starts)[-1]
    return starts[-1]


def _label(granularity: str, start: date) -> str:
    return fiscal_year_label(start) if granularity == "year" else period_label(granularity, start)


def _check_period(granularity: str, at: date, starts: list[date]) -> None:
    """Refuse a period after the latest one with figures (the future) or one without figures."""
    label = _label(granularity, at)
    if starts and at > starts[-1]:
        latest = _label(granularity, starts[-1])
        raise DashboardFilterError(
            f"{label} is in the future: the latest period with figures is {latest}.",
            extra={"fields": {"at": ["In the future."]}},
        )
    if at not in starts:
        raise DashboardFilterError(f"There are no figures for {label}.", extra={"fields": {"at": ["No figures."]}})


def dashboard_build(
    *,
    tenant: Tenant,
    query: DashboardQuery,
    computation: DashboardComputation | None,
    owner_names: dict[Any, str] | None = None,
) -> Dashboard:
    """The dashboard for a query over a computation (``dashboard_computation``); raises DashboardFilterError for a
    filter value or a period the program does not have."""
    if query.granularity not in GRANULARITIES or query.compare not in COMPARISONS:
        raise DashboardFilterError(
            "Choose a month, a quarter or a fiscal year, compared with the previous one or a year earlier."
        )
    board = Dashboard(computation=computation, query=query, currency=tenant.currency)
    if computation is None:
        return board
    board.filters = clean_filters(computation, query.filters)
    series = slice_series(tenant=tenant, computation=computation, filters=board.filters)
    board.from_cube = series.from_cube
    make, starts_of = _make_period(series, tenant.fiscal_year_start)
    starts = starts_of(query.granularity)
    if query.granularity == "year" and query.at is not None:
        at: date | None = fiscal_year_start(query.at, tenant.fiscal_year_start)
    else:
        at = query.at
    if at is not None:
        _check_period(query.granularity, at, starts)
    else:
        at = _default_start(query.granularity, starts, series, tenant.fiscal_year_start)
    board.periods = [(s, _label(query.granularity, s)) for s in reversed(starts)]
    board.owner_names = (
        owner_names if owner_names is not None else dashboard_owner_names(tenant=tenant, computation=computation)
    )
    if at is None:
        return board
    period = make(query.granularity, at)
    compared = make(query.granularity, compared_start(query.granularity, at, query.compare))
    board.period, board.compared = period, compared
    layout = series.layout
    now, then = totals(period, series.cells, layout), totals(compared, series.cells, layout)
    has_then = not compared.empty
    _headline(board, now, then if has_then else None)
    _distribution(board, now, then)
    board.moves = [[int(now[f"move_{a}_{b}"]) for b in MOVE_RAGS] for a in MOVE_RAGS]
    past = history(query.granularity, starts, lambda s: make(query.granularity, s), series.cells, layout, at)
    board.history = [
        {
            "label": p.label,
            "start": p.start,
            "mean": t.ratio("score_sum", "scored"),
            **{f"share_{r}": t.ratio(f"rag_{r}", "partners", 100) for r in RAGS},
            "to_date": p.to_date,
        }
        for p, t in past
    ]
    metrics = [_metric_row(m, now, then if has_then else None, past) for m in computation.metrics]
    metrics = [m for m in metrics if m.partners or m.compare is not None]
    board.outcome_metrics = sorted(
        (m for m in metrics if m.timing != "leading" or m.key in OUTCOME_KEYS),
        key=lambda m: (m.key not in OUTCOME_KEYS, OUTCOME_KEYS.index(m.key) if m.key in OUTCOME_KEYS else 0, m.name),
    )
    board.leading_metrics = sorted((m for m in metrics if m.timing == "leading"), key=lambda m: m.name)
    partners = partners_in_slice(tenant=tenant, filters=board.filters)
    if period.status_key is not None:
        board.risers, board.fallers = _movers(tenant, board.filters, period.status_key)
    board.seams = seam_figures(tenant=tenant, partners=partners, start=period.start, end=period_end(period))
    return board


def dashboard_owner_names(*, tenant: Tenant, computation: DashboardComputation) -> dict[Any, str]:
    """The owner dimension's labels: each owner's name (one query), and "No owner"."""
    ids = [o for o in computation.dimensions.get("owner", []) if o is not None]
    names: dict[Any, str] = {None: "No owner"}
    for member in Membership.objects.for_tenant(tenant).filter(pk__in=ids).select_related("user"):
        names[member.pk] = str(member.user)
    return names


def _headline(board: Dashboard, now: Totals, then: Totals | None) -> None:
    def val(t: Totals | None, fn: Any) -> float | None:
        return None if t is None else fn(t)

    def number(key: str, label: str, fn: Any, unit: str, **kw: Any) -> Number:
        return Number(key=key, label=label, value=fn(now), unit=unit, compare=val(then, fn), **kw)

    board.headline = [
        number(
            "partners", "Partners scored", lambda t: t["scored"] or None, "count", show="scored", glossary="partners"
        ),
        number(
            "mean_score",
            "Average score",
            lambda t: t.ratio("score_sum", "scored"),
            "points",
            show="scored",
            glossary="mean_score",
        ),
        number(
            "coverage",
            "Data coverage",
            lambda t: t.ratio("items_present", "items_total", 100),
            "percent",
            glossary="coverage",
            note="of metric items with data",
        ),
        number(
            "dq_flagged",
            "Flagged by data quality",
            lambda t: t["dq_flagged"],
            "count",
            better="lower",
            show="dq",
            glossary="coverage",
        ),
    ]
    labels = {"green": "Green", "amber": "Amber", "red": "Red", "none": "No score"}
    board.rag = [
        number(
            f"rag_{r}",
            labels[r],
            lambda t, r=r: t[f"rag_{r}"],
            "count",
            better="lower" if r in ("red", "none") else "higher",
            show=f"rag:{r}",
            glossary="rag",
        )
        for r in RAGS
    ]
    trend_labels = {
        "improving": "Improving",
        "stable": "Stable",
        "declining": "Declining",
        "not_enough": "Not enough history",
    }
    board.trend = [
        number(
            f"trend_{t}",
            trend_labels[t],
            lambda x, t=t: x[f"trend_{t}"],
            "count",
            better="lower" if t == "declining" else "higher",
            show=f"trend:{t}",
            glossary="trend",
        )
        for t in TRENDS
    ]
    board.activity = [
        number(
            "reviews_held",
            "Reviews held",
            lambda t: t["reviews_held"],
            "count",
            show="reviews",
            glossary="reviews",
            note="",
        ),
        number(
            "reviews_scheduled",
            "Reviews scheduled",
            lambda t: t["reviews_scheduled"],
            "count",
            show="reviews",
            glossary="reviews",
        ),
        number(
            "reviews_cancelled",
            "Reviews cancelled",
            lambda t: t["reviews_cancelled"],
            "count",
            better="lower",
            show="reviews",
            glossary="reviews",
        ),
        number(
            "actions_overdue",
            "Overdue action items",
            lambda t: t["actions_overdue"],
            "count",
            better="lower",
            show="overdue",
            glossary="overdue",
            note="due in this period",
        ),
        number(
            "forecast_accuracy",
            "Forecast accuracy",
            lambda t: t.ratio("forecast_accuracy_sum", "forecast_n"),
            "percent",
            glossary="forecast_accuracy",
        ),
    ]


def _distribution(board: Dashboard, now: Totals, then: Totals) -> None:
    width = 100 // SCORE_BINS
    board.distribution = [
        (
            f"{i * width}\u2013{i * width + width if i < SCORE_BINS - 1 else 100}",
            int(now[f"score_bin_{i}"]),
            int(then[f"score_bin_{i}"]),
        )
        for i in range(SCORE_BINS)
    ]


def _metric_value(t: Totals, metric_id: int, part: str, summed: bool) -> float | None:
    n = t[f"metric_{metric_id}_n"]
    if not n:
        return None
    total = t[f"metric_{metric_id}_{part}"]
    return total if summed else total / n


def _metric_row(
    metric: Mapping[str, Any], now: Totals, then: Totals | None, past: list[tuple[Period, Totals]]
) -> MetricRow:
    metric_id = int(metric["id"])
    summed = metric["unit"] in SUMMED_UNITS
    return MetricRow(
        id=metric_id,
        key=str(metric["key"]),
        name=str(metric["name"]),
        unit=str(metric["unit"]),
        timing=str(metric["timing"]),
        direction=str(metric["direction"]),
        actual=_metric_value(now, metric_id, "actual", summed),
        target=_metric_value(now, metric_id, "target", summed),
        compare=None if then is None else _metric_value(then, metric_id, "actual", summed),
        partners=int(now[f"metric_{metric_id}_n"]),
        summed=summed,
        history=[_metric_value(t, metric_id, "actual", summed) for _, t in past],
        attainment_history=[
            t.ratio(f"metric_{metric_id}_target", f"metric_{metric_id}_actual", 100)
            if metric["direction"] == "lower"
            else t.ratio(f"metric_{metric_id}_actual", f"metric_{metric_id}_target", 100)
            for _, t in past
        ],
    )


def _movers(tenant: Tenant, filters: dict[str, Any], key: tuple[str, date]) -> tuple[list[Mover], list[Mover]]:
    """The five partners of the slice whose score rose most, and the five whose score fell most (two LIMIT queries)."""
    period, start = key

    def movers(sort: str, keep: Any) -> list[Mover]:
        # Only the columns shown: the partner alone is joined (for its name and the slice's filters), not its owner
        # and the scorecard version, which would be joined for every snapshot of the period before the LIMIT.
        rows = (
            portfolio_snapshots(tenant=tenant, period=period, period_start=start, sort=sort)
            .filter(slice_q(filters, "partner__"), change_previous__isnull=False)
            .values_list("partner_id", "partner__name", "score", "change_previous", "rag")[:5]
        )
        return [
            Mover(partner_id, name, None if score is None else float(score), float(moved), rag)
            for partner_id, name, score, moved, rag in rows
            if moved is not None and keep(float(moved))
        ]

    return movers("change", lambda c: c > 0), movers("-change", lambda c: c < 0)


def period_end(period: Period) -> date:
    """The first day after the period."""
    return add_months(period.start, {"month": 1, "quarter": 3, "year": 12}[period.granularity])
