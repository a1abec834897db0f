"""Reads of plans: the plan list, one plan's page (findings, checkpoints with comments, actions, updates, the ladder's
entries, lessons), the partner's open plan, and the people a plan may name.

Every read is tenant-explicit and names what it joins; a page is a fixed number of queries whatever the number of
plans, checkpoints, actions or updates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When

from partnerhub.core.errors import NotFoundError
from partnerhub.core.models import Membership, Partner, Role, Tenant
from remediation.models import (
    Checkpoint,
    CheckpointComment,
    Escalation,
    Finding,
    Lesson,
    Plan,
    PlanAction,
    ProgressUpdate,
)
from scorecards.selectors.glossary import metric_list
from scorecards.selectors.snapshots import SNAPSHOT_PERIOD_MONTH, latest_snapshots, partner_snapshots

if TYPE_CHECKING:
    from scorecards.models import MetricDefinition, ScorecardSnapshot

OPEN_STATUSES = (Plan.Status.DRAFT, Plan.Status.ACTIVE)
INTERNAL_ROLES = (Role.ADMIN, Role.MANAGER, Role.EXECUTIVE)
# Active plans first, then drafts, then closed and cancelled ones.
OPEN_FIRST = Case(
    When(status=Plan.Status.ACTIVE, then=Value(0)),
    When(status=Plan.Status.DRAFT, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


@dataclass(frozen=True)
class PlanFilters:
    status: str = ""  # a status, or "open" (draft or active)
    owner: int | None = None
    partner: str = ""  # part of the partner's name
    attention: bool = False  # a checkpoint missed


def plan_list(*, tenant: Tenant, filters: PlanFilters | None = None) -> QuerySet[Plan]:
    """Plans matching ``filters``, open ones first then newest; partner, owner and sponsor joined and each plan's
    checkpoints counted by status (one query for a page of rows)."""
    f = filters or PlanFilters()
    qs = (
        Plan.objects.for_tenant(tenant)
        .select_related("partner", "owner__user", "sponsor__user")
        .annotate(
            checkpoint_count=Count("checkpoints"),
            met_count=Count("checkpoints", filter=Q(checkpoints__status=Checkpoint.Status.MET)),
            missed_count=Count("checkpoints", filter=Q(checkpoints__status=Checkpoint.Status.MISSED)),
            unevaluable_count=Count("checkpoints", filter=Q(checkpoints__status=Checkpoint.Status.NOT_EVALUABLE)),
        )
    )
    if f.status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif f.status:
        qs = qs.filter(status=f.status)
    if f.owner is not None:
        qs = qs.filter(owner_id=f.owner)
    if f.partner:
        qs = qs.filter(partner__name__icontains=f.partner)
    if f.attention:
        qs = qs.filter(checkpoints__status=Checkpoint.Status.MISSED).distinct()
    return qs.order_by(OPEN_FIRST, "target_end_date", "-id")


def plan_get(*, tenant: Tenant, plan_id: int) -> Plan:
    """The plan with partner (and its owner and sponsor), owner, sponsor, partner contact; NotFoundError for a
    missing id and another tenant's alike."""
    plan = (
        Plan.objects.for_tenant(tenant)
        .select_related(
            "partner",
            "partner__owner__user",
            "owner__user",
            "sponsor__user",
            "partner_contact__user",
            "closed_by__user",
        )
        .filter(pk=plan_id)
        .first()
    )
    if plan is None:
        raise NotFoundError("Plan not found.")
    return plan


def open_plan_of_partner(*, tenant: Tenant, partner_id: int) -> Plan | None:
    """The partner's open plan (draft or active; at most one), with owner and sponsor, or None."""
    return (
        Plan.objects.for_tenant(tenant)
        .select_related("owner__user", "sponsor__user")
        .filter(partner_id=partner_id, status__in=OPEN_STATUSES)
        .first()
    )


def plan_checkpoints(*, tenant: Tenant, plan: Plan) -> list[Checkpoint]:
    """The plan's checkpoints, soonest due first, with their metric (one query)."""
    return list(Checkpoint.objects.for_tenant(tenant).filter(plan=plan).select_related("metric"))


def checkpoint_get(*, tenant: Tenant, checkpoint_id: int) -> Checkpoint:
    """The checkpoint with its plan (and the plan's partner) and metric; NotFoundError when missing or foreign."""
    checkpoint = (
        Checkpoint.objects.for_tenant(tenant)
        .select_related("plan", "plan__partner", "partner", "metric")
        .filter(pk=checkpoint_id)
        .first()
    )
    if checkpoint is None:
        raise NotFoundError("Checkpoint not found.")
    return checkpoint


def plan_action_get(*, tenant: Tenant, action_id: int) -> PlanAction:
    """The plan action with its plan (and partner) and owner; NotFoundError when missing or foreign."""
    action = (
        PlanAction.objects.for_tenant(tenant)
        .select_related("plan", "plan__partner", "partner", "owner__user")
        .filter(pk=action_id)
        .first()
    )
    if action is None:
        raise NotFoundError("Action not found.")
    return action


def progress_update_get(*, tenant: Tenant, update_id: int) -> ProgressUpdate:
    update = (
        ProgressUpdate.objects.for_tenant(tenant).select_related("plan", "author__user").filter(pk=update_id).first()
    )
    if update is None:
        raise NotFoundError("Update not found.")
    return update


@dataclass
class PlanPage:
    plan: Plan
    findings: list[Finding]
    checkpoints: list[Checkpoint]
    actions: list[PlanAction]
    updates: list[ProgressUpdate]
    escalations: list[Escalation]
    lessons: list[Lesson]
    series: dict[tuple[str, str, int | None], list[tuple[date, float | None]]] = field(default_factory=dict)


def plan_page(*, tenant: Tenant, plan: Plan) -> PlanPage:
    """Everything a plan's page shows, in a fixed number of queries: findings, checkpoints (metric, comments and
    their authors), actions (owners), updates (authors), escalations, lessons, and each checkpoint measure's values
    over time from the partner's snapshots (one query per period kind the checkpoints use)."""
    comments = CheckpointComment.objects.for_tenant(tenant).select_related("author__user")
    checkpoints = list(
        Checkpoint.objects.for_tenant(tenant)
        .filter(plan=plan)
        .select_related("metric", "waived_by__user")
        .prefetch_related(Prefetch("comments", queryset=comments))
    )
    page = PlanPage(
        plan=plan,
        findings=list(
            Finding.objects.for_tenant(tenant).filter(plan=plan).select_related("owner__user", "review").order_by("id")
        ),
        checkpoints=checkpoints,
        actions=list(PlanAction.objects.for_tenant(tenant).filter(plan=plan).select_related("owner__user")),
        updates=list(
            ProgressUpdate.objects.for_tenant(tenant).filter(plan=plan).select_related("author__user", "action")
        ),
        escalations=list(Escalation.objects.for_tenant(tenant).filter(plan=plan)),
        lessons=list(Lesson.objects.for_tenant(tenant).filter(plan=plan).select_related("author__user")),
    )
    page.series = checkpoint_series(tenant=tenant, partner=plan.partner, checkpoints=checkpoints)
    return page


def checkpoint_series(
    *, tenant: Tenant, partner: Partner, checkpoints: list[Checkpoint]
) -> dict[tuple[str, str, int | None], list[tuple[date, float | None]]]:
    """(period, measure, metric id) -> [(period start, value)] from the partner's stored snapshots: a metric's actual
    (normalised when its scorecard normalises it), or the score. One query per period kind used."""
    wanted = {(c.period, c.measure, c.metric_id) for c in checkpoints if c.measure != Checkpoint.Measure.TREND}
    series: dict[tuple[str, str, int | None], list[tuple[date, float | None]]] = {key: [] for key in wanted}
    for period in sorted({key[0] for key in wanted}):
        for snapshot in partner_snapshots(tenant=tenant, partner=partner, period=period):
            if snapshot.is_to_date:
                continue
            for key in wanted:
                if key[0] != period:
                    continue
                series[key].append((snapshot.period_start, _value(snapshot, key[1], key[2])))
    return series


def _value(snapshot: ScorecardSnapshot, measure: str, metric_id: int | None) -> float | None:
    if measure == Checkpoint.Measure.SCORE:
        return float(snapshot.score) if snapshot.score is not None else None
    for item in snapshot.items:
        if int(item["metric_id"]) == metric_id:
            value = item.get("normalised") if item.get("normalised") is not None else item.get("actual")
            return None if item.get("missing") or value is None else float(value)
    return None


# --- the people and metrics a plan may name ---


def plan_owner_choices(*, tenant: Tenant) -> QuerySet[Membership]:
    """Members who may be accountable for a plan (managers and admins, active)."""
    return (
        Membership.objects.for_tenant(tenant)
        .filter(is_active=True, role__in=(Role.ADMIN, Role.MANAGER))
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__email")
    )


def plan_sponsor_choices(*, tenant: Tenant) -> QuerySet[Membership]:
    """Members who may sponsor a plan (every active internal member)."""
    return (
        Membership.objects.for_tenant(tenant)
        .filter(is_active=True, role__in=INTERNAL_ROLES)
        .select_related("user")
        .order_by("role", "user__first_name", "user__last_name", "user__email")
    )


def partner_user_choices(*, tenant: Tenant, partner: Partner | int) -> QuerySet[Membership]:
    """The partner's own active users (a plan's contact, a partner-side action's owner)."""
    partner_id = partner if isinstance(partner, int) else partner.pk
    return (
        Membership.objects.for_tenant(tenant)
        .filter(is_active=True, role=Role.PARTNER, partner_id=partner_id)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__email")
    )


def scorecard_metrics_of_partner(*, tenant: Tenant, partner: Partner, today: date) -> list[MetricDefinition]:
    """The metrics on the partner's scorecard (its latest monthly snapshot's), by name: what a checkpoint may
    target. Empty before the partner has a scorecard. Two queries."""
    latest = latest_snapshots(
        tenant=tenant, period=SNAPSHOT_PERIOD_MONTH, partner_ids=[partner.pk], on_or_before=today
    ).first()
    if latest is None:
        return []
    ids = {int(item["metric_id"]) for item in latest.items}
    return sorted(metric_list(tenant=tenant).filter(pk__in=ids), key=lambda m: m.name)
