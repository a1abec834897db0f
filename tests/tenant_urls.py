"""The address of a page or endpoint inside one program: every tenant route takes the tenant's slug first."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from partnerhub.core.models import Tenant


def tenant_url(name: str, tenant: Tenant, **kwargs: Any) -> str:
    return reverse(name, kwargs={"tenant_slug": tenant.slug, **kwargs})
