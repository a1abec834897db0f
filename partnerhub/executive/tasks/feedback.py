"""Feedback tasks: ask the partner attendees of newly signed-off reviews for their feedback (daily, per tenant)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from partnerhub.core.models import Tenant
from partnerhub.core.tenancy.tasks import for_each_tenant, tenant_task
from partnerhub.executive.services.feedback import feedback_invite


@tenant_task()
def feedback_invite_task(tenant: Tenant) -> int:
    """Invite the attendees of reviews signed off in the last days (each once); returns how many were invited."""
    return feedback_invite(tenant=tenant, now=timezone.now())


@shared_task(name="partnerhub.executive.tasks.feedback.feedback_invite_daily_task")
def feedback_invite_daily_task() -> int:
    """Fan out one ``feedback_invite_task`` per tenant (daily)."""
    return for_each_tenant(feedback_invite_task)
