"""Checking checkpoints against the stored snapshots, after every refresh and nightly, and the triggers after them.

``remediation_evaluate`` is what the chained task runs: under the tenant's remediation lock, it checks every due
checkpoint of the active plans of the partners the refresh covered (``checkpoints_evaluate``), then drafts plans for
the partners the triggers pick (``services.triggers``). The evaluation reads in a fixed number of statements however
many checkpoints are due: the checkpoints (one query), their snapshots' figures (one statement: the keys travel as
arrays, and the server picks each checkpoint's metric out of the snapshot's items); it writes only the checkpoints
whose outcome changed (one ``bulk_update``) and their audit entries (one ``bulk_create``). Running it twice writes
nothing the second time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from partnerhub.core.domain.periods import month_number, month_start
from partnerhub.core.models import AuditEntry, Tenant
from partnerhub.core.tenancy.context import tenant_context
from partnerhub.core.tenancy.sql import LOCK_REMEDIATION, tenant_xact_lock
from remediation.domain.evaluation import (
    MISSED,
    CheckpointSpec,
    Evaluation,
    SnapshotFigures,
    evaluate,
    is_due,
)
from remediation.models import Checkpoint, Plan
from scorecards.selectors.snapshots import snapshot_checks

SYSTEM_REASON = "Checked against the stored snapshot."
EVALUATED_FIELDS = (
    "status",
    "actual",
    "actual_trend",
    "explanation",
    "unevaluable_reason",
    "missed_on",
)


@dataclass(frozen=True)
class EvaluationRun:
    checked: int = 0  # due checkpoints compared with their snapshot
    changed: int = 0  # checkpoints whose outcome (or figures) changed and were written
    by_status: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def spec_of(checkpoint: Checkpoint, currency: str) -> CheckpointSpec:
    metric = checkpoint.metric
    return CheckpointSpec(
        measure=checkpoint.measure,
        comparator=checkpoint.comparator,
        target=checkpoint.target,
        period=checkpoint.period,
        due_period_start=checkpoint.due_period_start,
        metric_id=checkpoint.metric_id,
        metric_name=metric.name if metric is not None else "",
        unit=metric.unit if metric is not None else "",
        currency=currency,
    )


@dataclass
class DueCheckpoint:
    """A due checkpoint as the evaluation reads it (plain values: no model instance per row), and its last outcome."""

    id: int
    partner_id: int
    spec: CheckpointSpec
    status: str
    actual: Decimal | None
    actual_trend: str
    explanation: str
    unevaluable_reason: str
    missed_on: date | None

    @property
    def key(self) -> tuple[int, str, date, int | None]:
        return (self.partner_id, self.spec.period, self.spec.due_period_start, self.spec.metric_id)

    @property
    def period(self) -> str:
        return self.spec.period

    @property
    def due_period_start(self) -> date:
        return self.spec.due_period_start


DUE_COLUMNS = (
    "id",
    "partner_id",
    "measure",
    "comparator",
    "target",
    "period",
    "due_period_start",
    "metric_id",
    "metric__name",
    "metric__unit",
    *EVALUATED_FIELDS,
)


def due_checkpoints(
    *,
    tenant: Tenant,
    today: date,
    partner_ids: Iterable[int] | None = None,
    checkpoint_ids: Iterable[int] | None = None,
) -> list[DueCheckpoint]:
    """The active plans' checkpoints (not waived) whose period is complete on ``today``: one query."""
    first_open = month_start(month_number(today))
    qs = (
        Checkpoint.objects.for_tenant(tenant)
        .filter(plan__status=Plan.Status.ACTIVE, due_period_start__lt=first_open)
        .exclude(status=Checkpoint.Status.WAIVED)
    )
    if partner_ids is not None:
        qs = qs.filter(partner_id__in=list(partner_ids))
    if checkpoint_ids is not None:
        qs = qs.filter(pk__in=list(checkpoint_ids))
    due = []
    for row in qs.order_by("id").values_list(*DUE_COLUMNS):
        (pk, partner_id, measure, comparator, target, period, start, metric_id, name, unit, *last) = row
        if not is_due(period, start, today):
            continue
        spec = CheckpointSpec(
            measure=measure,
            comparator=comparator,
            target=target,
            period=period,
            due_period_start=start,
            metric_id=metric_id,
            metric_name=name or "",
            unit=unit or "",
            currency=tenant.currency,
        )
        due.append(DueCheckpoint(pk, partner_id, spec, *last))
    return due


def checkpoints_evaluate(
    *,
    tenant: Tenant,
    partner_ids: Iterable[int] | None = None,
    checkpoint_ids: Iterable[int] | None = None,
    today: date | None = None,
) -> EvaluationRun:
    """Check every due checkpoint (of ``partner_ids``, or ``checkpoint_ids``, or all) against its snapshot and write
    the outcomes that changed, with their audit entries (actor: the system)."""
    today = today or timezone.localdate()
    with tenant_context(tenant):
        checkpoints = due_checkpoints(
            tenant=tenant, today=today, partner_ids=partner_ids, checkpoint_ids=checkpoint_ids
        )
        if not checkpoints:
            return EvaluationRun()
        figures = snapshot_checks(tenant=tenant, keys=[c.key for c in checkpoints])
        now = timezone.now()
        changed: list[tuple[Checkpoint, dict[str, list[Any]]]] = []
        by_status: dict[str, int] = {}
        for checkpoint in checkpoints:
            found = figures.get(checkpoint.key)
            outcome = evaluate(
                checkpoint.spec,
                SnapshotFigures(
                    months_covered=found.months_covered,
                    score=found.score,
                    trend=found.trend,
                    dq_flag=found.dq_flag,
                    dq_reasons=found.dq_reasons,
                    item=found.item,
                )
                if found is not None
                else None,
                today,
            )
            by_status[outcome.status] = by_status.get(outcome.status, 0) + 1
            diff = _apply(checkpoint, outcome, today)
            if diff:
                row = Checkpoint(pk=checkpoint.id, tenant=tenant, evaluated_at=now, updated_at=now)
                for name in EVALUATED_FIELDS:
                    setattr(row, name, getattr(checkpoint, name))
                changed.append((row, diff))
        if changed:
            Checkpoint.objects.for_tenant(tenant).bulk_update(
                [c for c, _ in changed], [*EVALUATED_FIELDS, "evaluated_at", "updated_at"], batch_size=1000
            )
            _audit(tenant, changed, now)
    return EvaluationRun(checked=len(checkpoints), changed=len(changed), by_status=by_status)


def _apply(checkpoint: DueCheckpoint, outcome: Evaluation, today: date) -> dict[str, list[Any]]:
    """Set the outcome on ``checkpoint``; return what changed ({field: [before, after]}, empty when nothing did)."""
    missed_on = checkpoint.missed_on
    if outcome.status == MISSED:
        missed_on = missed_on or today
    elif outcome.status == Checkpoint.Status.MET:
        missed_on = None  # met stops the ladder; missed again later starts a new clock
    new = {
        "status": outcome.status,
        "actual": outcome.actual,
        "actual_trend": outcome.actual_trend,
        "explanation": outcome.explanation[:500],
        "unevaluable_reason": outcome.reason,
        "missed_on": missed_on,
    }
    diff: dict[str, list[Any]] = {}
    for name, value in new.items():
        before = getattr(checkpoint, name)
        if before != value:
            diff[name] = [None if before is None else str(before), None if value is None else str(value)]
            setattr(checkpoint, name, value)
    return diff


def _audit(tenant: Tenant, changed: list[tuple[Checkpoint, dict[str, list[Any]]]], now: Any) -> None:
    """Audit entries for the outcomes written (``bulk_update`` sends no signals), in auditlog's own shape."""
    content_type = ContentType.objects.get_for_model(Checkpoint)
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                tenant=tenant,
                content_type=content_type,
                object_pk=str(c.pk),
                object_id=c.pk,
                object_repr=f"Checkpoint {c.pk}",
                action=LogEntry.Action.UPDATE,
                changes=diff,
                changes_text=SYSTEM_REASON,
                timestamp=now,
            )
            for c, diff in changed
        ],
        batch_size=1000,
    )


@transaction.atomic
def remediation_evaluate(
    *, tenant: Tenant, partner_ids: Iterable[int] | None = None, today: date | None = None
) -> dict[str, Any]:
    """After a refresh (of ``partner_ids``, or every partner): check the due checkpoints, then run the triggers.
    Serialised per tenant by an advisory lock; idempotent (a second run writes nothing, drafts nothing)."""
    from remediation.services.triggers import plans_draft_from_triggers

    today = today or timezone.localdate()
    ids = None if partner_ids is None else sorted({int(p) for p in partner_ids})
    with tenant_context(tenant):
        tenant_xact_lock(LOCK_REMEDIATION, tenant)
        run = checkpoints_evaluate(tenant=tenant, partner_ids=ids, today=today)
        drafted = plans_draft_from_triggers(tenant=tenant, partner_ids=ids, today=today)
    return {"evaluation": run.as_dict(), "drafted": [p.pk for p in drafted]}
