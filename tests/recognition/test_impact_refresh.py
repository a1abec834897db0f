"""The impact refresh on a real program: it reads the stored monthly scores, estimates every investment and group,
replaces the stored estimates (the same data, the same estimates), and the pages and API read them back."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy as np
import pytest
from django.utils import timezone

from partnerhub.core.models import Partner, Role
from partnerhub.core.tenancy.context import tenant_context
from recognition.models import ImpactEstimate, Investment
from recognition.selectors.investments import impact_summaries, spend_by_period
from recognition.services.impact import impact_refresh
from scorecards.models import ScorecardSnapshot
from tests.factories import PartnerFactory
from tests.recognition.invest_factories import InvestmentFactory
from tests.scorecards.factories import VersionFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 7, 15)
FIRST = date(2025, 1, 1)


def _program(tenant, *, partners=40, effect=6.0, funded=(0, 1, 2, 3, 4, 5)):
    """``partners`` resellers of one tier with 18 months of scores; the ``funded`` ones get enablement from March
    2026 (one programme) and ``effect`` points from then on."""
    version = VersionFactory(template__tenant=tenant)
    rng = np.random.default_rng(7)
    people = [PartnerFactory(tenant=tenant, name=f"P{i:03d}", tier="gold", stage="growth") for i in range(partners)]
    start = 2026 * 12 + 2  # March 2026
    rows = []
    for i, partner in enumerate(people):
        level = 55 + 10 * rng.random()
        for month in range(FIRST.year * 12, 2026 * 12 + 6):  # January 2025 .. June 2026
            score = level + 0.2 * (month - FIRST.year * 12) + rng.normal(0, 2)
            if i in funded and month >= start:
                score += effect
            rows.append(
                ScorecardSnapshot(
                    tenant=tenant,
                    partner=partner,
                    period="month",
                    period_start=date(month // 12, month % 12 + 1, 1),
                    template_version=version,
                    score=Decimal(str(round(min(max(score, 0), 100), 4))),
                    computed_at=timezone.now(),
                )
            )
    with tenant_context(tenant):
        ScorecardSnapshot.objects.bulk_create(rows)
    investments = [
        InvestmentFactory(
            partner=people[i], title=f"Technical days {i}", program="Cloud bootcamp", starts_on=date(2026, 3, 1)
        )
        for i in funded
    ]
    return people, investments


def _estimates(tenant, metric="score"):
    with tenant_context(tenant):
        return {e.subject_key: e for e in ImpactEstimate.objects.filter(metric=metric)}


def test_the_refresh_estimates_each_investment_and_the_programme_against_matched_partners(tenant):
    _, investments = _program(tenant)

    with tenant_context(tenant):
        result = impact_refresh(tenant=tenant, today=TODAY)
    estimates = _estimates(tenant)
    group = estimates["enablement:cloud bootcamp"]

    assert (result.investments, result.groups) == (6, 1)
    assert set(estimates) == {f"investment:{i.pk}" for i in investments} | {"enablement:cloud bootcamp"}
    assert group.ci_low <= 6.0 <= group.ci_high
    assert (group.n_treated, group.pre_periods, group.post_periods) == (6, 6, 4)
    assert group.verdict == "causal"
    assert "matched partners" in group.reason


def test_a_second_refresh_gives_the_same_estimates(tenant):
    _program(tenant)

    with tenant_context(tenant):
        impact_refresh(tenant=tenant, today=TODAY)
        first = {k: (e.effect, e.ci_low, e.ci_high) for k, e in _estimates(tenant).items()}
        impact_refresh(tenant=tenant, today=TODAY)
    second = {k: (e.effect, e.ci_low, e.ci_high) for k, e in _estimates(tenant).items()}

    assert first == second


def test_an_investment_with_no_complete_month_after_it_is_not_estimated_and_says_why(tenant):
    people, _ = _program(tenant)
    late = InvestmentFactory(partner=people[10], title="Next month", starts_on=date(2026, 7, 1))

    with tenant_context(tenant):
        impact_refresh(tenant=tenant, today=TODAY)
    estimate = _estimates(tenant)[f"investment:{late.pk}"]

    assert estimate.verdict == "not_estimated"
    assert estimate.effect is None
    assert "no month of values after the investment yet" in estimate.reason


def test_a_partner_of_its_own_tier_has_no_comparable_partner_and_is_not_estimated(tenant):
    _program(tenant)
    alone = PartnerFactory(tenant=tenant, name="Alone", tier="platinum", stage="growth")
    investment = InvestmentFactory(partner=alone, starts_on=date(2026, 3, 1))

    with tenant_context(tenant):
        impact_refresh(tenant=tenant, today=TODAY)

    assert _estimates(tenant)[f"investment:{investment.pk}"].verdict == "not_estimated"


def test_the_executive_selectors_read_spend_per_quarter_and_the_groups_impacts(tenant):
    _program(tenant)
    with tenant_context(tenant):
        impact_refresh(tenant=tenant, today=TODAY)
        spend = spend_by_period(tenant=tenant)
        impacts = impact_summaries(tenant=tenant)

    assert [(p.label, p.enablement) for p in spend] == [("FY2026 Q1", Decimal("15000.00"))]
    assert [(i.subject_key, i.verdict) for i in impacts] == [("enablement:cloud bootcamp", "causal")]


def test_the_impact_page_shows_the_chart_of_the_investment_against_its_matched_partners(tenant, actor, client_for):
    _, investments = _program(tenant)
    with tenant_context(tenant):
        impact_refresh(tenant=tenant, today=TODAY)
    client = client_for(actor(Role.EXECUTIVE))

    listing = client.get(f"/t/{tenant.slug}/investments/impact/").content.decode()
    detail = client.get(f"/t/{tenant.slug}/investments/impact/{investments[0].pk}/").content.decode()

    assert "Enablement: Cloud bootcamp" in listing
    assert "Attribution, not effect" in listing
    assert 'data-figure="' in detail
    assert "Matched partners" in detail


def test_the_api_lists_the_estimates_with_their_attribution_labelled(tenant, actor, api_client_for):
    _program(tenant)
    with tenant_context(tenant):
        impact_refresh(tenant=tenant, today=TODAY)

    body = api_client_for(actor(Role.MANAGER)).get(f"/api/v1/t/{tenant.slug}/impact/?groups=1&metric=score").json()

    assert [r["subject_key"] for r in body["results"]] == ["enablement:cloud bootcamp"]
    assert body["results"][0]["attribution"]["label"].startswith("attribution")


def test_the_refresh_counts_only_partners_of_this_program(tenant, other_tenant):
    _program(tenant)
    PartnerFactory(tenant=other_tenant, tier="gold", stage="growth")

    with tenant_context(tenant):
        impact_refresh(tenant=tenant, today=TODAY)
        assert Partner.objects.count() == 40
        assert Investment.objects.count() == 6
