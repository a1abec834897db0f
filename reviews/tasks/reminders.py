"""Celery tasks of the reviews app: reminders (one tenant's run, and the daily fan-out)."""

from __future__ import annotations

from datetime import date
from typing import Any

from celery import shared_task

from partnerhub.core.models import Tenant
from partnerhub.core.tenancy.tasks import for_each_tenant, tenant_task
from reviews.services.reminders import reminders_send


@tenant_task()
def reminders_send_task(tenant: Tenant, today: str | None = None) -> dict[str, Any]:
    """Send ``tenant``'s reminders due on ``today`` (ISO date; default the local date); returns counts (JSON-friendly).

    Safe to run twice, or two at once: every reminder has a dedupe key and each e-mail is claimed once.
    """
    return reminders_send(tenant=tenant, today=date.fromisoformat(today) if today else None).as_dict()


@shared_task(name="reviews.tasks.reminders.reminders_send_daily_task")
def reminders_send_daily_task() -> int:
    """Fan out one ``reminders_send_task`` per tenant (scheduled daily at 06:00 UTC); returns how many were queued."""
    return for_each_tenant(reminders_send_task)
