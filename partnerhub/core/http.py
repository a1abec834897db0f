"""The request a tenant view receives: the middleware has resolved its tenant and the member's membership."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from partnerhub.core.models import Membership, Tenant, User


class TenantRequest(HttpRequest):
    tenant: Tenant
    membership: Membership
    htmx: HtmxDetails
    user: User
