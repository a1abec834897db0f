"""Navigation by role, the tenant switcher, and the page panels apps add to other apps' pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from partnerhub.core.models import Membership
from partnerhub.core.navigation import NavItem
from partnerhub.core.rules import can
from partnerhub.core.selectors.notifications import BADGE_CAP, notification_unread_count
from partnerhub.core.tenancy.membership_index import memberships_of_user
from partnerhub.registry import nav_items, page_panels

# Pages outside any program that keep the program's navigation: the member's account (password, two-factor).
ACCOUNT_PAGES = ("account_", "mfa_")
# The program a member of several last worked in (a member of one needs no reminder): their account pages keep its
# navigation. Written when it changes, so a session is saved once per switch, not per page.
PROGRAM_SESSION_KEY = "partnerhub_program"


def navigation(request: HttpRequest) -> dict[str, Any]:
    tenant = getattr(request, "tenant", None)
    membership = getattr(request, "membership", None)
    user = getattr(request, "user", None)
    memberships = memberships_of_user(user.pk) if user is not None and user.is_authenticated else []
    context: dict[str, Any] = {
        "tenant": tenant,
        "membership": membership,
        "nav_items": [],
        "switch_tenants": [m.tenant for m in memberships],
    }
    url_name = getattr(getattr(request, "resolver_match", None), "url_name", None) or ""
    outside = tenant is None and url_name.startswith(ACCOUNT_PAGES)
    if outside and (membership := _last_program(request, memberships)) is not None:
        tenant = membership.tenant
        context.update(tenant=tenant, membership=membership)
    if tenant is not None and membership is not None and not outside and len(memberships) > 1:
        session = getattr(request, "session", None)
        if session is not None and session.get(PROGRAM_SESSION_KEY) != tenant.slug:
            session[PROGRAM_SESSION_KEY] = tenant.slug
    if tenant is not None and membership is not None:
        works = can(membership, "program.work")
        declared = [item for item in nav_items() if can(membership, item.perm) and (works or not item.working)]
        items: list[dict[str, Any]] = [
            {
                "label": item.label,
                "url": reverse(item.url_name, kwargs={"tenant_slug": tenant.slug}),
                "name": item.url_name,
            }
            for item in declared
        ]
        current = _current(request.path, url_name, declared, items)
        for item in items:
            item["current"] = item is current
        context["nav_items"] = items
        if can(membership, "notifications.view") and not outside:
            # Lazy: counted (one query) only when the top bar shows the badge.
            context["unread_notifications"] = SimpleLazyObject(
                lambda: _badge(notification_unread_count(tenant=tenant, member=membership))
            )
    return context


def _last_program(request: HttpRequest, memberships: list[Membership]) -> Membership | None:
    """The membership of the program the member last worked in (or their only one): picked among their own."""
    remembered = request.session.get(PROGRAM_SESSION_KEY) if hasattr(request, "session") else None
    chosen = [m for m in memberships if m.tenant.slug == remembered]
    if not chosen and len(memberships) == 1:
        chosen = memberships
    return chosen[0] if chosen else None


def _current(path: str, url_name: str, declared: list[NavItem], items: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The item of the section this page is in: the one that claims its URL name most specifically (``NavItem.pages``),
    else the one whose address is the longest prefix of this page's (portal/reviews/3/ is "Our reviews", not "Our
    partnership")."""
    claims = [(item.claims(url_name), shown) for item, shown in zip(declared, items, strict=True)] if url_name else []
    best = max(claims, key=lambda claim: claim[0], default=(0, None))
    if best[0] > 0:
        return best[1]
    matching = [item for item in items if path.startswith(item["url"])]
    return max(matching, key=lambda item: len(item["url"]), default=None)


def _badge(count: int) -> dict[str, Any]:
    return {"count": count, "label": f"{BADGE_CAP - 1}+" if count >= BADGE_CAP else str(count)}


def panels(request: HttpRequest) -> dict[str, Any]:
    """The page panels every app declared, by slot, for ``{% page_panels %}`` on the pages of the apps below them."""
    return {"page_panels": page_panels()}
