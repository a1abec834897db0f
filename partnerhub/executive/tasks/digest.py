"""Digest tasks: one tenant's digests for a month, and the daily fan-out that sends them on the first working day."""

from __future__ import annotations

from datetime import date
from typing import Any

from celery import shared_task
from django.utils import timezone

from partnerhub.core.models import Tenant
from partnerhub.core.tenancy.tasks import for_each_tenant, tenant_task
from partnerhub.executive.domain.digest import first_working_day
from partnerhub.executive.services.digest import digest_send


@tenant_task()
def digest_send_task(tenant: Tenant, month: str | None = None) -> dict[str, Any]:
    """Send ``tenant``'s digests for ``month`` (ISO date; default: this month). Safe to run twice: each member gets
    one digest a month."""
    today = timezone.now().date()
    return digest_send(tenant=tenant, month=date.fromisoformat(month) if month else today, today=today).as_dict()


@shared_task(name="partnerhub.executive.tasks.digest.digest_send_monthly_task")
def digest_send_monthly_task() -> int:
    """Scheduled every morning of the month's first days: on the first working day, fan out one ``digest_send_task``
    per tenant; other days, nothing. Returns how many were queued."""
    today = timezone.now().date()
    if today != first_working_day(today):
        return 0
    return for_each_tenant(digest_send_task, month=today.replace(day=1).isoformat())
