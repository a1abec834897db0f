"""Celery tasks of investments' impact: one tenant's refresh, and the nightly fan-out."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from celery import shared_task

from partnerhub.core.models import Tenant
from partnerhub.core.tenancy.tasks import for_each_tenant, tenant_task
from recognition.services.impact import impact_refresh


@tenant_task()
def impact_refresh_task(tenant: Tenant) -> dict[str, Any]:
    """Re-estimate every investment's impact for ``tenant``; safe to run twice (it replaces, under the lock)."""
    return asdict(impact_refresh(tenant=tenant))


@shared_task(name="recognition.tasks.impact.impact_refresh_nightly_task")
def impact_refresh_nightly_task() -> int:
    """Fan out one ``impact_refresh_task`` per tenant (nightly at 04:30 UTC, after the snapshot refresh)."""
    return for_each_tenant(impact_refresh_task)
