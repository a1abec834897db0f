"""Factories and small builders for the data-quality and derived-metric tests (tenant-owned, like tests.factories)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import factory

from partnerhub.core.models import Membership, Partner, Role, Tenant
from partnerhub.core.tenancy.context import tenant_context
from scorecards.models import DataQualityFinding, Deal, MetricDefinition, Observation
from tests.factories import PartnerFactory, TenantOwnedFactory, member


class MetricFactory(TenantOwnedFactory):
    class Meta:
        model = MetricDefinition
        django_get_or_create = ("tenant", "key")

    key = factory.Sequence(lambda n: f"metric_{n}")
    name = factory.LazyAttribute(lambda o: o.key.replace("_", " ").capitalize())
    definition = "A test metric."
    unit = MetricDefinition.Unit.COUNT
    timing = MetricDefinition.Timing.LAGGING
    category = MetricDefinition.Category.PIPELINE
    aggregation = MetricDefinition.Aggregation.SUM
    freshness_days = 45


class ObservationFactory(TenantOwnedFactory):
    class Meta:
        model = Observation

    partner = factory.SubFactory(PartnerFactory)
    metric = factory.SubFactory(MetricFactory)
    tenant = factory.SelfAttribute("partner.tenant")
    month = date(2026, 1, 1)
    value = Decimal("100")


class DealFactory(TenantOwnedFactory):
    class Meta:
        model = Deal

    partner = factory.SubFactory(PartnerFactory)
    tenant = factory.SelfAttribute("partner.tenant")
    external_id = factory.Sequence(lambda n: f"D-{n:06d}")
    amount = Decimal("1000")
    created_on = date(2026, 1, 5)
    status = Deal.Status.OPEN


class FindingFactory(TenantOwnedFactory):
    class Meta:
        model = DataQualityFinding

    partner = factory.SubFactory(PartnerFactory)
    tenant = factory.SelfAttribute("partner.tenant")
    metric = factory.SubFactory(MetricFactory, tenant=factory.SelfAttribute("..tenant"))
    kind = DataQualityFinding.Kind.OUTLIER
    month = date(2026, 1, 1)
    detail = factory.Sequence(lambda n: f"Finding number {n}.")


def month_of(start: date, offset: int) -> date:
    """The first day of the month ``offset`` months after ``start``'s month."""
    number = start.year * 12 + start.month - 1 + offset
    return date(number // 12, number % 12 + 1, 1)


def observe(tenant: Tenant, partner: Partner, metric: MetricDefinition, values: dict[date, float]) -> None:
    """Store ``values`` (month -> value) for one partner and metric, in one insert."""
    with tenant_context(tenant):
        Observation.objects.bulk_create(
            [
                Observation(tenant=tenant, partner=partner, metric=metric, month=month, value=Decimal(str(value)))
                for month, value in values.items()
            ]
        )


def series(start: date, values: list[float]) -> dict[date, float]:
    """Consecutive months from ``start`` with ``values``."""
    return {month_of(start, i): value for i, value in enumerate(values)}


def deal(tenant: Tenant, partner: Partner, **fields: Any) -> Deal:
    return DealFactory(tenant=tenant, partner=partner, **fields)


@dataclass
class World:
    tenant: Tenant
    steward: Membership
    data_owner: Membership
    manager: Membership
    acme: Partner  # has a data steward; a revenue outlier in 2026-09
    birch: Partner  # no steward; stopped reporting revenue after 2026-07
    cedar: Partner  # no steward; reported pipeline 120,000, deals say 84,500
    revenue: MetricDefinition
    pipeline: MetricDefinition


def build(tenant: Tenant) -> World:
    steward = member(tenant, Role.MANAGER)
    data_owner = member(tenant, Role.MANAGER)
    manager = member(tenant, Role.MANAGER)
    revenue = MetricFactory(tenant=tenant, key="revenue", name="Revenue", data_owner=data_owner)
    pipeline = MetricFactory(tenant=tenant, key="pipeline_created", name="Pipeline created", derived_from_deals=True)
    acme = PartnerFactory(tenant=tenant, name="Acme", data_steward=steward)
    birch = PartnerFactory(tenant=tenant, name="Birch")
    cedar = PartnerFactory(tenant=tenant, name="Cedar")
    observe(tenant, acme, revenue, series(date(2025, 9, 1), [100.0] * 12 + [500.0]))
    observe(tenant, birch, revenue, series(date(2026, 1, 1), [50.0] * 7))
    observe(tenant, cedar, pipeline, {date(2026, 9, 1): 120000.0})
    deal(tenant, cedar, amount=Decimal("80000"), created_on=date(2026, 9, 3))
    deal(tenant, cedar, amount=Decimal("4500"), created_on=date(2026, 9, 28))
    return World(tenant, steward, data_owner, manager, acme, birch, cedar, revenue, pipeline)
