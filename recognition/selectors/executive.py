"""The figures recognition offers the executive layer (declared as ``executive_figures`` on the AppConfig; see
partnerhub/executive/selectors/seams.py). Each is called with the dashboard slice's partners and the period shown,
and answers a number, or None when it has nothing to say; a bounded number of queries each."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Avg, QuerySet

from partnerhub.core.models import Partner, Tenant
from recognition.models import ImpactEstimate, Nomination, TierRecommendation
from recognition.selectors.investments import spend_by_period


def tier_moves_pending(*, tenant: Tenant, partners: QuerySet[Partner], start: date, end: date) -> int:
    """Tier recommendations of the slice's partners awaiting an executive's decision, whatever their quarter (a
    decision still owed is owed now)."""
    return (
        TierRecommendation.objects.for_tenant(tenant)
        .filter(partner__in=partners, status=TierRecommendation.Status.PENDING)
        .count()
    )


def investment_spend(*, tenant: Tenant, partners: QuerySet[Partner], start: date, end: date) -> Decimal:
    """MDF paid and enablement and terms started in the period, for the slice's partners, in the program's reporting
    currency (spends without an exchange rate on their date are left out, as on the investments page)."""
    periods = spend_by_period(tenant=tenant, since=start, until=end, partners=partners)
    return sum((p.total for p in periods), Decimal(0))


def investment_impact(*, tenant: Tenant, partners: QuerySet[Partner], start: date, end: date) -> float | None:
    """The mean measured effect on the score (points) of the slice's partners' investments whose estimate is causal
    (matched controls, a placebo check passed); None when no investment has one. Directional estimates are left out:
    they are not a measured effect."""
    effect = (
        ImpactEstimate.objects.for_tenant(tenant)
        .filter(
            investment__partner__in=partners,
            metric="score",
            verdict=ImpactEstimate.Verdict.CAUSAL,
            effect__isnull=False,
        )
        .aggregate(mean=Avg("effect"))["mean"]
    )
    return None if effect is None else round(float(effect), 1)


def awards_given(*, tenant: Tenant, partners: QuerySet[Partner], start: date, end: date) -> int:
    """Awards given to the slice's partners for the quarters that start within the period."""
    return (
        Nomination.objects.for_tenant(tenant)
        .filter(partner__in=partners, status=Nomination.Status.AWARDED, quarter__gte=start, quarter__lte=end)
        .count()
    )
