"""Writes of the executive dashboard: the precompute of a program's cube (after each snapshot refresh, and nightly).

``dashboard_precompute`` holds the tenant's advisory lock for its transaction (two runs of one tenant never overlap),
reads the facts (``executive.selectors.facts``: a fixed number of statements), adds them up
(``executive.domain.cube``), then replaces the tenant's cells: one ``DELETE``, a binary ``COPY`` into a TEMP staging
table (``COPY`` straight into a table under row-level security is refused), one ``INSERT ... SELECT``. Pages read the
cells; readers see the old cube or the new one, never half of each (one transaction). Running it twice writes the same
cells.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Final

import numpy as np
from django.db import connection
from django.utils import timezone

from partnerhub.core.models import Tenant
from partnerhub.core.tenancy.context import tenant_context
from partnerhub.core.tenancy.sql import LOCK_EXECUTIVE_DASHBOARD, TenantSql, tenant_xact_lock
from partnerhub.executive.domain.cube import CubeCells, compute_cube
from partnerhub.executive.models import DashboardCell, DashboardComputation
from partnerhub.executive.selectors.facts import (
    activity_facts,
    cube_metrics,
    forecast_facts,
    partner_index,
    snapshot_facts,
)

CELL_TABLE: Final = DashboardCell._meta.db_table
PG_EPOCH_DAYS: Final = 10_957  # days from 1970-01-01 to 2000-01-01 (PostgreSQL's binary date epoch)
COPY_SIGNATURE: Final = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"


@dataclass(frozen=True)
class PrecomputeResult:
    """What one precompute did (JSON-friendly through ``as_dict``)."""

    tenant_id: int
    snapshots: int = 0
    cells: int = 0
    seconds: float = 0.0
    statements: int = 0
    phases: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def dashboard_precompute(
    *, tenant: Tenant, trigger: str = DashboardComputation.Trigger.SCHEDULE, today: date | None = None
) -> PrecomputeResult:
    """Recompute ``tenant``'s dashboard cube from its stored snapshots and review activity, and store it.

    ``today`` (default: today in UTC) decides which open action items are overdue. Idempotent; serialised per tenant
    by an advisory lock held until the transaction commits.
    """
    today = today or timezone.now().date()
    started = time.perf_counter()
    phases: dict[str, float] = {}
    last = started

    def lap(name: str) -> None:
        nonlocal last
        now = time.perf_counter()
        phases[name] = round(now - last, 3)
        last = now

    with tenant_context(tenant):
        tenant_xact_lock(LOCK_EXECUTIVE_DASHBOARD, tenant)
        lap("lock")
        sql = TenantSql(tenant)
        with connection.execute_wrapper(sql.count):
            metrics = cube_metrics(tenant=tenant)
            index = partner_index(tenant=tenant)
            snapshots = snapshot_facts(sql, tenant, index, [m.id for m in metrics])
            activity = activity_facts(sql, tenant, index, today)
            forecasts = forecast_facts(sql, tenant, index)
            lap("read")
            cube = compute_cube(index.dims, snapshots, activity, forecasts, [m.id for m in metrics])
            lap("compute")
            latest_month = _latest(snapshots.month[~snapshots.quarter])
            latest_quarter = _latest(snapshots.month[snapshots.quarter])
            computation, _ = DashboardComputation.objects.for_tenant(tenant).update_or_create(
                tenant=tenant,
                defaults={
                    "computed_at": timezone.now(),
                    "as_of": today,
                    "trigger": trigger,
                    "snapshots_read": len(snapshots.partner),
                    "cells": len(cube),
                    "layout": cube.layout,
                    "dimensions": index.values,
                    "metrics": [m.as_dict() for m in metrics],
                    "latest_month": latest_month,
                    "latest_quarter": latest_quarter,
                },
            )
            sql.execute(f"DELETE FROM {CELL_TABLE} WHERE tenant_id = %s", [tenant.pk])
            _write_cells(sql, tenant, computation, cube)
            lap("write")
        seconds = round(time.perf_counter() - started, 3)
        DashboardComputation.objects.for_tenant(tenant).filter(pk=computation.pk).update(seconds=seconds)
    return PrecomputeResult(
        tenant_id=tenant.pk,
        snapshots=len(snapshots.partner),
        cells=len(cube),
        seconds=seconds,
        statements=sql.statements,
        phases=phases,
    )


def _latest(months: np.ndarray) -> date | None:
    if not len(months):
        return None
    number = int(months.max())
    return date(number // 12, number % 12 + 1, 1)


def cells_copy_buffer(cube: CubeCells) -> bytes:
    """The cells as one ``COPY ... (FORMAT binary)`` payload, built with one numpy structured array (no Python loop
    per cell): quarter (bool), period start (date), dimension A and value, dimension B and value, measures (bytea of
    little-endian float64)."""
    count, width = cube.measures.shape
    layout = np.dtype(
        [
            ("fields", ">i2"),
            ("len_quarter", ">i4"),
            ("quarter", "u1"),
            ("len_start", ">i4"),
            ("start", ">i4"),
            ("len_dim_a", ">i4"),
            ("dim_a", ">i2"),
            ("len_value_a", ">i4"),
            ("value_a", ">i4"),
            ("len_dim_b", ">i4"),
            ("dim_b", ">i2"),
            ("len_value_b", ">i4"),
            ("value_b", ">i4"),
            ("len_measures", ">i4"),
            ("measures", "<f8", (width,)),
        ]
    )
    rows = np.zeros(count, dtype=layout)
    rows["fields"] = 7
    rows["len_quarter"], rows["quarter"] = 1, cube.quarter
    months = (cube.month - 1970 * 12).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    rows["len_start"], rows["start"] = 4, months - PG_EPOCH_DAYS
    rows["len_dim_a"], rows["dim_a"] = 2, cube.dim_a
    rows["len_value_a"], rows["value_a"] = 4, cube.value_a
    rows["len_dim_b"], rows["dim_b"] = 2, cube.dim_b
    rows["len_value_b"], rows["value_b"] = 4, cube.value_b
    rows["len_measures"], rows["measures"] = 8 * width, cube.measures
    return COPY_SIGNATURE + rows.tobytes() + b"\xff\xff"


def _write_cells(sql: TenantSql, tenant: Tenant, computation: DashboardComputation, cube: CubeCells) -> None:
    if not len(cube):
        return
    sql.execute(
        "CREATE TEMP TABLE dashboard_cell_stage (quarter bool, period_start date, dim_a int2, value_a int4, "
        "dim_b int2, value_b int4, measures bytea) ON COMMIT DROP"
    )
    payload = cells_copy_buffer(cube)
    sql.statements += 1
    with connection.cursor() as cursor, cursor.copy("COPY dashboard_cell_stage FROM STDIN (FORMAT binary)") as copy:
        for start in range(0, len(payload), 1 << 22):
            copy.write(payload[start : start + (1 << 22)])
    now = timezone.now()
    sql.execute(
        f"""
        INSERT INTO {CELL_TABLE}
            (tenant_id, computation_id, period, period_start, dim_a, value_a, dim_b, value_b, measures,
             created_at, updated_at)
        SELECT %s, %s, CASE WHEN quarter THEN 'quarter' ELSE 'month' END, period_start, dim_a, value_a, dim_b,
            value_b, measures, %s, %s
        FROM dashboard_cell_stage
        """,
        [tenant.pk, computation.pk, now, now],
    )
    sql.execute("DROP TABLE dashboard_cell_stage")
