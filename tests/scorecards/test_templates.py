from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from partnerhub.core.errors import InvalidStateError, PermissionDeniedError
from partnerhub.core.models import Role
from partnerhub.core.tenancy.context import tenant_context
from scorecards.models import TargetRule, TemplateItem, TemplateVersion
from scorecards.services.templates import (
    ItemInput,
    template_create,
    template_items_set,
    template_version_diff,
    template_version_draft,
    template_version_publish,
)
from tests.factories import announced, member
from tests.scorecards.factories import MetricFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(tenant):
    return member(tenant, Role.ADMIN)


@pytest.fixture
def metrics(tenant):
    return [MetricFactory(tenant=tenant, key=key, name=key.title()) for key in ("revenue", "csat", "win_rate")]


def _published(tenant, admin, metrics, weights=(50, 30, 20), effective=date(2026, 1, 1)):
    with tenant_context(tenant):
        template = template_create(tenant=tenant, actor=admin, name="Default", is_default=True)
        draft = template_version_draft(tenant=tenant, actor=admin, template=template)
        items = [
            ItemInput(metric=m, weight=Decimal(w), target=Decimal(10), tier_targets=(("gold", Decimal(20)),))
            for m, w in zip(metrics, weights, strict=True)
        ]
        template_items_set(tenant=tenant, actor=admin, version=draft, items=items)
        return template_version_publish(
            tenant=tenant, actor=admin, version=draft, rationale="First scorecard", effective_from=effective
        )


def test_publishing_a_draft_with_weights_summing_to_100_makes_it_active(tenant, admin, metrics):
    version = _published(tenant, admin, metrics)
    assert version.status == TemplateVersion.Status.ACTIVE
    assert version.effective_from == date(2026, 1, 1)
    assert version.published_by == admin


@pytest.mark.parametrize(("weights", "message"), [((50, 30, 10), "add up to 90"), ((50, 30, 30), "add up to 110")])
def test_publishing_refuses_weights_that_do_not_sum_to_100(tenant, admin, metrics, weights, message):
    with pytest.raises(InvalidStateError, match=message):
        _published(tenant, admin, metrics, weights=weights)


def test_publishing_needs_a_rationale(tenant, admin, metrics):
    with tenant_context(tenant):
        template = template_create(tenant=tenant, actor=admin, name="Default", is_default=True)
        draft = template_version_draft(tenant=tenant, actor=admin, template=template)
        template_items_set(
            tenant=tenant,
            actor=admin,
            version=draft,
            items=[ItemInput(metric=metrics[0], weight=Decimal(100), target=Decimal(5))],
        )
        with pytest.raises(InvalidStateError, match="Say why"):
            template_version_publish(
                tenant=tenant, actor=admin, version=draft, rationale=" ", effective_from=date(2026, 1, 1)
            )


def test_a_new_draft_copies_the_latest_version_and_publishing_it_retires_the_old_one(tenant, admin, metrics):
    first = _published(tenant, admin, metrics)
    with tenant_context(tenant):
        draft = template_version_draft(tenant=tenant, actor=admin, template=first.template)
        copied = TemplateItem.objects.filter(version=draft).count()
        copied_targets = TargetRule.objects.filter(item__version=draft).count()
        template_items_set(
            tenant=tenant,
            actor=admin,
            version=draft,
            items=[
                ItemInput(metric=metrics[0], weight=Decimal(60), target=Decimal(12)),
                ItemInput(metric=metrics[1], weight=Decimal(40), target=Decimal(10)),
            ],
        )
        announced(draft)
        template_version_publish(
            tenant=tenant, actor=admin, version=draft, rationale="Focus on revenue", effective_from=date(2026, 7, 1)
        )
        first.refresh_from_db()
        changes = template_version_diff(first, draft)
    assert draft.number == 2
    assert (copied, copied_targets) == (3, 6)
    assert first.status == TemplateVersion.Status.RETIRED
    assert "Revenue: weight 50 → 60." in changes
    assert "Removed Win_Rate." in changes
    assert any("Revenue: default target 10" in c for c in changes)


def test_a_published_version_cannot_be_edited(tenant, admin, metrics):
    version = _published(tenant, admin, metrics)
    with tenant_context(tenant), pytest.raises(InvalidStateError, match="Only a draft"):
        template_items_set(
            tenant=tenant,
            actor=admin,
            version=version,
            items=[ItemInput(metric=metrics[0], weight=Decimal(100), target=Decimal(1))],
        )


def test_an_effective_date_before_the_version_in_force_is_refused(tenant, admin, metrics):
    first = _published(tenant, admin, metrics, effective=date(2026, 6, 1))
    with tenant_context(tenant):
        draft = template_version_draft(tenant=tenant, actor=admin, template=first.template)
        with pytest.raises(InvalidStateError, match="must come after 2026-06-01"):
            template_version_publish(
                tenant=tenant, actor=admin, version=draft, rationale="Backdated", effective_from=date(2026, 1, 1)
            )


def test_a_segment_has_one_template_and_a_manager_cannot_create_one(tenant, admin):
    manager = member(tenant, Role.MANAGER)
    with tenant_context(tenant):
        template_create(tenant=tenant, actor=admin, name="Resellers", partner_type="reseller")
        with pytest.raises(InvalidStateError, match="already has a template"):
            template_create(tenant=tenant, actor=admin, name="Again", partner_type="reseller")
        with pytest.raises(PermissionDeniedError):
            template_create(tenant=tenant, actor=manager, name="Mine", partner_type="si")


def test_an_admin_edits_a_draft_in_the_browser_form_and_publishes_it(client, tenant, admin, metrics):
    with tenant_context(tenant):
        template = template_create(tenant=tenant, actor=admin, name="Default", is_default=True)
        draft = TemplateVersion.objects.get(template=template)
    client.force_login(admin.user)
    edit = reverse("version_edit", kwargs={"tenant_slug": tenant.slug, "version_id": draft.pk})
    response = client.post(
        edit,
        {
            "form-TOTAL_FORMS": "2",
            "form-INITIAL_FORMS": "0",
            "form-0-metric": metrics[0].pk,
            "form-0-weight": "70",
            "form-0-target": "100",
            "form-0-target_gold": "150",
            "form-1-metric": metrics[1].pk,
            "form-1-weight": "30",
            "form-1-target": "4",
        },
    )
    publish = reverse("version_publish", kwargs={"tenant_slug": tenant.slug, "version_id": draft.pk})
    page = client.get(publish).content.decode()
    done = client.post(publish, {"rationale": "Launch", "effective_from": "2026-01-01"})
    detail = client.get(reverse("template_detail", kwargs={"tenant_slug": tenant.slug, "template_id": template.pk}))
    assert response.status_code == 302
    assert "Added Revenue at weight 70." in page
    assert done.status_code == 302
    assert "Launch" in detail.content.decode()
    assert "Gold 150" in detail.content.decode()


def test_a_draft_form_with_a_missing_target_is_a_400(client, tenant, admin, metrics):
    with tenant_context(tenant):
        template = template_create(tenant=tenant, actor=admin, name="Default", is_default=True)
        draft = TemplateVersion.objects.get(template=template)
    client.force_login(admin.user)
    response = client.post(
        reverse("version_edit", kwargs={"tenant_slug": tenant.slug, "version_id": draft.pk}),
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "0",
            "form-0-metric": metrics[0].pk,
            "form-0-weight": "100",
        },
    )
    assert response.status_code == 400
    assert "default monthly target" in response.content.decode()


def test_managers_and_executives_read_templates_but_partner_users_do_not(client, tenant, admin, metrics):
    _published(tenant, admin, metrics)
    url = reverse("template_list", kwargs={"tenant_slug": tenant.slug})
    codes = {}
    for role in (Role.MANAGER, Role.EXECUTIVE):
        client.force_login(member(tenant, role).user)
        codes[role] = client.get(url).status_code
    assert codes == {Role.MANAGER: 200, Role.EXECUTIVE: 200}
