"""The escalation ladder, climbed daily for every tenant."""

from __future__ import annotations

from datetime import date
from typing import Any

from celery import shared_task

from partnerhub.core.models import Tenant
from partnerhub.core.tenancy.tasks import for_each_tenant, tenant_task
from remediation.services.escalation import escalations_climb


@tenant_task()
def escalations_climb_task(tenant: Tenant, today: str | None = None) -> dict[str, Any]:
    """Climb one rung, where due, for each missed checkpoint and overdue action of ``tenant`` as of ``today`` (ISO
    date; default: today in UTC); each rung once, however many workers run it."""
    day = date.fromisoformat(today) if today else None
    return escalations_climb(tenant=tenant, today=day).as_dict()


@shared_task(name="remediation.tasks.escalation.escalations_climb_daily_task")
def escalations_climb_daily_task() -> int:
    """Fan out one ``escalations_climb_task`` per tenant."""
    return for_each_tenant(escalations_climb_task)
