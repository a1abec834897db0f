"""The allocation rule's proposal for a budget: each partner's tier (``allocation_tiers``), latest monthly score and
trend (scorecards' snapshots), shared by ``recognition.domain.budgets.propose_allocation``. Writes nothing."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from partnerhub.core.models import Partner, Tenant
from recognition.domain.budgets import Candidate, Proposal, propose_allocation
from recognition.models import Allocation, Budget
from recognition.selectors.allocation_tiers import partner_tiers
from scorecards.selectors.snapshots import SNAPSHOT_PERIOD_MONTH, snapshot_latest_scores


def allocation_proposal(
    *,
    tenant: Tenant,
    budget: Budget,
    as_of: date,
    tier_weights: Mapping[str, Decimal] | None = None,
    performance_strength: Decimal = Decimal(1),
    cap: Decimal | None = None,
    amount: Decimal | None = None,
) -> Proposal:
    """Propose every partner's share of ``amount`` (default: the budget less what partners the rule leaves out
    hold), by tier and by the latest monthly score and trend on or before ``as_of``. Four queries."""
    tiers = partner_tiers(tenant=tenant)
    names = dict(Partner.objects.for_tenant(tenant).values_list("pk", "name"))
    scores = snapshot_latest_scores(
        tenant=tenant, period=SNAPSHOT_PERIOD_MONTH, partner_ids=list(tiers), on_or_before=as_of
    )
    candidates = []
    for pid, tier in tiers.items():
        latest = scores.get(pid)
        score = None if latest is None or latest.score is None else float(latest.score)
        candidates.append(
            Candidate(partner_id=pid, name=names[pid], tier=tier, score=score, trend=latest.trend if latest else "")
        )
    if amount is None:
        weights = tier_weights or {}
        left_out = [c.partner_id for c in candidates if tier_weights is not None and weights.get(c.tier, 0) <= 0]
        held = sum(
            Allocation.objects.for_tenant(tenant)
            .filter(budget=budget, partner_id__in=left_out)
            .values_list("amount", flat=True),
            Decimal(0),
        )
        amount = budget.amount - held
    return propose_allocation(
        amount=amount,
        candidates=candidates,
        tier_weights=tier_weights,
        performance_strength=performance_strength,
        cap=cap,
    )
