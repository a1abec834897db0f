"""The portfolio as a CSV or XLSX file (the columns a spreadsheet user expects, in order)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from scorecards.models import ScorecardSnapshot

EXPORT_COLUMNS = [
    "Partner",
    "Type",
    "Tier",
    "Stage",
    "Region",
    "Owner",
    "Period",
    "Period covers",
    "Score",
    "RAG",
    "Trend",
    "Percentile",
    "Change vs previous",
    "Change vs baseline",
    "Data quality",
]


def portfolio_export_rows(snapshots: Iterable[ScorecardSnapshot]) -> list[list[Any]]:
    """One row per snapshot, in ``EXPORT_COLUMNS`` order, for the CSV and XLSX exports."""
    rows = []
    for s in snapshots:
        p = s.partner
        rows.append(
            [
                p.name,
                p.get_partner_type_display(),
                p.get_tier_display(),
                p.get_stage_display(),
                p.get_region_display(),
                str(p.owner.user) if p.owner else "",
                s.period_start.isoformat(),
                s.to_date_phrase,
                None if s.score is None else float(s.score),
                s.get_rag_display(),
                s.get_trend_display(),
                None if s.percentile is None else float(s.percentile),
                None if s.change_previous is None else float(s.change_previous),
                None if s.change_baseline is None else float(s.change_baseline),
                "; ".join(s.dq_reasons),
            ]
        )
    return rows
