"""Reads of stored quarterly snapshots as series, for the apps that judge partners over several quarters (tier
recommendations, award candidates): scores and metric values by partner and quarter, each partner's first scored
month, the latest complete quarter, and the survey responses behind a quarter's CSAT.

The series are read by one plain statement each, straight into numpy arrays: 20,000 partners over eight quarters are
160,000 short rows, which a cursor fetches about as fast as the bare read of the rows (a grouped binary COPY, which
pays off at millions of rows, sorts them first and was slower here). A quarter to date (fewer than three months
counted) is never a point of a series: its score and values read as missing (NaN).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

import numpy as np
import numpy.typing as npt
from django.db import connection
from django.db.models import Count, Max, Min

from partnerhub.core.domain.periods import month_number
from partnerhub.core.models import Tenant
from partnerhub.core.tenancy.context import tenant_context
from partnerhub.core.tenancy.sql import ensure_active_tenant
from scorecards.models import ScorecardSnapshot, SurveyResponse

SNAPSHOT_TABLE: Final = ScorecardSnapshot._meta.db_table
SURVEY_CSAT: Final[str] = SurveyResponse.Survey.CSAT.value
# The month number of a date column, in SQL (partnerhub.core.domain.periods.month_number).
_MONTH_NUMBER: Final = "(EXTRACT(YEAR FROM {col})::int4 * 12 + EXTRACT(MONTH FROM {col})::int4 - 1)"


@dataclass(frozen=True)
class QuarterSeries:
    """Rows of (partner id, quarter as a month number, value), ordered by partner; NaN where there is no value."""

    partner_id: npt.NDArray[np.int64]
    quarter: npt.NDArray[np.int32]
    value: npt.NDArray[np.float64]

    def __len__(self) -> int:
        return len(self.partner_id)


def _partner_filter(partner_ids: Iterable[int] | None, params: list[Any]) -> str:
    if partner_ids is None:
        return ""
    params.append(sorted({int(p) for p in partner_ids}))
    return " AND partner_id = ANY(%s::bigint[])"


def quarter_scores(
    *, tenant: Tenant, first: date, last: date, partner_ids: Iterable[int] | None = None
) -> QuarterSeries:
    """Every partner's score in each complete quarter from ``first`` to ``last`` (quarter starts), one COPY.

    A quarter to date, or a quarter scored "insufficient data", reads as NaN. Partners with no quarter snapshot in the
    range have no row.
    """
    params: list[Any] = [tenant.pk, first, last]
    where = _partner_filter(partner_ids, params)
    rows = _fetch(
        tenant,
        f"SELECT partner_id, {_MONTH_NUMBER.format(col='period_start')}, "
        "CASE WHEN months_covered = 3 AND score IS NOT NULL THEN score::float8 ELSE 'NaN'::float8 END "
        f"FROM {SNAPSHOT_TABLE} WHERE tenant_id = %s AND period = 'quarter' "
        f"AND period_start >= %s AND period_start <= %s{where}",
        params,
        3,
    )
    return QuarterSeries(rows[:, 0].astype(np.int64), rows[:, 1].astype(np.int32), rows[:, 2])


def _fetch(tenant: Tenant, sql: str, params: list[Any], width: int) -> npt.NDArray[np.float64]:
    """The rows of ``sql`` (numbers only) as a float array, read inside the tenant (both walls)."""
    with tenant_context(tenant):
        ensure_active_tenant(tenant, "snapshot series")  # raw SQL: the scoped manager's check, by hand
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
    return np.array(rows, dtype=np.float64).reshape(len(rows), width)


def quarter_metric_values(
    *, tenant: Tenant, first: date, last: date, metric_ids: Iterable[int], partner_ids: Iterable[int] | None = None
) -> dict[int, QuarterSeries]:
    """Metric id -> each partner's actual for the metric in each complete quarter from ``first`` to ``last``, as its
    scorecard shows it (the quarter's aggregate of the months); one COPY for all the metrics.

    Only metrics on the partner's scorecard have a value; a missing actual reads as NaN.
    """
    wanted = sorted({int(m) for m in metric_ids})
    if not wanted:
        return {}
    params: list[Any] = [wanted, tenant.pk, first, last]
    where = _partner_filter(partner_ids, params)
    rows = _fetch(
        tenant,
        f"SELECT s.partner_id, {_MONTH_NUMBER.format(col='s.period_start')}, m.id, "
        "coalesce((item ->> 'actual')::float8, 'NaN'::float8) "
        f"FROM unnest(%s::bigint[]) AS m(id) JOIN {SNAPSHOT_TABLE} s ON true "
        "CROSS JOIN LATERAL jsonb_path_query(s.items, '$[*] ? (@.metric_id == $m)', jsonb_build_object('m', m.id)) "
        "AS item "
        "WHERE s.tenant_id = %s AND s.period = 'quarter' AND s.months_covered = 3 "
        f"AND s.period_start >= %s AND s.period_start <= %s{where.replace('partner_id', 's.partner_id')}",
        params,
        4,
    )
    found: dict[int, QuarterSeries] = {}
    for metric_id in wanted:
        chosen = rows[rows[:, 2] == metric_id]
        found[metric_id] = QuarterSeries(chosen[:, 0].astype(np.int64), chosen[:, 1].astype(np.int32), chosen[:, 3])
    return found


def first_scored_months(*, tenant: Tenant, partner_ids: Iterable[int] | None = None) -> dict[int, int]:
    """Partner id -> the month number of its first month with a score (its tenure starts there), one query."""
    qs = ScorecardSnapshot.objects.for_tenant(tenant).filter(period=ScorecardSnapshot.Period.MONTH, score__isnull=False)
    if partner_ids is not None:
        qs = qs.filter(partner_id__in=list(partner_ids))
    rows = qs.order_by().values("partner_id").annotate(first=Min("period_start")).values_list("partner_id", "first")
    return {partner_id: month_number(first) for partner_id, first in rows}


def latest_complete_quarter(*, tenant: Tenant) -> date | None:
    """The start of the latest quarter some partner has complete (three months counted), or None (one query)."""
    latest: date | None = (
        ScorecardSnapshot.objects.for_tenant(tenant)
        .filter(period=ScorecardSnapshot.Period.QUARTER, months_covered=3)
        .aggregate(latest=Max("period_start"))["latest"]
    )
    return latest


@dataclass(frozen=True)
class QuarterRow:
    """One partner's quarter snapshot, as the award rules read it."""

    partner_id: int
    partner_type: str
    stage: str
    score: float | None
    percentile: float | None
    change_previous: float | None
    change_baseline: float | None
    trend: str
    trend_explanation: str


def quarter_rows(*, tenant: Tenant, quarter: date, partner_ids: Iterable[int] | None = None) -> list[QuarterRow]:
    """Every partner's complete snapshot of one quarter, with its segment (one query)."""
    qs = ScorecardSnapshot.objects.for_tenant(tenant).filter(
        period=ScorecardSnapshot.Period.QUARTER, period_start=quarter, months_covered=3
    )
    if partner_ids is not None:
        qs = qs.filter(partner_id__in=list(partner_ids))
    rows = qs.order_by("partner_id").values_list(
        "partner_id",
        "partner__partner_type",
        "partner__stage",
        "score",
        "percentile",
        "change_previous",
        "change_baseline",
        "trend",
        "trend_explanation",
    )

    def number(value: object) -> float | None:
        return None if value is None else float(value)  # type: ignore[arg-type]

    return [
        QuarterRow(pid, ptype, stage, number(score), number(pct), number(prev), number(base), trend, explanation)
        for pid, ptype, stage, score, pct, prev, base, trend, explanation in rows
    ]


def survey_response_counts(
    *, tenant: Tenant, survey: str, first_day: date, last_day: date, partner_ids: Iterable[int] | None = None
) -> dict[int, int]:
    """Partner id -> how many ``survey`` responses are dated from ``first_day`` to ``last_day`` (one query)."""
    qs = SurveyResponse.objects.for_tenant(tenant).filter(survey=survey, date__gte=first_day, date__lte=last_day)
    if partner_ids is not None:
        qs = qs.filter(partner_id__in=list(partner_ids))
    return dict(qs.order_by().values("partner_id").annotate(n=Count("id")).values_list("partner_id", "n"))
