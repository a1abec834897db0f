"""Deal-review tasks: one program's queue refresh (after each committed import, and nightly), and the fan-out."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from partnerhub.core.models import Tenant
from partnerhub.core.tenancy.tasks import for_each_tenant, tenant_task
from scorecards.services.deal_reviews import deal_reviews_refresh


@tenant_task()
def deal_reviews_refresh_task(tenant: Tenant) -> dict[str, Any]:
    """Score the program's large deals and queue the new ones; returns what changed, in counts (JSON-friendly).

    Idempotent; a second refresh of the same program waits for the first one's advisory lock, then finds nothing to do.
    """
    return deal_reviews_refresh(tenant=tenant).as_dict()


@shared_task(name="scorecards.tasks.deal_reviews.deal_reviews_refresh_nightly_task")
def deal_reviews_refresh_nightly_task() -> int:
    """Fan out one ``deal_reviews_refresh_task`` per program (02:45 UTC, before the snapshot refresh reads the
    deal-quality scores); returns how many were queued."""
    return for_each_tenant(deal_reviews_refresh_task)
