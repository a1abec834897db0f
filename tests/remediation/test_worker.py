"""Remediation on a real worker: the evaluation chained after a snapshot refresh, and the ladder climbed once per
rung even when two runs race."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest

from partnerhub.core.models import Notification
from partnerhub.core.tenancy.context import tenant_context
from remediation.models import Checkpoint, Escalation
from remediation.tasks.escalation import escalations_climb_task
from scorecards.tasks.snapshots import snapshot_refresh_task
from tests.remediation.factories import TODAY, CheckpointFactory, PlanFactory, program
from tests.worker import running_worker

pytestmark = [pytest.mark.worker, pytest.mark.xdist_group("worker")]


@pytest.fixture
def two_slot_worker(transactional_db: None) -> Iterator[subprocess.Popen[bytes]]:
    with running_worker(pool="threads", concurrency=2) as proc:
        yield proc


def _status(tenant, checkpoint):
    with tenant_context(tenant):
        return Checkpoint.objects.get(pk=checkpoint.pk).status


def test_a_refresh_on_the_worker_is_followed_by_the_checkpoint_evaluation(celery_worker_process, tenant):
    prog = program(tenant, refresh=False)
    checkpoint = CheckpointFactory(plan=PlanFactory(partner=prog.declining, owner=prog.manager))

    snapshot_refresh_task.delay(tenant_id=tenant.pk, partner_ids=[prog.declining.pk]).get(timeout=120)
    deadline = time.monotonic() + 60
    while _status(tenant, checkpoint) == "pending" and time.monotonic() < deadline:
        time.sleep(0.5)

    with tenant_context(tenant):
        checkpoint.refresh_from_db()
    assert checkpoint.status == "missed"
    assert checkpoint.explanation == "Score was 34 points in June 2026, against at least 60 points: missed."


def test_two_ladder_runs_at_once_escalate_and_notify_each_rung_once(two_slot_worker, tenant):
    prog = program(tenant, refresh=False)
    plan = PlanFactory(partner=prog.declining, owner=prog.manager, sponsor=prog.sponsor)
    CheckpointFactory(plan=plan, status="missed", missed_on=TODAY, explanation="Score was 34 points.")

    for day in (TODAY, TODAY + timedelta(days=7)):
        pending = [escalations_climb_task.delay(tenant_id=tenant.pk, today=day.isoformat()) for _ in range(2)]
        results = [p.get(timeout=60) for p in pending]
        assert sorted(r["climbed"] for r in results) == [0, 1]

    with tenant_context(tenant):
        rungs = list(Escalation.objects.order_by("rung").values_list("rung", flat=True))
        told = sorted(Notification.objects.values_list("recipient_id", "kind"))
    assert rungs == [1, 2]
    assert told == sorted(
        [(prog.manager.pk, "remediation.escalation.owner"), (prog.sponsor.pk, "remediation.escalation.sponsor")]
    )
