"""The figures remediation and recognition give the executive layer (``executive_figures``): each counts the slice's
partners only, within the period shown, and the dashboard shows them instead of "not yet available"."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from partnerhub.core.models import Partner, Role
from partnerhub.core.tenancy.context import tenant_context
from partnerhub.executive.selectors.seams import seam_figures
from partnerhub.executive.services.dashboard import dashboard_precompute
from recognition.models import Claim, ImpactEstimate, TierRecommendation
from remediation.models import Checkpoint, Plan
from tests.executive.world import TODAY, build_program
from tests.factories import PartnerFactory
from tests.recognition.factories import publish
from tests.recognition.invest_factories import ClaimFactory, InvestmentFactory
from tests.remediation.factories import CheckpointFactory, PlanFactory

pytestmark = pytest.mark.django_db
START, END = date(2026, 4, 1), date(2026, 6, 30)


def _figures(tenant, partners):
    with tenant_context(tenant):
        return {f.spec.name: f for f in seam_figures(tenant=tenant, partners=partners, start=START, end=END)}


def test_each_figure_counts_the_slices_partners_within_the_period(tenant):
    tenant.currency = "USD"
    tenant.save(update_fields=["currency"])
    inside, outside = PartnerFactory(tenant=tenant, market="France"), PartnerFactory(tenant=tenant, market="Spain")
    other_inside = PartnerFactory(tenant=tenant, market="France")
    with tenant_context(tenant):
        for partner in (inside, outside):
            plan = PlanFactory(partner=partner)
            CheckpointFactory(plan=plan, status=Checkpoint.Status.MISSED, due_period_start=date(2026, 5, 1))
            CheckpointFactory(plan=plan, status=Checkpoint.Status.MET, due_period_start=date(2026, 6, 1))
        PlanFactory(partner=other_inside, status=Plan.Status.CANCELLED, cancel_reason="merged into another plan")
        late = PlanFactory(partner=other_inside)
        CheckpointFactory(plan=late, status=Checkpoint.Status.MISSED, due_period_start=date(2026, 7, 1))  # after
    version = publish(tenant)
    with tenant_context(tenant):
        for partner, quarter, status in (
            (inside, date(2026, 1, 1), "pending"),
            (inside, date(2025, 10, 1), "approved"),
            (outside, date(2026, 1, 1), "pending"),
        ):
            TierRecommendation.objects.create(
                tenant=tenant, partner=partner, quarter=quarter, version=version, move="hold", status=status
            )
        ClaimFactory(
            request__allocation__budget__tenant=tenant,
            request__allocation__partner=inside,
            status=Claim.Status.PAID,
            approved_amount=Decimal("1500.00"),
            paid_at=datetime(2026, 5, 20, tzinfo=UTC),
        )
        InvestmentFactory(partner=inside, value=Decimal("2500.00"), currency="USD", starts_on=date(2026, 4, 2))
        InvestmentFactory(partner=inside, value=Decimal("999.00"), currency="USD", starts_on=date(2026, 8, 1))
        investment = InvestmentFactory(partner=inside)
        for effect, verdict in ((4.0, "causal"), (2.0, "causal"), (30.0, "directional")):
            ImpactEstimate.objects.create(
                tenant=tenant,
                subject_key=f"investment:{investment.pk}:{effect}",
                subject_label="x",
                investment=investment,
                metric="score",
                effect=effect,
                ci_low=effect - 1,
                ci_high=effect + 1,
                verdict=verdict,
                computed_at=datetime(2026, 7, 1, tzinfo=UTC),
            )
    figures = _figures(tenant, Partner.objects.for_tenant(tenant).filter(market="France"))

    assert all(f.available for f in figures.values())
    assert figures["open_plans"].value == 2  # the cancelled one is not open
    assert figures["missed_checkpoints"].value == 1  # July's is outside the period, the other partner outside the slice
    assert figures["tier_moves_pending"].value == 1
    assert figures["investment_spend"].value == 4000.0  # 1,500 paid + 2,500 started; August's is after the period
    assert figures["investment_impact"].value == 3.0  # causal estimates only


def test_the_dashboard_shows_the_figures_not_a_placeholder(tenant, actor, client_for):
    build_program(tenant)
    dashboard_precompute(tenant=tenant, today=TODAY)
    body = client_for(actor(Role.EXECUTIVE)).get(f"/t/{tenant.slug}/executive/").content.decode()
    assert "Not yet available" not in body
    assert "Open remediation plans" in body
