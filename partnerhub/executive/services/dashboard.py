"""Writes of the executive dashboard: the precompute of a program's cube (after each snapshot refresh, and nightly).

``dashboard_precompute`` holds the tenant's advisory lock for its transaction (two runs of one tenant never overlap),
reads the facts (``executive.selectors.facts``: a fixed number of statements), adds them up
(``executive.domain.cube``), then replaces the tenant's slices (one row per slice, holding all its periods): one
``DELETE``, a binary ``COPY`` into a TEMP staging table (``COPY`` straight into a table under row-level security is
refused), one ``INSERT ... SELECT``. Readers see the old cube or the new one, never half of each (one transaction).
Running it twice writes the same slices.
"""

from __future__ import annotations

import struct
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
from partnerhub.executive.models import DashboardComputation, DashboardSlice
from partnerhub.executive.selectors.facts import (
    activity_facts,
    cube_metrics,
    forecast_facts,
    partner_index,
    snapshot_facts,
)

SLICE_TABLE: Final = DashboardSlice._meta.db_table
INT4_OID: Final = 23
PG_EPOCH_DAYS: Final = 10_957  # days from 1970-01-01 to 2000-01-01 (PostgreSQL's binary date epoch)
COPY_SIGNATURE: Final = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"


@dataclass(frozen=True)
class PrecomputeResult:
    """What one precompute did (JSON-friendly through ``as_dict``)."""

    tenant_id: int
    snapshots: int = 0
    cells: int = 0
    slices: int = 0
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
            sql.execute(f"DELETE FROM {SLICE_TABLE} WHERE tenant_id = %s", [tenant.pk])
            slices = _write_slices(sql, tenant, computation, cube)
            lap("write")
        seconds = round(time.perf_counter() - started, 3)
        DashboardComputation.objects.for_tenant(tenant).filter(pk=computation.pk).update(seconds=seconds, slices=slices)
    return PrecomputeResult(
        tenant_id=tenant.pk,
        snapshots=len(snapshots.partner),
        cells=len(cube),
        slices=slices,
        seconds=seconds,
        statements=sql.statements,
        phases=phases,
    )


def _latest(months: np.ndarray) -> date | None:
    if not len(months):
        return None
    number = int(months.max())
    return date(number // 12, number % 12 + 1, 1)


def slices_copy_buffer(cube: CubeCells) -> tuple[bytes, int]:
    """The cube as one ``COPY ... (FORMAT binary)`` payload of one row per slice: dimension A and value, dimension B
    and value, the periods (int4[]) and the measures (bytea of little-endian float64, one vector per period); and
    the number of rows. Cells are grouped by slice with one sort; each row is a few ``tobytes``."""
    periods = (cube.month * 2 + cube.quarter).astype(np.int64)
    slice_key = ((cube.dim_a * 1_000_000 + cube.value_a) * 16 + cube.dim_b) * 1_000_000 + cube.value_b
    order = np.lexsort((periods, slice_key))
    keys = slice_key[order]
    bounds = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1], True])
    head = np.dtype(
        [
            ("fields", ">i2"),
            ("len_dim_a", ">i4"),
            ("dim_a", ">i2"),
            ("len_value_a", ">i4"),
            ("value_a", ">i4"),
            ("len_dim_b", ">i4"),
            ("dim_b", ">i2"),
            ("len_value_b", ">i4"),
            ("value_b", ">i4"),
            ("len_periods", ">i4"),
            ("ndim", ">i4"),
            ("has_null", ">i4"),
            ("element_type", ">i4"),
            ("length", ">i4"),
            ("lower", ">i4"),
        ]
    )
    element = np.dtype([("length", ">i4"), ("value", ">i4")])
    parts: list[bytes] = [COPY_SIGNATURE]
    measures = cube.measures[order].astype("<f8")
    period_sorted = periods[order]
    for start, end in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        first = order[start]
        n = end - start
        row = np.zeros(1, dtype=head)
        row["fields"] = 6
        row["len_dim_a"], row["dim_a"] = 2, cube.dim_a[first]
        row["len_value_a"], row["value_a"] = 4, cube.value_a[first]
        row["len_dim_b"], row["dim_b"] = 2, cube.dim_b[first]
        row["len_value_b"], row["value_b"] = 4, cube.value_b[first]
        row["len_periods"] = 20 + 8 * n
        row["ndim"], row["element_type"], row["length"], row["lower"] = 1, INT4_OID, n, 1
        items = np.empty(n, dtype=element)
        items["length"], items["value"] = 4, period_sorted[start:end]
        vectors = measures[start:end].tobytes()
        parts += [row.tobytes(), items.tobytes(), struct.pack(">i", len(vectors)), vectors]
    parts.append(b"\xff\xff")
    return b"".join(parts), len(bounds) - 1


def _write_slices(sql: TenantSql, tenant: Tenant, computation: DashboardComputation, cube: CubeCells) -> int:
    if not len(cube):
        return 0
    sql.execute(
        "CREATE TEMP TABLE dashboard_slice_stage (dim_a int2, value_a int4, dim_b int2, value_b int4, periods int4[], "
        "measures bytea) ON COMMIT DROP"
    )
    # Staged uncompressed (compressing twice is most of a COPY's cost): the slice table compresses, with lz4.
    sql.execute("ALTER TABLE dashboard_slice_stage ALTER COLUMN measures SET STORAGE EXTERNAL")
    payload, rows = slices_copy_buffer(cube)
    sql.statements += 1
    with connection.cursor() as cursor, cursor.copy("COPY dashboard_slice_stage FROM STDIN (FORMAT binary)") as copy:
        for start in range(0, len(payload), 1 << 22):
            copy.write(payload[start : start + (1 << 22)])
    now = timezone.now()
    sql.execute(
        f"""
        INSERT INTO {SLICE_TABLE}
            (tenant_id, computation_id, dim_a, value_a, dim_b, value_b, periods, measures, created_at, updated_at)
        SELECT %s, %s, dim_a, value_a, dim_b, value_b, periods, measures, %s, %s FROM dashboard_slice_stage
        """,
        [tenant.pk, computation.pk, now, now],
    )
    sql.execute("DROP TABLE dashboard_slice_stage")
    return rows
