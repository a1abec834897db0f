"""Read models of the scorecard pages: stored snapshots only, never recomputed, in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.db.models.aggregates import Aggregate
from django.db.models.fields import FloatField

from partnerhub.exceptions import NotFoundError
from partnerhub.models import Partner, Tenant
from partnerhub.selectors import PartnerFilters, partner_list
from scorecards.models import MetricDefinition, ScorecardSnapshot
from scorecards.selectors.snapshots import partner_snapshots, portfolio_snapshots

SORTS = {
    "score": ("-score", "partner__name"),
    "-score": ("score", "partner__name"),
    "change": ("-change_previous", "partner__name"),
    "-change": ("change_previous", "partner__name"),
    "percentile": ("-percentile", "partner__name"),
    "name": ("partner__name",),
}


class _Median(Aggregate):
    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def recent_periods(latest: date | None, period: str, count: int = 24) -> list[date]:
    """The last ``count`` period starts up to ``latest``, newest first (arithmetic, no query)."""
    if latest is None:
        return []
    step = 3 if period == ScorecardSnapshot.Period.QUARTER else 1
    index = latest.year * 12 + latest.month - 1
    return [date((index - i * step) // 12, (index - i * step) % 12 + 1, 1) for i in range(count)]


def portfolio(
    *, tenant: Tenant, period: str, period_start: date, filters: PartnerFilters, sort: str = "score"
) -> QuerySet[ScorecardSnapshot]:
    """``portfolio_snapshots`` in the order the page asks for (score by default)."""
    return portfolio_snapshots(tenant=tenant, period=period, period_start=period_start, filters=filters).order_by(
        *SORTS.get(sort, SORTS["score"])
    )


@dataclass
class MetricRow:
    metric: MetricDefinition | None
    item: dict[str, Any]
    contribution: float | None = None  # points of score this metric moved versus the previous period


@dataclass
class PartnerScorecard:
    partner: Partner
    period: str
    snapshots: list[ScorecardSnapshot]
    current: ScorecardSnapshot | None
    previous: ScorecardSnapshot | None
    rows: list[MetricRow] = field(default_factory=list)
    segment_median: float | None = None


def _share(snapshot: ScorecardSnapshot | None) -> dict[int, float]:
    """Each present metric's points as score points (100 x points / weight present) of one snapshot."""
    if snapshot is None:
        return {}
    present = [i for i in snapshot.items if not i.get("missing")]
    weight = sum(float(i["weight"]) for i in present)
    if weight <= 0:
        return {}
    return {int(i["metric_id"]): 100 * float(i["points"] or 0) / weight for i in present}


def partner_scorecard(
    *, tenant: Tenant, partner_id: int, period: str, at: date | None = None, with_segment_median: bool = False
) -> PartnerScorecard:
    """A partner's snapshots for ``period`` (its history), the one at ``at`` (default: latest), and its metrics."""
    partner = partner_list(tenant=tenant).filter(pk=partner_id).first()
    if partner is None:
        raise NotFoundError("Partner not found.")
    snapshots = list(partner_snapshots(tenant=tenant, partner=partner, period=period))
    current = next((s for s in reversed(snapshots) if at is None or s.period_start == at), None)
    previous = None
    if current is not None:
        earlier = [s for s in snapshots if s.period_start < current.period_start]
        previous = earlier[-1] if earlier else None
    card = PartnerScorecard(partner=partner, period=period, snapshots=snapshots, current=current, previous=previous)
    if current is None:
        return card
    ids = {int(i["metric_id"]) for i in current.items}
    metrics = {m.pk: m for m in MetricDefinition.objects.for_tenant(tenant).filter(pk__in=ids)}
    now, before = _share(current), _share(previous)
    for item in current.items:
        metric_id = int(item["metric_id"])
        moved = None
        if previous is not None and metric_id in now and metric_id in before:
            moved = round(now[metric_id] - before[metric_id], 2)
        card.rows.append(MetricRow(metric=metrics.get(metric_id), item=item, contribution=moved))
    if with_segment_median:
        card.segment_median = (
            ScorecardSnapshot.objects.for_tenant(tenant)
            .filter(
                period=period,
                period_start=current.period_start,
                score__isnull=False,
                partner__partner_type=partner.partner_type,
                partner__stage=partner.stage,
            )
            .aggregate(median=_Median("score"))["median"]
        )
    return card


def score_figure(card: PartnerScorecard) -> dict[str, Any]:
    """A plotly figure (as a dict) of the score over time with the RAG bands of the version in force."""
    points = [(s.period_start.isoformat(), float(s.score)) for s in card.snapshots if s.score is not None]
    version = card.current.template_version if card.current else None
    amber = float(version.score_amber_at) if version else 60.0
    green = float(version.score_green_at) if version else 80.0
    bands = [
        (0, amber, "rgba(179,38,30,0.08)"),
        (amber, green, "rgba(168,98,0,0.10)"),
        (green, 100, "rgba(31,122,68,0.10)"),
    ]
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "lines+markers",
                "x": [p[0] for p in points],
                "y": [p[1] for p in points],
                "name": "Score",
                "line": {"color": "#2451b3", "width": 2},
                "hovertemplate": "%{x|%b %Y}: %{y:.1f}<extra></extra>",
            }
        ],
        "layout": {
            "height": 280,
            "margin": {"l": 40, "r": 10, "t": 10, "b": 40},
            "yaxis": {"range": [0, 100], "fixedrange": True},
            "xaxis": {"type": "date", "fixedrange": True},
            "shapes": [
                {
                    "type": "rect",
                    "xref": "paper",
                    "x0": 0,
                    "x1": 1,
                    "y0": lo,
                    "y1": hi,
                    "fillcolor": color,
                    "line": {"width": 0},
                    "layer": "below",
                }
                for lo, hi, color in bands
            ],
            "showlegend": False,
            "paper_bgcolor": "#ffffff",
            "plot_bgcolor": "#ffffff",
            "font": {"family": "system-ui, sans-serif", "size": 12},
        },
    }


EXPORT_COLUMNS = [
    "Partner",
    "Type",
    "Tier",
    "Stage",
    "Region",
    "Owner",
    "Period",
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
