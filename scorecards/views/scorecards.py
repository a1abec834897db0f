"""Scorecard pages: the portfolio and its exports, a partner's scorecard, the partner's own (portal), the help page."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from typing import Any, Literal

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from partnerhub.core.domain.periods import to_date_phrase
from partnerhub.core.forms.program import PartnerFilterForm
from partnerhub.core.http import TenantRequest, table_download
from partnerhub.core.models import Role
from partnerhub.core.views.program import tenant_view
from scorecards.domain.standing import MIN_PERCENTILE_GROUP
from scorecards.models import ScorecardSnapshot
from scorecards.selectors.portfolio import PortfolioSummary, partners_red, portfolio_summary
from scorecards.selectors.snapshots import (
    PORTFOLIO_SORTS,
    attach_segment_standing,
    latest_period_cached,
    partner_scorecard,
    period_months_covered_cached,
    portfolio_snapshots,
    recent_periods,
)
from scorecards.views.charts import RAG_LABELS, rag_distribution_figure, score_figure
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


SCOPES = ("mine", "all")
RAG_FILTERS = {"green": "green", "amber": "amber", "red": "red", "none": ""}  # the address's word -> stored RAG


def _portfolio_rows(request: TenantRequest) -> dict[str, Any]:
    """The portfolio's rows and what chose them. A member who owns partners sees their own by default ("mine"), any
    member may switch to all (``scope``); the export follows the page."""
    tenant, actor = request.tenant, request.membership
    period, at = _period_args(request)
    latest = latest_period_cached(tenant=tenant, period=period)
    form = PartnerFilterForm(request.GET or None, tenant=tenant)
    sort = request.GET.get("sort", "score")
    sort = sort if sort in PORTFOLIO_SORTS else "score"
    start = at or latest
    summary = portfolio_summary(tenant=tenant, period=period, period_start=start, owner_id=actor.pk) if start else None
    scope = request.GET.get("scope", "")
    if scope not in SCOPES:
        scope = "mine" if summary is not None and summary.mine and not request.GET.get("owner") else "all"
    filters = form.to_filters()
    if scope == "mine":
        filters = replace(filters, owner=actor.pk)
    rag_word = request.GET.get("rag", "")
    rag_word = rag_word if rag_word in RAG_FILTERS else ""
    snapshots = (
        portfolio_snapshots(
            tenant=tenant,
            period=period,
            period_start=start,
            filters=filters,
            sort=sort,
            rag=RAG_FILTERS[rag_word] if rag_word else None,
        )
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
        "scope": scope,
        "summary": summary,
        "rag_filter": rag_word,
        "min_percentile_group": MIN_PERCENTILE_GROUP,
    }


def _scope_urls(request: TenantRequest) -> dict[str, str]:
    """The portfolio's address for each scope, keeping the period; the owner filter belongs to "all"."""
    query = request.GET.copy()
    for key in ("scope", "page", "owner", "rag"):
        query.pop(key, None)
    urls = {}
    for scope in SCOPES:
        query["scope"] = scope
        urls[scope] = f"{request.path}?{query.urlencode()}"
    return urls


@tenant_view("partners.view")
def portfolio_view(request: TenantRequest) -> HttpResponse:
    """Every partner's score, RAG, trend, percentile and change for one month or quarter; a manager's own partners
    first, with what needs their attention above the table."""
    context = _portfolio_rows(request)
    snapshots = context["snapshots"]
    context["page"] = Paginator(snapshots if snapshots is not None else [], 50).get_page(request.GET.get("page"))
    attach_segment_standing(tenant=request.tenant, snapshots=context["page"].object_list)
    # A quarter to date says so in the header (from the period itself, not from the rows this page happens to show)
    # as well as on each row.
    start, period = context["period_start"], context["period"]
    covered = period_months_covered_cached(tenant=request.tenant, period=period, period_start=start) if start else 3
    context["to_date_phrase"] = to_date_phrase(covered) if context["period"] == "quarter" and covered < 3 else ""
    query = request.GET.copy()
    query.pop("page", None)
    context["query"] = query.urlencode()
    sortless = query.copy()
    sortless.pop("sort", None)
    context["sortless_query"] = sortless.urlencode()
    if request.htmx:
        response = render(request, "scorecards/partials/_portfolio_table.html", context)
    else:
        context.update(_portfolio_head(request, context))
        response = render(request, "scorecards/portfolio.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _portfolio_head(request: TenantRequest, context: dict[str, Any]) -> dict[str, Any]:
    """What sits above the table on the full page: the scope switch, the partners turning red (the reviews app adds
    this week's reviews and the overdue actions through the ``portfolio_attention`` panel) and the RAG chart."""
    summary: PortfolioSummary | None = context["summary"]
    mine = context["scope"] == "mine"
    owner_id = request.membership.pk if mine else None
    head: dict[str, Any] = {
        "scope_urls": _scope_urls(request),
        "offer_scope": summary is not None and (summary.mine > 0 or request.membership.role == Role.MANAGER),
        "attention_owner": owner_id,
        "red": None,
        "rag_figure": "",
    }
    start = context["period_start"]
    if summary is None or start is None:
        return head
    red, red_total, turned = partners_red(
        tenant=request.tenant, period=context["period"], period_start=start, owner_id=owner_id
    )
    rag = summary.rag(mine=mine)
    head.update(
        red={"rows": red, "total": red_total, "turned": turned},
        rag_counts=[(value or "none", RAG_LABELS[value], count) for value, count in rag.items()],
        rag_total=sum(rag.values()),
        rag_figure=json.dumps(rag_distribution_figure(rag)),
    )
    return head


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
