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

    An import (any sender but ``Partner``) changed observations or deals, which the data-quality checks read: the
    checks run first and the refresh after them (a Celery chain), so the refreshed snapshots carry any new finding
    at once. A partner's own fields (tier, segment, size factor, baseline month: sender ``Partner``) change nothing
    the checks read, so the refresh runs alone. In-process mode (no ``REDIS_URL``) runs the chain eagerly, in order.
    If the data-quality run fails for good, the chain stops and the nightly refresh catches up.
    """
    from scorecards.tasks.data_quality import data_quality_task
    from scorecards.tasks.snapshots import snapshot_refresh_task

    ids = sorted({int(partner_id) for partner_id in partner_ids})
    if not ids:
        return
    refresh = snapshot_refresh_task.si(tenant_id=tenant.pk, partner_ids=ids)
    if sender is Partner:
        transaction.on_commit(refresh.delay)
    else:
        transaction.on_commit(chain(data_quality_task.si(tenant_id=tenant.pk), refresh).delay)
