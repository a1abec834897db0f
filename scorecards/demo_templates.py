"""Demo scorecard templates: a default template (two versions) and one for resellers, with targets set from the
demo data's own levels so that scores spread across green, amber and red."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd

from partnerhub.models import Membership, Partner, Tenant
from scorecards.derived import deal_metrics_for_tenant
from scorecards.models import MetricDefinition, Observation, ScorecardTemplate
from scorecards.services.templates import (
    ItemInput,
    template_create,
    template_items_set,
    template_version_draft,
    template_version_publish,
)

DEFAULT_V1 = {
    "revenue": 20,
    "pipeline_created": 15,
    "win_rate": 15,
    "csat": 10,
    "partner_sentiment": 10,
    "certified_staff": 10,
    "joint_activities": 10,
    "sales_cycle_days": 10,
}
DEFAULT_V2 = {
    "revenue": 25,
    "pipeline_created": 15,
    "win_rate": 15,
    "csat": 15,
    "partner_sentiment": 10,
    "certified_staff": 10,
    "sales_cycle_days": 10,
}
RESELLERS = {
    "revenue": 25,
    "pipeline_created": 20,
    "win_rate": 15,
    "discount_discipline": 10,
    "csat": 10,
    "deal_registrations": 10,
    "certified_staff": 10,
}
TIER_FACTOR = {
    "platinum": Decimal("1.4"),
    "gold": Decimal("1.15"),
    "silver": Decimal("0.9"),
    "registered": Decimal("0.7"),
}


def _levels(tenant: Tenant) -> pd.DataFrame:
    """Monthly values per partner and metric key, observations and deal-derived metrics together."""
    observed = pd.DataFrame.from_records(
        list(Observation.objects.for_tenant(tenant).values_list("partner_id", "metric__key", "value")),
        columns=["partner_id", "metric", "value"],
    )
    observed["value"] = observed["value"].astype(float)
    derived = deal_metrics_for_tenant(tenant=tenant)[["partner_id", "metric", "value"]]
    return pd.concat([observed, derived], ignore_index=True)


def _items(
    weights: dict[str, int], metrics: dict[str, MetricDefinition], levels: pd.DataFrame, tiers: pd.Series
) -> list[ItemInput]:
    items = []
    for key, weight in weights.items():
        values = levels[levels["metric"] == key]
        median = float(values["value"].median()) if not values.empty else 1.0
        base = Decimal(str(round(max(median, 0.01) * 1.05, 2)))
        lower_is_better = metrics[key].direction == MetricDefinition.Direction.LOWER
        tier_targets = tuple(
            (tier, (base / factor if lower_is_better else base * factor).quantize(Decimal("0.01")))
            for tier, factor in TIER_FACTOR.items()
            if metrics[key].unit not in (MetricDefinition.Unit.PERCENT, MetricDefinition.Unit.SCORE)
        )
        items.append(ItemInput(metric=metrics[key], weight=Decimal(weight), target=base, tier_targets=tier_targets))
    return items


def seed_templates(tenant: Tenant, admin: Membership, *, first_month: date, change_month: date) -> int:
    """Create the demo templates unless the program has templates already; return how many were created."""
    if ScorecardTemplate.objects.for_tenant(tenant).exists():
        return 0
    metrics = {m.key: m for m in MetricDefinition.objects.for_tenant(tenant)}
    levels = _levels(tenant)
    tiers = pd.Series(dict(Partner.objects.for_tenant(tenant).values_list("pk", "tier")))
    default = template_create(tenant=tenant, actor=admin, name="Standard scorecard", is_default=True)
    draft = template_version_draft(tenant=tenant, actor=admin, template=default)
    template_items_set(tenant=tenant, actor=admin, version=draft, items=_items(DEFAULT_V1, metrics, levels, tiers))
    template_version_publish(
        tenant=tenant,
        actor=admin,
        version=draft,
        effective_from=first_month,
        rationale="The program's first scorecard: results, pipeline, customers, capability.",
    )
    draft = template_version_draft(tenant=tenant, actor=admin, template=default)
    template_items_set(tenant=tenant, actor=admin, version=draft, items=_items(DEFAULT_V2, metrics, levels, tiers))
    template_version_publish(
        tenant=tenant,
        actor=admin,
        version=draft,
        effective_from=change_month,
        rationale="Joint activities counted effort, not outcome; their weight moves to revenue "
        "and customer satisfaction.",
    )
    resellers = template_create(tenant=tenant, actor=admin, name="Resellers", partner_type=Partner.Type.RESELLER)
    draft = template_version_draft(tenant=tenant, actor=admin, template=resellers)
    template_items_set(tenant=tenant, actor=admin, version=draft, items=_items(RESELLERS, metrics, levels, tiers))
    template_version_publish(
        tenant=tenant,
        actor=admin,
        version=draft,
        effective_from=first_month,
        rationale="Resellers are judged on sell-through and deal hygiene.",
    )
    return 2
