"""Reads of the dashboard's stored cube: the latest computation, one slice's cells (one query), and — for a filter
beyond the two the cube precomputes — the same measures in one bounded SQL aggregate over the snapshots.

A slice is named by its filters (``{"market": "Germany", "product_line": "Security"}``); the computation's
``dimensions`` turn each value into the code the cells store. A value the program does not have is a
``DashboardFilterError`` (a clear message, nothing read).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from django.db import connection

from partnerhub.core.domain.ids import parse_id
from partnerhub.core.domain.periods import month_start
from partnerhub.core.models import Partner, Tenant
from partnerhub.core.tenancy.sql import ensure_active_tenant
from partnerhub.executive.domain.cube import DIMENSIONS, SCORE_BINS, FloatArray
from partnerhub.executive.errors import DashboardFilterError
from partnerhub.executive.models import DashboardComputation, DashboardSlice
from partnerhub.executive.selectors.facts import ACTIONS_OPEN, REVIEWS_HELD, STORED_RAGS
from reviews.models import ActionItem, Forecast, Review
from scorecards.selectors.snapshot_inputs import SNAPSHOT_TABLE

PeriodKey = tuple[str, date]  # ("month" | "quarter", first day)


def dashboard_computation(*, tenant: Tenant) -> DashboardComputation | None:
    """The program's latest dashboard precompute, or None before the first one (one query)."""
    return DashboardComputation.objects.for_tenant(tenant).first()


@dataclass(frozen=True)
class SliceSeries:
    """One slice's measures per period (both granularities), and whether they came from the cube or the fallback."""

    layout: list[str]
    cells: dict[PeriodKey, FloatArray]
    from_cube: bool

    def value(self, key: PeriodKey | None, name: str) -> float:
        if key is None or key not in self.cells:
            return 0.0
        return float(self.cells[key][self.layout.index(name)])

    def periods(self, period: str) -> list[date]:
        return sorted(start for kind, start in self.cells if kind == period)


NO_VALUE = "(none)"  # a filter value meaning "partners with no market / no owner" (empty means "any")


def clean_filters(computation: DashboardComputation, filters: Mapping[str, Any]) -> dict[str, Any]:
    """The filters that are set, in dimension order, with their stored values (``NO_VALUE`` becomes "" or None; an
    owner id given as text becomes a number); a value the program does not have is a DashboardFilterError."""
    cleaned: dict[str, Any] = {}
    for name in DIMENSIONS:
        value = filters.get(name)
        if value in (None, ""):
            continue
        known = computation.dimensions.get(name, [])
        if value == NO_VALUE:
            value = None if name == "owner" else ""
        elif name == "owner" and parse_id(value) is not None:
            value = parse_id(value)
        if value not in known:
            label = name.replace("_", " ")
            raise DashboardFilterError(
                f"There is no {label} “{filters[name]}” in this program.",
                extra={"fields": {name: ["Not in this program."]}},
            )
        cleaned[name] = value
    return cleaned


def slice_codes(computation: DashboardComputation, filters: Mapping[str, Any]) -> tuple[int, int, int, int] | None:
    """(dim A, value A, dim B, value B) of the cells of this slice; None when it has more than two filters."""
    cleaned = clean_filters(computation, filters)
    if len(cleaned) > 2:
        return None
    codes = [(DIMENSIONS.index(name) + 1, computation.dimensions[name].index(value)) for name, value in cleaned.items()]
    codes += [(0, 0)] * (2 - len(codes))
    (dim_a, value_a), (dim_b, value_b) = codes
    return dim_a, value_a, dim_b, value_b


def slice_series(*, tenant: Tenant, computation: DashboardComputation, filters: Mapping[str, Any]) -> SliceSeries:
    """The slice's measures for every period: from the cube (one row, one query), or, beyond two filters, from one
    bounded aggregate over the snapshots (one query, one row per period and source)."""
    codes = slice_codes(computation, filters)
    if codes is None:
        return slice_series_fallback(tenant=tenant, computation=computation, filters=filters)
    dim_a, value_a, dim_b, value_b = codes
    row = (
        DashboardSlice.objects.for_tenant(tenant)
        .filter(dim_a=dim_a, value_a=value_a, dim_b=dim_b, value_b=value_b)
        .values_list("periods", "measures")
        .first()
    )
    width = len(computation.layout)
    cells: dict[PeriodKey, FloatArray] = {}
    if row is not None:
        periods, measures = row
        matrix = np.frombuffer(bytes(measures), dtype="<f8").astype(np.float64).reshape(len(periods), width)
        for key, vector in zip(periods, matrix, strict=True):
            cells[("quarter" if key % 2 else "month", month_start(key // 2))] = vector
    return SliceSeries(layout=list(computation.layout), cells=cells, from_cube=True)


# --- the fallback: the same measures, in SQL, for any partner filter ---


def _partner_where(tenant_id: int, filters: Mapping[str, Any]) -> tuple[str, list[Any]]:
    clauses, params = ["p.tenant_id = %s"], list[Any]([tenant_id])
    columns = {
        "partner_type": "partner_type",
        "tier": "tier",
        "stage": "stage",
        "region": "region",
        "market": "market",
    }
    for name, value in filters.items():
        if name in columns:
            clauses.append(f"p.{columns[name]} = %s")
            params.append(value)
        elif name == "product_line":
            clauses.append("p.product_lines @> ARRAY[%s]::varchar(60)[]")
            params.append(value)
        elif name == "owner":
            if value is None:
                clauses.append("p.owner_id IS NULL")
            else:
                clauses.append("p.owner_id = %s")
                params.append(value)
    return " AND ".join(clauses), params


def _vector(layout: list[str], expressions: Mapping[str, str]) -> str:
    """``ARRAY[...]::float8[]`` in layout order: the given expressions, 0 elsewhere."""
    parts = (f"({expressions[name]})::float8" if name in expressions else "0" for name in layout)
    return "ARRAY[" + ", ".join(parts) + "]"


def _snapshot_expressions(layout: list[str], metric_ids: list[int]) -> dict[str, str]:
    score_bin = "LEAST(GREATEST(floor(s.score / 10), 0), 9)"
    out = {
        "partners": "count(*)",
        "scored": "count(s.score)",
        "score_sum": "coalesce(sum(s.score), 0)",
        "change_n": "count(s.change)",
        "change_sum": "coalesce(sum(s.change), 0)",
        "dq_flagged": "count(*) FILTER (WHERE s.dq_flag)",
        "to_date": "count(*) FILTER (WHERE s.period = 'quarter' AND s.months_covered < 3)",
        "items_total": "coalesce(sum(s.items_total), 0)",
        "items_present": "coalesce(sum(s.items_present), 0)",
    }
    for i in range(SCORE_BINS):
        out[f"score_bin_{i}"] = f"count(*) FILTER (WHERE s.score IS NOT NULL AND {score_bin} = {i})"
    for name, stored in zip(("green", "amber", "red", "none"), STORED_RAGS, strict=True):
        out[f"rag_{name}"] = f"count(*) FILTER (WHERE s.rag = '{stored}')"
    for trend in ("improving", "stable", "declining"):
        out[f"trend_{trend}"] = f"count(*) FILTER (WHERE s.trend = '{trend}')"
    out["trend_not_enough"] = "count(*) FILTER (WHERE s.trend NOT IN ('improving', 'stable', 'declining'))"
    for a in ("green", "amber", "red"):
        for b in ("green", "amber", "red"):
            out[f"move_{a}_{b}"] = f"count(*) FILTER (WHERE s.before = '{a}' AND s.rag = '{b}')"
    for k, metric_id in enumerate(metric_ids):
        both = f"s.actual_{k} IS NOT NULL AND s.target_{k} IS NOT NULL"
        out[f"metric_{metric_id}_n"] = f"count(*) FILTER (WHERE {both})"
        out[f"metric_{metric_id}_actual"] = f"coalesce(sum(s.actual_{k}) FILTER (WHERE {both}), 0)"
        out[f"metric_{metric_id}_target"] = f"coalesce(sum(s.target_{k}) FILTER (WHERE {both}), 0)"
    return {name: expression for name, expression in out.items() if name in layout}


def slice_series_fallback(
    *, tenant: Tenant, computation: DashboardComputation, filters: Mapping[str, Any]
) -> SliceSeries:
    """The slice's measures computed in one SQL statement over the snapshots, reviews, action items and forecasts of
    the partners matching ``filters`` (any number of them): one row per period and source, summed here."""
    ensure_active_tenant(tenant, "dashboard rows")
    cleaned = clean_filters(computation, filters)
    layout = list(computation.layout)
    metric_ids = [int(m["id"]) for m in computation.metrics]
    where, where_params = _partner_where(tenant.pk, cleaned)
    today = computation.as_of or computation.computed_at.date()
    lateral = "".join(
        f", max(x.actual) FILTER (WHERE x.metric_id = {int(m)}) AS actual_{k}"
        f", max(x.target) FILTER (WHERE x.metric_id = {int(m)}) AS target_{k}"
        for k, m in enumerate(metric_ids)
    )
    snapshot_vector = _vector(layout, _snapshot_expressions(layout, metric_ids))
    review_vector = _vector(
        layout,
        {
            "reviews_scheduled": "count(*)",
            "reviews_held": "count(*) FILTER (WHERE r.state = ANY(%s))",
            "reviews_cancelled": "count(*) FILTER (WHERE r.state = %s)",
        },
    )
    action_vector = _vector(
        layout,
        {
            "actions_due": "count(*) FILTER (WHERE a.status <> %s)",
            "actions_overdue": "count(*) FILTER (WHERE a.status = ANY(%s) AND a.due_date < %s)",
        },
    )
    forecast_vector = _vector(
        layout, {"forecast_n": "count(*)", "forecast_accuracy_sum": "coalesce(sum(f.accuracy), 0)"}
    )
    partners = Partner._meta.db_table
    statement = f"""
        WITH chosen AS (SELECT p.id FROM {partners} p WHERE {where}),
        snap AS (
            SELECT s.partner_id, s.period, s.period_start, s.months_covered, s.score::float8 AS score, s.rag,
                s.trend, s.dq_flag, s.change_previous::float8 AS change, m.*
            FROM {SNAPSHOT_TABLE} s
            JOIN chosen c ON c.id = s.partner_id
            CROSS JOIN LATERAL (
                SELECT count(*) AS items_total,
                    count(*) FILTER (WHERE NOT coalesce(x.missing, false) AND x.actual IS NOT NULL) AS items_present
                    {lateral}
                FROM jsonb_to_recordset(s.items) AS x(metric_id int8, actual float8, target float8, missing bool)
            ) m
            WHERE s.tenant_id = %s
        ),
        moved AS (
            SELECT s.*, CASE WHEN s.period = 'month' OR s.months_covered >= 3 THEN b.rag END AS before
            FROM snap s
            LEFT JOIN {SNAPSHOT_TABLE} b ON b.tenant_id = %s AND b.partner_id = s.partner_id AND b.period = s.period
                AND b.period_start = (s.period_start - CASE WHEN s.period = 'quarter' THEN 3 ELSE 1 END
                    * interval '1 month')::date
                AND (b.period = 'month' OR b.months_covered >= 3)
        )
        SELECT s.period, s.period_start, {snapshot_vector}
        FROM moved s GROUP BY 1, 2
        UNION ALL
        SELECT g.period, g.start, {review_vector}
        FROM {Review._meta.db_table} r JOIN chosen c ON c.id = r.partner_id
        CROSS JOIN LATERAL (VALUES
            ('month', date_trunc('month', r.scheduled_for AT TIME ZONE 'UTC')::date),
            ('quarter', date_trunc('quarter', r.scheduled_for AT TIME ZONE 'UTC')::date)
        ) AS g(period, start)
        WHERE r.tenant_id = %s GROUP BY 1, 2
        UNION ALL
        SELECT g.period, g.start, {action_vector}
        FROM {ActionItem._meta.db_table} a JOIN chosen c ON c.id = a.partner_id
        CROSS JOIN LATERAL (VALUES
            ('month', date_trunc('month', a.due_date)::date), ('quarter', date_trunc('quarter', a.due_date)::date)
        ) AS g(period, start)
        WHERE a.tenant_id = %s GROUP BY 1, 2
        UNION ALL
        SELECT 'quarter', date_trunc('quarter', f.quarter_start)::date, {forecast_vector}
        FROM {Forecast._meta.db_table} f JOIN chosen c ON c.id = f.partner_id
        WHERE f.tenant_id = %s AND f.accuracy IS NOT NULL GROUP BY 1, 2
    """
    params = [
        *where_params,
        tenant.pk,
        tenant.pk,
        list(REVIEWS_HELD),
        Review.State.CANCELLED.value,
        tenant.pk,
        ActionItem.Status.CANCELLED.value,
        list(ACTIONS_OPEN),
        today,
        tenant.pk,
        tenant.pk,
    ]
    cells: dict[PeriodKey, FloatArray] = {}
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        for period, start, vector in cursor.fetchall():
            values = np.asarray(vector, dtype=np.float64)
            key = (str(period), start)
            cells[key] = cells[key] + values if key in cells else values
    # Only periods with something in them, as in the cube.
    cells = {key: values for key, values in cells.items() if np.any(values != 0)}
    return SliceSeries(layout=layout, cells=cells, from_cube=False)
