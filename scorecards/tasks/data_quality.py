"""Data-quality tasks: one tenant's run (after each import and nightly), and the nightly fan-out."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from partnerhub.core.models import Tenant
from partnerhub.core.tenancy.tasks import for_each_tenant, tenant_task
from scorecards.services.data_quality import data_quality_run


@tenant_task()
def data_quality_task(tenant: Tenant) -> dict[str, Any]:
    """Run the data-quality checks for one tenant; returns what changed, in counts (JSON-friendly)."""
    return data_quality_run(tenant=tenant).as_dict()


@shared_task(name="scorecards.tasks.data_quality.data_quality_nightly_task")
def data_quality_nightly_task() -> int:
    """Fan out one ``data_quality_task`` per tenant (scheduled at 02:30 UTC); returns how many were queued."""
    return for_each_tenant(data_quality_task)
