"""Factories for remediation, and a small program with real snapshots: two metrics on a default scorecard, partners
with monthly observations, refreshed by the real engine (``snapshot_refresh``) as of ``TODAY``.

Every factory writes inside its object's own tenant; children take the tenant of their plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import factory

from partnerhub.core.domain.periods import add_months
from partnerhub.core.models import Membership, Partner, Role, Tenant
from partnerhub.core.tenancy.context import tenant_context
from remediation.models import Checkpoint, Finding, Plan, PlanAction, ProgressUpdate
from scorecards.models import DataQualityFinding, MetricDefinition, Observation
from scorecards.services.snapshots import snapshot_refresh
from tests.factories import PartnerFactory, TenantOwnedFactory, UserFactory, member
from tests.scorecards.factories import MetricFactory, simple_scorecard

TODAY = date(2026, 7, 10)  # June 2026 is the latest complete month
JUNE = date(2026, 6, 1)
MONTHS = [add_months(date(2025, 7, 1), i) for i in range(12)]  # July 2025 .. June 2026


class PlanFactory(TenantOwnedFactory):
    class Meta:
        model = Plan

    partner = factory.SubFactory(PartnerFactory)
    tenant = factory.SelfAttribute("partner.tenant")
    title = factory.Sequence(lambda n: f"Plan {n}")
    start_date = date(2026, 4, 1)
    target_end_date = date(2026, 12, 31)
    status = Plan.Status.ACTIVE


class FindingFactory(TenantOwnedFactory):
    class Meta:
        model = Finding

    partner = factory.SubFactory(PartnerFactory)
    tenant = factory.SelfAttribute("partner.tenant")
    title = factory.Sequence(lambda n: f"Finding {n}")
    category = "enablement"
    date_found = date(2026, 6, 15)


class CheckpointFactory(TenantOwnedFactory):
    class Meta:
        model = Checkpoint

    plan = factory.SubFactory(PlanFactory)
    tenant = factory.SelfAttribute("plan.tenant")
    partner = factory.SelfAttribute("plan.partner")
    measure = Checkpoint.Measure.SCORE
    comparator = Checkpoint.Comparator.AT_LEAST
    target = Decimal("60")
    period = Checkpoint.Period.MONTH
    due_period_start = JUNE


class PlanActionFactory(TenantOwnedFactory):
    class Meta:
        model = PlanAction

    plan = factory.SubFactory(PlanFactory)
    tenant = factory.SelfAttribute("plan.tenant")
    partner = factory.SelfAttribute("plan.partner")
    title = factory.Sequence(lambda n: f"Action {n}")
    due_date = date(2026, 7, 31)


class ProgressUpdateFactory(TenantOwnedFactory):
    class Meta:
        model = ProgressUpdate

    plan = factory.SubFactory(PlanFactory)
    tenant = factory.SelfAttribute("plan.tenant")
    partner = factory.SelfAttribute("plan.partner")
    side = ProgressUpdate.Side.OURS
    body = "An update."


@dataclass
class Program:
    tenant: Tenant
    admin: Membership
    manager: Membership
    executive: Membership
    sponsor: Membership
    revenue: MetricDefinition
    visits: MetricDefinition
    declining: Partner  # revenue and visits fall from 100 to 34: red in May and June, trend declining
    steady: Partner  # revenue 100 every month: green, stable
    partner_user: Membership  # a user of ``declining``


def program(tenant: Tenant, *, refresh: bool = True) -> Program:
    """Two partners owned by one manager, with a year of revenue and visits, and their snapshots as of TODAY."""
    admin = member(tenant, Role.ADMIN, user=UserFactory(email=f"admin@{tenant.slug}.test"))
    manager = member(tenant, Role.MANAGER, user=UserFactory(email=f"manager@{tenant.slug}.test", first_name="Maya"))
    executive = member(tenant, Role.EXECUTIVE, user=UserFactory(email=f"exec@{tenant.slug}.test", first_name="Evan"))
    sponsor = member(tenant, Role.EXECUTIVE, user=UserFactory(email=f"sponsor@{tenant.slug}.test", first_name="Sol"))
    revenue = MetricFactory(tenant=tenant, key="revenue", name="Revenue", unit="currency")
    visits = MetricFactory(tenant=tenant, key="visits", name="Visits")
    simple_scorecard(tenant, [revenue, visits], target=100, effective_from=date(2025, 1, 1))
    declining = PartnerFactory(tenant=tenant, name="Declining Co", owner=manager, executive_sponsor=sponsor)
    steady = PartnerFactory(tenant=tenant, name="Steady Co", owner=manager, executive_sponsor=sponsor)
    falling = [100, 100, 100, 100, 100, 100, 96, 90, 80, 60, 45, 34]
    with tenant_context(tenant):
        Observation.objects.bulk_create(
            [
                Observation(tenant=tenant, partner=p, metric=m, month=month, value=Decimal(value))
                for p, values in ((declining, falling), (steady, [100] * 12))
                for m in (revenue, visits)
                for month, value in zip(MONTHS, values, strict=True)
            ]
        )
    partner_user = member(
        tenant, Role.PARTNER, partner=declining, user=UserFactory(email=f"partner@{tenant.slug}.test", first_name="Pia")
    )
    if refresh:
        snapshot_refresh(tenant=tenant, today=TODAY)
    return Program(tenant, admin, manager, executive, sponsor, revenue, visits, declining, steady, partner_user)


def flag(prog: Program, partner: Partner, month: date = JUNE, **fields: Any) -> None:
    """An open data-quality finding on ``partner``'s revenue in ``month``, then a refresh (the snapshot is flagged)."""
    with tenant_context(prog.tenant):
        DataQualityFinding.objects.create(
            tenant=prog.tenant,
            partner=partner,
            metric=prog.revenue,
            kind=DataQualityFinding.Kind.OUTLIER,
            month=month,
            detail="Revenue 5x its usual level",
            **fields,
        )
    snapshot_refresh(tenant=prog.tenant, today=TODAY)


def drop_observation(prog: Program, partner: Partner, metric: MetricDefinition, month: date = JUNE) -> None:
    with tenant_context(prog.tenant):
        Observation.objects.filter(partner=partner, metric=metric, month=month).delete()
    snapshot_refresh(tenant=prog.tenant, today=TODAY)


def days_after(day: date, n: int) -> date:
    return day + timedelta(days=n)
