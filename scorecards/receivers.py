"""Reactions of the scorecards app to core events."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from partnerhub.models import Membership, Tenant


def seed_metric_catalog(sender: Any, tenant: Tenant, actor: Membership | None = None, **kwargs: Any) -> None:
    """A new program starts with the default metric glossary."""
    from scorecards.services.catalog import metric_catalog_seed

    metric_catalog_seed(tenant=tenant)


def check_data_quality(sender: Any, tenant: Tenant, partner_ids: list[int], **kwargs: Any) -> None:
    """After an import commits, re-run the data-quality checks for the tenant (a task, after the commit)."""
    from scorecards.tasks.quality import data_quality_task

    transaction.on_commit(lambda: data_quality_task.delay(tenant_id=tenant.pk))


def refresh_snapshots(sender: Any, tenant: Tenant, partner_ids: list[int], **kwargs: Any) -> None:
    """After an import commits, refresh the snapshots of the partners whose data changed (a task, after the commit)."""
    from scorecards.tasks.snapshots import snapshot_refresh_task

    ids = sorted({int(partner_id) for partner_id in partner_ids})
    if ids:
        transaction.on_commit(lambda: snapshot_refresh_task.delay(tenant_id=tenant.pk, partner_ids=ids))
