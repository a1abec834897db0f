"""A partner's health as its latest monthly snapshot tells it (score, RAG, trend; pages never recompute): on every row
of the partner list, in the list's own query, and on the partner page, in one query.

"Latest" is the partner's own latest month with a snapshot: the program's latest month for nearly every partner, an
earlier one for a partner whose data stopped (the page says which month).
"""

from __future__ import annotations

from typing import Final

from django.db.models import Case, IntegerField, OuterRef, QuerySet, Subquery, Value, When

from partnerhub.core.models import Partner, Tenant
from scorecards.models import ScorecardSnapshot

Rag = ScorecardSnapshot.Rag
Trend = ScorecardSnapshot.Trend

# Worst first: the order a person scanning for trouble wants. No score, or not enough history, ranks NULL: last,
# whichever way the list is sorted.
RAG_RANK: Final = {Rag.RED: 0, Rag.AMBER: 1, Rag.GREEN: 2}
TREND_RANK: Final = {Trend.DECLINING: 0, Trend.STABLE: 1, Trend.IMPROVING: 2}


def _latest_month(tenant: Tenant) -> QuerySet[ScorecardSnapshot]:
    return (
        ScorecardSnapshot.objects.for_tenant(tenant)
        .filter(partner_id=OuterRef("pk"), period=ScorecardSnapshot.Period.MONTH)
        .order_by("-period_start")
    )


def partners_with_health(partners: QuerySet[Partner], *, tenant: Tenant) -> QuerySet[Partner]:
    """``partners`` with ``health_score``, ``health_rag``, ``health_trend`` and ``health_month`` (None when the
    partner has no snapshot yet) from each one's latest monthly snapshot, and ``health_rag_rank`` and
    ``health_trend_rank`` for the partner list's sorts (declared with its columns in ``scorecards/apps.py``).

    Correlated subqueries on the snapshot's unique index (tenant, partner, period, period start): still one query for
    the page, and PostgreSQL computes them for the rows it returns unless the sort needs them.
    """
    latest = _latest_month(tenant)

    def of_latest(field: str) -> Subquery:
        return Subquery(latest.values(field)[:1])

    rag_rank = Case(
        *(When(health_rag=rag, then=Value(rank)) for rag, rank in RAG_RANK.items()),
        default=None,
        output_field=IntegerField(),
    )
    trend_rank = Case(
        *(When(health_trend=trend, then=Value(rank)) for trend, rank in TREND_RANK.items()),
        default=None,
        output_field=IntegerField(),
    )
    return partners.annotate(
        health_score=of_latest("score"),
        health_rag=of_latest("rag"),
        health_trend=of_latest("trend"),
        health_month=of_latest("period_start"),
    ).annotate(
        health_rag_rank=rag_rank,
        health_trend_rank=trend_rank,
    )


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
