"""Factories for scorecard templates (versions, items, target rules) and a builder of whole versions for the tests.

Children take their tenant from their parent (``TenantOwnedFactory`` writes inside it), as in ``tests.factories``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

import factory

from partnerhub.core.models import Tenant
from scorecards.models import (
    MetricDefinition,
    ScorecardTemplate,
    TargetRule,
    TemplateItem,
    TemplateVersion,
)
from tests.factories import TenantFactory, TenantOwnedFactory


class TemplateFactory(TenantOwnedFactory):
    class Meta:
        model = ScorecardTemplate

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"Scorecard {n}")
    partner_type = ""
    stage = ""
    is_default = False


class VersionFactory(TenantOwnedFactory):
    class Meta:
        model = TemplateVersion

    template = factory.SubFactory(TemplateFactory)
    tenant = factory.SelfAttribute("template.tenant")
    number = factory.Sequence(lambda n: n + 1)
    status = TemplateVersion.Status.ACTIVE
    effective_from = date(2025, 1, 1)
    rationale = "For tests."


class ItemFactory(TenantOwnedFactory):
    class Meta:
        model = TemplateItem

    version = factory.SubFactory(VersionFactory)
    tenant = factory.SelfAttribute("version.tenant")
    metric: Any = None
    weight = Decimal("50")
    normalise = False


class TargetRuleFactory(TenantOwnedFactory):
    class Meta:
        model = TargetRule

    item = factory.SubFactory(ItemFactory)
    tenant = factory.SelfAttribute("item.tenant")
    tier = ""
    stage = ""
    monthly_target = Decimal("100")


def build_version(
    template: ScorecardTemplate,
    *,
    number: int,
    effective_from: date | None,
    status: str = TemplateVersion.Status.ACTIVE,
    items: Iterable[tuple[MetricDefinition, float, bool, Mapping[tuple[str, str], float]]],
    **thresholds: Any,
) -> TemplateVersion:
    """A version with its items, each ``(metric, weight, normalise, {(tier, stage): monthly target})``."""
    version = VersionFactory(
        template=template,
        number=number,
        effective_from=effective_from,
        status=status,
        **{name: Decimal(str(value)) for name, value in thresholds.items()},
    )
    for metric, weight, normalise, targets in items:
        item = ItemFactory(version=version, metric=metric, weight=Decimal(str(weight)), normalise=normalise)
        for (tier, stage), target in targets.items():
            TargetRuleFactory(item=item, tier=tier, stage=stage, monthly_target=Decimal(str(target)))
    return version


def simple_scorecard(
    tenant: Tenant,
    metrics: Iterable[MetricDefinition],
    *,
    target: float = 100,
    effective_from: date = date(2024, 1, 1),
) -> TemplateVersion:
    """A default template with one active version weighting ``metrics`` equally (weights summing to 100)."""
    metrics = list(metrics)
    template = TemplateFactory(tenant=tenant, name="Default", is_default=True)
    base, extra = divmod(10_000, len(metrics))
    weights = [(base + (1 if i < extra else 0)) / 100 for i in range(len(metrics))]
    return build_version(
        template,
        number=1,
        effective_from=effective_from,
        items=[(m, w, False, {("", ""): target}) for m, w in zip(metrics, weights, strict=True)],
    )
