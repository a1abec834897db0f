"""A partner's latest monthly score and where it stands in its segment (type x stage) and its tier: the portal
home's "your score". Two queries, whatever the size of the program; no other partner's name or score leaves here,
only the group's size, the partner's rank and percentile, and the median (``scorecards.domain.standing``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q

from partnerhub.core.models import Partner, Tenant
from scorecards.domain.standing import GroupStanding, addressed_to_partner, standing_in_group
from scorecards.models import ScorecardSnapshot


@dataclass(frozen=True)
class PartnerStanding:
    """The partner's latest monthly snapshot (score 0 to 100, RAG, trend, change) and its standing in two groups, in
    words addressed to the partner."""

    period_start: date
    score: Decimal | None
    rag: str
    trend: str
    trend_explanation: str
    change_previous: Decimal | None
    segment_label: str  # "Reseller partners, growth stage"
    segment: GroupStanding | None  # None while the partner has no score
    tier_label: str
    tier: GroupStanding | None

    @property
    def trend_label(self) -> str:
        return str(ScorecardSnapshot.Trend(self.trend).label)

    @property
    def rag_label(self) -> str:
        return str(ScorecardSnapshot.Rag(self.rag).label)


def partner_standing(*, tenant: Tenant, partner: Partner) -> PartnerStanding | None:
    """The partner's latest monthly snapshot and its standing among the scored partners of its segment and of its
    tier in that month; None before its first snapshot."""
    own = (
        ScorecardSnapshot.objects.for_tenant(tenant)
        .filter(partner=partner, period=ScorecardSnapshot.Period.MONTH)
        .only("period", "period_start", "score", "rag", "trend", "trend_explanation", "change_previous")
        .order_by("-period_start")
        .first()
    )
    if own is None:
        return None
    segment: GroupStanding | None = None
    tier: GroupStanding | None = None
    if own.score is not None:
        in_segment = Q(partner__partner_type=partner.partner_type, partner__stage=partner.stage)
        in_tier = Q(partner__tier=partner.tier)
        rows = (
            ScorecardSnapshot.objects.for_tenant(tenant)
            .filter(in_segment | in_tier, period=own.period, period_start=own.period_start, score__isnull=False)
            .exclude(partner=partner)
            .values_list("score", "partner__partner_type", "partner__stage", "partner__tier")
        )
        segment_scores: list[float] = []
        tier_scores: list[float] = []
        for score, kind, stage, partner_tier in rows:
            if score is None:  # excluded by the query; said again for the type checker
                continue
            if (kind, stage) == (partner.partner_type, partner.stage):
                segment_scores.append(float(score))
            if partner_tier == partner.tier:
                tier_scores.append(float(score))
        segment = standing_in_group(float(own.score), segment_scores)
        tier = standing_in_group(float(own.score), tier_scores)
    return PartnerStanding(
        period_start=own.period_start,
        score=own.score,
        rag=own.rag,
        trend=own.trend,
        trend_explanation=addressed_to_partner(own.trend_explanation),
        change_previous=own.change_previous,
        segment_label=f"{partner.get_partner_type_display()} partners, {partner.get_stage_display().lower()} stage",
        segment=segment,
        tier_label=partner.get_tier_display(),
        tier=tier,
    )
