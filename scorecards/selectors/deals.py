"""Reads of partners' deals for other apps: deal ids by CRM id, and the deals won in a date range."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Final

from partnerhub.core.models import Tenant
from scorecards.models import Deal

# The stored value of ``Deal.Status.WON``, for apps that read deals through these selectors.
DEAL_STATUS_WON: Final[str] = Deal.Status.WON.value


def deal_ids_by_external_id(
    *, tenant: Tenant, partner_ids: Iterable[int], external_ids: Iterable[str]
) -> dict[tuple[int, str], int]:
    """{(partner id, CRM id): deal id} for the named deals of these partners (another partner's deal never matches)."""
    wanted = sorted({ref for ref in external_ids if ref})
    if not wanted:
        return {}
    rows = (
        Deal.objects.for_tenant(tenant)
        .filter(partner_id__in=sorted(set(partner_ids)), external_id__in=wanted)
        .values_list("partner_id", "external_id", "pk")
    )
    return {(partner_id, external_id): pk for partner_id, external_id, pk in rows}


@dataclass(frozen=True)
class WonDeal:
    """A deal won by a partner: its ids, amount and close date."""

    partner_id: int
    deal_id: int
    external_id: str
    amount: Decimal
    close_date: date


def deal_list_won_between(*, tenant: Tenant, partner_ids: Iterable[int], start: date, end: date) -> list[WonDeal]:
    """The deals of these partners won with a close date from ``start`` to ``end`` (one query)."""
    rows = (
        Deal.objects.for_tenant(tenant)
        .filter(
            partner_id__in=sorted(set(partner_ids)),
            status=Deal.Status.WON,
            close_date__gte=start,
            close_date__lte=end,
        )
        .values_list("partner_id", "pk", "external_id", "amount", "close_date")
    )
    # close_date is nullable, but the date range above leaves no undated deal.
    return [
        WonDeal(partner_id, deal_id, external_id, amount, close_date)
        for partner_id, deal_id, external_id, amount, close_date in rows
        if close_date is not None
    ]


def won_revenue_by_partner_month(*, tenant: Tenant, start: date, end: date) -> dict[tuple[int, int], float]:
    """{(partner id, month number): revenue won} from ``start`` to ``end`` (by close date), in the program's
    reporting currency at the rate of each deal's close date; a deal with no rate in force is left out (and so is
    that partner-month, rather than a wrong total). Two queries at most."""
    from scorecards.selectors.exchange_rates import exchange_rate_table

    rows = list(
        Deal.objects.for_tenant(tenant)
        .filter(status=Deal.Status.WON, close_date__gte=start, close_date__lte=end)
        .values_list("partner_id", "amount", "currency", "close_date")
    )
    table = exchange_rate_table(tenant=tenant) if any(c != tenant.currency for _, _, c, _ in rows) else None
    out: dict[tuple[int, int], float] = {}
    unknown: set[tuple[int, int]] = set()
    for partner_id, amount, currency, closed in rows:
        if closed is None:  # the date range above leaves no undated deal
            continue
        key = (partner_id, closed.year * 12 + closed.month - 1)
        rate = (
            1.0
            if currency == tenant.currency
            else (table.rate_on(currency, tenant.currency, closed) if table else None)
        )
        if rate is None:
            unknown.add(key)
            continue
        out[key] = out.get(key, 0.0) + float(amount) * rate
    return {key: value for key, value in out.items() if key not in unknown}
