"""Reads of the program's dated exchange rates, and the conversion of deal amounts into its reporting currency.

Other apps (investments' budgets, claims and totals) convert through ``exchange_rate_table``: one query, then pure
look-ups (``scorecards.domain.currency``).
"""

from __future__ import annotations

import pandas as pd
from django.db.models import QuerySet

from partnerhub.core.errors import NotFoundError
from partnerhub.core.models import Tenant
from scorecards.domain.currency import RateTable
from scorecards.models import ExchangeRate


def exchange_rate_list(*, tenant: Tenant, currency: str = "") -> QuerySet[ExchangeRate]:
    """The program's rates, by pair and newest first; ``currency`` keeps the pairs that name it."""
    qs = ExchangeRate.objects.for_tenant(tenant)
    if currency:
        qs = qs.filter(from_currency=currency) | qs.filter(to_currency=currency)
    return qs.order_by("from_currency", "to_currency", "-date", "-id")


def exchange_rate_get(*, tenant: Tenant, rate_id: int) -> ExchangeRate:
    """One rate of the program (NotFoundError for a missing one and for another program's alike)."""
    rate = ExchangeRate.objects.for_tenant(tenant).filter(pk=rate_id).first()
    if rate is None:
        raise NotFoundError("Exchange rate not found.")
    return rate


def exchange_rate_table(*, tenant: Tenant) -> RateTable:
    """Every rate of the program, ready for conversions at any date (one query)."""
    rows = ExchangeRate.objects.for_tenant(tenant).values_list("from_currency", "to_currency", "date", "rate")
    return RateTable.from_rows(list(rows))


def deal_amounts_in_reporting_currency(deals: pd.DataFrame, *, tenant: Tenant) -> pd.DataFrame:
    """``deals`` (with ``amount``, ``currency``, ``created_on``, ``close_date``) with ``amount`` converted into the
    program's reporting currency at the rate of the deal's creation date and ``amount_closed`` at the rate of its
    close date (of its creation date while it has none); ``currency`` is dropped.

    An amount with no rate in force on its date is NaN: ``scorecards.domain.deal_metrics`` then leaves that
    partner-period without a value rather than adding it unconverted. The rates are read (one query) only when some
    deal is in another currency than the program's.
    """
    out = deals.drop(columns=["currency"])
    foreign = deals["currency"].astype(str) != tenant.currency
    if deals.empty or not foreign.any():
        out["amount_closed"] = out["amount"]
        return out
    rates = exchange_rate_table(tenant=tenant)
    closed_on = deals["close_date"].where(deals["close_date"].notna(), deals["created_on"])
    out["amount"] = rates.convert(deals["amount"], deals["currency"], deals["created_on"], to=tenant.currency).amounts
    out["amount_closed"] = rates.convert(deals["amount"], deals["currency"], closed_on, to=tenant.currency).amounts
    return out
