"""Budgets and allocations: fiscal periods, the services' rules, and the database holding the same rules when a
write bypasses the services (constraint triggers, one budget checked at a time under concurrency)."""

from __future__ import annotations

import threading
import time
from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from partnerhub.core.errors import PermissionDeniedError
from partnerhub.core.models import Role
from partnerhub.core.tenancy.context import tenant_context
from recognition.domain.budgets import fiscal_period_bounds, fiscal_period_of, fiscal_year_bounds
from recognition.errors import (
    AllocationBelowCommitmentsError,
    BudgetBelowAllocationsError,
    CurrencyMismatchError,
    InvestmentInputError,
    OverAllocationError,
)
from recognition.models import Allocation, Budget, FundRequest
from recognition.services.budgets import allocation_set, budget_create, budget_update_amount
from tests.factories import PartnerFactory
from tests.recognition.invest_factories import AllocationFactory, BudgetFactory, FundRequestFactory

# --- fiscal periods ---


@pytest.mark.parametrize(
    ("year", "start_month", "bounds"),
    [
        (2026, 1, (date(2026, 1, 1), date(2026, 12, 31))),
        (2026, 2, (date(2025, 2, 1), date(2026, 1, 31))),
        (2026, 7, (date(2025, 7, 1), date(2026, 6, 30))),
    ],
)
def test_a_fiscal_year_is_named_by_the_calendar_year_it_ends_in(year, start_month, bounds):
    assert fiscal_year_bounds(year, start_month) == bounds


def test_fiscal_quarters_count_from_the_first_month_of_the_fiscal_year():
    assert fiscal_period_bounds(2026, 1, 2) == (date(2025, 2, 1), date(2025, 4, 30))
    assert fiscal_period_bounds(2026, 4, 2) == (date(2025, 11, 1), date(2026, 1, 31))
    assert fiscal_period_of(date(2026, 1, 15), 2) == (2026, 4)
    assert fiscal_period_of(date(2025, 2, 1), 2) == (2026, 1)
    assert fiscal_period_of(date(2026, 5, 5), 1) == (2026, 2)


# --- services ---


pytestmark = pytest.mark.django_db


def _allocated(tenant, budget):
    with tenant_context(tenant):
        return sorted(Allocation.objects.filter(budget=budget).values_list("amount", flat=True))


def test_a_budget_for_a_fiscal_quarter_takes_its_dates_from_the_program_calendar(tenant, actor):
    tenant.fiscal_year_start = 4
    tenant.save(update_fields=["fiscal_year_start"])
    with tenant_context(tenant):
        budget = budget_create(
            tenant=tenant,
            actor=actor(Role.ADMIN),
            data={"fiscal_year": 2027, "fiscal_quarter": 2, "currency": "eur", "amount": "50000"},
        )

    assert (budget.starts_on, budget.ends_on) == (date(2026, 7, 1), date(2026, 9, 30))
    assert (budget.name, budget.currency, budget.period_label) == (
        "Market development funds FY2027 Q2",
        "EUR",
        "FY2027 Q2",
    )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"fiscal_year": 2026, "amount": "0"}, "amount"),
        ({"fiscal_year": 2026, "amount": "-5"}, "amount"),
        ({"fiscal_year": 2026, "amount": "10.001"}, "amount"),
        ({"fiscal_year": 2026, "amount": "10", "currency": "EURO"}, "currency"),
        ({"fiscal_year": 2026, "fiscal_quarter": 5, "amount": "10"}, "fiscal_year"),
        ({"fiscal_year": "next", "amount": "10"}, "fiscal_year"),
    ],
)
def test_a_bad_budget_is_refused_with_its_field_and_nothing_written(tenant, actor, data, field):
    with tenant_context(tenant), pytest.raises(InvestmentInputError) as caught:
        budget_create(tenant=tenant, actor=actor(Role.ADMIN), data=data)

    assert field in caught.value.extra["fields"]
    with tenant_context(tenant):
        assert not Budget.objects.exists()


@pytest.mark.parametrize("role", [Role.MANAGER, Role.EXECUTIVE, Role.PARTNER])
def test_only_admins_open_budgets_and_allocate(tenant, actor, role):
    budget = BudgetFactory(tenant=tenant)
    partner = PartnerFactory(tenant=tenant)
    with tenant_context(tenant):
        with pytest.raises(PermissionDeniedError):
            budget_create(tenant=tenant, actor=actor(role), data={"fiscal_year": 2026, "amount": "10"})
        with pytest.raises(PermissionDeniedError):
            allocation_set(tenant=tenant, actor=actor(role), budget=budget, partner=partner, amount="10")


def test_allocations_may_fill_the_budget_exactly_but_never_pass_it(tenant, actor):
    admin = actor(Role.ADMIN)
    budget = BudgetFactory(tenant=tenant, amount=Decimal("1000.00"))
    first, second = PartnerFactory(tenant=tenant), PartnerFactory(tenant=tenant)
    with tenant_context(tenant):
        allocation_set(tenant=tenant, actor=admin, budget=budget, partner=first, amount="600")
        allocation_set(tenant=tenant, actor=admin, budget=budget, partner=second, amount="400")
        with pytest.raises(OverAllocationError, match=r"Only 400 USD"):
            allocation_set(tenant=tenant, actor=admin, budget=budget, partner=second, amount="400.01")

    assert _allocated(tenant, budget) == [Decimal("400.00"), Decimal("600.00")]


def test_an_allocation_in_another_currency_than_its_budget_is_refused(tenant, actor):
    budget = BudgetFactory(tenant=tenant, currency="EUR")
    with tenant_context(tenant), pytest.raises(CurrencyMismatchError, match="in EUR"):
        allocation_set(
            tenant=tenant,
            actor=actor(Role.ADMIN),
            budget=budget,
            partner=PartnerFactory(tenant=tenant),
            amount="10",
            currency="USD",
        )

    assert _allocated(tenant, budget) == []


def test_a_budget_never_shrinks_below_its_allocations(tenant, actor):
    budget = BudgetFactory(tenant=tenant, amount=Decimal("1000.00"))
    AllocationFactory(budget=budget, amount=Decimal("700.00"))
    with tenant_context(tenant), pytest.raises(BudgetBelowAllocationsError):
        budget_update_amount(tenant=tenant, actor=actor(Role.ADMIN), budget=budget, amount="699.99")


def test_an_allocation_never_drops_below_what_its_requests_take(tenant, actor):
    allocation = AllocationFactory(budget=BudgetFactory(tenant=tenant), amount=Decimal("5000.00"))
    FundRequestFactory(allocation=allocation, requested_amount=Decimal("3000.00"))
    FundRequestFactory(
        allocation=allocation,
        requested_amount=Decimal("1500.00"),
        status=FundRequest.Status.APPROVED,
        approved_amount=Decimal("1000.00"),
        claim_deadline=date(2026, 6, 1),
    )
    with tenant_context(tenant), pytest.raises(AllocationBelowCommitmentsError, match=r"4,000 USD"):
        allocation_set(
            tenant=tenant,
            actor=actor(Role.ADMIN),
            budget=allocation.budget,
            partner=allocation.partner,
            amount="3999.99",
        )


# --- the database holds the rules when a write bypasses the services ---


def test_the_database_refuses_an_allocation_over_the_budget_written_directly(tenant):
    budget = BudgetFactory(tenant=tenant, amount=Decimal("1000.00"))
    AllocationFactory(budget=budget, amount=Decimal("800.00"))
    with tenant_context(tenant), pytest.raises(IntegrityError, match=r"above its"):
        with transaction.atomic():
            Allocation.objects.create(
                tenant=tenant, budget=budget, partner=PartnerFactory(tenant=tenant), amount="200.01", currency="USD"
            )


def test_the_database_refuses_raising_an_allocation_over_the_budget_by_a_bulk_update(tenant):
    budget = BudgetFactory(tenant=tenant, amount=Decimal("1000.00"))
    AllocationFactory(budget=budget, amount=Decimal("500.00"))
    AllocationFactory(budget=budget, amount=Decimal("500.00"))
    with tenant_context(tenant), pytest.raises(IntegrityError), transaction.atomic():
        Allocation.objects.filter(budget=budget).update(amount=Decimal("500.01"))


def test_the_database_refuses_an_allocation_in_another_currency_written_directly(tenant):
    budget = BudgetFactory(tenant=tenant, currency="EUR")
    with tenant_context(tenant), pytest.raises(IntegrityError, match="from a budget in EUR"), transaction.atomic():
        Allocation.objects.create(
            tenant=tenant, budget=budget, partner=PartnerFactory(tenant=tenant), amount="10", currency="USD"
        )


def test_the_database_refuses_a_budget_lowered_below_its_allocations_by_raw_sql(tenant):
    budget = BudgetFactory(tenant=tenant, amount=Decimal("1000.00"))
    AllocationFactory(budget=budget, amount=Decimal("900.00"))
    with tenant_context(tenant), pytest.raises(IntegrityError, match="below the"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE recognition_budget SET amount = 899 WHERE id = %s", [budget.pk])


def test_the_database_refuses_changing_the_currency_of_a_budget_with_allocations(tenant):
    budget = BudgetFactory(tenant=tenant, currency="USD")
    AllocationFactory(budget=budget)
    with tenant_context(tenant), pytest.raises(IntegrityError), transaction.atomic():
        Budget.objects.filter(pk=budget.pk).update(currency="EUR")


def test_a_check_constraint_refuses_a_negative_allocation(tenant):
    budget = BudgetFactory(tenant=tenant)
    with tenant_context(tenant), pytest.raises(IntegrityError), transaction.atomic():
        Allocation.objects.create(
            tenant=tenant, budget=budget, partner=PartnerFactory(tenant=tenant), amount="-1", currency="USD"
        )


@pytest.mark.django_db(transaction=True)
def test_two_transactions_each_fitting_alone_cannot_together_pass_the_budget(tenant):
    budget = BudgetFactory(tenant=tenant, amount=Decimal("1000.00"))
    first, second = PartnerFactory(tenant=tenant), PartnerFactory(tenant=tenant)
    first_written, outcomes = threading.Event(), {}

    def allocate(partner, *, wait_for=None, hold=0.0):
        try:
            if wait_for is not None:
                wait_for.wait(timeout=10)
            with tenant_context(tenant):
                Allocation.objects.create(tenant=tenant, budget=budget, partner=partner, amount="600", currency="USD")
                if wait_for is None:
                    first_written.set()
                    time.sleep(hold)  # the second transaction now waits on the budget row's lock
            outcomes[partner.pk] = "committed"
        except IntegrityError:
            outcomes[partner.pk] = "refused"
        finally:
            connection.close()

    threads = [
        threading.Thread(target=allocate, args=(first,), kwargs={"hold": 1.0}),
        threading.Thread(target=allocate, args=(second,), kwargs={"wait_for": first_written}),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert outcomes == {first.pk: "committed", second.pk: "refused"}
    assert _allocated(tenant, budget) == [Decimal("600.00")]
