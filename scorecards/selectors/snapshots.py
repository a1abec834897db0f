"""Reads of stored scorecard snapshots (pages never recompute): a portfolio for one period, a partner's history."""

from __future__ import annotations

from datetime import date

from django.db.models import Max, QuerySet

from partnerhub.models import Partner, Tenant
from partnerhub.selectors import PartnerFilters, partner_list
from scorecards.models import ScorecardSnapshot


def portfolio_snapshots(
    *, tenant: Tenant, period: str, period_start: date, filters: PartnerFilters | None = None
) -> QuerySet[ScorecardSnapshot]:
    """Every partner's snapshot of one period, filtered on the partner (``PartnerFilters``), by partner name.

    Partner, its owner's membership and user, and the template version are joined: one query, whatever the number
    of rows. The per-metric ``items`` are not loaded (``defer``); a page that shows them reads one partner's.
    """
    qs = ScorecardSnapshot.objects.for_tenant(tenant).filter(period=period, period_start=period_start)
    if filters is not None and filters != PartnerFilters():
        qs = qs.filter(partner__in=partner_list(tenant=tenant, filters=filters).values("pk"))
    return (
        qs.select_related("partner", "partner__owner__user", "template_version")
        .defer("items")
        .order_by("partner__name", "partner_id")
    )


def partner_snapshots(*, tenant: Tenant, partner: Partner, period: str) -> QuerySet[ScorecardSnapshot]:
    """One partner's snapshots of one period kind (month or quarter), oldest first, with version and template."""
    return (
        ScorecardSnapshot.objects.for_tenant(tenant)
        .filter(partner=partner, period=period)
        .select_related("template_version__template")
        .order_by("period_start")
    )


def latest_period(*, tenant: Tenant, period: str) -> date | None:
    """The start of the latest period (month or quarter) with snapshots in ``tenant``, or None (one indexed query)."""
    return (
        ScorecardSnapshot.objects.for_tenant(tenant)
        .filter(period=period)
        .aggregate(latest=Max("period_start"))["latest"]
    )
