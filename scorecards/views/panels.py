"""What the scorecards app adds to the core's pages (declared on its AppConfig as ``page_panels``): the portal
home's "your score" against the partner's segment and tier; on the partner page, the latest score in its summary and,
among its records, open data-quality findings, the latest deals, joint activities and survey responses, a few each
with how many there are and a link to the full list.

Each reads precomputed rows in a few queries, whatever the partner's data; each returns "" for a member who may not
see what it shows. Rendered without the request: the page's context processors ran once already, and a panel is
read-only (no CSRF token).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.template.loader import render_to_string

from partnerhub.core.http import TenantRequest
from partnerhub.core.models import Partner
from partnerhub.core.rules import can
from scorecards.domain.standing import MIN_MEDIAN_GROUP, MIN_PERCENTILE_GROUP
from scorecards.models import ScorecardSnapshot
from scorecards.selectors.activities import activity_list, survey_response_list
from scorecards.selectors.data_quality import finding_list
from scorecards.selectors.deals import DealFilters, deal_list
from scorecards.selectors.health import partner_latest_snapshot
from scorecards.selectors.snapshots import latest_period_cached
from scorecards.selectors.standing import partner_standing

RECENT = 5


def _render(request: TenantRequest, template: str, partner: Partner, **context: Any) -> str:
    return render_to_string(template, {**context, "partner": partner, "tenant": request.tenant})


def score_panel(request: TenantRequest, *, slot: str, partner: Partner, **subject: Any) -> str:
    """The partner's latest monthly score, RAG, trend sentence and change, linking to its scorecard (two queries)."""
    if not can(request.membership, "partners.view"):
        return ""
    snapshot = partner_latest_snapshot(tenant=request.tenant, partner_id=partner.pk)
    month = ScorecardSnapshot.Period.MONTH
    program_latest = latest_period_cached(tenant=request.tenant, period=month) if snapshot else None
    return _render(
        request,
        "scorecards/partials/_partner_score.html",
        partner,
        s=snapshot,
        behind=snapshot is not None and program_latest is not None and snapshot.period_start < program_latest,
        program_latest=program_latest,
    )


def _recent(request: TenantRequest, perm: str, template: str, partner: Partner, rows: QuerySet[Any]) -> str:
    """The first few ``rows`` and how many there are (two queries), for a member who holds ``perm``; else ""."""
    if not can(request.membership, perm):
        return ""
    return _render(request, template, partner, rows=list(rows[:RECENT]), total=rows.count())


def quality_panel(request: TenantRequest, *, slot: str, partner: Partner, **subject: Any) -> str:
    """The partner's open data-quality findings, newest month first."""
    findings = finding_list(tenant=request.tenant, partner_id=partner.pk)
    return _recent(request, "quality.view", "scorecards/partials/_partner_quality.html", partner, findings)


def deals_panel(request: TenantRequest, *, slot: str, partner: Partner, **subject: Any) -> str:
    deals = deal_list(tenant=request.tenant, filters=DealFilters(partner=partner.pk), sort="-created_on")
    return _recent(request, "deals.view", "scorecards/partials/_partner_deals.html", partner, deals)


def activities_panel(request: TenantRequest, *, slot: str, partner: Partner, **subject: Any) -> str:
    activities = activity_list(tenant=request.tenant, partner=partner.pk)
    return _recent(request, "deals.view", "scorecards/partials/_partner_activities.html", partner, activities)


def surveys_panel(request: TenantRequest, *, slot: str, partner: Partner, **subject: Any) -> str:
    responses = survey_response_list(tenant=request.tenant, partner=partner.pk)
    return _recent(request, "deals.view", "scorecards/partials/_partner_surveys.html", partner, responses)


def portal_standing_panel(request: TenantRequest, *, slot: str, partner: Partner, **subject: Any) -> str:
    """The portal home's "your score" card, for the member's own partner only. Two queries."""
    actor = request.membership
    if not can(actor, "portal.view") or actor.partner_id != partner.pk:
        return ""
    context = {
        "tenant": request.tenant,
        "partner": partner,
        "standing": partner_standing(tenant=request.tenant, partner=partner),
        "min_percentile_group": MIN_PERCENTILE_GROUP,
        "min_median_group": MIN_MEDIAN_GROUP,
    }
    return render_to_string("scorecards/partials/_portal_standing.html", context)
