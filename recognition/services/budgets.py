"""Writes of budgets and allocations (admins): each checks its rule first and says why, and the database holds the
same rules underneath (migration 0004_investments_budget_guards), so a write that slips past a check still fails.

Every write locks the budget row (``select_for_update``) before reading what is allocated from it, as the guard
trigger does, so concurrent writes to one budget are checked one after the other.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum

from partnerhub.core.domain.numbers import format_money, format_number
from partnerhub.core.models import Membership, Partner, Tenant
from partnerhub.core.rules import ensure_can
from partnerhub.core.services.program import ensure_same_tenant
from recognition.domain.budgets import fiscal_label, fiscal_period_bounds
from recognition.errors import (
    AllocationBelowCommitmentsError,
    BudgetBelowAllocationsError,
    CurrencyMismatchError,
    InvestmentInputError,
    OverAllocationError,
)
from recognition.models import Allocation, Budget, FundRequest
from recognition.selectors.budgets import OPEN_REQUEST

CODE = re.compile(r"^[A-Z]{3}$")
MAX_AMOUNT = Decimal("999999999999.99")


@contextmanager
def database_guards() -> Iterator[None]:
    """Turn a budget guard's check_violation (the database's last word) into the domain error it stands for."""
    try:
        yield
    except IntegrityError as exc:
        constraint = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", "") or ""
        if constraint == "allocation_currency_of_budget":
            raise CurrencyMismatchError("An allocation is always in its budget's currency.") from exc
        if constraint == "allocation_within_budget":
            raise OverAllocationError("The allocations would add up to more than the budget.") from exc
        if constraint == "budget_covers_allocations":
            raise BudgetBelowAllocationsError("The budget cannot drop below what is already allocated.") from exc
        raise


def _money(value: object, field: str, *, allow_zero: bool = False) -> Decimal:
    try:
        amount = Decimal(str(value))
    except ArithmeticError:
        amount = Decimal(-1)
    if not amount.is_finite() or amount < 0 or (amount == 0 and not allow_zero) or amount > MAX_AMOUNT:
        lowest = "0 or more" if allow_zero else "above 0"
        raise InvestmentInputError(f"Enter an amount {lowest}.", fields={field: [f"An amount {lowest}."]})
    if amount != amount.quantize(Decimal("0.01")):
        raise InvestmentInputError("Amounts have at most two decimals.", fields={field: ["At most two decimals."]})
    return amount


def _code(value: object, field: str = "currency") -> str:
    code = str(value or "").strip().upper()
    if not CODE.match(code):
        raise InvestmentInputError(
            "A currency is an ISO 4217 code such as USD or EUR.", fields={field: ["Three capital letters, e.g. EUR."]}
        )
    return code


def _lock_budget(tenant: Tenant, budget: Budget) -> Budget:
    # for_tenant() filters and RLS confines the lock to this tenant's row; of=self locks no joined row.
    return Budget.objects.for_tenant(tenant).select_for_update(of=("self",)).get(pk=budget.pk)


def _allocated(tenant: Tenant, budget: Budget, *, excluding: Sequence[int] = ()) -> Decimal:
    qs = Allocation.objects.for_tenant(tenant).filter(budget=budget).exclude(partner_id__in=list(excluding))
    total: Decimal | None = qs.aggregate(total=Sum("amount"))["total"]
    return total or Decimal(0)


@transaction.atomic
def budget_create(*, tenant: Tenant, actor: Membership, data: Mapping[str, object]) -> Budget:
    """Open a budget for a fiscal year (or a quarter of it) in one currency. Raises InvestmentInputError."""
    ensure_same_tenant(tenant, actor)
    ensure_can(actor, "investments.budget")
    name = str(data.get("name") or "").strip()
    try:
        fiscal_year = int(str(data.get("fiscal_year")))
        quarter_raw = data.get("fiscal_quarter")
        quarter = int(str(quarter_raw)) if quarter_raw not in (None, "") else None
        starts_on, ends_on = fiscal_period_bounds(fiscal_year, quarter, tenant.fiscal_year_start)
    except (TypeError, ValueError) as exc:
        raise InvestmentInputError(
            "Choose a fiscal year (2000-2100) and, for a quarter's budget, a quarter 1-4.",
            fields={"fiscal_year": ["A fiscal year and an optional quarter 1-4."]},
        ) from exc
    if not 2000 <= fiscal_year <= 2100:
        raise InvestmentInputError("Choose a fiscal year between 2000 and 2100.", fields={"fiscal_year": ["2000-2100"]})
    kind = str(data.get("kind") or Budget.Kind.MDF)
    if kind not in Budget.Kind.values:
        raise InvestmentInputError("Choose MDF or enablement.", fields={"kind": ["MDF or enablement."]})
    claim_days = int(str(data.get("claim_days") or 60))
    if not 1 <= claim_days <= 365:
        raise InvestmentInputError("Claims are due 1 to 365 days after.", fields={"claim_days": ["1-365 days."]})
    name = name or f"{Budget.Kind(kind).label} {fiscal_label(fiscal_year, quarter)}"
    if Budget.objects.for_tenant(tenant).filter(name=name).exists():
        raise InvestmentInputError(f"A budget named “{name}” exists already.", fields={"name": ["Already in use."]})
    return Budget.objects.create(
        tenant=tenant,
        name=name[:120],
        kind=kind,
        fiscal_year=fiscal_year,
        fiscal_quarter=quarter,
        starts_on=starts_on,
        ends_on=ends_on,
        currency=_code(data.get("currency") or tenant.currency),
        amount=_money(data.get("amount"), "amount"),
        claim_days=claim_days,
        created_by=actor,
    )


@transaction.atomic
def budget_update_amount(*, tenant: Tenant, actor: Membership, budget: Budget, amount: object) -> Budget:
    """Change a budget's amount; never below what is allocated (BudgetBelowAllocationsError)."""
    ensure_same_tenant(tenant, actor, budget)
    ensure_can(actor, "investments.budget")
    value = _money(amount, "amount")
    locked = _lock_budget(tenant, budget)
    allocated = _allocated(tenant, locked)
    if value < allocated:
        raise BudgetBelowAllocationsError(
            f"{format_money(allocated, locked.currency)} is already allocated from this budget: "
            "lower allocations first.",
            extra={"fields": {"amount": [f"At least {format_number(allocated)}."]}, "allocated": str(allocated)},
        )
    locked.amount = value
    with database_guards():
        locked.save(update_fields=["amount", "updated_at"])
    return locked


def _committed(tenant: Tenant, allocation: Allocation) -> Decimal:
    """What approved and pending requests take from an allocation."""
    requests = FundRequest.objects.for_tenant(tenant).filter(allocation=allocation)
    approved = requests.filter(status=FundRequest.Status.APPROVED).aggregate(total=Sum("approved_amount"))["total"]
    pending = requests.filter(status__in=OPEN_REQUEST).aggregate(total=Sum("requested_amount"))["total"]
    return (approved or Decimal(0)) + (pending or Decimal(0))


@transaction.atomic
def allocation_set(
    *,
    tenant: Tenant,
    actor: Membership,
    budget: Budget,
    partner: Partner,
    amount: object,
    currency: str | None = None,
    note: str = "",
    source: str = Allocation.Source.MANUAL,
) -> Allocation:
    """Set a partner's allocation from a budget (create or change it).

    Raises CurrencyMismatchError for a currency other than the budget's, OverAllocationError when the budget's
    allocations would exceed it, AllocationBelowCommitmentsError below what the partner's requests already take.
    """
    ensure_same_tenant(tenant, actor, budget, partner)
    ensure_can(actor, "investments.budget")
    value = _money(amount, "amount", allow_zero=True)
    locked = _lock_budget(tenant, budget)
    if currency is not None and _code(currency) != locked.currency:
        raise CurrencyMismatchError(
            f"This budget is in {locked.currency}: allocate in {locked.currency}, not {_code(currency)}.",
            extra={"fields": {"currency": [f"The budget's currency, {locked.currency}."]}},
        )
    others = _allocated(tenant, locked, excluding=[partner.pk])
    if others + value > locked.amount:
        room = locked.amount - others
        raise OverAllocationError(
            f"Only {format_money(room, locked.currency)} of {locked.name} is left to allocate.",
            extra={"fields": {"amount": [f"At most {format_number(room)}."]}, "available": str(room)},
        )
    allocation = Allocation.objects.for_tenant(tenant).filter(budget=locked, partner=partner).first()
    if allocation is None:
        with database_guards():
            return Allocation.objects.create(
                tenant=tenant,
                budget=locked,
                partner=partner,
                amount=value,
                currency=locked.currency,
                source=source,
                note=note[:300],
                set_by=actor,
            )
    committed = _committed(tenant, allocation)
    if value < committed:
        raise AllocationBelowCommitmentsError(
            f"{partner.name}'s requests already take {format_money(committed, locked.currency)} of this allocation.",
            extra={"fields": {"amount": [f"At least {format_number(committed)}."]}},
        )
    allocation.amount, allocation.source, allocation.note, allocation.set_by = value, source, note[:300], actor
    with database_guards():
        allocation.save(update_fields=["amount", "source", "note", "set_by", "updated_at"])
    return allocation


@transaction.atomic
def allocation_rule_apply(
    *, tenant: Tenant, actor: Membership, budget: Budget, amounts: Mapping[int, Decimal], note: str
) -> int:
    """Set the allocations a rule proposed (partner id -> amount) in one transaction: all of them, or none.

    Lowered allocations are written first, so that moving money between partners never passes the budget on the way.
    Returns how many allocations changed.
    """
    ensure_same_tenant(tenant, actor, budget)
    ensure_can(actor, "investments.budget")
    locked = _lock_budget(tenant, budget)
    partners = {p.pk: p for p in Partner.objects.for_tenant(tenant).filter(pk__in=list(amounts))}
    if set(partners) != set(amounts):
        raise InvestmentInputError("The proposal names partners that are not in this program.")
    current = {
        a.partner_id: a.amount
        for a in Allocation.objects.for_tenant(tenant).filter(budget=locked, partner__in=partners)
    }
    total = _allocated(tenant, locked, excluding=list(amounts)) + sum(amounts.values(), Decimal(0))
    if total > locked.amount:
        raise OverAllocationError(
            f"The proposal adds up to {format_money(total, locked.currency)} with the other allocations, "
            f"above the budget's {format_number(locked.amount)}."
        )
    changed = 0
    for partner_id in sorted(amounts, key=lambda pid: amounts[pid] - current.get(pid, Decimal(0))):
        if current.get(partner_id) == amounts[partner_id]:
            continue
        allocation_set(
            tenant=tenant,
            actor=actor,
            budget=locked,
            partner=partners[partner_id],
            amount=amounts[partner_id],
            note=note,
            source=Allocation.Source.RULE,
        )
        changed += 1
    return changed
