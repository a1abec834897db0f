"""The impact page: what the program spent, each group's and each investment's measured effect with its interval
and verdict, attribution per unit of spend (labelled as attribution, never as an effect), the activity types whose
effect is lowest, and one investment's chart of treated vs matched partners. Pages read stored estimates."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from partnerhub.core.http import TenantRequest
from partnerhub.core.rules import can
from partnerhub.core.views.program import tenant_view
from recognition.models import ImpactEstimate
from recognition.selectors.investments import impact_estimate_list, investment_get, spend_by_period
from recognition.services.impact import METRICS, impact_refresh_request
from recognition.views.charts import impact_figure

LIST_LIMIT = 300


def _per_unit(value: Decimal | None, spend: Decimal | None) -> float | None:
    if value is None or spend is None or spend <= 0:
        return None
    return float(value / spend)


def bottom_quartile(groups: list[ImpactEstimate]) -> list[ImpactEstimate]:
    """The activity types (MDF by type) in the lowest quarter by estimated effect (at least one when any)."""
    typed = sorted(
        (g for g in groups if g.subject_kind == "activity_type" and g.effect is not None), key=lambda g: g.effect or 0
    )
    return typed[: max(1, len(typed) // 4)] if typed else []


@tenant_view("investments.view")
def impact_list_view(request: TenantRequest) -> HttpResponse:
    tenant = request.tenant
    metric = request.GET.get("metric", "score")
    if metric not in METRICS:
        metric = "score"
    estimates = list(impact_estimate_list(tenant=tenant, metric=metric)[: LIST_LIMIT + 200])
    groups = [e for e in estimates if e.investment_id is None]
    singles = [e for e in estimates if e.investment_id is not None][:LIST_LIMIT]
    spend = spend_by_period(tenant=tenant)
    context = {
        "metric": metric,
        "metric_label": METRICS[metric],
        "metrics": list(METRICS.items()),
        "groups": [
            (g, _per_unit(g.attributed_pipeline, g.spend), _per_unit(g.attributed_won, g.spend)) for g in groups
        ],
        "singles": singles,
        "bottom": bottom_quartile(groups),
        "spend": spend,
        "spend_total": sum((p.total for p in spend), Decimal(0)),
        "computed_at": max((e.computed_at for e in estimates), default=None),
        "can_refresh": can(request.membership, "investments.record"),
        "limit": LIST_LIMIT,
    }
    return render(request, "recognition/impact_list.html", context)


@tenant_view("investments.view")
def impact_detail_view(request: TenantRequest, investment_id: int) -> HttpResponse:
    tenant = request.tenant
    investment = investment_get(tenant=tenant, investment_id=investment_id)
    estimates = list(impact_estimate_list(tenant=tenant, investment_id=investment.pk))
    score = next((e for e in estimates if e.metric == "score"), None)
    figure = impact_figure(score) if score is not None else None
    context: dict[str, Any] = {
        "investment": investment,
        "estimates": [(e, METRICS.get(e.metric, e.metric)) for e in estimates],
        "score": score,
        "figure": json.dumps(figure) if figure else "",
        "pipeline_per_unit": _per_unit(score.attributed_pipeline, score.spend) if score else None,
        "won_per_unit": _per_unit(score.attributed_won, score.spend) if score else None,
    }
    return render(request, "recognition/impact_detail.html", context)


@tenant_view("investments.record", methods=("POST",))
def impact_refresh_view(request: TenantRequest) -> HttpResponse:
    """Re-estimate now (queued; in-process when there is no worker)."""
    impact_refresh_request(tenant=request.tenant, actor=request.membership)
    messages.success(request, "The estimates are being recomputed; this page shows them when they are ready.")
    return redirect(reverse("impact_list", kwargs={"tenant_slug": request.tenant.slug}))
