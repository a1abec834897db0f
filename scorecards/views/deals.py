"""Deals you can see: the program's deals list (and one partner's), its CSV/XLSX export, a deal's page; and the lists
of joint activities and survey responses the partner page links to.

Internal roles only (``deals.view``): partner users see their scorecard, not the CRM rows behind it (docs/deals.md).
"""

from __future__ import annotations

from typing import Any, Literal

from django.core.paginator import Paginator
from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.cache import patch_cache_control, patch_vary_headers

from partnerhub.core.http import TenantRequest, table_download
from partnerhub.core.models import Partner
from partnerhub.core.rules import can
from partnerhub.core.selectors.program import partner_get
from partnerhub.core.views.program import PAGE_SIZE, tenant_view
from scorecards.forms.deals import ActivityFilterForm, DealFilterForm, SurveyFilterForm
from scorecards.selectors.activities import activity_list, survey_response_list
from scorecards.selectors.deals import DEAL_SORTS, DEFAULT_DEAL_SORT, deal_get, deal_list
from scorecards.views.deal_export import DEAL_EXPORT_COLUMNS, deal_export_rows


def _clean_query(params: QueryDict, *drop: str) -> str:
    """The query string without empty values and without ``drop`` keys (the page, or the sort)."""
    kept = QueryDict(mutable=True)
    for key, values in params.lists():
        if key in drop:
            continue
        filled = [v for v in values if v != ""]
        if filled:
            kept.setlist(key, filled)
    return kept.urlencode()


def _deals_context(request: TenantRequest, partner: Partner | None) -> dict[str, Any]:
    tenant = request.tenant
    form = DealFilterForm(request.GET or None, tenant=tenant, partner_fixed=partner is not None)
    sort = request.GET.get("sort", DEFAULT_DEAL_SORT)
    sort = sort if sort in DEAL_SORTS else DEFAULT_DEAL_SORT
    filters = form.to_filters(partner_id=partner.pk if partner is not None else None)
    return {
        "form": form,
        "partner": partner,
        "sort": sort,
        "deals": deal_list(tenant=tenant, filters=filters, sort=sort),
        "filtered": any(value not in (None, "") for key, value in vars(filters).items() if key != "partner"),
    }


def _render_list(request: TenantRequest, context: dict[str, Any], template: str, fragment: str) -> HttpResponse:
    query = _clean_query(request.GET, "page")
    context["query"] = query
    context["sortless_query"] = _clean_query(request.GET, "page", "sort")
    # A history restore asks for the whole page; only a filter change gets the table fragment.
    partial = bool(request.htmx) and not request.htmx.history_restore_request
    response = render(request, fragment if partial else template, context)
    patch_vary_headers(response, ["HX-Request", "HX-History-Restore-Request"])
    patch_cache_control(response, private=True)
    if partial:
        response["HX-Push-Url"] = request.path + (f"?{query}" if query else "")
    return response


@tenant_view("deals.view")
def deal_list_view(request: TenantRequest) -> HttpResponse:
    """The program's deals, filtered, sorted and 50 a page."""
    context = _deals_context(request, None)
    context["page"] = Paginator(context.pop("deals"), PAGE_SIZE).get_page(request.GET.get("page"))
    return _render_list(request, context, "scorecards/deals.html", "scorecards/partials/_deal_table.html")


@tenant_view("deals.view")
def partner_deal_list_view(request: TenantRequest, partner_id: int) -> HttpResponse:
    """One partner's deals: the same list, its partner fixed (another program's partner is a 404)."""
    partner = partner_get(tenant=request.tenant, partner_id=partner_id)
    context = _deals_context(request, partner)
    context["page"] = Paginator(context.pop("deals"), PAGE_SIZE).get_page(request.GET.get("page"))
    return _render_list(request, context, "scorecards/deals.html", "scorecards/partials/_deal_table.html")


@tenant_view("deals.view")
def deal_export_view(request: TenantRequest, fmt: str) -> HttpResponse:
    """The filtered deals (every page, in the list's order) as CSV or XLSX; the name carries the program."""
    context = _deals_context(request, None)
    kind: Literal["csv", "xlsx"] = "xlsx" if fmt == "xlsx" else "csv"
    rows = deal_export_rows(context["deals"].iterator(chunk_size=2000))
    return table_download(f"{request.tenant.slug}-deals", DEAL_EXPORT_COLUMNS, rows, kind, sheet="Deals")


@tenant_view("deals.view")
def deal_detail_view(request: TenantRequest, deal_id: int) -> HttpResponse:
    """A deal's fields with their units, the import that last wrote it, and its joint deal review if it has one."""
    deal = deal_get(tenant=request.tenant, deal_id=deal_id)
    review = getattr(deal, "review", None)
    surveys = survey_response_list(tenant=request.tenant, partner=deal.partner_id).filter(deal=deal)[:10]
    context = {
        "deal": deal,
        "review": review,
        "surveys": surveys,
        "can_see_imports": can(request.membership, "imports.view"),
        "can_see_reviews": can(request.membership, "deals.view_reviews"),
    }
    return render(request, "scorecards/deal_detail.html", context)


@tenant_view("deals.view")
def activity_list_view(request: TenantRequest) -> HttpResponse:
    """Joint engagement activities (of one partner, one kind, a date range), newest first, 50 a page."""
    form = ActivityFilterForm(request.GET or None, tenant=request.tenant)
    values = form.values()
    activities = activity_list(tenant=request.tenant, **values)
    context = {
        "form": form,
        "page": Paginator(activities, PAGE_SIZE).get_page(request.GET.get("page")),
        "filtered": bool(values),
    }
    return _render_list(request, context, "scorecards/activities.html", "scorecards/partials/_activity_table.html")


@tenant_view("deals.view")
def survey_list_view(request: TenantRequest) -> HttpResponse:
    """Survey responses (of one partner, one survey, a date range), newest first, 50 a page."""
    form = SurveyFilterForm(request.GET or None, tenant=request.tenant)
    values = form.values()
    responses = survey_response_list(tenant=request.tenant, **values)
    context = {
        "form": form,
        "page": Paginator(responses, PAGE_SIZE).get_page(request.GET.get("page")),
        "filtered": bool(values),
    }
    return _render_list(request, context, "scorecards/surveys.html", "scorecards/partials/_survey_table.html")
