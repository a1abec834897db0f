"""Reactions of the reviews app to core events."""

from __future__ import annotations

from typing import Any

from partnerhub.core.models import Membership, Tenant


def seed_default_cadences(sender: Any, tenant: Tenant, actor: Membership | None = None, **kwargs: Any) -> None:
    """A new program starts with a monthly health check, a quarterly business review and a biannual deep dive."""
    from reviews.services.cadences import cadence_defaults_seed

    cadence_defaults_seed(tenant=tenant)
