"""Monthly scores of every partner as one panel, for other apps' bulk analysis (investments' impact estimates):
one COPY of the snapshot rows, however many partners and months."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

import numpy as np
import numpy.typing as npt

from partnerhub.core.models import Tenant
from partnerhub.core.tenancy.sql import TenantSql, pg_days_to_months
from scorecards.models import ScorecardSnapshot

SNAPSHOT_TABLE: Final = ScorecardSnapshot._meta.db_table


@dataclass(frozen=True)
class ScoreRows:
    """Monthly snapshot scores as columns: partner id, month number (``year * 12 + month - 1``), score (0-100)."""

    partner_id: npt.NDArray[np.int64]
    month: npt.NDArray[np.int64]
    score: npt.NDArray[np.float64]


def monthly_score_rows(*, tenant: Tenant, since: date | None = None) -> ScoreRows:
    """Every scored monthly snapshot of the program (from ``since`` on), ordered by partner: one COPY. Run inside the
    tenant's context (a task or request): raw SQL makes the scoped manager's check by hand and names the tenant."""
    sql = TenantSql(tenant)
    where = "tenant_id = %s AND period = %s AND score IS NOT NULL"
    params: list[object] = [tenant.pk, ScorecardSnapshot.Period.MONTH.value]
    if since is not None:
        where += " AND period_start >= %s"
        params.append(since)
    raw = sql.copy_out(
        f"SELECT partner_id, period_start, score::float8 FROM {SNAPSHOT_TABLE} WHERE {where}",
        params,
        [("partner_id", "int8"), ("period_start", "date"), ("score", "float8")],
    )
    return ScoreRows(
        partner_id=raw["partner_id"].astype(np.int64),
        month=pg_days_to_months(raw["period_start"]),
        score=raw["score"].astype(np.float64),
    )


def partner_scorecard_templates(*, tenant: Tenant) -> dict[int, int]:
    """Partner id -> the scorecard template of its latest monthly snapshot: the scorecard segment it is scored in
    (a template covers one partner type x lifecycle stage, or every segment without a template of its own). One
    query; a partner with no snapshot is absent."""
    rows = (
        ScorecardSnapshot.objects.for_tenant(tenant)
        .filter(period=ScorecardSnapshot.Period.MONTH)
        .order_by("partner_id", "-period_start")
        .distinct("partner_id")
        .values_list("partner_id", "template_version__template_id")
    )
    return dict(rows)
