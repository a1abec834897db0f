"""Snapshot tasks: one tenant's refresh (after each import, for the partners it changed; nightly, all of them), and
the nightly fan-out."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from partnerhub.core.models import Tenant
from partnerhub.core.tenancy.tasks import for_each_tenant, tenant_task
from scorecards.services.snapshots import snapshot_refresh


@tenant_task()
def snapshot_refresh_task(tenant: Tenant, partner_ids: list[int] | None = None) -> dict[str, Any]:
    """Refresh ``tenant``'s snapshots (every partner, or ``partner_ids``); returns what changed (JSON-friendly).

    A second refresh of the same tenant waits for the first one's advisory lock rather than failing, so no retry is
    needed for contention; ``tenant_task`` retries database hiccups with backoff.
    """
    return snapshot_refresh(tenant=tenant, partner_ids=partner_ids).as_dict()


@shared_task(name="scorecards.tasks.snapshots.snapshot_refresh_nightly_task")
def snapshot_refresh_nightly_task() -> int:
    """Fan out one ``snapshot_refresh_task`` per tenant (scheduled at 03:00 UTC, after the data-quality run)."""
    return for_each_tenant(snapshot_refresh_task)
