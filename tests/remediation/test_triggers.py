from datetime import date

import pytest

from partnerhub.core.models import Notification
from partnerhub.core.signals import tier_grace_started
from partnerhub.core.tenancy.context import tenant_context
from remediation.models import Checkpoint, Finding, Plan, RemediationSettings
from remediation.services.evaluation import remediation_evaluate
from remediation.services.triggers import plans_draft_from_triggers
from tests.remediation.factories import JUNE, TODAY, PlanFactory, program

pytestmark = pytest.mark.django_db


def _plans(tenant):
    with tenant_context(tenant):
        return list(Plan.objects.select_related("partner").order_by("id"))


def test_a_partner_red_two_months_running_gets_a_draft_plan_with_an_undiagnosed_finding_and_proposed_checkpoints(
    tenant,
):
    prog = program(tenant)
    drafted = plans_draft_from_triggers(tenant=tenant, today=TODAY)
    assert [p.partner_id for p in drafted] == [prog.declining.pk]
    with tenant_context(tenant):
        plan = Plan.objects.get()
        finding = Finding.objects.get()
        checkpoints = list(Checkpoint.objects.filter(plan=plan).order_by("id"))
    assert (plan.status, plan.trigger, plan.owner_id, plan.sponsor_id) == (
        "draft",
        "red_two_periods",
        prog.manager.pk,
        prog.sponsor.pk,
    )
    assert (finding.origin, finding.category, finding.trigger_period, finding.plan_id) == (
        "trigger",
        "",
        JUNE,
        plan.pk,
    )
    assert "Red in May 2026 and June 2026" in finding.title
    # Both metrics are at 34 % of target: both proposed at their target, and the score at the amber threshold.
    assert [(c.measure, c.metric_id, c.comparator, int(c.target)) for c in checkpoints] == [
        ("metric", prog.revenue.pk, "gte", 100),
        ("metric", prog.visits.pk, "gte", 100),
        ("score", None, "gte", 60),
    ]
    assert {c.due_period_start for c in checkpoints} == {date(2026, 10, 1)}


def test_the_owner_is_notified_of_the_draft(tenant):
    prog = program(tenant)
    plans_draft_from_triggers(tenant=tenant, today=TODAY)
    with tenant_context(tenant):
        note = Notification.objects.get(recipient=prog.manager)
    assert note.kind == "remediation.draft"
    assert "Declining Co" in note.title


def test_running_the_triggers_twice_drafts_once(tenant):
    program(tenant)
    remediation_evaluate(tenant=tenant, today=TODAY)
    second = remediation_evaluate(tenant=tenant, today=TODAY)
    assert second["drafted"] == []
    assert len(_plans(tenant)) == 1


def test_never_a_second_draft_while_the_partner_has_an_open_plan(tenant):
    prog = program(tenant)
    PlanFactory(partner=prog.declining, status=Plan.Status.ACTIVE)
    assert plans_draft_from_triggers(tenant=tenant, today=TODAY) == []


def test_a_cancelled_draft_is_not_drafted_again_for_the_same_evidence(tenant):
    prog = program(tenant)
    plan = plans_draft_from_triggers(tenant=tenant, today=TODAY)[0]
    with tenant_context(tenant):
        Plan.objects.filter(pk=plan.pk).update(status="cancelled", cancel_reason="Known seasonal dip")
    assert plans_draft_from_triggers(tenant=tenant, today=TODAY) == []
    assert prog.declining.pk == plan.partner_id


def test_a_declining_trend_alone_drafts_when_the_red_trigger_is_off(tenant):
    program(tenant)
    with tenant_context(tenant):
        RemediationSettings.objects.create(tenant=tenant, trigger_red=False)
    plan = plans_draft_from_triggers(tenant=tenant, today=TODAY)[0]
    assert plan.trigger == "declining"
    with tenant_context(tenant):
        measures = sorted(Checkpoint.objects.filter(plan=plan).values_list("measure", flat=True))
    assert "trend" in measures


def test_switching_every_trigger_off_drafts_nothing(tenant):
    program(tenant)
    with tenant_context(tenant):
        RemediationSettings.objects.create(tenant=tenant, trigger_red=False, trigger_declining=False)
    assert plans_draft_from_triggers(tenant=tenant, today=TODAY) == []


def test_a_healthy_partner_fires_nothing(tenant):
    prog = program(tenant)
    assert plans_draft_from_triggers(tenant=tenant, partner_ids=[prog.steady.pk], today=TODAY) == []


def test_entering_a_tier_grace_period_drafts_a_plan_through_the_core_signal(tenant):
    prog = program(tenant)
    with tenant_context(tenant):
        tier_grace_started.send(
            sender=None, tenant=tenant, partner_ids=[prog.steady.pk], period_start=JUNE, tier="gold"
        )
        plan = Plan.objects.get(partner=prog.steady)
        finding = Finding.objects.get(partner=prog.steady)
    assert (plan.trigger, finding.trigger) == ("tier_grace", "tier_grace")
    assert "gold tier" in finding.title
