"""What the scorecards app adds to the core's pages (declared as ``page_panels`` on its AppConfig): the portal home's
"your score", against the partner's segment and tier. Returns HTML, or "" when the member may not see it."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from partnerhub.core.http import TenantRequest
from partnerhub.core.models import Partner
from partnerhub.core.rules import can
from scorecards.domain.standing import MIN_MEDIAN_GROUP, MIN_PERCENTILE_GROUP
from scorecards.selectors.standing import partner_standing


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
