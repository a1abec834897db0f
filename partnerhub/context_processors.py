"""Navigation by role, and the tenant switcher, for the base layout."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from partnerhub.permissions import can
from partnerhub.tenancy.membership_index import memberships_of_user

# (label, url name, permission): shown to whoever holds the permission in the active tenant.
NAV_ITEMS = [
    ("Scorecards", "portfolio", "partners.view"),
    ("Partners", "partner_list", "partners.view"),
    ("Our partnership", "portal_home", "portal.view"),
    ("Our scorecard", "portal_scorecard", "portal.view"),
    ("Deal reviews", "deal_review_list", "deals.view_reviews"),
    ("Imports", "import_list", "imports.view"),
    ("Data quality", "quality_list", "quality.view"),
    ("Templates", "template_list", "templates.view"),
    ("Glossary", "metric_list", "metrics.view"),
    ("Members", "member_list", "members.view"),
    ("Audit log", "audit_list", "audit.view"),
    ("Settings", "tenant_settings", "tenant.settings"),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    tenant = getattr(request, "tenant", None)
    membership = getattr(request, "membership", None)
    context: dict[str, Any] = {"tenant": tenant, "membership": membership, "nav_items": [], "switch_tenants": []}
    if tenant is not None and membership is not None:
        context["nav_items"] = [
            {"label": label, "url": reverse(name, kwargs={"tenant_slug": tenant.slug}), "name": name}
            for label, name, perm in NAV_ITEMS
            if can(membership, perm)
        ]
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        context["switch_tenants"] = [m.tenant for m in memberships_of_user(request.user.pk)]
    return context
