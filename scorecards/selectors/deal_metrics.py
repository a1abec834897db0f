"""The deal-derived metrics of a tenant's partners: one read of its deals, then the pure rules of
``scorecards.domain.deal_metrics``."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import pandas as pd
from django.db.models import FloatField, Q
from django.db.models.functions import Cast

from partnerhub.core.domain.periods import next_period_start, period_start, period_starts_between
from partnerhub.core.models import Tenant
from scorecards.domain.deal_metrics import DEAL_COLUMNS, DEFAULT_DISCOUNT_THRESHOLD, Period, deal_metrics
from scorecards.models import Deal
from scorecards.selectors.exchange_rates import deal_amounts_in_reporting_currency


def deal_metrics_for_tenant(
    *,
    tenant: Tenant,
    partner_ids: Iterable[int] | None = None,
    start: date | None = None,
    end: date | None = None,
    discount_threshold: float = DEFAULT_DISCOUNT_THRESHOLD,
    period: Period = "month",
) -> pd.DataFrame:
    """The deal-derived metrics of ``tenant``'s partners for the periods from ``start`` to ``end`` (both optional).

    Reads the deals once (one query, only the columns the rules need; a second for the exchange rates when a deal is
    in another currency than the program's); call it inside the tenant's context (a
    request, a task, or ``tenant_context``), where row-level security lets the rows through. With ``start``, deals
    created and closed before it are not read, so a partner whose every deal is that old has no
    ``pipeline_created`` rows (rather than zeros) in the periods asked for.
    """
    qs = Deal.objects.for_tenant(tenant)
    if partner_ids is not None:
        qs = qs.filter(partner_id__in=list(partner_ids))
    if end is not None:
        qs = qs.filter(created_on__lt=next_period_start(period, end))
    if start is not None:
        first = period_start(period, start)
        qs = qs.filter(Q(created_on__gte=first) | Q(close_date__gte=first) | Q(status=Deal.Status.OPEN))
    rows = list(
        qs.annotate(amount_f=Cast("amount", FloatField()), discount_f=Cast("discount_pct", FloatField())).values_list(
            "partner_id", "amount_f", "created_on", "close_date", "status", "discount_f", "is_renewal", "currency"
        )
    )
    deals = pd.DataFrame.from_records(rows, columns=[*DEAL_COLUMNS, "currency"])
    # Amounts in other currencies are converted at the rate of the deal's own date, never added as they stand.
    deals = deal_amounts_in_reporting_currency(deals, tenant=tenant)
    months = None
    if start is not None or end is not None:
        months = _periods_between(deals, start, end, period)
    return deal_metrics(deals, months, discount_threshold=discount_threshold, period=period)


def _periods_between(deals: pd.DataFrame, start: date | None, end: date | None, period: Period) -> list[date]:
    """Every period start from ``start`` (else the earliest deal date) to ``end`` (else the latest)."""
    dates = pd.concat([pd.to_datetime(deals["created_on"]), pd.to_datetime(deals["close_date"], errors="coerce")])
    dates = dates.dropna()
    low = start if start is not None else (dates.min().date() if not dates.empty else None)
    high = end if end is not None else (dates.max().date() if not dates.empty else None)
    if low is None or high is None:
        return []
    return period_starts_between(period, low, high)
