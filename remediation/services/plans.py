"""Writes of a plan's life: created (by hand, from findings, or drafted by a trigger), edited while open, activated,
then closed with an outcome and lessons learned, or cancelled with a reason.

States: draft -> active -> closed (succeeded, partly succeeded, did not succeed); draft or active -> cancelled.
A partner has at most one open plan (draft or active; a database constraint keeps it so). Closing needs every
checkpoint settled (met, missed or waived), or a sentence saying why it closes with some still open. Every write is
permission-checked (``remediation.manage``: an admin, the plan's owner, or the partner's owner manager) and audited.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from auditlog.context import set_actor
from django.db import IntegrityError, transaction
from django.utils import timezone

from partnerhub.core.models import Membership, Partner, Role, Tenant
from partnerhub.core.rules import ensure_can
from remediation.errors import PlanAlreadyOpenError, PlanStateError, RemediationInputError
from remediation.models import Checkpoint, Finding, Lesson, Plan
from remediation.selectors.settings import category_choices
from remediation.services.references import (
    INTERNAL_ROLES,
    clean_text,
    ensure_in_program,
    ensure_member,
    ensure_partner_user,
)

Status = Plan.Status
OWNER_ROLES = (Role.ADMIN, Role.MANAGER)
ALLOWED_MOVES: dict[str, tuple[str, ...]] = {
    Status.DRAFT: (Status.ACTIVE, Status.CANCELLED),
    Status.ACTIVE: (Status.CLOSED, Status.CANCELLED),
    Status.CLOSED: (),
    Status.CANCELLED: (),
}


@dataclass
class PlanInput:
    title: str
    owner: Membership | None
    start_date: date
    target_end_date: date
    sponsor: Membership | None = None
    partner_contact: Membership | None = None
    partner_contact_name: str = ""
    goal: str = ""
    internal_notes: str = ""


def _checked(tenant: Tenant, partner: Partner, data: PlanInput) -> dict[str, object]:
    ensure_member(tenant, "owner", data.owner, roles=OWNER_ROLES, what="accountable for a plan (a manager or admin)")
    ensure_member(tenant, "sponsor", data.sponsor, roles=INTERNAL_ROLES, what="a plan's executive sponsor")
    ensure_partner_user(tenant, "partner_contact", data.partner_contact, partner)
    if data.owner is None:
        raise RemediationInputError("owner", "Name the manager accountable for the plan.")
    if data.target_end_date < data.start_date:
        raise RemediationInputError(
            "target_end_date",
            f"The target end date ({data.target_end_date:%d %b %Y}) is before the plan's start "
            f"({data.start_date:%d %b %Y}).",
        )
    return {
        "title": clean_text("title", data.title, limit=200, required=True, label="A title"),
        "goal": clean_text("goal", data.goal, limit=5000),
        "internal_notes": clean_text("internal_notes", data.internal_notes, limit=20_000),
        "owner": data.owner,
        "sponsor": data.sponsor,
        "partner_contact": data.partner_contact,
        "partner_contact_name": clean_text("partner_contact_name", data.partner_contact_name, limit=200),
        "start_date": data.start_date,
        "target_end_date": data.target_end_date,
    }


def _ensure_no_open_plan(tenant: Tenant, partner: Partner) -> None:
    existing = Plan.objects.for_tenant(tenant).filter(partner=partner, status__in=(Status.DRAFT, Status.ACTIVE))
    if (open_plan := existing.first()) is not None:
        raise PlanAlreadyOpenError(
            f"{partner.name} already has an open plan ({open_plan.title}): add to it, or close it first.",
            extra={"plan": open_plan.pk},
        )


def _findings_for(tenant: Tenant, partner: Partner, findings: Iterable[Finding]) -> list[Finding]:
    chosen = list(findings)
    for finding in chosen:
        ensure_in_program(tenant, "findings", finding)
        if finding.partner_id != partner.pk:
            raise RemediationInputError("findings", "A plan addresses findings of its own partner only.")
        if finding.plan_id is not None:
            raise RemediationInputError("findings", f"“{finding.title}” is already addressed by another plan.")
    return chosen


@transaction.atomic
def plan_create(
    *,
    tenant: Tenant,
    actor: Membership,
    partner: Partner,
    data: PlanInput,
    findings: Sequence[Finding] = (),
    trigger: str = "",
) -> Plan:
    """Start a draft plan for ``partner`` addressing ``findings`` (of that partner, not yet in a plan).

    Raises PlanAlreadyOpenError when the partner has an open plan; RemediationInputError (400, naming the field) for
    a target end before the start, an owner who is not a manager or admin, a contact who is not the partner's own.
    """
    ensure_in_program(tenant, "partner", partner)
    ensure_can(actor, "remediation.manage", Plan(tenant=tenant, partner=partner, owner=data.owner))
    values = _checked(tenant, partner, data)
    chosen = _findings_for(tenant, partner, findings)
    _ensure_no_open_plan(tenant, partner)
    plan = Plan(tenant=tenant, partner=partner, created_by=actor, trigger=trigger, **values)
    try:
        with transaction.atomic(), set_actor(actor.user):
            plan.save()
    except IntegrityError as exc:  # another request opened one between the check and the insert
        raise PlanAlreadyOpenError(f"{partner.name} already has an open plan.") from exc
    _attach(tenant, actor, plan, chosen)
    return plan


def _attach(tenant: Tenant, actor: Membership, plan: Plan, findings: list[Finding]) -> None:
    with set_actor(actor.user):
        for finding in findings:
            finding.plan = plan
            finding.save(update_fields=["plan", "updated_at"])


def _lock(tenant: Tenant, plan: Plan) -> Plan:
    # Row lock on the plan alone: two moves (or a close and a new checkpoint) never interleave.
    return (
        Plan.objects.for_tenant(tenant)
        .select_for_update(of=("self",))
        .select_related("partner", "partner__owner")
        .get(pk=plan.pk)
    )


def writable_plan(tenant: Tenant, actor: Membership, plan: Plan) -> Plan:
    """Check tenant, permission and state (open) for a write on the plan; return it locked."""
    ensure_in_program(tenant, "plan", plan)
    ensure_can(actor, "remediation.manage", plan)
    locked = _lock(tenant, plan)
    if not locked.is_open:
        raise PlanStateError(
            f"This plan is {locked.get_status_display().lower()}: it is the record now, and nothing more can change.",
            extra={"status": locked.status},
        )
    return locked


@transaction.atomic
def plan_update(*, tenant: Tenant, actor: Membership, plan: Plan, data: PlanInput) -> Plan:
    """Edit an open plan's title, goal, notes, people and dates (the same rules as at creation)."""
    locked = writable_plan(tenant, actor, plan)
    values = _checked(tenant, locked.partner, data)
    for name, value in values.items():
        setattr(locked, name, value)
    with set_actor(actor.user):
        locked.save(update_fields=[*values, "updated_at"])
    return locked


@transaction.atomic
def plan_findings_add(*, tenant: Tenant, actor: Membership, plan: Plan, findings: Sequence[Finding]) -> Plan:
    """Let an open plan address more of its partner's findings."""
    locked = writable_plan(tenant, actor, plan)
    _attach(tenant, actor, locked, _findings_for(tenant, locked.partner, findings))
    return locked


def _move(tenant: Tenant, actor: Membership, plan: Plan, to: str) -> Plan:
    ensure_in_program(tenant, "plan", plan)
    ensure_can(actor, "remediation.manage", plan)
    locked = _lock(tenant, plan)
    if to not in ALLOWED_MOVES[locked.status]:
        allowed = ", ".join(str(Status(m).label).lower() for m in ALLOWED_MOVES[locked.status]) or "nothing"
        raise PlanStateError(
            f"A plan that is {locked.get_status_display().lower()} cannot become {str(Status(to).label).lower()} "
            f"(it can become: {allowed}).",
            code="invalid_transition",
            extra={"status": locked.status},
        )
    return locked


@transaction.atomic
def plan_activate(*, tenant: Tenant, actor: Membership, plan: Plan) -> Plan:
    """Agree a draft plan: it becomes active (shared with the partner in the portal, checked after every refresh).
    Needs at least one checkpoint: a plan nobody can check is a wish."""
    locked = _move(tenant, actor, plan, Status.ACTIVE)
    if not Checkpoint.objects.for_tenant(tenant).filter(plan=locked).exists():
        raise RemediationInputError(
            "checkpoints", "Add at least one checkpoint before activating: it is how the plan is checked."
        )
    locked.status, locked.activated_at = Status.ACTIVE, timezone.now()
    with set_actor(actor.user):
        locked.save(update_fields=["status", "activated_at", "updated_at"])
    return locked


@transaction.atomic
def plan_cancel(*, tenant: Tenant, actor: Membership, plan: Plan, reason: str) -> Plan:
    """Cancel an open plan; the reason is required and kept."""
    locked = _move(tenant, actor, plan, Status.CANCELLED)
    locked.cancel_reason = clean_text("reason", reason, limit=300, required=True, label="The reason for cancelling")
    locked.status, locked.closed_at, locked.closed_by = Status.CANCELLED, timezone.now(), actor
    with set_actor(actor.user):
        locked.save(update_fields=["status", "cancel_reason", "closed_at", "closed_by", "updated_at"])
    return locked


@dataclass(frozen=True)
class LessonInput:
    category: str
    text: str


@transaction.atomic
def plan_close(
    *,
    tenant: Tenant,
    actor: Membership,
    plan: Plan,
    outcome: str,
    what_worked: str = "",
    what_did_not: str = "",
    lessons: Sequence[LessonInput] = (),
    open_checkpoints_note: str = "",
) -> Plan:
    """Close an active plan with its outcome, what worked and what did not, and lessons learned (each tagged by
    cause category).

    Every checkpoint must be settled (met, missed or waived); closing with some not yet evaluated or not yet due
    needs ``open_checkpoints_note`` saying why. Nothing is written on any refusal.
    """
    locked = _move(tenant, actor, plan, Status.CLOSED)
    if outcome not in (Plan.Outcome.SUCCEEDED, Plan.Outcome.PARTLY, Plan.Outcome.NOT_SUCCEEDED):
        raise RemediationInputError("outcome", "Choose the outcome: succeeded, partly succeeded or did not succeed.")
    unsettled = [
        c
        for c in Checkpoint.objects.for_tenant(tenant).filter(plan=locked).select_related("metric")
        if not c.is_settled
    ]
    note = clean_text("open_checkpoints_note", open_checkpoints_note, limit=300)
    if unsettled and not note:
        raise RemediationInputError(
            "open_checkpoints_note",
            f"{len(unsettled)} checkpoint{'s are' if len(unsettled) != 1 else ' is'} not settled yet (not due or not "
            "evaluable): say why the plan closes anyway, or waive them first.",
            code="open_checkpoints",
        )
    categories = {key for key, _ in category_choices(tenant=tenant)}
    kept: list[LessonInput] = []
    for lesson in lessons:
        text = clean_text("lessons", lesson.text, limit=5000)
        if not text:
            continue
        if lesson.category not in categories:
            raise RemediationInputError("lessons", "Tag each lesson with a cause category.")
        kept.append(LessonInput(lesson.category, text))
    locked.outcome = outcome
    locked.what_worked = clean_text("what_worked", what_worked, limit=5000)
    locked.what_did_not = clean_text("what_did_not", what_did_not, limit=5000)
    locked.open_checkpoints_note = note
    locked.status, locked.closed_at, locked.closed_by = Status.CLOSED, timezone.now(), actor
    with set_actor(actor.user):
        locked.save(
            update_fields=[
                "status",
                "outcome",
                "what_worked",
                "what_did_not",
                "open_checkpoints_note",
                "closed_at",
                "closed_by",
                "updated_at",
            ]
        )
        for lesson in kept:
            Lesson.objects.create(
                tenant=tenant,
                plan=locked,
                partner=locked.partner,
                category=lesson.category,
                text=lesson.text,
                outcome=outcome,
                author=actor,
            )
    return locked
