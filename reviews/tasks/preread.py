"""Celery tasks of the reviews app: pre-reads, generated ahead of each review and kept current until it is held."""

from __future__ import annotations

from celery import shared_task

from partnerhub.core.models import Tenant
from partnerhub.core.tenancy.tasks import for_each_tenant, tenant_task
from reviews.services.preread import preread_generate_due


@tenant_task()
def prereads_generate_due_task(tenant: Tenant) -> dict[str, int]:
    """Prepare one tenant's reviews whose pre-read time has come and refresh those preparing (idempotent)."""
    return preread_generate_due(tenant=tenant).as_dict()


@shared_task(name="reviews.tasks.preread.prereads_generate_due_all_task")
def prereads_generate_due_all_task() -> int:
    """Fan out one ``prereads_generate_due_task`` per tenant (hourly); returns how many were queued."""
    return for_each_tenant(prereads_generate_due_task)
