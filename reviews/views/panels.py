"""What the reviews app adds to lower apps' pages (declared as ``page_panels`` on its AppConfig): the portfolio's
"this week's reviews" and "overdue action items" cards, the portal home's next review, what is due from the partner
and the latest shared decisions, and the partner page's next and latest reviews and open action items. Each returns
HTML, or "" when the member may not see it; a bounded number of queries each, rendered without the request
(read-only: no form, no CSRF token)."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from partnerhub.core.http import TenantRequest
from partnerhub.core.models import Partner
from partnerhub.core.rules import can
from reviews.selectors.partner_reviews import partner_reviews
from reviews.selectors.portal import portal_home
from reviews.selectors.preparation import portfolio_attention


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


def portfolio_attention_panel(request: TenantRequest, *, slot: str, owner: int | None = None, **subject: Any) -> str:
    """The portfolio's reviews of the coming week and overdue action items, of ``owner``'s partners (or all). Three
    queries."""
    if not can(request.membership, "reviews.view"):
        return ""
    now = timezone.now()
    attention = portfolio_attention(tenant=request.tenant, owner_id=owner, now=now)
    context = {"tenant": request.tenant, "attention": attention, "owner": owner, "now": now}
    return render_to_string("reviews/partials/_portfolio_attention.html", context)


def portal_home_panel(request: TenantRequest, *, slot: str, partner: Partner, **subject: Any) -> str:
    """The portal home's next review, what is due from the partner (self-assessment, forecast, action items, with
    their dates) and the latest shared decisions: the member's own company only. Four queries."""
    actor = request.membership
    if not can(actor, "portal.reviews") or actor.partner_id != partner.pk:
        return ""
    context = {
        "tenant": request.tenant,
        "home": portal_home(tenant=request.tenant, actor=actor),
        "today": timezone.localdate(),
    }
    return render_to_string("reviews/partials/_portal_home.html", context)
