from __future__ import annotations

import pytest

from partnerhub.core.errors import InvalidStateError
from partnerhub.core.models import Tenant
from partnerhub.core.services import program as services
from partnerhub.core.tenancy.context import tenant_context
from scorecards.domain.glossary_defaults import DEFAULT_METRICS, DEFAULT_METRICS_BY_KEY
from scorecards.models import MetricDefinition
from scorecards.services.glossary import glossary_seed
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REQUIRED = {
    # key: (unit, aggregation, timing or None when unspecified, category, derived from deals)
    "pipeline_created": ("currency", "sum", "leading", "pipeline", True),
    "win_rate": ("percent", "average", "lagging", "deal_quality", True),
    "avg_deal_size": ("currency", "average", "lagging", "deal_quality", True),
    "sales_cycle_days": ("days", "average", "lagging", "pipeline", True),
    "discount_discipline": ("percent", "average", None, "deal_quality", True),
    "renewal_rate": ("percent", "average", "lagging", "customer", True),
    "forecast_accuracy": ("percent", "average", "lagging", "pipeline", False),
    "time_to_first_response": ("hours", "average", "leading", "collaboration", False),
    "certified_staff": ("count", "last", "leading", "capability", False),
    "joint_activities": ("count", "sum", "leading", "engagement", False),
    "csat": ("score", "average", "lagging", "customer", False),
    "partner_sentiment": ("score", "average", "leading", "collaboration", False),
    "collaboration_quality": ("score", "average", "leading", "collaboration", False),
    "revenue": ("currency", "sum", "lagging", "pipeline", False),
    "deal_registrations": ("count", "sum", "leading", "pipeline", False),
    "marketing_leads": ("count", "sum", "leading", "engagement", False),
    "training_completions": ("count", "sum", "leading", "capability", False),
    "customer_retention": ("percent", "average", "lagging", "customer", False),
}
LOWER_IS_BETTER = {"sales_cycle_days", "time_to_first_response"}


def keys_of(tenant):
    with tenant_context(tenant):
        return sorted(MetricDefinition.objects.for_tenant(tenant).values_list("key", flat=True))


def test_a_new_program_starts_with_the_whole_default_catalog():
    tenant = services.tenant_create(name="Gamma Alliances", slug="gamma", admin_user=UserFactory())
    assert keys_of(tenant) == sorted(spec.key for spec in DEFAULT_METRICS)


def test_seeding_the_catalog_again_creates_nothing(tenant):
    first = glossary_seed(tenant=tenant)
    second = glossary_seed(tenant=tenant)
    assert (first, second) == (len(DEFAULT_METRICS), 0)
    assert len(keys_of(tenant)) == len(DEFAULT_METRICS)


def test_a_reseed_adds_only_the_missing_metrics_and_keeps_an_admins_wording(tenant):
    glossary_seed(tenant=tenant)
    with tenant_context(tenant):
        MetricDefinition.objects.for_tenant(tenant).filter(key="csat").delete()
        MetricDefinition.objects.for_tenant(tenant).filter(key="win_rate").update(name="Close rate")
    assert glossary_seed(tenant=tenant) == 1
    with tenant_context(tenant):
        names = dict(MetricDefinition.objects.for_tenant(tenant).values_list("key", "name"))
    assert names["win_rate"] == "Close rate"
    assert names["csat"] == DEFAULT_METRICS_BY_KEY["csat"].name


def test_seeding_one_program_leaves_another_untouched(tenant, other_tenant):
    glossary_seed(tenant=tenant)
    assert keys_of(other_tenant) == []


def test_a_failed_sign_up_leaves_no_metrics_behind(tenant):
    taken = tenant.slug
    with pytest.raises(InvalidStateError):
        services.tenant_create(name="Copycat", slug=taken, admin_user=UserFactory())
    assert Tenant.objects.filter(slug=taken).count() == 1
    assert keys_of(tenant) == []


@pytest.mark.parametrize("key", sorted(REQUIRED))
def test_every_required_metric_is_in_the_catalog_as_specified(key):
    spec = DEFAULT_METRICS_BY_KEY[key]
    unit, aggregation, timing, category, derived = REQUIRED[key]
    assert (spec.unit, spec.aggregation, spec.category, spec.derived_from_deals) == (
        unit,
        aggregation,
        category,
        derived,
    )
    assert spec.timing == (timing or spec.timing)
    assert spec.direction == ("lower" if key in LOWER_IS_BETTER else "higher")


@pytest.mark.parametrize("spec", DEFAULT_METRICS, ids=lambda spec: spec.key)
def test_every_default_metric_is_explained_sourced_and_valid(spec, tenant):
    metric = spec.to_model(tenant.pk)
    metric.full_clean(exclude=["tenant"], validate_unique=False)
    assert len(spec.definition) > 40
    assert spec.data_source
    assert spec.freshness_days > 0


def test_catalog_keys_are_unique():
    assert len(DEFAULT_METRICS_BY_KEY) == len(DEFAULT_METRICS)
