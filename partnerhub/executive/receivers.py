"""Reactions of the executive layer to other apps' events."""

from __future__ import annotations

from typing import Any, Final

# The scorecards app's refresh task, by name: its success (Celery's ``task_success``, sent by the worker, and in
# process by an eager run) means the tenant's snapshots are new, so the dashboard is precomputed again.
SNAPSHOT_REFRESH_TASK: Final = "scorecards.tasks.snapshots.snapshot_refresh_task"


def after_snapshot_refresh(sender: Any = None, result: Any = None, **kwargs: Any) -> None:
    """After a snapshot refresh of a tenant, queue that tenant's dashboard precompute (and what follows from it)."""
    if getattr(sender, "name", None) != SNAPSHOT_REFRESH_TASK or not isinstance(result, dict):
        return
    tenant_id = result.get("tenant_id")
    if not isinstance(tenant_id, int):
        return
    from partnerhub.executive.tasks.dashboard import after_refresh_chain

    after_refresh_chain(tenant_id=tenant_id, reference_month=result.get("reference_month")).delay()
