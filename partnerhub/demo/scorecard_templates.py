"""Demo scorecard templates: a default template (two versions) and one for resellers, with targets set from the
demo data's own levels so that scores spread across green, amber and red (``tests/scorecards/test_demo_data.py``
checks the mix)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd

from partnerhub.core.models import Membership, Partner, Tenant
from partnerhub.demo.change_notices import announce
from partnerhub.executive.models import ChangeNotice
from scorecards.models import MetricDefinition, Observation, ScorecardTemplate
from scorecards.selectors.deal_metrics import deal_metrics_for_tenant
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
# Targets stretch the demo data's own levels, per tier for counts and amounts (a platinum partner is held to platinum
# partners' levels, so tiers compare fairly). Attainment above 100 % earns no extra points, so targets at the typical
# level made nearly every partner green; the stretch below gives about a third green, 40 % amber and a fifth red.
STRETCH = 1.45  # the target over the typical partner-month's level (under it, when lower is better)
UNTIERED_UNITS = (MetricDefinition.Unit.PERCENT, MetricDefinition.Unit.SCORE)  # rates and ratings: one target
# Rates and ratings have a ceiling (100 %, the top of the rating scale), so a stretch on the typical level can pass
# it: discount discipline's typical month is 100 %, and a 135 % target turned every reseller red whatever they did.
# Their target is the stretch, but never beyond the level one partner-month in ten reaches (above it when lower is
# better): a target partners actually meet, by the data's own evidence. With rates and ratings reachable, the
# stretch on counts and amounts is 45 % (it was 35 %) to keep the overall mix (tests/scorecards/test_demo_data.py).
REACHED_BY = 0.1  # the share of partner-months at or beyond a capped rate's or rating's target


def _levels(tenant: Tenant) -> pd.DataFrame:
    """Monthly values per partner and metric key, observations and deal-derived metrics together."""
    observed = pd.DataFrame.from_records(
        list(Observation.objects.for_tenant(tenant).values_list("partner_id", "metric__key", "value")),
        columns=["partner_id", "metric", "value"],
    )
    observed["value"] = observed["value"].astype(float)
    derived = deal_metrics_for_tenant(tenant=tenant)[["partner_id", "metric", "value"]]
    return pd.concat([observed, derived], ignore_index=True)


def _target(values: pd.Series, lower_is_better: bool, *, bounded: bool = False) -> Decimal:
    """A stretch on the typical partner-month's level (below it, when lower is better); for a ``bounded`` metric (a
    rate or rating), no further than the level ``REACHED_BY`` of the partner-months reach."""
    if values.empty:
        return Decimal(1)
    median = float(values.median())
    level = median / STRETCH if lower_is_better else median * STRETCH
    if bounded:
        reached = float(values.quantile(REACHED_BY if lower_is_better else 1 - REACHED_BY))
        level = max(level, reached) if lower_is_better else min(level, reached)
    return Decimal(str(round(max(level, 0.01), 2)))


def _items(
    weights: dict[str, int], metrics: dict[str, MetricDefinition], levels: pd.DataFrame, tiers: pd.Series
) -> list[ItemInput]:
    items = []
    by_tier = levels.assign(tier=levels["partner_id"].map(tiers))
    for key, weight in weights.items():
        metric = metrics[key]
        lower_is_better = metric.direction == MetricDefinition.Direction.LOWER
        values = by_tier[by_tier["metric"] == key]
        tier_targets: tuple[tuple[str, Decimal], ...] = ()
        if metric.unit not in UNTIERED_UNITS:
            tier_targets = tuple(
                (str(tier), _target(group, lower_is_better))
                for tier, group in values.groupby("tier")["value"]
                if str(tier) in Partner.Tier.values
            )
        items.append(
            ItemInput(
                metric=metric,
                weight=Decimal(weight),
                target=_target(values["value"], lower_is_better, bounded=metric.unit in UNTIERED_UNITS),
                tier_targets=tier_targets,
            )
        )
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
    # A later version is published only once its change notice is (before any snapshot: nobody's score moves yet).
    announce(
        tenant,
        admin,
        kind=ChangeNotice.Kind.TEMPLATE,
        subject_id=draft.pk,
        title="Revenue and customer satisfaction weigh more",
        what_changed="Joint activities leave the scorecard; their weight goes to revenue (25 %) and customer "
        "satisfaction (15 %).",
        why="Joint activities counted effort, not outcome.",
    )
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
