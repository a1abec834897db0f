"""Reads of the facts the dashboard's cube is built from, in a number of statements that does not depend on the
number of partners: the partners' dimensions (one query), the snapshots (one ``COPY``), review activity (one
``COPY``) and scored forecasts (one ``COPY``).

The snapshot rows are read with ``TenantSql.copy_rows`` (binary COPY of fixed-width columns, one row per snapshot,
read as one structured numpy array per block: no sort or grouping in PostgreSQL, no Python call per row, no JIT);
each metric's item is found once per snapshot at its position in the snapshot's version (``items -> i``, in a
``LATERAL``), and its actual and target read out as ``float8`` in PostgreSQL: no JSON reaches Python. Activity and
forecasts use ``TenantSql.copy_out`` (one row per partner). Raw SQL runs inside the active tenant and names the
tenant in its WHERE.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from django.db import connection

from partnerhub.core.models import Partner, Tenant
from partnerhub.core.tenancy.sql import TenantSql, pg_days_to_months
from partnerhub.executive.domain.cube import (
    ACTIVITY_MEASURES,
    DIMENSIONS,
    PARTNER_DIMENSIONS,
    RAGS,
    TRENDS,
    ActivityFacts,
    ForecastFacts,
    IntArray,
    PartnerDims,
    SnapshotFacts,
)
from reviews.models import ActionItem, Forecast, Review
from scorecards.models import MetricDefinition, TemplateItem, TemplateVersion
from scorecards.selectors.snapshot_inputs import SNAPSHOT_TABLE

PARTNER_TABLE = Partner._meta.db_table
STORED_RAGS = ("green", "amber", "red", "")  # RAGS positions as stored ("" = no score)


@dataclass(frozen=True)
class CubeMetric:
    """A metric the cube carries (every metric some scorecard template weighs)."""

    id: int
    key: str
    name: str
    unit: str
    timing: str
    direction: str
    aggregation: str

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def cube_metrics(*, tenant: Tenant) -> list[CubeMetric]:
    """The metrics of the tenant's scorecard templates (any version), by id: what the dashboard can sum."""
    used = TemplateItem.objects.for_tenant(tenant).values("metric_id")
    return [
        CubeMetric(m.pk, m.key, m.name, m.unit, m.timing, m.direction, m.aggregation)
        for m in MetricDefinition.objects.for_tenant(tenant).filter(pk__in=used).order_by("pk")
    ]


@dataclass(frozen=True)
class PartnerIndex:
    """The tenant's partners (sorted ids; a fact's ``partner`` is a position here), their dimension codes, and the
    value each code stands for (``values[dimension][code]``)."""

    ids: IntArray
    dims: PartnerDims
    values: dict[str, list[Any]]

    def positions(self, partner_ids: IntArray) -> IntArray:
        return np.searchsorted(self.ids, partner_ids).astype(np.int64)


def dimension_values(*, tenant: Tenant) -> dict[str, list[Any]]:
    """Each dimension's values in code order: the choices of type, tier, stage and region (all of them, so codes are
    stable), and the markets, product lines and owners the tenant's partners have (sorted; "" / None for none)."""
    partners = Partner.objects.for_tenant(tenant)
    markets = sorted(set(partners.values_list("market", flat=True).distinct()))
    owners = sorted(set(partners.values_list("owner_id", flat=True).distinct()), key=lambda o: (o is not None, o or 0))
    lines: set[str] = set()
    for product_lines in partners.values_list("product_lines", flat=True).distinct():
        lines.update(product_lines or [])
    return {
        "partner_type": list(Partner.Type.values),
        "tier": list(Partner.Tier.values),
        "stage": list(Partner.Stage.values),
        "region": list(Partner.Region.values),
        "market": markets,
        "product_line": sorted(lines),
        "owner": owners,
    }


def partner_index(*, tenant: Tenant) -> PartnerIndex:
    """Every partner's dimension codes (one query for the partners; one per open-ended dimension for its values)."""
    rows = list(
        Partner.objects.for_tenant(tenant)
        .order_by("pk")
        .values_list("pk", "partner_type", "tier", "stage", "region", "market", "owner_id", "product_lines")
    )
    values = dimension_values(tenant=tenant)
    lookups = {name: {v: i for i, v in enumerate(values[name])} for name in DIMENSIONS}
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    codes = np.zeros((len(rows), len(PARTNER_DIMENSIONS)), dtype=np.int64)
    for column, name in enumerate(PARTNER_DIMENSIONS):
        position = 1 + ("partner_type", "tier", "stage", "region", "market", "owner").index(name)
        lookup = lookups[name]
        # An unknown choice (never stored by the app) lands on code 0 rather than failing the whole dashboard.
        codes[:, column] = [lookup.get(r[position], 0) for r in rows]
    pl_partner: list[int] = []
    pl_code: list[int] = []
    for i, r in enumerate(rows):
        for line in sorted(set(r[7] or [])):
            pl_partner.append(i)
            pl_code.append(lookups["product_line"][line])
    dims = PartnerDims(
        codes=codes,
        sizes=tuple(max(len(values[name]), 1) for name in DIMENSIONS),
        pl_partner=np.array(pl_partner, dtype=np.int64),
        pl_code=np.array(pl_code, dtype=np.int64),
    )
    return PartnerIndex(ids=ids, dims=dims, values=values)


def version_item_orders(*, tenant: Tenant) -> dict[int, list[int]]:
    """Per scorecard version, the metric of each position of its snapshots' ``items`` (the engine writes a version's
    items in one order): read off one snapshot per version, in one statement."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT v.id, (SELECT s.items FROM {SNAPSHOT_TABLE} s
                          WHERE s.tenant_id = %s AND s.template_version_id = v.id LIMIT 1)
            FROM {TemplateVersion._meta.db_table} v WHERE v.tenant_id = %s
            """,
            [tenant.pk, tenant.pk],
        )
        rows = cursor.fetchall()
    orders = {}
    for version_id, items in rows:
        parsed = json.loads(items) if isinstance(items, str) else items or []
        orders[int(version_id)] = [int(item["metric_id"]) for item in parsed]
    return orders


def _metric_selects(metric_ids: list[int], orders: dict[int, list[int]]) -> tuple[str, str, list[tuple[str, str]]]:
    """One actual and one target per metric (NaN when the snapshot's version does not weigh it): the select's
    columns, the ``LATERAL`` that finds each metric's item once per snapshot, and the COPY columns.

    Each item is read at its position in its version (``items -> i``: no unpacking of the whole array); should a
    snapshot hold its items in another order than its version's first one, the position's metric does not match and
    the item is looked up among all of them instead, so a value is never taken from the wrong metric. The item is
    found once per snapshot and metric in a ``LATERAL (... OFFSET 0)`` (``OFFSET 0`` keeps the planner from copying
    the lookup into both the actual's and the target's expression).
    """
    selects, found_items, columns = [], [], []
    for k, metric_id in enumerate(metric_ids):
        mid = int(metric_id)
        cases = " ".join(
            f"WHEN {int(version)} THEN s.items -> {order.index(mid)}"
            for version, order in orders.items()
            if mid in order
        )
        item = f"(CASE s.template_version_id {cases} END)" if cases else "NULL::jsonb"
        slow = f"(SELECT x FROM jsonb_array_elements(s.items) x WHERE (x ->> 'metric_id')::int8 = {mid} LIMIT 1)"
        found_items.append(f"CASE WHEN ({item} ->> 'metric_id')::int8 = {mid} THEN {item} ELSE {slow} END AS item_{k}")
        for part in ("actual", "target"):
            selects.append(f", COALESCE((found.item_{k} ->> '{part}')::float8, 'NaN')")
            columns.append((f"{part}_{k}", "float8"))
    lateral = f"CROSS JOIN LATERAL (SELECT {', '.join(found_items)} OFFSET 0) AS found" if found_items else ""
    return "".join(selects), lateral, columns


def snapshot_facts(sql: TenantSql, tenant: Tenant, index: PartnerIndex, metric_ids: list[int]) -> SnapshotFacts:
    """Every stored snapshot of the tenant as fact arrays (one COPY), each metric item's actual and target read."""
    selects, lateral, metric_columns = _metric_selects(metric_ids, version_item_orders(tenant=tenant))
    raw = sql.copy_rows(
        f"""
        SELECT s.partner_id, s.period = 'quarter', s.period_start, s.months_covered::int4,
            COALESCE(s.score::float8, 'NaN'),
            COALESCE(array_position(%s::text[], s.rag::text), {len(RAGS)}) - 1,
            COALESCE(array_position(%s::text[], s.trend::text), {len(TRENDS)}) - 1,
            s.dq_flag, COALESCE(s.change_previous::float8, 'NaN'), jsonb_array_length(s.items)::int4{selects}
        FROM {SNAPSHOT_TABLE} s {lateral}
        WHERE s.tenant_id = %s
        """,
        [list(STORED_RAGS), list(TRENDS), tenant.pk],
        [
            ("partner_id", "int8"),
            ("quarter", "bool"),
            ("period_start", "date"),
            ("months_covered", "int4"),
            ("score", "float8"),
            ("rag", "int4"),
            ("trend", "int4"),
            ("dq", "bool"),
            ("change", "float8"),
            ("items_total", "int4"),
            *metric_columns,
        ],
        jit=False,
    )
    # The rows come in the table's order; sorted by partner, kind and period, so that the sums (taken in row order)
    # do not depend on where the rows happen to lie on disk.
    month = pg_days_to_months(raw["period_start"])
    order = np.lexsort((month, raw["quarter"], raw["partner_id"]))
    raw = {name: values[order] for name, values in raw.items()}
    n, k = len(order), len(metric_ids)
    actual = np.empty((n, k), dtype=np.float64)
    target = np.empty((n, k), dtype=np.float64)
    for j in range(k):
        actual[:, j] = raw[f"actual_{j}"]
        target[:, j] = raw[f"target_{j}"]
    return SnapshotFacts(
        partner=index.positions(raw["partner_id"]),
        quarter=raw["quarter"].astype(bool),
        month=month[order],
        months_covered=raw["months_covered"].astype(np.int64),
        score=raw["score"],
        rag=raw["rag"].astype(np.int64),
        trend=raw["trend"].astype(np.int64),
        dq=raw["dq"].astype(bool),
        change=raw["change"],
        items_total=raw["items_total"].astype(np.int64),
        # An item has data when its actual is there (the engine writes a missing item's actual as null); every
        # metric a version weighs is one the cube carries, so counting the carried metrics counts every item.
        items_present=(~np.isnan(actual)).sum(axis=1).astype(np.int64),
        actual=actual,
        target=target,
    )


REVIEWS_HELD = (Review.State.HELD.value, Review.State.SIGNED_OFF.value)
ACTIONS_OPEN = (ActionItem.Status.OPEN.value, ActionItem.Status.IN_PROGRESS.value)


def activity_facts(sql: TenantSql, tenant: Tenant, index: PartnerIndex, today: date) -> ActivityFacts:
    """Reviews (by the month they were planned for) and action items (by the month they are due), per partner and
    month, in one COPY. An action item is overdue when it is still open and its due date is before ``today``."""
    raw = sql.copy_out(
        f"""
        SELECT r.partner_id, date_trunc('month', r.scheduled_for AT TIME ZONE 'UTC')::date,
            count(*)::int4, (count(*) FILTER (WHERE r.state = ANY(%s)))::int4,
            (count(*) FILTER (WHERE r.state = %s))::int4, 0, 0
        FROM {Review._meta.db_table} r WHERE r.tenant_id = %s GROUP BY 1, 2
        UNION ALL
        SELECT a.partner_id, date_trunc('month', a.due_date)::date, 0, 0, 0,
            (count(*) FILTER (WHERE a.status <> %s))::int4,
            (count(*) FILTER (WHERE a.status = ANY(%s) AND a.due_date < %s))::int4
        FROM {ActionItem._meta.db_table} a WHERE a.tenant_id = %s GROUP BY 1, 2
        """,
        [
            list(REVIEWS_HELD),
            Review.State.CANCELLED.value,
            tenant.pk,
            ActionItem.Status.CANCELLED.value,
            list(ACTIONS_OPEN),
            today,
            tenant.pk,
        ],
        [
            ("partner_id", "int8"),
            ("month", "date"),
            *((name, "int4") for name in ACTIVITY_MEASURES),
        ],
    )
    values = np.stack([raw[name].astype(np.int64) for name in ACTIVITY_MEASURES], axis=1)
    return ActivityFacts(
        partner=index.positions(raw["partner_id"]),
        month=pg_days_to_months(raw["month"]),
        values=values.reshape(len(raw["partner_id"]), len(ACTIVITY_MEASURES)),
    )


def forecast_facts(sql: TenantSql, tenant: Tenant, index: PartnerIndex) -> ForecastFacts:
    """Every scored forecast's partner, quarter and accuracy (percent), in one COPY."""
    raw = sql.copy_out(
        f"SELECT f.partner_id, f.quarter_start, f.accuracy::float8 FROM {Forecast._meta.db_table} f "
        "WHERE f.tenant_id = %s AND f.accuracy IS NOT NULL",
        [tenant.pk],
        [("partner_id", "int8"), ("quarter_start", "date"), ("accuracy", "float8")],
    )
    months = pg_days_to_months(raw["quarter_start"])
    return ForecastFacts(
        partner=index.positions(raw["partner_id"]), quarter_month=months - months % 3, accuracy=raw["accuracy"]
    )
