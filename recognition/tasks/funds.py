"""Celery tasks of investments' funds: claim deadline reminders (one tenant's run, and the daily fan-out)."""

from __future__ import annotations

from datetime import date

from celery import shared_task

from partnerhub.core.models import Tenant
from partnerhub.core.tenancy.tasks import for_each_tenant, tenant_task
from recognition.services.claim_reminders import claim_reminders_send


@tenant_task()
def claim_reminders_send_task(tenant: Tenant, today: str | None = None) -> int:
    """Send ``tenant``'s claim deadline reminders due on ``today`` (ISO date; default the local date).

    Safe to run twice, or two at once: each reminder has a dedupe key and each e-mail is claimed once.
    """
    return claim_reminders_send(tenant=tenant, today=date.fromisoformat(today) if today else None)


@shared_task(name="recognition.tasks.funds.claim_reminders_daily_task")
def claim_reminders_daily_task() -> int:
    """Fan out one ``claim_reminders_send_task`` per tenant (daily at 06:20 UTC); returns how many were queued."""
    return for_each_tenant(claim_reminders_send_task)
