"""Navigation by role, the tenant switcher, and the page panels apps add to other apps' pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from partnerhub.core.rules import can
from partnerhub.core.selectors.notifications import BADGE_CAP, notification_unread_count
from partnerhub.core.tenancy.membership_index import memberships_of_user
from partnerhub.registry import nav_items, page_panels


def navigation(request: HttpRequest) -> dict[str, Any]:
    tenant = getattr(request, "tenant", None)
    membership = getattr(request, "membership", None)
    context: dict[str, Any] = {"tenant": tenant, "membership": membership, "nav_items": [], "switch_tenants": []}
    if tenant is not None and membership is not None:
        items: list[dict[str, Any]] = [
            {
                "label": item.label,
                "url": reverse(item.url_name, kwargs={"tenant_slug": tenant.slug}),
                "name": item.url_name,
            }
            for item in nav_items()
            if can(membership, item.perm)
        ]
        # The current item is the one whose address is the longest prefix of this page's (portal/reviews/3/ is
        # "Our reviews", not "Our partnership").
        matching = [item for item in items if request.path.startswith(item["url"])]
        current = max(matching, key=lambda item: len(item["url"]), default=None)
        for item in items:
            item["current"] = item is current
        context["nav_items"] = items
        if can(membership, "notifications.view"):
            # Lazy: counted (one query) only when the top bar shows the badge.
            context["unread_notifications"] = SimpleLazyObject(
                lambda: _badge(notification_unread_count(tenant=tenant, member=membership))
            )
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        context["switch_tenants"] = [m.tenant for m in memberships_of_user(request.user.pk)]
    return context


def _badge(count: int) -> dict[str, Any]:
    return {"count": count, "label": f"{BADGE_CAP - 1}+" if count >= BADGE_CAP else str(count)}


def panels(request: HttpRequest) -> dict[str, Any]:
    """The page panels every app declared, by slot, for ``{% page_panels %}`` on the pages of the apps below them."""
    return {"page_panels": page_panels()}
