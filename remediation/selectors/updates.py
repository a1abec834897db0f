"""The figures beside a progress update: the plan's checkpoint measures in the partner's latest snapshots."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from partnerhub.core.domain.periods import period_label
from partnerhub.core.models import Tenant
from remediation.models import Checkpoint, Plan
from scorecards.selectors.snapshots import latest_snapshots

UNIT_SUFFIX = {"percent": " %", "days": " days", "hours": " h"}


def plan_latest_figures(*, tenant: Tenant, plan: Plan) -> list[dict[str, Any]]:
    """[{"label", "value", "unit", "period"}] for the score and each metric the plan's checkpoints name, from the
    partner's latest snapshot of each period kind they use (month by default). A fixed number of queries."""
    checkpoints = list(
        Checkpoint.objects.for_tenant(tenant).filter(plan=plan).select_related("metric").order_by("due_period_start")
    )
    periods = sorted({c.period for c in checkpoints}) or [Checkpoint.Period.MONTH]
    figures: list[dict[str, Any]] = []
    for period in periods:
        latest = latest_snapshots(
            tenant=tenant, period=period, partner_ids=[plan.partner_id], on_or_before=timezone.localdate()
        ).first()
        if latest is None:
            continue
        when = period_label(period, latest.period_start)
        figures.append(
            {
                "label": "Score",
                "value": float(latest.score) if latest.score is not None else None,
                "unit": "points",
                "period": when,
            }
        )
        items = {int(i["metric_id"]): i for i in latest.items}
        seen: set[int] = set()
        for c in checkpoints:
            metric_id = c.metric_id
            if c.period != period or c.metric is None or metric_id is None or metric_id in seen:
                continue
            seen.add(metric_id)
            item = items.get(metric_id) or {}
            value = item.get("normalised") if item.get("normalised") is not None else item.get("actual")
            figures.append(
                {
                    "label": c.metric.name,
                    "value": None if item.get("missing") or value is None else float(value),
                    "unit": c.metric.unit,
                    "period": when,
                }
            )
    return figures
