"""A partner's health as its latest monthly snapshot tells it (score, RAG, trend; pages never recompute): on the
partner page, in one query.

"Latest" is the partner's own latest month with a snapshot: the program's latest month for nearly every partner, an
earlier one for a partner whose data stopped (the page says which month).
"""

from __future__ import annotations

from partnerhub.core.models import Tenant
from scorecards.models import ScorecardSnapshot


def partner_latest_snapshot(*, tenant: Tenant, partner_id: int) -> ScorecardSnapshot | None:
    """The partner's latest monthly snapshot, with its template version, without the per-metric items (one query)."""
    return (
        ScorecardSnapshot.objects.for_tenant(tenant)
        .filter(partner_id=partner_id, period=ScorecardSnapshot.Period.MONTH)
        .select_related("template_version")
        .defer("items")
        .order_by("-period_start")
        .first()
    )
