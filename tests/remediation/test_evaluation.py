from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnerhub.core.models import AuditEntry
from partnerhub.core.tenancy.context import tenant_context
from remediation.models import Checkpoint, Plan
from remediation.services.evaluation import checkpoints_evaluate
from tests.remediation.factories import JUNE, TODAY, CheckpointFactory, PlanFactory, drop_observation, flag, program
from tests.scorecards.factories import MetricFactory

pytestmark = pytest.mark.django_db


def _evaluated(checkpoint):
    with tenant_context(checkpoint.tenant):
        checkpoint.refresh_from_db()
    return checkpoint


def test_a_score_checkpoint_below_its_target_is_missed_with_the_figures_compared(tenant):
    prog = program(tenant)
    checkpoint = CheckpointFactory(plan=PlanFactory(partner=prog.declining), target=Decimal("60"))
    run = checkpoints_evaluate(tenant=tenant, today=TODAY)
    checkpoint = _evaluated(checkpoint)
    assert (run.checked, run.changed) == (1, 1)
    assert checkpoint.status == Checkpoint.Status.MISSED
    assert checkpoint.actual == Decimal("34.0000")
    assert checkpoint.explanation == "Score was 34 points in June 2026, against at least 60 points: missed."
    assert checkpoint.missed_on == TODAY


def test_a_metric_checkpoint_reached_is_met_and_names_the_metric_and_its_unit(tenant):
    prog = program(tenant)
    checkpoint = CheckpointFactory(
        plan=PlanFactory(partner=prog.steady), measure="metric", metric=prog.revenue, target=Decimal("95")
    )
    checkpoints_evaluate(tenant=tenant, today=TODAY)
    checkpoint = _evaluated(checkpoint)
    assert checkpoint.status == Checkpoint.Status.MET
    assert checkpoint.explanation == "Revenue was 100 USD in June 2026, against at least 95 USD: met."


def test_an_at_most_metric_checkpoint_compares_the_other_way(tenant):
    prog = program(tenant)
    checkpoint = CheckpointFactory(
        plan=PlanFactory(partner=prog.declining), measure="metric", metric=prog.visits, comparator="lte", target=40
    )
    checkpoints_evaluate(tenant=tenant, today=TODAY)
    assert _evaluated(checkpoint).status == Checkpoint.Status.MET


def test_a_trend_checkpoint_is_missed_while_the_verdict_is_declining_and_met_when_stable(tenant):
    prog = program(tenant)
    down = CheckpointFactory(
        plan=PlanFactory(partner=prog.declining), measure="trend", comparator="not_declining", target=None
    )
    flat = CheckpointFactory(
        plan=PlanFactory(partner=prog.steady), measure="trend", comparator="not_declining", target=None
    )
    checkpoints_evaluate(tenant=tenant, today=TODAY)
    assert (_evaluated(down).status, _evaluated(down).actual_trend) == ("missed", "declining")
    assert _evaluated(flat).status == "met"


def test_a_checkpoint_whose_period_is_not_complete_is_not_evaluated(tenant):
    prog = program(tenant)
    checkpoint = CheckpointFactory(plan=PlanFactory(partner=prog.declining), due_period_start=date(2026, 7, 1))
    run = checkpoints_evaluate(tenant=tenant, today=TODAY)
    assert run.checked == 0
    assert _evaluated(checkpoint).status == Checkpoint.Status.PENDING


def test_no_snapshot_for_the_period_is_not_yet_evaluable_and_says_so(tenant):
    prog = program(tenant)
    checkpoint = CheckpointFactory(plan=PlanFactory(partner=prog.declining), due_period_start=JUNE)
    checkpoints_evaluate(tenant=tenant, today=date(2026, 9, 2), partner_ids=[prog.declining.pk])
    later = CheckpointFactory(plan=checkpoint.plan, due_period_start=date(2026, 8, 1))
    checkpoints_evaluate(tenant=tenant, today=date(2026, 9, 2))
    later = _evaluated(later)
    assert (later.status, later.unevaluable_reason) == ("not_evaluable", "no_snapshot")
    assert later.explanation == "No snapshot for August 2026 yet."


def test_a_flagged_snapshot_is_not_yet_evaluable_and_gives_the_flags_reason(tenant):
    prog = program(tenant)
    flag(prog, prog.declining)
    checkpoint = CheckpointFactory(plan=PlanFactory(partner=prog.declining))
    checkpoints_evaluate(tenant=tenant, today=TODAY)
    checkpoint = _evaluated(checkpoint)
    assert (checkpoint.status, checkpoint.unevaluable_reason) == ("not_evaluable", "flagged")
    assert "flagged for data quality" in checkpoint.explanation
    assert "Revenue 5x its usual level" in checkpoint.explanation


def test_a_missing_metric_is_not_yet_evaluable_and_names_the_metric(tenant):
    prog = program(tenant)
    drop_observation(prog, prog.steady, prog.visits)
    checkpoint = CheckpointFactory(
        plan=PlanFactory(partner=prog.steady), measure="metric", metric=prog.visits, target=Decimal("50")
    )
    checkpoints_evaluate(tenant=tenant, today=TODAY)
    checkpoint = _evaluated(checkpoint)
    # The gap flags the snapshot as well; the checkpoint names the gap itself.
    assert (checkpoint.status, checkpoint.unevaluable_reason) == ("not_evaluable", "missing")
    assert checkpoint.explanation == "Visits has no data for June 2026."


def test_a_metric_not_on_the_scorecard_that_period_is_not_yet_evaluable(tenant):
    prog = program(tenant)
    other = MetricFactory(tenant=tenant, key="webinars", name="Webinars")
    checkpoint = CheckpointFactory(
        plan=PlanFactory(partner=prog.steady), measure="metric", metric=other, target=Decimal("5")
    )
    checkpoints_evaluate(tenant=tenant, today=TODAY)
    checkpoint = _evaluated(checkpoint)
    assert (checkpoint.status, checkpoint.unevaluable_reason) == ("not_evaluable", "not_on_scorecard")


def test_a_quarter_checkpoint_is_checked_against_the_complete_quarter(tenant):
    prog = program(tenant)
    checkpoint = CheckpointFactory(
        plan=PlanFactory(partner=prog.steady), period="quarter", due_period_start=date(2026, 4, 1), target=80
    )
    checkpoints_evaluate(tenant=tenant, today=TODAY)
    checkpoint = _evaluated(checkpoint)
    assert checkpoint.status == "met"
    assert "Q2 2026" in checkpoint.explanation


def test_waived_checkpoints_and_draft_plans_are_not_evaluated(tenant):
    prog = program(tenant)
    waived = CheckpointFactory(plan=PlanFactory(partner=prog.declining), status="waived", waive_reason="Out of scope")
    draft = CheckpointFactory(plan=PlanFactory(partner=prog.steady, status=Plan.Status.DRAFT))
    run = checkpoints_evaluate(tenant=tenant, today=TODAY)
    assert run.checked == 0
    assert (_evaluated(waived).status, _evaluated(draft).status) == ("waived", "pending")


def test_a_second_evaluation_writes_nothing_and_each_change_is_audited_once(tenant):
    prog = program(tenant)
    checkpoint = CheckpointFactory(plan=PlanFactory(partner=prog.declining))
    checkpoints_evaluate(tenant=tenant, today=TODAY)
    second = checkpoints_evaluate(tenant=tenant, today=TODAY)
    assert second.changed == 0
    with tenant_context(tenant):
        entries = AuditEntry.objects.filter(object_id=checkpoint.pk, changes_text__startswith="Checked against")
        assert entries.count() == 1


def test_evaluation_reads_in_a_fixed_number_of_queries_whatever_the_number_of_checkpoints(tenant):
    prog = program(tenant)
    plan = PlanFactory(partner=prog.declining)
    CheckpointFactory(plan=plan)
    with CaptureQueriesContext(connection) as small:
        checkpoints_evaluate(tenant=tenant, today=TODAY)
    for target in range(10, 30):
        CheckpointFactory(plan=plan, target=target)
        CheckpointFactory(plan=plan, measure="metric", metric=prog.revenue, target=target)
    with CaptureQueriesContext(connection) as large:
        checkpoints_evaluate(tenant=tenant, today=TODAY)
    assert len(large) == len(small)
