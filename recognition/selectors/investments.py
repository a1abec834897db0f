"""Reads of investments, their linked enablement activities and their measured impact; and what the executive
dashboard reads: spend per fiscal period and the measured impacts (``spend_by_period``, ``impact_summaries``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet

from partnerhub.core.errors import NotFoundError
from partnerhub.core.models import Partner, Tenant
from recognition.domain.budgets import fiscal_label, fiscal_period_of
from recognition.models import Claim, ImpactEstimate, Investment, InvestmentActivity
from scorecards.selectors.activities import ActivityRow, enablement_activities
from scorecards.selectors.exchange_rates import exchange_rate_table


def investment_list(*, tenant: Tenant, kind: str = "", partner_id: int | None = None) -> QuerySet[Investment]:
    """Investments, newest first, with partner and the request they came from (one query)."""
    qs = Investment.objects.for_tenant(tenant)
    if kind:
        qs = qs.filter(kind=kind)
    if partner_id is not None:
        qs = qs.filter(partner_id=partner_id)
    return qs.select_related("partner", "fund_request").order_by("-starts_on", "-id")


def investment_get(*, tenant: Tenant, investment_id: int) -> Investment:
    """One investment (NotFoundError for a missing one and for another program's alike)."""
    found = investment_list(tenant=tenant).filter(pk=investment_id).first()
    if found is None:
        raise NotFoundError("Investment not found.")
    return found


def investment_activities(*, tenant: Tenant, investment: Investment) -> list[ActivityRow]:
    """The enablement activities linked to an investment (two queries)."""
    ids = list(
        InvestmentActivity.objects.for_tenant(tenant)
        .filter(investment=investment)
        .values_list("activity_id", flat=True)
    )
    return enablement_activities(tenant=tenant, activity_ids=ids) if ids else []


def investment_activity_counts(*, tenant: Tenant, investment_ids: list[int]) -> dict[int, int]:
    """Investment id -> how many enablement activities are linked to it (one query)."""
    counts: dict[int, int] = defaultdict(int)
    for investment_id in (
        InvestmentActivity.objects.for_tenant(tenant)
        .filter(investment_id__in=investment_ids)
        .values_list("investment_id", flat=True)
    ):
        counts[investment_id] += 1
    return dict(counts)


def impact_estimate_list(
    *, tenant: Tenant, metric: str = "", groups_only: bool = False, investment_id: int | None = None
) -> QuerySet[ImpactEstimate]:
    """Stored estimates (precomputed), groups first then investments, with the investment and partner (one query)."""
    qs = ImpactEstimate.objects.for_tenant(tenant)
    if metric:
        qs = qs.filter(metric=metric)
    if groups_only:
        qs = qs.filter(investment__isnull=True)
    if investment_id is not None:
        qs = qs.filter(investment_id=investment_id)
    return qs.select_related("investment__partner").order_by("investment_id", "subject_key", "metric")


def impact_estimate_get(*, tenant: Tenant, estimate_id: int) -> ImpactEstimate:
    """One stored estimate (NotFoundError for a missing one and for another program's alike)."""
    found = impact_estimate_list(tenant=tenant).filter(pk=estimate_id).first()
    if found is None:
        raise NotFoundError("Estimate not found.")
    return found


# --- for the executive dashboard ---


@dataclass(frozen=True)
class PeriodSpend:
    """What the program spent in one fiscal quarter, in its reporting currency (rates of each spend's own date)."""

    fiscal_year: int
    fiscal_quarter: int
    label: str
    currency: str
    mdf_paid: Decimal
    enablement: Decimal
    terms: Decimal
    left_out: int  # spends in a currency with no rate on their date (not in the totals)

    @property
    def total(self) -> Decimal:
        return self.mdf_paid + self.enablement + self.terms


def spend_by_period(
    *, tenant: Tenant, since: date | None = None, until: date | None = None, partners: QuerySet[Partner] | None = None
) -> list[PeriodSpend]:
    """Spend per fiscal quarter, oldest first: MDF as paid (paid claims, on their payment date), enablement and terms
    at their value on their start date, each converted at the rate of its own date; from ``since`` to ``until``
    (inclusive) and for ``partners`` when given. Three queries."""
    paid = Claim.objects.for_tenant(tenant).filter(status=Claim.Status.PAID, paid_at__isnull=False)
    others = Investment.objects.for_tenant(tenant).exclude(kind=Investment.Kind.MDF)
    if since is not None:
        paid = paid.filter(paid_at__date__gte=since)
        others = others.filter(starts_on__gte=since)
    if until is not None:
        paid = paid.filter(paid_at__date__lte=until)
        others = others.filter(starts_on__lte=until)
    if partners is not None:
        paid = paid.filter(partner__in=partners)
        others = others.filter(partner__in=partners)
    items: list[tuple[str, Decimal, str, date]] = [
        ("mdf", amount or Decimal(0), currency, paid_at.date())
        for amount, currency, paid_at in paid.values_list("approved_amount", "currency", "paid_at")
        if paid_at is not None
    ]
    items += list(others.values_list("kind", "value", "currency", "starts_on"))
    table = exchange_rate_table(tenant=tenant) if any(c != tenant.currency for _, _, c, _ in items) else None
    buckets: dict[tuple[int, int], dict[str, Decimal]] = defaultdict(
        lambda: {"mdf": Decimal(0), "enablement": Decimal(0), "terms": Decimal(0)}
    )
    missing: dict[tuple[int, int], int] = defaultdict(int)
    for kind, amount, currency, day in items:
        key = fiscal_period_of(day, tenant.fiscal_year_start)
        rate = (
            1.0 if currency == tenant.currency else (table.rate_on(currency, tenant.currency, day) if table else None)
        )
        if rate is None:
            missing[key] += 1
            _ = buckets[key]  # the period shows, with what was left out
            continue
        buckets[key][kind] += (amount * Decimal(str(rate))).quantize(Decimal("0.01"))
    return [
        PeriodSpend(
            fiscal_year=year,
            fiscal_quarter=quarter,
            label=fiscal_label(year, quarter),
            currency=tenant.currency,
            mdf_paid=values["mdf"],
            enablement=values["enablement"],
            terms=values["terms"],
            left_out=missing.get((year, quarter), 0),
        )
        for (year, quarter), values in sorted(buckets.items())
    ]


@dataclass(frozen=True)
class ImpactSummary:
    subject_key: str
    label: str
    metric: str
    effect: float | None
    ci_low: float | None
    ci_high: float | None
    verdict: str
    reason: str
    n_treated: int
    n_controls: int


def impact_summaries(*, tenant: Tenant, metric: str = "score") -> list[ImpactSummary]:
    """The measured impacts of the groups of investments (MDF per quarter, per activity type, each enablement
    programme) on ``metric``, as the executive dashboard shows them (one query)."""
    return [
        ImpactSummary(
            e.subject_key,
            e.subject_label,
            e.metric,
            e.effect,
            e.ci_low,
            e.ci_high,
            e.verdict,
            e.reason,
            e.n_treated,
            e.n_controls,
        )
        for e in impact_estimate_list(tenant=tenant, metric=metric, groups_only=True)
    ]
