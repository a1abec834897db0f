"""Where allocation by tier reads a partner's tier: the one place to switch it.

Today the tier is the partner's own ``tier`` field. When the tier framework (issue 14) lands, this function reads
the partner's current tier from it instead; nothing else in investments reads a tier.
"""

from __future__ import annotations

from collections.abc import Iterable

from partnerhub.core.models import Partner, Tenant


def partner_tiers(*, tenant: Tenant, partner_ids: Iterable[int] | None = None) -> dict[int, str]:
    """Partner id -> its tier key (platinum, gold, silver, registered), for every partner or those named (one query)."""
    qs = Partner.objects.for_tenant(tenant)
    if partner_ids is not None:
        qs = qs.filter(pk__in=list(partner_ids))
    return dict(qs.values_list("pk", "tier"))


def tier_choices() -> list[tuple[str, str]]:
    """The tiers a program allocates by, best first, as (key, label)."""
    return [(str(value), str(label)) for value, label in Partner.Tier.choices]
