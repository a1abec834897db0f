"""Reads of budgets and allocations, with the money figures pages show, each in a fixed number of queries.

Per allocation (and summed per budget):

- allocated: the allocation's amount;
- pending: asked in requests still open (submitted, or waiting for more information);
- committed: approved in requests (their approved amounts);
- available: allocated - committed - pending (what a new request may still ask);
- claimed: claimed in claims not rejected; unclaimed: allocated - claimed ("60 % of this quarter's MDF is unclaimed");
- paid: the approved amounts of paid claims.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from partnerhub.core.domain.numbers import format_money
from partnerhub.core.errors import NotFoundError
from partnerhub.core.models import Partner, Tenant
from recognition.models import Allocation, Budget, Claim, FundRequest
from scorecards.selectors.exchange_rates import exchange_rate_table

MONEY = DecimalField(max_digits=16, decimal_places=2)
ZERO = Value(Decimal(0), output_field=MONEY)
OPEN_REQUEST = (FundRequest.Status.SUBMITTED, FundRequest.Status.INFO_REQUESTED)
COUNTED_CLAIM = (Claim.Status.SUBMITTED, Claim.Status.APPROVED, Claim.Status.PARTLY_APPROVED, Claim.Status.PAID)


def _sum(qs: QuerySet[Any], field: str, group: str) -> Coalesce:
    """A correlated SUM of ``field`` over ``qs`` per ``group`` (no join fan-out in the outer query)."""
    total = qs.values(group).annotate(total=Sum(field)).values("total")
    return Coalesce(Subquery(total, output_field=MONEY), ZERO)


def _money_annotations(tenant: Tenant, link: str) -> dict[str, Coalesce]:
    """SUMs per allocation (``link`` = "allocation_id") or per budget (``"allocation__budget_id"``)."""
    requests = FundRequest.objects.for_tenant(tenant).filter(**{link: OuterRef("pk")})
    claims = Claim.objects.for_tenant(tenant).filter(**{f"request__{link}": OuterRef("pk")})
    return {
        "pending_total": _sum(requests.filter(status__in=OPEN_REQUEST), "requested_amount", link),
        "committed_total": _sum(requests.filter(status=FundRequest.Status.APPROVED), "approved_amount", link),
        "claimed_total": _sum(claims.filter(status__in=COUNTED_CLAIM), "amount", f"request__{link}"),
        "paid_total": _sum(claims.filter(status=Claim.Status.PAID), "approved_amount", f"request__{link}"),
    }


def budget_list(*, tenant: Tenant) -> QuerySet[Budget]:
    """Every budget, newest period first, with ``allocated_total`` and the money figures summed over its allocations
    (one query)."""
    allocations = Allocation.objects.for_tenant(tenant).filter(budget_id=OuterRef("pk"))
    return (
        Budget.objects.for_tenant(tenant)
        .annotate(allocated_total=_sum(allocations, "amount", "budget_id"))
        .annotate(**_money_annotations(tenant, "allocation__budget_id"))
        .order_by("-starts_on", "name")
    )


def budget_get(*, tenant: Tenant, budget_id: int) -> Budget:
    """One budget with its figures (NotFoundError for a missing one and for another program's alike)."""
    budget = budget_list(tenant=tenant).filter(pk=budget_id).first()
    if budget is None:
        raise NotFoundError("Budget not found.")
    return budget


def allocation_list(*, tenant: Tenant, budget: Budget) -> QuerySet[Allocation]:
    """A budget's allocations by partner name, each with its money figures (one query)."""
    return (
        Allocation.objects.for_tenant(tenant)
        .filter(budget=budget)
        .select_related("partner", "set_by__user")
        .annotate(**_money_annotations(tenant, "allocation_id"))
        .order_by("partner__name", "pk")
    )


def allocation_list_for_partner(*, tenant: Tenant, partner_id: int) -> QuerySet[Allocation]:
    """A partner's allocations, newest budget first, with their figures and budget (one query)."""
    return (
        Allocation.objects.for_tenant(tenant)
        .filter(partner_id=partner_id)
        .select_related("budget", "partner")
        .annotate(**_money_annotations(tenant, "allocation_id"))
        .order_by("-budget__starts_on", "budget__name")
    )


def allocation_get(*, tenant: Tenant, allocation_id: int) -> Allocation:
    """One allocation with its figures (NotFoundError for a missing one and for another program's alike)."""
    allocation = (
        Allocation.objects.for_tenant(tenant)
        .filter(pk=allocation_id)
        .select_related("budget", "partner")
        .annotate(**_money_annotations(tenant, "allocation_id"))
        .first()
    )
    if allocation is None:
        raise NotFoundError("Allocation not found.")
    return allocation


def allocation_find(*, tenant: Tenant, budget: Budget, partner: Partner) -> Allocation | None:
    return Allocation.objects.for_tenant(tenant).filter(budget=budget, partner=partner).first()


@dataclass(frozen=True)
class Figures:
    """The money figures of an allocation or a budget (see the module docstring), in one currency."""

    currency: str
    allocated: Decimal
    pending: Decimal
    committed: Decimal
    claimed: Decimal
    paid: Decimal

    @property
    def available(self) -> Decimal:
        return self.allocated - self.committed - self.pending

    @property
    def unclaimed(self) -> Decimal:
        return max(self.allocated - self.claimed, Decimal(0))

    @property
    def unclaimed_share(self) -> float | None:
        """The unclaimed part of the allocation, 0-100 (None when nothing is allocated)."""
        if self.allocated <= 0:
            return None
        return float(100 * self.unclaimed / self.allocated)


def figures_of(row: Budget | Allocation) -> Figures:
    """The figures of a row annotated by ``budget_list`` / ``allocation_list`` (no query)."""
    allocated = row.amount if isinstance(row, Allocation) else row.allocated_total  # type: ignore[attr-defined]
    return Figures(
        currency=row.currency,
        allocated=allocated,
        pending=row.pending_total,  # type: ignore[union-attr]
        committed=row.committed_total,  # type: ignore[union-attr]
        claimed=row.claimed_total,  # type: ignore[union-attr]
        paid=row.paid_total,  # type: ignore[union-attr]
    )


@dataclass(frozen=True)
class ConvertedTotal:
    """A sum in the reporting currency, the rates used (one line per currency and date), and what had no rate."""

    currency: str
    amount: Decimal
    rates_used: list[str]
    left_out: list[str]


def converted_total(*, tenant: Tenant, items: list[tuple[Decimal, str, date, str]]) -> ConvertedTotal:
    """Sum ``(amount, currency, date, label)`` items in the program's currency, each at the rate of its own date
    (one query for the rates, only when some item is in another currency)."""
    target = tenant.currency
    foreign = [item for item in items if item[1] != target]
    table = exchange_rate_table(tenant=tenant) if foreign else None
    total, used, left_out = Decimal(0), [], []
    for amount, currency, day, label in items:
        if currency == target:
            total += amount
            continue
        assert table is not None  # noqa: S101 (loaded above when any item is foreign)
        rate = table.rate_on(currency, target, day)
        if rate is None:
            left_out.append(f"{label}: {format_money(amount, currency)} (no {currency} rate on {day:%d %b %Y})")
            continue
        total += (amount * Decimal(str(rate))).quantize(Decimal("0.01"))
        used.append(f"{label}: 1 {currency} = {rate:.6g} {target} on {day:%d %b %Y}")
    return ConvertedTotal(currency=target, amount=total, rates_used=used, left_out=left_out)


def allocation_choices(*, tenant: Tenant, partner_id: int | None = None) -> list[tuple[int, str]]:
    """(id, "Partner · Budget (amount currency)") of every allocation, or one partner's, for a form (one query)."""
    qs = Allocation.objects.for_tenant(tenant).select_related("partner", "budget")
    if partner_id is not None:
        qs = qs.filter(partner_id=partner_id)
    rows = qs.order_by("partner__name", "-budget__starts_on", "budget__name")[:5000]
    return [(a.pk, f"{a.partner.name} · {a.budget.name} ({format_money(a.amount, a.currency)})") for a in rows]


def partner_options(*, tenant: Tenant) -> list[tuple[int, str]]:
    """(id, name) of the program's partners, by name, for a form (one query)."""
    return list(Partner.objects.for_tenant(tenant).order_by("name").values_list("pk", "name")[:5000])
