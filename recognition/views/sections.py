"""What recognition adds to the core's pages (declared as ``page_panels`` on the AppConfig): the partner page's tier
section and its funds, and the portal home's "your tier" card. Each returns HTML, or "" when the member may not see
it."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from partnerhub.core.http import TenantRequest
from partnerhub.core.models import Partner
from partnerhub.core.rules import can
from recognition.selectors.awards import partner_awards
from recognition.selectors.budgets import OPEN_REQUEST, allocation_list_for_partner, figures_of
from recognition.selectors.funds import fund_request_list
from recognition.selectors.tiers import partner_tier_status, tier_history


def partner_panel(request: TenantRequest, *, slot: str, partner: Partner, **subject: Any) -> str:
    """The partner page's tier section: tier and standing, the latest changes and awards (internal members)."""
    if not can(request.membership, "recognition.view"):
        return ""
    context = {
        "partner": partner,
        "status": partner_tier_status(tenant=request.tenant, partner=partner, stored=True),
        "history": tier_history(tenant=request.tenant, partner=partner)[:5],
        "awards": partner_awards(tenant=request.tenant, partner=partner)[:5],
        "tenant": request.tenant,
    }
    return render_to_string("recognition/partials/_partner_tier_section.html", context)


SHOWN_ALLOCATIONS = 3
SHOWN_REQUESTS = 3


def partner_funds_panel(request: TenantRequest, *, slot: str, partner: Partner, **subject: Any) -> str:
    """The partner page's funds: its latest allocations with what is approved, paid and still available, each in
    its currency, and the requests waiting for a decision (three queries; internal members)."""
    if not can(request.membership, "investments.view"):
        return ""
    tenant = request.tenant
    allocations = allocation_list_for_partner(tenant=tenant, partner_id=partner.pk)[:SHOWN_ALLOCATIONS]
    waiting = fund_request_list(tenant=tenant, partner_id=partner.pk).filter(status__in=OPEN_REQUEST)
    context = {
        "partner": partner,
        "tenant": tenant,
        "allocations": [(a, figures_of(a)) for a in allocations],
        "waiting": list(waiting[:SHOWN_REQUESTS]),
        "waiting_count": waiting.count(),
    }
    return render_to_string("recognition/partials/_partner_funds_section.html", context)


def portal_panel(request: TenantRequest, *, slot: str, partner: Partner, **subject: Any) -> str:
    """The portal home's "your tier" card, for the member's own partner only."""
    actor = request.membership
    if not can(actor, "portal.tier") or actor.partner_id != partner.pk:
        return ""
    context = {
        "partner": partner,
        "status": partner_tier_status(tenant=request.tenant, partner=partner, stored=True),
        "tenant": request.tenant,
    }
    return render_to_string("recognition/partials/_portal_tier_card.html", context)
