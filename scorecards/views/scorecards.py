"""Scorecard pages: the portfolio and its exports, a partner's scorecard, the partner's own (portal), the help page."""

from __future__ import annotations

import json
from datetime import date
from typing import Any, Literal

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from partnerhub.core.domain.periods import to_date_phrase
from partnerhub.core.forms.program import PartnerFilterForm
from partnerhub.core.http import TenantRequest, table_download
from partnerhub.core.views.program import tenant_view
from scorecards.models import ScorecardSnapshot
from scorecards.selectors.snapshots import (
    PORTFOLIO_SORTS,
    latest_period,
    partner_scorecard,
    period_months_covered,
    portfolio_snapshots,
    recent_periods,
)
from scorecards.views.charts import score_figure
from scorecards.views.portfolio_export import EXPORT_COLUMNS, portfolio_export_rows


@tenant_view("metrics.view")
def scorecard_help_view(request: TenantRequest) -> HttpResponse:
    """The score, the RAG rules and the trend method in plain words, for every role."""
    return render(request, "scorecards/help.html")


def _period_args(request: TenantRequest) -> tuple[str, date | None]:
    period = request.GET.get("period", ScorecardSnapshot.Period.MONTH)
    if period not in ScorecardSnapshot.Period.values:
        period = ScorecardSnapshot.Period.MONTH
    try:
        at = date.fromisoformat(request.GET["at"]) if request.GET.get("at") else None
    except ValueError:
        at = None
    return period, at


def _portfolio_rows(request: TenantRequest) -> dict[str, Any]:
    tenant = request.tenant
    period, at = _period_args(request)
    latest = latest_period(tenant=tenant, period=period)
    form = PartnerFilterForm(request.GET or None, tenant=tenant)
    sort = request.GET.get("sort", "score")
    sort = sort if sort in PORTFOLIO_SORTS else "score"
    start = at or latest
    snapshots = (
        portfolio_snapshots(tenant=tenant, period=period, period_start=start, filters=form.to_filters(), sort=sort)
        if start
        else None
    )
    return {
        "form": form,
        "period": period,
        "period_start": start,
        "periods": recent_periods(latest, period),
        "snapshots": snapshots,
        "sort": sort,
    }


@tenant_view("partners.view")
def portfolio_view(request: TenantRequest) -> HttpResponse:
    """Every partner's score, RAG, trend, percentile and change for one month or quarter."""
    context = _portfolio_rows(request)
    snapshots = context["snapshots"]
    context["page"] = Paginator(snapshots if snapshots is not None else [], 50).get_page(request.GET.get("page"))
    # A quarter to date says so in the header (from the period itself, not from the rows this page happens to show)
    # as well as on each row.
    start = context["period_start"]
    covered = period_months_covered(tenant=request.tenant, period=context["period"], period_start=start) if start else 3
    context["to_date_phrase"] = to_date_phrase(covered) if context["period"] == "quarter" and covered < 3 else ""
    query = request.GET.copy()
    query.pop("page", None)
    context["query"] = query.urlencode()
    sortless = query.copy()
    sortless.pop("sort", None)
    context["sortless_query"] = sortless.urlencode()
    template = "scorecards/partials/_portfolio_table.html" if request.htmx else "scorecards/portfolio.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@tenant_view("partners.view")
def portfolio_export_view(request: TenantRequest, fmt: str) -> HttpResponse:
    """The filtered portfolio as CSV or XLSX; the file name carries the program and the period."""
    context = _portfolio_rows(request)
    kind: Literal["csv", "xlsx"] = "xlsx" if fmt == "xlsx" else "csv"
    stamp = context["period_start"].isoformat() if context["period_start"] else "none"
    name = f"{request.tenant.slug}-scorecards-{context['period']}-{stamp}"
    rows = portfolio_export_rows(context["snapshots"] or [])
    return table_download(name, EXPORT_COLUMNS, rows, kind, sheet="Scorecards")


def _scorecard_context(request: TenantRequest, partner_id: int, *, for_partner_user: bool) -> dict[str, Any]:
    period, at = _period_args(request)
    card = partner_scorecard(
        tenant=request.tenant, partner_id=partner_id, period=period, at=at, with_segment_median=for_partner_user
    )
    return {
        "card": card,
        "period": period,
        "figure": json.dumps(score_figure(card)),
        "for_partner_user": for_partner_user,
    }


@tenant_view("partners.view")
def partner_scorecard_view(request: TenantRequest, partner_id: int) -> HttpResponse:
    """One partner's scorecard: score over time, per-metric table, what moved it, trend, data quality."""
    return render(
        request, "scorecards/partner_scorecard.html", _scorecard_context(request, partner_id, for_partner_user=False)
    )


@tenant_view("portal.view")
def portal_scorecard_view(request: TenantRequest) -> HttpResponse:
    """A partner user's own scorecard: weights and targets in full, and the segment's median, no one else's."""
    partner_id = request.membership.partner_id
    if partner_id is None:  # the database forbids it for partner roles
        raise Http404
    return render(
        request, "scorecards/portal_scorecard.html", _scorecard_context(request, partner_id, for_partner_user=True)
    )
