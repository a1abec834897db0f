"""Reactions of the recognition app to core events."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from partnerhub.core.models import Membership, Tenant


def seed_tiers_and_awards(sender: Any, tenant: Tenant, actor: Membership | None = None, **kwargs: Any) -> None:
    """A new program starts with the four tiers (Registered to Platinum) and the default award categories."""
    from recognition.services.awards import award_categories_seed
    from recognition.services.tiers import tier_defaults_ensure

    tier_defaults_ensure(tenant=tenant)
    award_categories_seed(tenant=tenant)


def recommend_after_refresh(sender: Any, tenant: Tenant, partner_ids: list[int] | None = None, **kwargs: Any) -> None:
    """After a snapshot refresh commits, bring the last complete quarter's tier recommendations up to date (for the
    partners refreshed). The run is idempotent: a refresh that changed nothing queues a run that writes nothing."""
    from recognition.tasks.tiers import tier_recommendations_generate_task

    ids = list(partner_ids) if partner_ids is not None else None
    transaction.on_commit(lambda: tier_recommendations_generate_task.delay(tenant_id=tenant.pk, partner_ids=ids))
