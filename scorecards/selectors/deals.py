"""Reads of partners' deals: the deals list and a deal's page, and for other apps deal ids by CRM id and the deals won
in a date range."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Final

from django.db.models import F, Q, QuerySet

from partnerhub.core.errors import NotFoundError
from partnerhub.core.models import Tenant
from scorecards.models import Deal, ImportBatch

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


# --- the deals list and a deal's page ---


@dataclass(frozen=True)
class DealFilters:
    """What the deals list is narrowed to; an empty value means "any". ``registration`` uses "none" for a deal never
    registered (stored as an empty text)."""

    q: str = ""
    partner: int | None = None
    status: str = ""
    stage: str = ""
    registration: str = ""
    close_from: date | None = None
    close_to: date | None = None
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    source: str = ""
    batch: int | None = None


NOT_REGISTERED: Final[str] = "none"
# sort key -> ORDER BY; every order ends with the id, so pages never overlap or skip a row.
DEAL_SORTS: Final[dict[str, tuple[str, ...]]] = {
    "close_date": ("close_date", "id"),
    "-close_date": ("-close_date", "-id"),
    "created_on": ("created_on", "id"),
    "-created_on": ("-created_on", "-id"),
    "amount": ("amount", "id"),
    "-amount": ("-amount", "-id"),
    "partner": ("partner__name", "id"),
    "-partner": ("-partner__name", "-id"),
    "external_id": ("external_id", "id"),
    "-external_id": ("-external_id", "-id"),
}
DEFAULT_DEAL_SORT: Final[str] = "-created_on"


def deal_list(*, tenant: Tenant, filters: DealFilters | None = None, sort: str = DEFAULT_DEAL_SORT) -> QuerySet[Deal]:
    """The program's deals matching ``filters``, in ``sort`` order (a key of DEAL_SORTS), with the partner, the import
    batch that last wrote each deal and its deal review joined (one query per page, whatever the number of deals).

    Undated deals come last in a close-date order, either way.
    """
    f = filters or DealFilters()
    qs = Deal.objects.for_tenant(tenant).select_related("partner", "batch", "review")
    if f.q:
        qs = qs.filter(Q(external_id__icontains=f.q) | Q(account_name__icontains=f.q))
    exact: dict[str, object] = {
        "partner_id": f.partner,
        "status": f.status,
        "stage": f.stage,
        "batch_id": f.batch,
        "batch__source": f.source,
    }
    qs = qs.filter(**{field: value for field, value in exact.items() if value not in ("", None)})
    if f.registration:
        qs = qs.filter(registration_status="" if f.registration == NOT_REGISTERED else f.registration)
    bounds: dict[str, object] = {
        "close_date__gte": f.close_from,
        "close_date__lte": f.close_to,
        "amount__gte": f.amount_min,
        "amount__lte": f.amount_max,
    }
    qs = qs.filter(**{field: value for field, value in bounds.items() if value is not None})
    order = DEAL_SORTS.get(sort, DEAL_SORTS[DEFAULT_DEAL_SORT])
    if order[0].endswith("close_date"):
        column = F("close_date")
        first = column.desc(nulls_last=True) if order[0].startswith("-") else column.asc(nulls_last=True)
        return qs.order_by(first, order[1])
    return qs.order_by(*order)


def deal_get(*, tenant: Tenant, deal_id: int) -> Deal:
    """One deal with its partner, import batch (and uploader) and deal review (and reviewer), or NotFoundError for a
    missing id and another tenant's id alike."""
    deal = (
        Deal.objects.for_tenant(tenant)
        .select_related("partner", "batch__uploaded_by__user", "review__reviewer__user")
        .filter(pk=deal_id)
        .first()
    )
    if deal is None:
        raise NotFoundError("Deal not found.")
    return deal


def deal_stages(*, tenant: Tenant) -> list[str]:
    """The CRM stages the program's deals are in, alphabetically (one query)."""
    return list(
        Deal.objects.for_tenant(tenant).exclude(stage="").values_list("stage", flat=True).distinct().order_by("stage")
    )


def deal_sources(*, tenant: Tenant) -> list[str]:
    """The sources of the imports that wrote the program's deals (salesforce, hubspot…), alphabetically."""
    return list(
        ImportBatch.objects.for_tenant(tenant)
        .filter(kind=ImportBatch.Kind.DEALS)
        .values_list("source", flat=True)
        .distinct()
        .order_by("source")
    )


def deal_batches(*, tenant: Tenant, limit: int = 100) -> list[tuple[int, str]]:
    """The latest committed deal imports as (id, label) pairs, newest first, for a filter (one query)."""
    rows = (
        ImportBatch.objects.for_tenant(tenant)
        .filter(kind=ImportBatch.Kind.DEALS, status=ImportBatch.Status.COMMITTED)
        .order_by("-committed_at", "-id")
        .values_list("pk", "file_name", "source", "committed_at")[:limit]
    )
    return [
        (pk, f"#{pk} {file_name} ({source}{f', {committed_at:%Y-%m-%d}' if committed_at else ''})")
        for pk, file_name, source, committed_at in rows
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
