"""What the reviews app adds to the core's partner page (declared on its AppConfig as ``page_panels``): the partner's
next and latest reviews and its open action items, with a link to schedule one for those who may. Four queries;
"" for a member who may not see reviews. Rendered without the request (read-only: no form, no CSRF token)."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from partnerhub.core.http import TenantRequest
from partnerhub.core.models import Partner
from partnerhub.core.rules import can
from reviews.selectors.partner_reviews import partner_reviews


def partner_reviews_panel(request: TenantRequest, *, slot: str, partner: Partner, **subject: Any) -> str:
    actor = request.membership
    if not can(actor, "reviews.view"):
        return ""
    today = timezone.localdate()
    context = {
        "partner": partner,
        "tenant": request.tenant,
        "today": today,
        "reviews": partner_reviews(tenant=request.tenant, partner_id=partner.pk, now=timezone.now(), today=today),
        # As the scheduling page has it: an admin, or the partner's owner manager.
        "can_schedule": can(actor, "reviews.manage") and can(actor, "partners.change", partner),
    }
    return render_to_string("reviews/partials/partner_reviews_panel.html", context)
