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
