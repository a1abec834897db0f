"""The partner's side of remediation: their company's plan, and only its shared parts.

A partner user sees their own company's active plan (or, when none is active, its latest closed one): its title,
goal, dates, who owns it on our side, its checkpoints and their status, the shared actions, and the progress updates
marked shared. Never its findings (the internal diagnosis), internal notes, comments, waive reasons, escalations,
unshared actions or internal updates; never another company's plan; never a draft.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, IntegerField, Value, When

from partnerhub.core.errors import NotFoundError
from partnerhub.core.models import Membership, Tenant
from remediation.models import Checkpoint, Plan, PlanAction, ProgressUpdate


@dataclass
class PortalPlan:
    plan: Plan
    checkpoints: list[Checkpoint]
    actions: list[PlanAction]  # shared ones only
    updates: list[ProgressUpdate]  # shared ones only


def _partner_id(actor: Membership) -> int:
    if actor.partner_id is None:  # the database forbids it for partner roles
        raise NotFoundError("Plan not found.")
    return actor.partner_id


def portal_plan_current(*, tenant: Tenant, actor: Membership) -> Plan | None:
    """The company's active plan, else its latest closed one, else None (drafts and cancelled plans are not shown)."""
    return (
        Plan.objects.for_tenant(tenant)
        .filter(partner_id=_partner_id(actor), status__in=(Plan.Status.ACTIVE, Plan.Status.CLOSED))
        .select_related("owner__user", "partner_contact__user", "partner")
        .order_by(
            Case(When(status=Plan.Status.ACTIVE, then=Value(0)), default=Value(1), output_field=IntegerField()),
            "-closed_at",
            "-id",
        )
        .first()
    )


def portal_plan(*, tenant: Tenant, actor: Membership, plan: Plan) -> PortalPlan:
    """The shared parts of ``plan`` (the caller found it with ``portal_plan_current``). Three queries."""
    if plan.partner_id != _partner_id(actor):
        raise NotFoundError("Plan not found.")
    return PortalPlan(
        plan=plan,
        checkpoints=list(Checkpoint.objects.for_tenant(tenant).filter(plan=plan).select_related("metric")),
        actions=list(
            PlanAction.objects.for_tenant(tenant).filter(plan=plan, shared=True).select_related("owner__user")
        ),
        updates=list(
            ProgressUpdate.objects.for_tenant(tenant).filter(plan=plan, shared=True).select_related("author__user")
        ),
    )


def portal_plan_action_get(*, tenant: Tenant, actor: Membership, action_id: int) -> PlanAction:
    """A shared action of the company's own plan; anything else (another company's, unshared): NotFoundError."""
    action = (
        PlanAction.objects.for_tenant(tenant)
        .filter(pk=action_id, partner_id=_partner_id(actor), shared=True)
        .select_related("plan", "owner__user")
        .first()
    )
    if action is None or action.plan.status not in (Plan.Status.ACTIVE, Plan.Status.CLOSED):
        raise NotFoundError("Action not found.")
    return action
