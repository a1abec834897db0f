"""Writes of a plan's actions and progress updates, from our side and from the partner's (the portal).

A partner user updates only the shared actions their company owns (status, and a note that becomes a shared
progress update), and posts shared updates on their company's active plan; anything else is a NotFoundError, as if
it did not exist. Each update carries the plan's figures from the latest snapshots, as they stood when it was posted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from auditlog.context import set_actor
from django.db import transaction
from django.utils import timezone

from partnerhub.core.errors import NotFoundError
from partnerhub.core.models import Membership, Role, Tenant
from partnerhub.core.rules import can, ensure_can
from remediation.errors import PlanStateError, RemediationInputError
from remediation.models import Plan, PlanAction, ProgressUpdate
from remediation.selectors.updates import plan_latest_figures
from remediation.services.plans import writable_plan
from remediation.services.references import (
    INTERNAL_ROLES,
    clean_text,
    ensure_in_program,
    ensure_member,
    ensure_partner_user,
)

UNSET = object()
# A partner moves its own actions along; dropping one is a decision for the plan's owner.
PARTNER_STATUSES = (PlanAction.Status.OPEN, PlanAction.Status.IN_PROGRESS, PlanAction.Status.DONE)


@dataclass
class ActionInput:
    title: str
    due_date: date
    kind: str = PlanAction.Kind.QUICK_WIN
    side: str = PlanAction.Side.OURS
    owner: Membership | None = None
    resources: str = ""
    success_criteria: str = ""
    contingency: str = ""
    shared: bool = True


def _check_owner(tenant: Tenant, plan: Plan, side: str, owner: Membership | None) -> None:
    if side == PlanAction.Side.PARTNER:
        ensure_partner_user(tenant, "owner", owner, plan.partner)
    else:
        ensure_member(tenant, "owner", owner, roles=INTERNAL_ROLES, what="an action owner on our side")


@transaction.atomic
def plan_action_add(
    *, tenant: Tenant, actor: Membership, plan: Plan, data: ActionInput, today: date | None = None
) -> PlanAction:
    """Add an action to an open plan: owned on our side (an internal member) or the partner's (one of its users, or
    nobody named yet); a partner-owned action is shared (the partner updates it in the portal)."""
    locked = writable_plan(tenant, actor, plan)
    if data.kind not in PlanAction.Kind.values:
        raise RemediationInputError("kind", "Choose quick win or mid-term.")
    if data.side not in PlanAction.Side.values:
        raise RemediationInputError("side", "Say whose action it is: ours or the partner's.")
    _check_owner(tenant, locked, data.side, data.owner)
    if data.due_date < (today or timezone.localdate()):
        raise RemediationInputError("due_date", "An action is due today or later.")
    action = PlanAction(
        tenant=tenant,
        plan=locked,
        partner=locked.partner,
        title=clean_text("title", data.title, limit=200, required=True, label="What is to be done"),
        kind=data.kind,
        side=data.side,
        owner=data.owner,
        due_date=data.due_date,
        resources=clean_text("resources", data.resources, limit=5000),
        success_criteria=clean_text("success_criteria", data.success_criteria, limit=5000),
        contingency=clean_text("contingency", data.contingency, limit=5000),
        shared=True if data.side == PlanAction.Side.PARTNER else data.shared,
        created_by=actor,
    )
    with set_actor(actor.user):
        action.save()
    return action


@transaction.atomic
def plan_action_update(
    *,
    tenant: Tenant,
    actor: Membership,
    action: PlanAction,
    status: str | None = None,
    due_date: date | None = None,
    owner: Membership | object | None = UNSET,
    shared: bool | None = None,
    today: date | None = None,
) -> PlanAction:
    """Update an action from our side: status (done sets ``completed_at`` and stops the ladder), due date (not in
    the past), owner, shared. Refused once the plan is closed or cancelled."""
    ensure_in_program(tenant, "action", action)
    ensure_can(actor, "remediation.manage", action)
    plan = _open(tenant, action)
    locked = PlanAction.objects.for_tenant(tenant).select_for_update(of=("self",)).get(pk=action.pk)
    fields: list[str] = []
    if status is not None and status != locked.status:
        if status not in PlanAction.Status.values:
            raise RemediationInputError("status", "Choose open, in progress, done or dropped.")
        locked.status = status
        locked.completed_at = timezone.now() if status == PlanAction.Status.DONE else None
        fields += ["status", "completed_at"]
    if due_date is not None and due_date != locked.due_date:
        if due_date < (today or timezone.localdate()):
            raise RemediationInputError("due_date", "A new due date is today or later.")
        locked.due_date = due_date
        fields.append("due_date")
    if owner is not UNSET:
        member = owner if isinstance(owner, Membership) else None
        _check_owner(tenant, plan, locked.side, member)
        locked.owner = member
        fields.append("owner")
    if shared is not None and shared != locked.shared:
        if locked.side == PlanAction.Side.PARTNER and not shared:
            raise RemediationInputError("shared", "The partner's own actions are always shared with them.")
        locked.shared = shared
        fields.append("shared")
    if fields:
        with set_actor(actor.user):
            locked.save(update_fields=[*fields, "updated_at"])
    return locked


def _open(tenant: Tenant, action: PlanAction) -> Plan:
    plan = Plan.objects.for_tenant(tenant).select_related("partner").get(pk=action.plan_id)
    if not plan.is_open:
        raise PlanStateError("This plan is no longer open: its actions are the record now.")
    return plan


# --- the partner's side ---


def _partner_action(tenant: Tenant, actor: Membership, action: PlanAction) -> PlanAction:
    """The action, if the partner user may update it; another company's (or an unshared, or ours): not found."""
    ensure_in_program(tenant, "action", action)
    ensure_can(actor, "portal.plan_action")  # internal users: 403
    if not can(actor, "portal.plan_action", action):
        raise NotFoundError("Action not found.")
    plan = Plan.objects.for_tenant(tenant).get(pk=action.plan_id)
    if plan.status != Plan.Status.ACTIVE:
        raise PlanStateError("This plan is not active: its actions can no longer change.")
    return action


@transaction.atomic
def portal_action_update(
    *, tenant: Tenant, actor: Membership, action: PlanAction, status: str, note: str = ""
) -> PlanAction:
    """A partner user moves one of their company's shared actions along (open, in progress, done), with an optional
    note posted as a shared progress update beside the latest figures."""
    _partner_action(tenant, actor, action)
    if status not in PARTNER_STATUSES:
        raise RemediationInputError("status", "Choose open, in progress or done.")
    text = clean_text("note", note, limit=5000)
    locked = PlanAction.objects.for_tenant(tenant).select_for_update(of=("self",)).get(pk=action.pk)
    with set_actor(actor.user):
        if status != locked.status:
            locked.status = status
            locked.completed_at = timezone.now() if status == PlanAction.Status.DONE else None
            locked.save(update_fields=["status", "completed_at", "updated_at"])
        if text:
            _update_create(tenant, actor, locked.plan, text, shared=True, action=locked)
    return locked


def _update_create(
    tenant: Tenant, actor: Membership, plan: Plan, body: str, *, shared: bool, action: PlanAction | None = None
) -> ProgressUpdate:
    return ProgressUpdate.objects.create(
        tenant=tenant,
        plan=plan,
        partner_id=plan.partner_id,
        author=actor,
        side=ProgressUpdate.Side.PARTNER if actor.role == Role.PARTNER else ProgressUpdate.Side.OURS,
        body=body,
        shared=shared,
        action=action,
        figures=plan_latest_figures(tenant=tenant, plan=plan),
    )


@transaction.atomic
def progress_update_add(
    *, tenant: Tenant, actor: Membership, plan: Plan, body: str, shared: bool = False
) -> ProgressUpdate:
    """Post a progress update on a plan: from our side on an open plan (shared or internal), or from the partner's
    on their company's active plan (always shared). The plan's latest figures are kept beside it."""
    ensure_in_program(tenant, "plan", plan)
    text = clean_text("body", body, limit=5000, required=True, label="The update")
    if actor.role == Role.PARTNER:
        ensure_can(actor, "portal.plan")
        if not can(actor, "portal.plan", plan) or plan.status != Plan.Status.ACTIVE:
            raise NotFoundError("Plan not found.")
        locked = Plan.objects.for_tenant(tenant).select_for_update(of=("self",)).get(pk=plan.pk)
        shared = True
    else:
        locked = writable_plan(tenant, actor, plan)
    with set_actor(actor.user):
        return _update_create(tenant, actor, locked, text, shared=shared)
