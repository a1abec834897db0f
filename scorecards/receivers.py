"""Reactions of the scorecards app to core events."""

from __future__ import annotations

from typing import Any

from celery import chain
from django.db import transaction

from partnerhub.core.models import Membership, Partner, Tenant


def seed_glossary(sender: Any, tenant: Tenant, actor: Membership | None = None, **kwargs: Any) -> None:
    """A new program starts with the default metric glossary."""
    from scorecards.services.glossary import glossary_seed

    glossary_seed(tenant=tenant)


def refresh_snapshots(sender: Any, tenant: Tenant, partner_ids: list[int], **kwargs: Any) -> None:
    """After a commit that changed partners' data, refresh those partners' snapshots (tasks, after the commit).

    An import (any sender but ``Partner``: committed or rolled back) changed observations or deals. Its deals' joint
    reviews are queued first (the snapshots' deal-quality metric reads them), then the data-quality checks run, then
    the refresh (a Celery chain), so the refreshed snapshots carry any new review and finding at once. A partner's
    own fields (tier, segment, size factor, baseline month: sender ``Partner``) change nothing the queue or the
    checks read, so the refresh runs alone. In-process mode (no ``REDIS_URL``) runs the chain eagerly, in order. If a
    step fails for good, the chain stops and the nightly runs catch up.
    """
    from scorecards.tasks.data_quality import data_quality_task
    from scorecards.tasks.deal_reviews import deal_reviews_refresh_task
    from scorecards.tasks.snapshots import snapshot_refresh_task

    ids = sorted({int(partner_id) for partner_id in partner_ids})
    if not ids:
        return
    refresh = snapshot_refresh_task.si(tenant_id=tenant.pk, partner_ids=ids)
    if sender is Partner:
        transaction.on_commit(refresh.delay)
    else:
        steps = chain(
            deal_reviews_refresh_task.si(tenant_id=tenant.pk), data_quality_task.si(tenant_id=tenant.pk), refresh
        )
        transaction.on_commit(steps.delay)
