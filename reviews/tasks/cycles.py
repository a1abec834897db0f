"""Celery tasks of the reviews app: cycles. Each night, every program's upcoming cycles are generated ahead."""

from __future__ import annotations

from datetime import date
from typing import Any

from celery import shared_task
from django.utils import timezone

from partnerhub.core.models import Tenant
from partnerhub.core.tenancy.tasks import for_each_tenant, tenant_task
from reviews.services.cycles import DEFAULT_DAYS_AHEAD, cycles_generate_upcoming


@tenant_task()
def cycles_generate_upcoming_task(
    tenant: Tenant, days_ahead: int = DEFAULT_DAYS_AHEAD, today: str | None = None
) -> list[dict[str, Any]]:
    """Generate ``tenant``'s cycles starting within ``days_ahead`` days (``today``: an ISO date, default today).

    Idempotent (safe to run twice, or to retry): an existing cycle only gains reviews for partners that match now.
    """
    day = date.fromisoformat(today) if today else timezone.localdate()
    return [r.as_dict() for r in cycles_generate_upcoming(tenant=tenant, today=day, days_ahead=days_ahead)]


@shared_task(name="reviews.tasks.cycles.cycles_generate_upcoming_nightly_task")
def cycles_generate_upcoming_nightly_task(days_ahead: int = DEFAULT_DAYS_AHEAD) -> int:
    """Fan out one ``cycles_generate_upcoming_task`` per program (scheduled nightly in CELERY_BEAT_SCHEDULE)."""
    return for_each_tenant(cycles_generate_upcoming_task, days_ahead=days_ahead)
