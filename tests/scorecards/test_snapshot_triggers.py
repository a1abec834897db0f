from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from partnerhub.celery import app as celery_app
from partnerhub.core.models import Partner, Role
from partnerhub.core.services.program import partner_update
from partnerhub.core.signals import partner_data_changed
from partnerhub.core.tenancy.context import tenant_context
from scorecards.models import DataQualityFinding, ImportBatch, ScorecardSnapshot
from scorecards.services.templates import template_version_draft, template_version_publish
from scorecards.tasks import data_quality as quality_tasks
from scorecards.tasks import deal_reviews as deal_review_tasks
from scorecards.tasks import snapshots as snapshot_tasks
from tests.factories import PartnerFactory, announced, member
from tests.scorecards.factories import TemplateFactory, build, build_version, observe

pytestmark = pytest.mark.django_db
SEP = date(2026, 9, 1)


@pytest.fixture
def in_process():
    # What a deployment without REDIS_URL does: tasks (and chains) run at once, in order, in this process.
    saved = {key: celery_app.conf[key] for key in ("task_always_eager", "task_eager_propagates")}
    celery_app.conf.update(task_always_eager=True, task_eager_propagates=True)
    yield
    celery_app.conf.update(saved)


@pytest.fixture
def queued(monkeypatch):
    # What reaches the broker: (task, its kwargs); a chain sends its first task, carrying the rest with it.
    calls = []
    for name, task in (
        ("deal reviews", deal_review_tasks.deal_reviews_refresh_task),
        ("quality", quality_tasks.data_quality_task),
        ("refresh", snapshot_tasks.snapshot_refresh_task),
    ):

        def send(args=None, kwargs=None, *rest, _name=name, **options):
            calls.append((_name, kwargs, [link.task for link in options.get("chain") or []]))

        monkeypatch.setattr(task, "apply_async", send)
    return calls


def _tiered_scorecard(tenant, metric):
    template = TemplateFactory(tenant=tenant, name="Default", is_default=True)
    return build_version(
        template,
        number=1,
        effective_from=date(2025, 1, 1),
        items=[(metric, 100, False, {("", ""): 100, ("gold", ""): 50})],
    )


def _snapshot(tenant, partner, month=SEP):
    with tenant_context(tenant):
        return ScorecardSnapshot.objects.filter(partner=partner, period="month", period_start=month).first()


def test_after_an_import_the_data_quality_run_comes_first_and_its_findings_flag_the_refreshed_snapshot(
    tenant, in_process, django_capture_on_commit_callbacks
):
    world = build(tenant)  # Acme's revenue jumps to 500 in 2026-09: an outlier
    _tiered_scorecard(tenant, world.revenue)

    with django_capture_on_commit_callbacks(execute=True):
        partner_data_changed.send(sender=ImportBatch, tenant=tenant, partner_ids=[world.acme.pk])

    snapshot = _snapshot(tenant, world.acme)
    with tenant_context(tenant):
        finding = DataQualityFinding.objects.get(partner=world.acme, kind="outlier")
    assert snapshot.dq_flag
    assert finding.detail in snapshot.dq_reasons


def test_an_import_queues_the_deal_reviews_then_the_quality_run_then_the_refresh_of_its_partners(
    tenant, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        partner_data_changed.send(sender=ImportBatch, tenant=tenant, partner_ids=[5, 3, 5])

    assert len(callbacks) == 1
    # Celery carries a chain's remaining tasks last first.
    rest = ["scorecards.tasks.snapshots.snapshot_refresh_task", "scorecards.tasks.data_quality.data_quality_task"]
    assert queued == [("deal reviews", {"tenant_id": tenant.pk}, rest)]


def test_an_import_that_changed_no_partner_queues_nothing(tenant, queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        partner_data_changed.send(sender=ImportBatch, tenant=tenant, partner_ids=[])
    assert (callbacks, queued) == ([], [])


@pytest.mark.parametrize(
    ("field", "value"),
    [("tier", Partner.Tier.GOLD), ("partner_type", Partner.Type.SI), ("stage", Partner.Stage.MATURE)],
)
def test_editing_a_scored_field_of_a_partner_queues_a_refresh_of_that_partner_alone(
    tenant, queued, django_capture_on_commit_callbacks, field, value
):
    admin = member(tenant, Role.ADMIN)
    partner = PartnerFactory(tenant=tenant, name="Acme")

    with django_capture_on_commit_callbacks(execute=True), tenant_context(tenant):
        partner_update(tenant=tenant, actor=admin, partner=partner, data={field: value})

    assert queued == [("refresh", {"tenant_id": tenant.pk, "partner_ids": [partner.pk]}, [])]


def test_editing_a_partner_without_touching_its_scorecard_fields_queues_nothing(
    tenant, queued, django_capture_on_commit_callbacks
):
    admin = member(tenant, Role.ADMIN)
    partner = PartnerFactory(tenant=tenant, name="Acme", tier=Partner.Tier.GOLD)

    with django_capture_on_commit_callbacks(execute=True), tenant_context(tenant):
        partner_update(tenant=tenant, actor=admin, partner=partner, data={"name": "Acme Ltd", "tier": "gold"})

    assert queued == []


def test_a_tier_change_rescores_the_partner_against_its_new_tier_target_in_process(
    tenant, in_process, django_capture_on_commit_callbacks
):
    world = build(tenant)
    _tiered_scorecard(tenant, world.revenue)
    observe(tenant, world.birch, world.revenue, {SEP: 50.0})
    admin = member(tenant, Role.ADMIN)
    with django_capture_on_commit_callbacks(execute=True):
        partner_data_changed.send(sender=ImportBatch, tenant=tenant, partner_ids=[world.birch.pk])
    before = _snapshot(tenant, world.birch)

    with django_capture_on_commit_callbacks(execute=True), tenant_context(tenant):
        partner_update(tenant=tenant, actor=admin, partner=world.birch, data={"tier": Partner.Tier.GOLD})

    after = _snapshot(tenant, world.birch)
    assert (before.items[0]["target"], before.score) == (100.0, Decimal("50.0000"))
    assert (after.items[0]["target"], after.score) == (50.0, Decimal("100.0000"))


def test_publishing_a_version_queues_a_refresh_of_the_whole_tenant_after_commit(
    tenant, queued, django_capture_on_commit_callbacks
):
    admin = member(tenant, Role.ADMIN)
    world_metric = build(tenant).revenue
    version = _tiered_scorecard(tenant, world_metric)
    with tenant_context(tenant):
        draft = template_version_draft(tenant=tenant, actor=admin, template=version.template)
    announced(draft)

    with django_capture_on_commit_callbacks(execute=True), tenant_context(tenant):
        template_version_publish(
            tenant=tenant, actor=admin, version=draft, rationale="Same again", effective_from=date(2026, 1, 1)
        )

    assert queued == [("refresh", {"tenant_id": tenant.pk}, [])]
