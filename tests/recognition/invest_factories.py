"""Factories of the investments tests: each enters its own tenant to write, children take the tenant of their parent."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import factory

from recognition.models import Allocation, Budget, Claim, FundRequest, Investment
from tests.factories import PartnerFactory, TenantOwnedFactory


class BudgetFactory(TenantOwnedFactory):
    class Meta:
        model = Budget

    name = factory.Sequence(lambda n: f"MDF budget {n}")
    kind = Budget.Kind.MDF
    fiscal_year = 2026
    fiscal_quarter = None
    starts_on = date(2026, 1, 1)
    ends_on = date(2026, 12, 31)
    currency = "USD"
    amount = Decimal("100000.00")


class AllocationFactory(TenantOwnedFactory):
    class Meta:
        model = Allocation

    budget = factory.SubFactory(BudgetFactory)
    tenant = factory.SelfAttribute("budget.tenant")
    partner = factory.SubFactory(PartnerFactory, tenant=factory.SelfAttribute("..tenant"))
    amount = Decimal("10000.00")
    currency = factory.SelfAttribute("budget.currency")


class FundRequestFactory(TenantOwnedFactory):
    class Meta:
        model = FundRequest

    allocation = factory.SubFactory(AllocationFactory)
    tenant = factory.SelfAttribute("allocation.tenant")
    partner = factory.SelfAttribute("allocation.partner")
    activity_type = "event"
    title = factory.Sequence(lambda n: f"Roadshow {n}")
    planned_start = date(2026, 3, 1)
    planned_end = date(2026, 3, 31)
    requested_amount = Decimal("4000.00")
    currency = factory.SelfAttribute("allocation.currency")


class ClaimFactory(TenantOwnedFactory):
    class Meta:
        model = Claim

    request = factory.SubFactory(FundRequestFactory)
    tenant = factory.SelfAttribute("request.tenant")
    partner = factory.SelfAttribute("request.partner")
    amount = Decimal("3000.00")
    currency = factory.SelfAttribute("request.currency")


class InvestmentFactory(TenantOwnedFactory):
    class Meta:
        model = Investment

    partner = factory.SubFactory(PartnerFactory)
    tenant = factory.SelfAttribute("partner.tenant")
    kind = Investment.Kind.ENABLEMENT
    category = Investment.Category.TRAINING_SEATS
    title = factory.Sequence(lambda n: f"Enablement {n}")
    value = Decimal("2500.00")
    currency = "USD"
    starts_on = date(2026, 3, 1)
