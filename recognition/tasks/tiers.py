"""Tier recommendation tasks: one program's quarterly run, queued after each snapshot refresh (and after a framework
version is published)."""

from __future__ import annotations

from datetime import date
from typing import Any

from partnerhub.core.models import Tenant
from partnerhub.core.tenancy.tasks import tenant_task
from recognition.services.tier_recommendations import tier_recommendations_generate


@tenant_task()
def tier_recommendations_generate_task(
    tenant: Tenant, reference_month: str | None = None, partner_ids: list[int] | None = None
) -> dict[str, Any]:
    """Make (or bring up to date) the last complete quarter's tier recommendations; idempotent, serialised per program
    by an advisory lock. ``reference_month`` (ISO date) is the refresh's last complete month."""
    month = date.fromisoformat(reference_month) if reference_month else None
    return tier_recommendations_generate(tenant=tenant, reference_month=month, partner_ids=partner_ids).as_dict()
