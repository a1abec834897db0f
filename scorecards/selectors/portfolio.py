"""Reads of the portfolio's head: whose partners it shows (a manager's own or all), how they split by RAG, and which
turned red; and partners' latest health for other apps' lists. Each is one query, whatever the number of
partners."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from partnerhub.core.domain.periods import add_months
from partnerhub.core.models import Partner, Tenant
from scorecards.models import ScorecardSnapshot

RAG_ORDER = (
    ScorecardSnapshot.Rag.GREEN.value,
    ScorecardSnapshot.Rag.AMBER.value,
    ScorecardSnapshot.Rag.RED.value,
    ScorecardSnapshot.Rag.NONE.value,
)


@dataclass(frozen=True)
class PortfolioSummary:
    """One period's partners: how many in all and how many the member owns, and the RAG split of each."""

    total: int
    mine: int
    rag_all: dict[str, int]  # RAG value ("" for no score) -> partners
    rag_mine: dict[str, int]

    def rag(self, *, mine: bool) -> dict[str, int]:
        return self.rag_mine if mine else self.rag_all


def portfolio_summary(*, tenant: Tenant, period: str, period_start: date, owner_id: int) -> PortfolioSummary:
    """The period's snapshot counts, of all partners and of those ``owner_id`` owns, each split by RAG. One aggregate
    query."""
    mine = Q(partner__owner_id=owner_id)
    counts = (
        ScorecardSnapshot.objects.for_tenant(tenant)
        .filter(period=period, period_start=period_start)
        .aggregate(
            total=Count("id"),
            mine=Count("id", filter=mine),
            **{f"all_{rag or 'none'}": Count("id", filter=Q(rag=rag)) for rag in RAG_ORDER},
            **{f"mine_{rag or 'none'}": Count("id", filter=mine & Q(rag=rag)) for rag in RAG_ORDER},
        )
    )
    return PortfolioSummary(
        total=counts["total"],
        mine=counts["mine"],
        rag_all={rag: counts[f"all_{rag or 'none'}"] for rag in RAG_ORDER},
        rag_mine={rag: counts[f"mine_{rag or 'none'}"] for rag in RAG_ORDER},
    )


@dataclass(frozen=True)
class RedPartner:
    """A partner red in the period: its score, and the RAG of the period before ("" when unscored or absent)."""

    partner: Partner
    score: Decimal | None
    previous_rag: str | None  # None: no snapshot of the previous period

    @property
    def turned_red(self) -> bool:
        return self.previous_rag != ScorecardSnapshot.Rag.RED


def partners_red(
    *, tenant: Tenant, period: str, period_start: date, owner_id: int | None, limit: int = 6
) -> tuple[list[RedPartner], int, int]:
    """The partners red in the period (the member's own when ``owner_id`` is given): those that turned red this period
    first (they were not red the period before), then the lowest scores; up to ``limit`` of them, with how many are
    red in all and how many turned red. One query."""
    step = 3 if period == ScorecardSnapshot.Period.QUARTER else 1
    previous = ScorecardSnapshot.objects.for_tenant(tenant).filter(
        partner_id=OuterRef("partner_id"), period=period, period_start=add_months(period_start, -step)
    )
    qs = ScorecardSnapshot.objects.for_tenant(tenant).filter(
        period=period, period_start=period_start, rag=ScorecardSnapshot.Rag.RED
    )
    if owner_id is not None:
        qs = qs.filter(partner__owner_id=owner_id)
    rows = [
        RedPartner(partner=s.partner, score=s.score, previous_rag=s.previous_rag)
        for s in qs.annotate(previous_rag=Subquery(previous.values("rag")[:1]))
        .select_related("partner")
        .only("score", "partner__name", "partner__owner_id")
        .order_by("score", "partner__name")
    ]
    rows.sort(key=lambda row: not row.turned_red)  # stable: turned red first, each part by score
    return rows[:limit], len(rows), sum(row.turned_red for row in rows)


# --- partners' health, for other apps' lists (the reviews list) ---


@dataclass(frozen=True)
class PartnerHealth:
    """A partner's standing in the program's latest month: score (0 to 100), RAG, trend and why."""

    period_start: date
    score: Decimal | None
    rag: str
    trend: str
    trend_explanation: str

    @property
    def at_risk(self) -> bool:
        return self.rag == ScorecardSnapshot.Rag.RED or self.trend == ScorecardSnapshot.Trend.DECLINING

    @property
    def trend_label(self) -> str:
        return str(ScorecardSnapshot.Trend(self.trend).label)


def _latest_month(tenant: Tenant) -> Subquery:
    """The program's latest month with snapshots, as a subquery (an index scan inside the query that uses it)."""
    return Subquery(
        ScorecardSnapshot.objects.for_tenant(tenant)
        .filter(period=ScorecardSnapshot.Period.MONTH)
        .order_by("-period_start")
        .values("period_start")[:1]
    )


def partner_health(*, tenant: Tenant, partner_ids: Iterable[int]) -> dict[int, PartnerHealth]:
    """Partner id -> its health in the program's latest month; a partner without a snapshot that month is absent.
    One query, whatever the number of partners."""
    rows = (
        ScorecardSnapshot.objects.for_tenant(tenant)
        .filter(
            period=ScorecardSnapshot.Period.MONTH, period_start=_latest_month(tenant), partner_id__in=list(partner_ids)
        )
        .values_list("partner_id", "period_start", "score", "rag", "trend", "trend_explanation")
    )
    return {
        partner_id: PartnerHealth(period_start=start, score=score, rag=rag, trend=trend, trend_explanation=why)
        for partner_id, start, score, rag, trend, why in rows
    }


def partners_at_risk(*, tenant: Tenant) -> QuerySet[ScorecardSnapshot, int]:
    """The ids (for a subquery) of the partners red or declining in the program's latest month: the same test as
    ``PartnerHealth.at_risk``."""
    return (
        ScorecardSnapshot.objects.for_tenant(tenant)
        .filter(
            Q(rag=ScorecardSnapshot.Rag.RED) | Q(trend=ScorecardSnapshot.Trend.DECLINING),
            period=ScorecardSnapshot.Period.MONTH,
            period_start=_latest_month(tenant),
        )
        .values_list("partner_id", flat=True)
    )
