"""Factories and helpers for the metric glossary's tests (the import tests keep theirs in factories.py)."""

from __future__ import annotations

from typing import Any

import factory
from django.test import Client
from django.urls import reverse

from partnerhub.core.models import Membership, Partner, Role, Tenant
from scorecards.models import MetricDefinition
from tests.factories import PartnerFactory, TenantFactory, TenantOwnedFactory, member


class MetricDefinitionFactory(TenantOwnedFactory):
    class Meta:
        model = MetricDefinition

    tenant = factory.SubFactory(TenantFactory)
    key = factory.Sequence(lambda n: f"metric_{n:04d}")
    name = factory.Sequence(lambda n: f"Metric {n:04d}")
    definition = "What this metric means, in plain words."
    unit = MetricDefinition.Unit.COUNT
    direction = MetricDefinition.Direction.HIGHER
    timing = MetricDefinition.Timing.LEADING
    category = MetricDefinition.Category.ENGAGEMENT
    aggregation = MetricDefinition.Aggregation.SUM
    data_source = "Joint engagement log"


def member_with_role(tenant: Tenant, role: str, **kwargs: Any) -> Membership:
    """A member of ``tenant`` with ``role``; a partner user gets a partner company of their own."""
    company = (
        PartnerFactory(tenant=tenant, name=f"Company of a {role} {PartnerFactory._meta.next_sequence()}")
        if role == Role.PARTNER
        else None
    )
    return member(tenant, role, partner=company, **kwargs)


def signed_in(membership: Membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    return client


def tenant_url(name: str, tenant: Tenant, **kwargs: Any) -> str:
    return reverse(name, kwargs={"tenant_slug": tenant.slug, **kwargs})


def metric_form_data(metric: MetricDefinition, **overrides: Any) -> dict[str, Any]:
    """The edit form's fields as a browser would post them, from ``metric``'s stored values."""
    data = {
        "name": metric.name,
        "definition": metric.definition,
        "unit": metric.unit,
        "direction": metric.direction,
        "timing": metric.timing,
        "category": metric.category,
        "aggregation": metric.aggregation,
        "data_source": metric.data_source,
        "data_owner": metric.data_owner_id or "",
        "freshness_days": metric.freshness_days,
    }
    return {**data, **overrides}


def partners_of_every_tier(tenant: Tenant, owner: Membership, count: int) -> list[Partner]:
    tiers = list(Partner.Tier.values)
    stages = list(Partner.Stage.values)
    return [
        PartnerFactory(
            tenant=tenant,
            name=f"Demo Partner {n:02d}",
            external_id=f"DP-{n:03d}",
            tier=tiers[n % len(tiers)],
            stage=stages[n % len(stages)],
            partner_type=list(Partner.Type.values)[n % len(Partner.Type.values)],
            product_lines=["Cloud", "Security"][: 1 + n % 2],
            owner=owner,
        )
        for n in range(count)
    ]
