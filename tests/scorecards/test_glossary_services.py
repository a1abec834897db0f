from __future__ import annotations

import pytest

from partnerhub.core.errors import CrossTenantReferenceError, InvalidStateError, NotFoundError, PermissionDeniedError
from partnerhub.core.models import AuditEntry, Role
from partnerhub.core.tenancy.context import tenant_context
from scorecards.models import MetricDefinition
from scorecards.selectors.glossary import metric_get, metric_list
from scorecards.services.glossary import glossary_seed, metric_update
from tests.factories import member
from tests.scorecards.factories import MetricDefinitionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog(tenant):
    glossary_seed(tenant=tenant)
    with tenant_context(tenant):
        return {m.key: m for m in MetricDefinition.objects.for_tenant(tenant)}


@pytest.fixture
def admin(tenant):
    return member(tenant, Role.ADMIN, user__email="admin@alpha.test")


def stored(metric):
    with tenant_context(metric.tenant):
        return MetricDefinition.objects.for_tenant(metric.tenant).select_related("data_owner").get(pk=metric.pk)


# --- metric_update ---


def test_an_admin_rewords_a_metric_and_names_its_data_owner(tenant, catalog, admin):
    owner = member(tenant, Role.MANAGER)
    data = {"name": "Win ratio", "definition": "Deals won out of deals decided.", "data_owner": owner}
    with tenant_context(tenant):
        metric_update(tenant=tenant, actor=admin, metric=catalog["win_rate"], data=data)
    saved = stored(catalog["win_rate"])
    assert (saved.name, saved.definition, saved.data_owner) == ("Win ratio", "Deals won out of deals decided.", owner)


def test_a_metric_change_is_in_the_audit_log(tenant, catalog, admin):
    with tenant_context(tenant):
        metric_update(tenant=tenant, actor=admin, metric=catalog["csat"], data={"freshness_days": 90})
        entries = AuditEntry.objects.for_tenant(tenant).filter(object_pk=str(catalog["csat"].pk))
        assert entries.count() == 1


def test_the_key_and_the_derived_flag_cannot_be_changed(tenant, catalog, admin):
    data = {"key": "renamed", "derived_from_deals": False, "name": "Pipeline opened"}
    with tenant_context(tenant):
        metric_update(tenant=tenant, actor=admin, metric=catalog["pipeline_created"], data=data)
    saved = stored(catalog["pipeline_created"])
    assert (saved.key, saved.derived_from_deals, saved.name) == ("pipeline_created", True, "Pipeline opened")


@pytest.mark.parametrize("role", [Role.MANAGER, Role.EXECUTIVE, Role.PARTNER])
def test_only_an_admin_may_change_a_metric(actor, tenant, catalog, role):
    someone = actor(role)
    with tenant_context(tenant), pytest.raises(PermissionDeniedError):
        metric_update(tenant=tenant, actor=someone, metric=catalog["csat"], data={"name": "Happiness"})
    assert stored(catalog["csat"]).name == "Customer satisfaction (CSAT)"


def test_a_data_owner_from_another_program_is_refused_and_nothing_changes(tenant, other_tenant, catalog, admin):
    foreign = member(other_tenant, Role.MANAGER)
    data = {"name": "Changed", "data_owner": foreign}
    with tenant_context(tenant), pytest.raises(CrossTenantReferenceError):
        metric_update(tenant=tenant, actor=admin, metric=catalog["csat"], data=data)
    saved = stored(catalog["csat"])
    assert (saved.name, saved.data_owner_id) == ("Customer satisfaction (CSAT)", None)


def test_another_programs_metric_is_refused(tenant, other_tenant, admin):
    foreign_metric = MetricDefinitionFactory(tenant=other_tenant, name="Theirs")
    with tenant_context(tenant), pytest.raises(CrossTenantReferenceError):
        metric_update(tenant=tenant, actor=admin, metric=foreign_metric, data={"name": "Ours now"})
    assert stored(foreign_metric).name == "Theirs"


def test_a_partner_user_cannot_own_a_metrics_data(tenant, catalog, admin, actor):
    partner_user = actor(Role.PARTNER)
    with tenant_context(tenant), pytest.raises(InvalidStateError):
        metric_update(tenant=tenant, actor=admin, metric=catalog["csat"], data={"data_owner": partner_user})
    assert stored(catalog["csat"]).data_owner_id is None


def test_an_invalid_value_is_refused_with_its_field(tenant, catalog, admin):
    with tenant_context(tenant), pytest.raises(InvalidStateError) as refused:
        metric_update(tenant=tenant, actor=admin, metric=catalog["csat"], data={"unit": "parsecs", "name": "X"})
    assert "unit" in refused.value.extra["fields"]
    assert stored(catalog["csat"]).unit == "score"


# --- selectors ---


def test_the_glossary_lists_pipeline_first_and_collaboration_last(tenant, catalog):
    with tenant_context(tenant):
        categories = [m.category for m in metric_list(tenant=tenant)]
    assert categories[0] == MetricDefinition.Category.PIPELINE
    assert categories[-1] == MetricDefinition.Category.COLLABORATION
    assert categories == sorted(categories, key=list(MetricDefinition.Category.values).index)


def test_the_glossary_filters_by_category(tenant, catalog):
    with tenant_context(tenant):
        keys = {m.key for m in metric_list(tenant=tenant, category="customer")}
    assert keys == {"csat", "renewal_rate", "customer_retention"}


@pytest.mark.parametrize(
    ("q", "expected"),
    [("win", {"win_rate"}), ("SENTIMENT", {"partner_sentiment"}), ("certification", {"certified_staff"})],
)
def test_the_glossary_search_reads_names_keys_and_definitions(tenant, catalog, q, expected):
    with tenant_context(tenant):
        assert {m.key for m in metric_list(tenant=tenant, q=q)} >= expected


def test_the_glossary_never_lists_another_programs_metrics(tenant, other_tenant, catalog):
    MetricDefinitionFactory(tenant=other_tenant, name="Foreign metric")
    with tenant_context(tenant):
        assert "Foreign metric" not in {m.name for m in metric_list(tenant=tenant)}


def test_the_glossary_list_reads_metrics_and_their_owners_in_one_query(tenant, django_assert_num_queries):
    owners = [member(tenant, Role.MANAGER) for _ in range(3)]
    for owner in owners:
        MetricDefinitionFactory(tenant=tenant, data_owner=owner)
    with tenant_context(tenant), django_assert_num_queries(1):
        assert len({m.data_owner.user.email for m in metric_list(tenant=tenant)}) == 3


def test_a_missing_metric_and_a_foreign_one_are_the_same_not_found(tenant, other_tenant):
    foreign_metric = MetricDefinitionFactory(tenant=other_tenant)
    with tenant_context(tenant), pytest.raises(NotFoundError) as foreign:
        metric_get(tenant=tenant, metric_id=foreign_metric.pk)
    with tenant_context(tenant), pytest.raises(NotFoundError) as missing:
        metric_get(tenant=tenant, metric_id=foreign_metric.pk + 10_000)
    assert foreign.value.message == missing.value.message
