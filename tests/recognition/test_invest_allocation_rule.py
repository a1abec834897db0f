"""The allocation rule: shares by tier, weighted by performance, capped per partner, adding up exactly."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from partnerhub.core.models import Role
from partnerhub.core.tenancy.context import tenant_context
from recognition.domain.budgets import Candidate, performance_factor, propose_allocation
from recognition.errors import OverAllocationError
from recognition.models import Allocation
from recognition.selectors.allocation_rules import allocation_proposal
from recognition.services.budgets import allocation_rule_apply
from tests.factories import PartnerFactory
from tests.recognition.invest_factories import AllocationFactory, BudgetFactory

FOUR = [
    Candidate(1, "Alpha", "platinum"),
    Candidate(2, "Beta", "gold"),
    Candidate(3, "Gamma", "silver"),
    Candidate(4, "Delta", "registered"),
]


def _amounts(proposal):
    return {line.partner_id: line.amount for line in proposal.lines}


def test_without_scores_shares_follow_the_tier_weights_and_add_up_exactly():
    proposal = propose_allocation(amount=Decimal("10000.00"), candidates=FOUR)

    assert _amounts(proposal) == {
        1: Decimal("4000.00"),
        2: Decimal("3000.00"),
        3: Decimal("2000.00"),
        4: Decimal("1000.00"),
    }
    assert proposal.total == Decimal("10000.00")
    assert proposal.unallocated == 0


def test_cents_left_by_rounding_are_handed_out_so_the_total_is_exact():
    proposal = propose_allocation(
        amount=Decimal("100.00"), candidates=[Candidate(i, f"P{i}", "gold") for i in range(3)]
    )

    assert sorted(_amounts(proposal).values()) == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]
    assert proposal.total == Decimal("100.00")


def test_a_better_score_and_an_improving_trend_get_a_larger_share_within_a_tier():
    people = [Candidate(1, "Strong", "gold", 90.0, "improving"), Candidate(2, "Weak", "gold", 40.0, "declining")]

    amounts = _amounts(propose_allocation(amount=Decimal("1000.00"), candidates=people))

    assert amounts[1] > amounts[2]
    assert performance_factor(90.0, "improving", Decimal(1)) == Decimal("1.540")
    assert performance_factor(40.0, "declining", Decimal(0)) == Decimal(1)


def test_the_cap_holds_and_what_a_capped_partner_cannot_take_goes_to_the_others():
    proposal = propose_allocation(amount=Decimal("10000.00"), candidates=FOUR, cap=Decimal("3000.00"))
    amounts = _amounts(proposal)

    assert max(amounts.values()) <= Decimal("3000.00")
    assert amounts[1] == amounts[2] == Decimal("3000.00")
    assert (amounts[3], amounts[4]) == (Decimal("2666.67"), Decimal("1333.33"))
    assert proposal.total == Decimal("10000.00")


def test_when_every_partner_is_capped_the_rest_stays_unallocated():
    proposal = propose_allocation(amount=Decimal("10000.00"), candidates=FOUR, cap=Decimal("1000.00"))

    assert proposal.total == Decimal("4000.00")
    assert proposal.unallocated == Decimal("6000.00")


def test_a_tier_weighted_zero_is_left_out():
    proposal = propose_allocation(
        amount=Decimal("900.00"),
        candidates=FOUR,
        tier_weights={"platinum": Decimal(2), "gold": Decimal(1), "silver": Decimal(0)},
    )

    assert _amounts(proposal) == {1: Decimal("600.00"), 2: Decimal("300.00")}


@pytest.mark.django_db
def test_the_proposal_reads_the_tier_field_and_applying_it_sets_every_allocation(tenant, actor):
    budget = BudgetFactory(tenant=tenant, amount=Decimal("6000.00"))
    gold = PartnerFactory(tenant=tenant, name="Gold one", tier="gold")
    silver = PartnerFactory(tenant=tenant, name="Silver one", tier="silver")
    AllocationFactory(budget=budget, partner=silver, amount=Decimal("5000.00"))  # moves down: written first
    with tenant_context(tenant):
        proposal = allocation_proposal(tenant=tenant, budget=budget, as_of=date(2026, 1, 1))
        changed = allocation_rule_apply(
            tenant=tenant, actor=actor(Role.ADMIN), budget=budget, amounts=_amounts(proposal), note="FY2026 rule"
        )
        stored = dict(Allocation.objects.filter(budget=budget).values_list("partner_id", "amount"))

    assert changed == 2
    assert stored == {gold.pk: Decimal("3600.00"), silver.pk: Decimal("2400.00")}


@pytest.mark.django_db
def test_applying_a_proposal_above_the_budget_writes_nothing(tenant, actor):
    budget = BudgetFactory(tenant=tenant, amount=Decimal("1000.00"))
    partner = PartnerFactory(tenant=tenant)
    with tenant_context(tenant), pytest.raises(OverAllocationError):
        allocation_rule_apply(
            tenant=tenant, actor=actor(Role.ADMIN), budget=budget, amounts={partner.pk: Decimal("1000.01")}, note=""
        )
    with tenant_context(tenant):
        assert not Allocation.objects.exists()
