"""Framework review tasks: set up the program's framework review when it falls due (monthly check per tenant)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from partnerhub.core.models import Tenant
from partnerhub.core.tenancy.tasks import for_each_tenant, tenant_task
from partnerhub.executive.services.framework import framework_review_schedule


@tenant_task()
def framework_review_due_task(tenant: Tenant) -> int | None:
    """Schedule the framework review if it is due; returns its id (None: not due, or one is open)."""
    review = framework_review_schedule(tenant=tenant, today=timezone.now().date())
    return review.pk if review is not None else None


@shared_task(name="partnerhub.executive.tasks.framework.framework_review_due_monthly_task")
def framework_review_due_monthly_task() -> int:
    return for_each_tenant(framework_review_due_task)
