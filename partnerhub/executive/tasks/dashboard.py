"""Dashboard tasks: one tenant's precompute (after each snapshot refresh, and nightly), and the nightly fan-out."""

from __future__ import annotations

from typing import Any

from celery import chain, shared_task
from celery.canvas import Signature

from partnerhub.core.models import Tenant
from partnerhub.core.tenancy.tasks import for_each_tenant, tenant_task
from partnerhub.executive.models import DashboardComputation
from partnerhub.executive.services.dashboard import dashboard_precompute


@tenant_task()
def dashboard_precompute_task(tenant: Tenant, trigger: str = DashboardComputation.Trigger.SCHEDULE) -> dict[str, Any]:
    """Precompute ``tenant``'s dashboard cube; returns what it did (JSON-friendly).

    A second run for the same tenant waits for the first one's advisory lock, then computes the same cells again.
    """
    return dashboard_precompute(tenant=tenant, trigger=trigger).as_dict()


@shared_task(name="partnerhub.executive.tasks.dashboard.dashboard_precompute_nightly_task")
def dashboard_precompute_nightly_task() -> int:
    """Fan out one ``dashboard_precompute_task`` per tenant (scheduled at 04:30 UTC); returns how many were queued."""
    return for_each_tenant(dashboard_precompute_task)


def after_refresh_chain(*, tenant_id: int, reference_month: str | None = None) -> Signature[Any]:
    """What runs after a tenant's snapshots were refreshed: the dashboard precompute, then the memo of a quarter that
    has just closed (a Celery chain: the memo reads the new cube)."""
    from partnerhub.executive.tasks.memo import memo_for_closed_quarter_task

    signature: Signature[Any] = chain(
        dashboard_precompute_task.si(tenant_id=tenant_id, trigger=DashboardComputation.Trigger.REFRESH),
        memo_for_closed_quarter_task.si(tenant_id=tenant_id),
    )
    return signature
