"""Reactions of the remediation app to core events: after a snapshot refresh, check the checkpoints and triggers of
the partners it covered; when partners enter a tier's grace period, draft their plans."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from partnerhub.core.models import Tenant


def evaluate_after_refresh(sender: Any, tenant: Tenant, partner_ids: list[int] | None = None, **kwargs: Any) -> None:
    """Queue the evaluation of checkpoints and triggers once the refresh has committed (a chained task: it reads
    the snapshots the refresh wrote). In-process mode (no ``REDIS_URL``) runs it at once, after the commit."""
    from remediation.tasks.evaluation import remediation_evaluate_task

    ids = None if partner_ids is None else sorted({int(p) for p in partner_ids})
    transaction.on_commit(lambda: remediation_evaluate_task.delay(tenant_id=tenant.pk, partner_ids=ids))


def draft_on_tier_grace(
    sender: Any, tenant: Tenant, partner_ids: list[int], period_start: date, tier: str = "", **kwargs: Any
) -> None:
    """Draft a plan for each partner that entered a tier's grace period (unless the trigger is off, or it has an
    open plan); runs in the sender's transaction."""
    from remediation.services.triggers import plans_draft_for_tier_grace

    plans_draft_for_tier_grace(tenant=tenant, partner_ids=list(partner_ids), period_start=period_start, tier=tier)
