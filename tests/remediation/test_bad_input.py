"""The issue's bad-input list: each refused with a clear message naming the field, and nothing written."""

from datetime import date
from decimal import Decimal

import pytest

from partnerhub.core.errors import CrossTenantReferenceError, DomainError
from partnerhub.core.models import Role
from partnerhub.core.tenancy.context import tenant_context
from remediation.errors import PlanAlreadyOpenError, RemediationInputError
from remediation.models import Checkpoint, Finding, Lesson, Plan
from remediation.services.checkpoints import CheckpointInput, checkpoint_add, checkpoint_waive
from remediation.services.findings import FindingInput, finding_create
from remediation.services.plans import LessonInput, PlanInput, plan_activate, plan_close, plan_create
from tests.factories import PartnerFactory, TenantFactory, member
from tests.remediation.factories import CheckpointFactory, PlanFactory, program
from tests.scorecards.factories import MetricFactory

pytestmark = pytest.mark.django_db


def _count(tenant, model):
    with tenant_context(tenant):
        return model.objects.count()


def _plan_input(prog, **kw):
    return PlanInput(
        **{
            "title": "Back to green",
            "owner": prog.manager,
            "start_date": date(2026, 7, 1),
            "target_end_date": date(2026, 12, 31),
            **kw,
        }
    )


def _create(prog, **kw):
    with tenant_context(prog.tenant):
        return plan_create(
            tenant=prog.tenant,
            actor=prog.manager,
            partner=kw.pop("partner", prog.declining),
            data=_plan_input(prog, **kw),
        )


def test_a_target_end_before_the_start_is_refused_naming_the_date(tenant):
    prog = program(tenant, refresh=False)
    with pytest.raises(RemediationInputError) as refused:
        _create(prog, target_end_date=date(2026, 6, 30))
    assert refused.value.extra["fields"]["target_end_date"][0].startswith("The target end date (30 Jun 2026)")
    assert _count(tenant, Plan) == 0


def test_a_plan_on_another_tenants_partner_is_refused(tenant):
    prog = program(tenant, refresh=False)
    elsewhere = PartnerFactory(tenant=TenantFactory(slug="elsewhere"))
    with pytest.raises(CrossTenantReferenceError):
        _create(prog, partner=elsewhere)
    assert _count(tenant, Plan) == 0


def test_an_owner_from_another_tenant_is_refused(tenant):
    prog = program(tenant, refresh=False)
    stranger = member(TenantFactory(slug="elsewhere"), Role.MANAGER)
    with pytest.raises(CrossTenantReferenceError) as refused:
        _create(prog, owner=stranger)
    assert "owner" in refused.value.extra["fields"]
    assert _count(tenant, Plan) == 0


def test_an_executive_cannot_be_a_plans_accountable_owner(tenant):
    prog = program(tenant, refresh=False)
    with pytest.raises(RemediationInputError, match="cannot be accountable"):
        _create(prog, owner=prog.executive)


def test_a_second_open_plan_for_a_partner_is_refused(tenant):
    prog = program(tenant, refresh=False)
    _create(prog)
    with pytest.raises(PlanAlreadyOpenError, match="already has an open plan"):
        _create(prog, title="Another")
    assert _count(tenant, Plan) == 1


def test_a_checkpoint_on_a_metric_not_on_the_partners_scorecard_is_refused(tenant):
    prog = program(tenant)
    elsewhere = MetricFactory(tenant=tenant, key="webinars", name="Webinars")
    plan = PlanFactory(partner=prog.declining, owner=prog.manager, status="draft")
    with tenant_context(tenant), pytest.raises(RemediationInputError) as refused:
        checkpoint_add(
            tenant=tenant,
            actor=prog.manager,
            plan=plan,
            data=CheckpointInput(
                measure="metric", metric=elsewhere, target=Decimal(5), period="month", due=date(2026, 9, 1)
            ),
        )
    assert refused.value.extra["fields"]["metric"] == [
        "Webinars is not on Declining Co's scorecard: a checkpoint checks what the scorecard measures."
    ]
    assert _count(tenant, Checkpoint) == 0


def test_a_checkpoint_before_the_plan_starts_is_refused(tenant):
    prog = program(tenant)
    plan = PlanFactory(partner=prog.declining, owner=prog.manager, status="draft", start_date=date(2026, 7, 1))
    with tenant_context(tenant), pytest.raises(RemediationInputError, match="ends before the plan starts"):
        checkpoint_add(
            tenant=tenant,
            actor=prog.manager,
            plan=plan,
            data=CheckpointInput(measure="score", target=Decimal(60), period="month", due=date(2026, 5, 1)),
        )


def test_a_score_target_above_100_is_refused(tenant):
    prog = program(tenant)
    plan = PlanFactory(partner=prog.declining, owner=prog.manager, status="draft")
    with tenant_context(tenant), pytest.raises(RemediationInputError, match="between 0 and 100"):
        checkpoint_add(
            tenant=tenant,
            actor=prog.manager,
            plan=plan,
            data=CheckpointInput(measure="score", target=Decimal(160), period="month", due=date(2026, 9, 1)),
        )


def test_waiving_without_a_reason_is_refused_and_changes_nothing(tenant):
    prog = program(tenant, refresh=False)
    checkpoint = CheckpointFactory(plan=PlanFactory(partner=prog.declining, owner=prog.manager), status="missed")
    with tenant_context(tenant), pytest.raises(RemediationInputError) as refused:
        checkpoint_waive(tenant=tenant, actor=prog.manager, checkpoint=checkpoint, reason="  ")
    assert refused.value.extra["fields"] == {"reason": ["The reason for waiving it is required."]}
    with tenant_context(tenant):
        checkpoint.refresh_from_db()
    assert checkpoint.status == "missed"


def test_closing_with_open_checkpoints_without_saying_so_is_refused_and_writes_nothing(tenant):
    prog = program(tenant, refresh=False)
    plan = PlanFactory(partner=prog.declining, owner=prog.manager)
    CheckpointFactory(plan=plan, status="met")
    CheckpointFactory(plan=plan, status="not_evaluable")
    lessons = [LessonInput("enablement", "Start enablement before pipeline work")]
    with tenant_context(tenant), pytest.raises(RemediationInputError) as refused:
        plan_close(tenant=tenant, actor=prog.manager, plan=plan, outcome="partly", lessons=lessons)
    assert refused.value.code == "open_checkpoints"
    assert "1 checkpoint is not settled yet" in refused.value.message
    with tenant_context(tenant):
        plan.refresh_from_db()
    assert plan.status == "active"
    assert _count(tenant, Lesson) == 0


def test_closing_with_open_checkpoints_and_a_reason_keeps_the_lessons(tenant):
    prog = program(tenant, refresh=False)
    plan = PlanFactory(partner=prog.declining, owner=prog.manager)
    CheckpointFactory(plan=plan, status="pending")
    with tenant_context(tenant):
        closed = plan_close(
            tenant=tenant,
            actor=prog.manager,
            plan=plan,
            outcome="succeeded",
            lessons=[LessonInput("enablement", "Certify first")],
            open_checkpoints_note="Partner merged; plan moot",
        )
        lesson = Lesson.objects.get()
    assert (closed.status, closed.outcome, lesson.category, lesson.outcome) == (
        "closed",
        "succeeded",
        "enablement",
        "succeeded",
    )


def test_activating_a_plan_without_a_checkpoint_is_refused(tenant):
    prog = program(tenant, refresh=False)
    plan = PlanFactory(partner=prog.declining, owner=prog.manager, status="draft")
    with tenant_context(tenant), pytest.raises(RemediationInputError, match="at least one checkpoint"):
        plan_activate(tenant=tenant, actor=prog.manager, plan=plan)


def test_a_finding_without_a_category_or_anyone_affected_is_refused(tenant):
    prog = program(tenant, refresh=False)
    with tenant_context(tenant):
        with pytest.raises(RemediationInputError, match="cause category"):
            finding_create(
                tenant=tenant, actor=prog.manager, data=FindingInput(title="X", category="", partner=prog.declining)
            )
        with pytest.raises(RemediationInputError, match="Say who is affected"):
            finding_create(tenant=tenant, actor=prog.admin, data=FindingInput(title="X", category="enablement"))
        with pytest.raises(RemediationInputError, match="in the future"):
            finding_create(
                tenant=tenant,
                actor=prog.manager,
                data=FindingInput(
                    title="X", category="enablement", partner=prog.declining, date_found=date(2099, 1, 1)
                ),
            )
    assert _count(tenant, Finding) == 0


def test_a_manager_may_not_plan_for_another_managers_partner(tenant):
    prog = program(tenant, refresh=False)
    other = member(tenant, Role.MANAGER)
    with tenant_context(tenant), pytest.raises(DomainError) as refused:
        plan_create(tenant=tenant, actor=other, partner=prog.declining, data=_plan_input(prog))
    assert refused.value.http_status == 403
