"""The partner's side: its tier, what the next tier requires and the gap in numbers, its history and awards. Never
another partner's data: everything here is read for the member's own partner company."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render

from partnerhub.core.http import TenantRequest
from partnerhub.core.selectors.program import partner_get
from partnerhub.core.views.program import tenant_view
from recognition.selectors.awards import partner_awards
from recognition.selectors.tiers import partner_tier_status, tier_history


@tenant_view("portal.tier")
def portal_tier_view(request: TenantRequest) -> HttpResponse:
    actor = request.membership
    if actor.partner_id is None:  # the database forbids it for partner roles; refuse rather than guess
        raise Http404
    partner = partner_get(tenant=request.tenant, partner_id=actor.partner_id)
    status = partner_tier_status(tenant=request.tenant, partner=partner)
    context = {
        "partner": partner,
        "status": status,
        "history": tier_history(tenant=request.tenant, partner=partner)[:20],
        "awards": partner_awards(tenant=request.tenant, partner=partner)[:20],
    }
    return render(request, "recognition/portal_tier.html", context)
