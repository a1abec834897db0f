"""A target its metric cannot reach is refused when a draft is saved and when it is published, naming the item and
the limit, with nothing written; the limit is the metric unit's (``scorecards.domain.target_limits``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from partnerhub.core.errors import InvalidStateError
from partnerhub.core.models import Role
from partnerhub.core.tenancy.context import tenant_context
from scorecards.domain.target_limits import UNIT_NAMES, target_out_of_reach
from scorecards.models import MetricDefinition, TargetRule, TemplateItem, TemplateVersion
from scorecards.services.templates import (
    ItemInput,
    template_create,
    template_items_set,
    template_version_draft,
    template_version_publish,
)
from tests.factories import member
from tests.scorecards.factories import ItemFactory, MetricFactory, TargetRuleFactory

Unit = MetricDefinition.Unit


def test_every_unit_has_a_name_for_the_message():
    assert set(UNIT_NAMES) == set(Unit.values)


@pytest.mark.parametrize(
    ("unit", "target", "reason"),
    [
        (Unit.PERCENT, "100", None),
        (Unit.PERCENT, "100.01", "is above 100, the most a percent can reach"),
        (Unit.PERCENT, "135", "is above 100, the most a percent can reach"),
        (Unit.COUNT, "1000000", None),
        (Unit.CURRENCY, "135", None),
        (Unit.SCORE, "4.2", None),
        (Unit.COUNT, "-1", "must be above 0: a count is never negative"),
        (Unit.CURRENCY, "-500", "must be above 0: an amount is never negative"),
        (Unit.DAYS, "-3", "must be above 0: a number of days is never negative"),
        (Unit.HOURS, "0", "must be above 0: a number of hours is never negative"),
        (Unit.PERCENT, "0", "must be above 0: a percent is never negative"),
    ],
)
def test_a_target_is_out_of_reach_by_its_units_limits(unit, target, reason):
    assert target_out_of_reach(unit=unit, target=Decimal(target)) == reason


@pytest.fixture
def admin(tenant):
    return member(tenant, Role.ADMIN)


@pytest.fixture
def metrics(tenant):
    return {
        "discipline": MetricFactory(
            tenant=tenant, key="discount_discipline", name="Discount discipline", unit=Unit.PERCENT
        ),
        "revenue": MetricFactory(tenant=tenant, key="revenue", name="Revenue", unit=Unit.CURRENCY),
        "cycle": MetricFactory(tenant=tenant, key="sales_cycle_days", name="Sales cycle", unit=Unit.DAYS),
        "other": MetricFactory(tenant=tenant, key="joint_activities", name="Joint activities", unit=Unit.COUNT),
    }


@pytest.fixture
def draft(tenant, admin, metrics):
    with tenant_context(tenant):
        template = template_create(tenant=tenant, actor=admin, name="Resellers", partner_type="reseller")
        version = template_version_draft(tenant=tenant, actor=admin, template=template)
        template_items_set(
            tenant=tenant,
            actor=admin,
            version=version,
            items=[ItemInput(metric=metrics["revenue"], weight=Decimal(100), target=Decimal(5000))],
        )
        return version


def stored(tenant, version):
    with tenant_context(tenant):
        items = TemplateItem.objects.filter(version=version).values_list("metric__key", "weight")
        targets = TargetRule.objects.filter(item__version=version).values_list("tier", "monthly_target")
        return sorted(items), sorted(targets)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("metric", "target", "tiers", "message"),
    [
        ("discipline", "135", (), "Discount discipline: the default target 135 is above 100, the most a percent can"),
        ("discipline", "90", (("gold", "120"),), "Discount discipline: the gold target 120 is above 100"),
        ("revenue", "-5", (), "Revenue: the default target -5 must be above 0: an amount is never negative"),
        ("cycle", "30", (("silver", "-2"),), "Sales cycle: the silver target -2 must be above 0"),
    ],
)
def test_saving_a_draft_with_a_target_out_of_reach_is_refused_and_writes_nothing(
    tenant, admin, metrics, draft, metric, target, tiers, message
):
    before = stored(tenant, draft)
    item = ItemInput(
        metric=metrics[metric],
        weight=Decimal(60),
        target=Decimal(target),
        tier_targets=tuple((tier, Decimal(value)) for tier, value in tiers),
    )
    with tenant_context(tenant), pytest.raises(InvalidStateError, match=message) as raised:
        template_items_set(
            tenant=tenant,
            actor=admin,
            version=draft,
            items=[ItemInput(metric=metrics["other"], weight=Decimal(40), target=Decimal(6000)), item],
        )
    assert raised.value.extra["fields"] == {"target": ["out_of_reach"]}
    assert stored(tenant, draft) == before


@pytest.mark.django_db
def test_a_percent_target_of_exactly_100_is_saved_and_published(tenant, admin, metrics, draft):
    with tenant_context(tenant):
        template_items_set(
            tenant=tenant,
            actor=admin,
            version=draft,
            items=[ItemInput(metric=metrics["discipline"], weight=Decimal(100), target=Decimal(100))],
        )
        published = template_version_publish(
            tenant=tenant, actor=admin, version=draft, rationale="Held prices", effective_from=date(2026, 1, 1)
        )
    assert published.status == TemplateVersion.Status.ACTIVE


@pytest.fixture
def unreachable_draft(tenant, metrics, draft):
    # A draft written around the service (saved before the rule existed): publishing must still refuse it.
    with tenant_context(tenant):
        TemplateItem.objects.filter(version=draft).delete()
        item = ItemFactory(version=draft, metric=metrics["discipline"], weight=Decimal(100))
        TargetRuleFactory(item=item, monthly_target=Decimal(90))
        TargetRuleFactory(item=item, tier="platinum", monthly_target=Decimal(135))
    return draft


@pytest.mark.django_db
def test_publishing_a_draft_with_a_target_out_of_reach_is_refused_and_leaves_it_a_draft(
    tenant, admin, unreachable_draft
):
    with (
        tenant_context(tenant),
        pytest.raises(
            InvalidStateError, match="Discount discipline: the platinum target 135 is above 100, the most a percent can"
        ),
    ):
        template_version_publish(
            tenant=tenant, actor=admin, version=unreachable_draft, rationale="Launch", effective_from=date(2026, 1, 1)
        )
    with tenant_context(tenant):
        unreachable_draft.refresh_from_db()
    assert (unreachable_draft.status, unreachable_draft.rationale) == (TemplateVersion.Status.DRAFT, "")


@pytest.mark.django_db
def test_the_publish_page_shows_the_out_of_reach_target_and_publishes_nothing(
    tenant, admin, unreachable_draft, client_for
):
    url = reverse("version_publish", kwargs={"tenant_slug": tenant.slug, "version_id": unreachable_draft.pk})
    response = client_for(admin).post(url, {"rationale": "Launch", "effective_from": "2026-01-01"})
    with tenant_context(tenant):
        unreachable_draft.refresh_from_db()
    assert response.status_code == 400
    assert "the platinum target 135 is above 100, the most a percent can reach" in response.content.decode()
    assert unreachable_draft.status == TemplateVersion.Status.DRAFT


@pytest.mark.django_db
def test_the_draft_page_shows_the_out_of_reach_target_on_its_row_and_saves_nothing(
    tenant, admin, metrics, draft, client_for
):
    before = stored(tenant, draft)
    response = client_for(admin).post(
        reverse("version_edit", kwargs={"tenant_slug": tenant.slug, "version_id": draft.pk}),
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "0",
            "form-0-metric": metrics["discipline"].pk,
            "form-0-weight": "100",
            "form-0-target": "95",
            "form-0-target_gold": "135",
        },
    )
    assert response.status_code == 400
    assert "The gold target 135 is above 100, the most a percent can reach." in response.content.decode()
    assert stored(tenant, draft) == before
