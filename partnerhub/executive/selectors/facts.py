"""Reads of the facts the dashboard's cube is built from, in a number of statements that does not depend on the
number of partners: the partners' dimensions (one query), the snapshots (one ``COPY``), review activity (one
``COPY``) and scored forecasts (one ``COPY``).

The snapshot rows are read with ``TenantSql.copy_out`` (binary COPY, one row per partner holding an array per
column); each snapshot's metric items are unpacked in SQL once (``jsonb_to_recordset``) into one actual and one
target per metric the cube carries. Raw SQL runs inside the active tenant and names the tenant in its WHERE.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

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
from scorecards.models import MetricDefinition, TemplateItem
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


def _metric_selects(metric_ids: list[int]) -> tuple[str, str, list[tuple[str, str]]]:
    """The lateral's select list (one actual and one target per metric; NaN when the item is absent), the outer
    select list, and the COPY column names and types."""
    lateral, outer, columns = [], [], []
    for k, metric_id in enumerate(metric_ids):
        for part in ("actual", "target"):
            name = f"{part}_{k}"
            lateral.append(f", COALESCE(max(x.{part}) FILTER (WHERE x.metric_id = {int(metric_id)}), 'NaN') AS {name}")
            outer.append(f", m.{name}")
            columns.append((name, "float8"))
    return "".join(lateral), "".join(outer), columns


def snapshot_facts(sql: TenantSql, tenant: Tenant, index: PartnerIndex, metric_ids: list[int]) -> SnapshotFacts:
    """Every stored snapshot of the tenant as fact arrays (one COPY), each metric item's actual and target unpacked."""
    lateral, outer, metric_columns = _metric_selects(metric_ids)
    raw = sql.copy_out(
        f"""
        SELECT s.partner_id, s.period = 'quarter', s.period_start, s.months_covered::int4,
            COALESCE(s.score::float8, 'NaN'),
            COALESCE(array_position(%s::text[], s.rag::text), {len(RAGS)}) - 1,
            COALESCE(array_position(%s::text[], s.trend::text), {len(TRENDS)}) - 1,
            s.dq_flag, COALESCE(s.change_previous::float8, 'NaN'), m.total, m.present{outer}
        FROM {SNAPSHOT_TABLE} s
        CROSS JOIN LATERAL (
            SELECT count(*)::int4 AS total,
                (count(*) FILTER (WHERE NOT coalesce(x.missing, false) AND x.actual IS NOT NULL))::int4 AS present
                {lateral}
            FROM jsonb_to_recordset(s.items) AS x(metric_id int8, actual float8, target float8, missing bool)
        ) m
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
            ("items_present", "int4"),
            *metric_columns,
        ],
    )
    n, k = len(raw["partner_id"]), len(metric_ids)
    actual = np.empty((n, k), dtype=np.float64)
    target = np.empty((n, k), dtype=np.float64)
    for j in range(k):
        actual[:, j] = raw[f"actual_{j}"]
        target[:, j] = raw[f"target_{j}"]
    return SnapshotFacts(
        partner=index.positions(raw["partner_id"]),
        quarter=raw["quarter"].astype(bool),
        month=pg_days_to_months(raw["period_start"]),
        months_covered=raw["months_covered"].astype(np.int64),
        score=raw["score"],
        rag=raw["rag"].astype(np.int64),
        trend=raw["trend"].astype(np.int64),
        dq=raw["dq"].astype(bool),
        change=raw["change"],
        items_total=raw["items_total"].astype(np.int64),
        items_present=raw["items_present"].astype(np.int64),
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
