"""Checkpoint evaluation and triggers: chained after each snapshot refresh (for the partners it covered), and
nightly for every tenant (a checkpoint comes due when a month ends, even if no data changed)."""

from __future__ import annotations

from datetime import date
from typing import Any

from celery import shared_task

from partnerhub.core.models import Tenant
from partnerhub.core.tenancy.tasks import for_each_tenant, tenant_task
from remediation.services.evaluation import remediation_evaluate


@tenant_task()
def remediation_evaluate_task(
    tenant: Tenant, partner_ids: list[int] | None = None, today: str | None = None
) -> dict[str, Any]:
    """Check the due checkpoints and run the triggers of ``tenant`` (``partner_ids``, or every partner) as of
    ``today`` (ISO date; default: today in UTC).

    Idempotent and serialised per tenant (``remediation_evaluate`` takes the tenant's remediation lock).
    """
    day = date.fromisoformat(today) if today else None
    return remediation_evaluate(tenant=tenant, partner_ids=partner_ids, today=day)


@shared_task(name="remediation.tasks.evaluation.remediation_evaluate_nightly_task")
def remediation_evaluate_nightly_task() -> int:
    """Fan out one ``remediation_evaluate_task`` per tenant (after the nightly refresh)."""
    return for_each_tenant(remediation_evaluate_task)
