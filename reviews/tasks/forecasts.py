"""Celery tasks of the reviews app: forecast scoring (one tenant's run, and the nightly fan-out)."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from partnerhub.core.models import Tenant
from partnerhub.core.tenancy.tasks import for_each_tenant, tenant_task
from reviews.services.forecasts import forecasts_score_due


@tenant_task()
def forecasts_score_due_task(tenant: Tenant) -> dict[str, Any]:
    """Score ``tenant``'s forecasts whose quarter has ended; returns what was scored (JSON-friendly). Idempotent."""
    return forecasts_score_due(tenant=tenant).as_dict()


@shared_task(name="reviews.tasks.forecasts.forecasts_score_nightly_task")
def forecasts_score_nightly_task() -> int:
    """Fan out one ``forecasts_score_due_task`` per tenant (02:15 UTC, before the data-quality run and the nightly
    snapshot refresh); returns how many were queued."""
    return for_each_tenant(forecasts_score_due_task)
