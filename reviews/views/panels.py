"""What the reviews app adds to lower apps' pages (declared as ``page_panels`` on its AppConfig): the portfolio's
"this week's reviews" and "overdue action items" cards, and the portal home's next review, what is due from the
partner and the latest shared decisions. Each returns HTML, or "" when the member may not see it; a bounded number of
queries."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from partnerhub.core.http import TenantRequest
from partnerhub.core.models import Partner
from partnerhub.core.rules import can
from reviews.selectors.portal import portal_home
from reviews.selectors.preparation import portfolio_attention


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
