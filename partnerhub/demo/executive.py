"""The executive layer's demo: the dashboard precomputed, so the executive demo login lands on a populated page."""

from __future__ import annotations

from partnerhub.core.models import Tenant
from partnerhub.executive.models import DashboardComputation
from partnerhub.executive.services.dashboard import dashboard_precompute


def seed_executive(tenant: Tenant) -> None:
    """Precompute the program's dashboard (the demo's snapshots were refreshed in process, not by the task whose
    success chains the precompute). Idempotent: a second seed computes the same cells."""
    dashboard_precompute(tenant=tenant, trigger=DashboardComputation.Trigger.MANUAL)
