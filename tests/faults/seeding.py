"""Data for the outage tests' private program: a scorecard of four metrics and a year of observations."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from partnerhub.core.tenancy.context import tenant_context
from scorecards.models import Observation
from tests.scorecards.factories import MetricFactory, simple_scorecard


def observations(tenant, partners, metrics=4, months=12):
    chosen = [MetricFactory(tenant=tenant, key=f"metric_{i}") for i in range(metrics)]
    simple_scorecard(tenant, chosen)
    for i, partner in enumerate(partners):
        partner.external_id = f"P-{i}"
    with tenant_context(tenant):
        type(partners[0]).objects.bulk_update(partners, ["external_id"])
        Observation.objects.bulk_create(
            Observation(
                tenant=tenant,
                partner=partner,
                metric=metric,
                month=date(2025, 1 + m, 1),
                value=Decimal(50 + (i * 7 + m * 3 + j) % 90),
            )
            for i, partner in enumerate(partners)
            for j, metric in enumerate(chosen)
            for m in range(months)
        )
