"""Writes of checkpoints: added to an open plan (a metric target on the partner's scorecard, the score, or the trend
not declining, in one month or quarter), commented on, or waived with a reason. Their status is the system's:
``services.evaluation`` sets it from the snapshots, never a person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from auditlog.context import set_actor
from django.db import transaction
from django.utils import timezone

from partnerhub.core.domain.periods import period_bounds, period_label, period_start
from partnerhub.core.models import Membership, Tenant
from partnerhub.core.rules import ensure_can
from remediation.errors import PlanStateError, RemediationInputError
from remediation.models import Checkpoint, CheckpointComment, Plan
from remediation.selectors.plans import scorecard_metrics_of_partner
from remediation.services.plans import writable_plan
from remediation.services.references import clean_text, ensure_in_program

Measure = Checkpoint.Measure
MAX_TARGET = Decimal("1e12")


@dataclass
class CheckpointInput:
    measure: str
    period: str
    due: date  # any day of the month or quarter whose snapshot is checked
    comparator: str = Checkpoint.Comparator.AT_LEAST
    target: Decimal | None = None
    metric: Any = None  # a MetricDefinition of this program (measure "metric")


@transaction.atomic
def checkpoint_add(
    *, tenant: Tenant, actor: Membership, plan: Plan, data: CheckpointInput, today: date | None = None
) -> Checkpoint:
    """Add a checkpoint to an open plan. Refused (400, naming the field): a metric not on the partner's scorecard, a
    period that ends before the plan starts or starts after its target end, a comparator that does not fit the
    measure, a score target outside 0 to 100. On an active plan whose period is already complete it is checked at
    once (the snapshot is there)."""
    today = today or timezone.localdate()
    locked = writable_plan(tenant, actor, plan)
    if data.measure not in Measure.values:
        raise RemediationInputError("measure", "Choose what is checked: a metric, the score or the trend.")
    if data.period not in Checkpoint.Period.values:
        raise RemediationInputError("period", "Choose a month or a quarter.")
    start = period_start(data.period, data.due)
    end = period_bounds(data.period, start)[1]
    when = period_label(data.period, start)
    if end < locked.start_date:
        raise RemediationInputError(
            "due", f"{when} ends before the plan starts ({locked.start_date:%d %b %Y}): a checkpoint looks ahead."
        )
    if start > locked.target_end_date:
        raise RemediationInputError(
            "due", f"{when} starts after the plan's target end ({locked.target_end_date:%d %b %Y})."
        )
    metric = None
    comparator, target = data.comparator, data.target
    if data.measure == Measure.TREND:
        comparator, target = Checkpoint.Comparator.NOT_DECLINING, None
    else:
        if comparator not in (Checkpoint.Comparator.AT_LEAST, Checkpoint.Comparator.AT_MOST):
            raise RemediationInputError("comparator", "Choose at least or at most.")
        if target is None:
            raise RemediationInputError("target", "State the target the snapshot must reach.")
        if not target.is_finite() or abs(target) >= MAX_TARGET:
            raise RemediationInputError("target", "That target is not a number the scorecard can hold.")
        if data.measure == Measure.SCORE and not Decimal(0) <= target <= Decimal(100):
            raise RemediationInputError("target", "A score is between 0 and 100.")
    if data.measure == Measure.METRIC:
        metric = data.metric
        if metric is None:
            raise RemediationInputError("metric", "Choose the metric.")
        ensure_in_program(tenant, "metric", metric)
        on_card = {m.pk for m in scorecard_metrics_of_partner(tenant=tenant, partner=locked.partner, today=today)}
        if metric.pk not in on_card:
            raise RemediationInputError(
                "metric",
                f"{metric.name} is not on {locked.partner.name}'s scorecard"
                + ("" if on_card else " (it has no scorecard yet)")
                + ": a checkpoint checks what the scorecard measures.",
                code="metric_not_on_scorecard",
            )
    checkpoint = Checkpoint(
        tenant=tenant,
        plan=locked,
        partner=locked.partner,
        measure=data.measure,
        metric=metric,
        comparator=comparator,
        target=target.quantize(Decimal("0.0001")) if target is not None else None,
        period=data.period,
        due_period_start=start,
        created_by=actor,
    )
    with set_actor(actor.user):
        checkpoint.save()
    if locked.status == Plan.Status.ACTIVE:
        from remediation.services.evaluation import checkpoints_evaluate

        checkpoints_evaluate(tenant=tenant, checkpoint_ids=[checkpoint.pk], today=today)
        checkpoint.refresh_from_db()
    return checkpoint


def _lock(tenant: Tenant, checkpoint: Checkpoint) -> Checkpoint:
    return (
        Checkpoint.objects.for_tenant(tenant)
        .select_for_update(of=("self",))
        .select_related("plan", "plan__partner", "partner", "metric")
        .get(pk=checkpoint.pk)
    )


@transaction.atomic
def checkpoint_waive(*, tenant: Tenant, actor: Membership, checkpoint: Checkpoint, reason: str) -> Checkpoint:
    """Waive a checkpoint of an open plan, with a reason (required): it stops counting and stops the ladder."""
    ensure_in_program(tenant, "checkpoint", checkpoint)
    ensure_can(actor, "remediation.manage", checkpoint)
    text = clean_text("reason", reason, limit=300, required=True, label="The reason for waiving it")
    locked = _lock(tenant, checkpoint)
    if not locked.plan.is_open:
        raise PlanStateError("This plan is no longer open: its checkpoints are the record now.")
    if locked.status == Checkpoint.Status.WAIVED:
        raise PlanStateError("This checkpoint is waived already.")
    locked.status, locked.waive_reason, locked.waived_by, locked.waived_at = (
        Checkpoint.Status.WAIVED,
        text,
        actor,
        timezone.now(),
    )
    with set_actor(actor.user):
        locked.save(update_fields=["status", "waive_reason", "waived_by", "waived_at", "updated_at"])
    return locked


@transaction.atomic
def checkpoint_comment_add(
    *, tenant: Tenant, actor: Membership, checkpoint: Checkpoint, body: str
) -> CheckpointComment:
    """Comment on a checkpoint (internal: the partner never sees comments)."""
    ensure_in_program(tenant, "checkpoint", checkpoint)
    ensure_can(actor, "remediation.manage", checkpoint)
    text = clean_text("body", body, limit=5000, required=True, label="The comment")
    with set_actor(actor.user):
        return CheckpointComment.objects.create(tenant=tenant, checkpoint=checkpoint, author=actor, body=text)
