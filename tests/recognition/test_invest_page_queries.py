"""The investment pages read a bounded number of queries: the same count with 3 rows as with 9."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from partnerhub.core.models import Role
from tests.factories import PartnerFactory
from tests.queries import settled_queries
from tests.recognition.invest_factories import (
    AllocationFactory,
    BudgetFactory,
    ClaimFactory,
    FundRequestFactory,
    InvestmentFactory,
)

pytestmark = pytest.mark.django_db


def _rows(tenant, count, partner=None):
    budget = BudgetFactory(tenant=tenant, amount=Decimal("1000000"))
    for i in range(count):
        allocation = AllocationFactory(budget=budget, partner=partner or PartnerFactory(tenant=tenant))
        request = FundRequestFactory(
            allocation=allocation,
            status="approved",
            approved_amount=Decimal("1000"),
            claim_deadline=date(2099, 1, 1),
            title=f"Request {count}-{i}",
        )
        ClaimFactory(request=request, amount=Decimal("500"))
        InvestmentFactory(partner=allocation.partner, fund_request=request, kind="mdf", category="event")
        if partner is not None:
            budget = BudgetFactory(tenant=tenant, amount=Decimal("1000000"))


def _count(client, url):
    return settled_queries(client, url)


@pytest.mark.parametrize(
    "path",
    [
        "investments/",
        "investments/requests/?status=all",
        "investments/claims/?status=all",
        "investments/all/",
        "investments/impact/",
    ],
)
def test_a_program_page_makes_as_many_queries_for_9_rows_as_for_3(tenant, actor, client_for, path):
    client = client_for(actor(Role.ADMIN))
    url = f"/t/{tenant.slug}/{path}"
    _rows(tenant, 3)
    few = _count(client, url)
    _rows(tenant, 6)

    assert _count(client, url) == few


def test_the_portal_funds_page_makes_as_many_queries_for_9_rows_as_for_3(tenant, actor, client_for):
    partner = PartnerFactory(tenant=tenant)
    client = client_for(actor(Role.PARTNER, partner=partner))
    url = f"/t/{tenant.slug}/portal/funds/"
    _rows(tenant, 3, partner=partner)
    few = _count(client, url)
    _rows(tenant, 6, partner=partner)

    assert _count(client, url) == few


def test_a_budgets_page_makes_as_many_queries_for_9_allocations_as_for_3(tenant, actor, client_for):
    budget = BudgetFactory(tenant=tenant, amount=Decimal("1000000"))
    client = client_for(actor(Role.ADMIN))
    url = f"/t/{tenant.slug}/investments/budgets/{budget.pk}/"
    for _ in range(3):
        AllocationFactory(budget=budget)
    few = _count(client, url)
    for _ in range(6):
        AllocationFactory(budget=budget)

    assert _count(client, url) == few
