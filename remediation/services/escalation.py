"""The escalation ladder, climbed once a day: a missed checkpoint, or an action overdue past its grace period, goes
from the plan's owner to its sponsor to the executive, one rung at a time on the program's schedule
(``domain.ladder``), each with a notification and an entry on the plan.

Each rung is climbed once: the entry is inserted with ``ON CONFLICT DO NOTHING`` against a unique (subject, rung)
constraint, and only the entries this run actually inserted are notified (notifications carry a dedupe key too).
Two workers running the ladder at once, or a task retried after a crash, tell nobody twice. A met or waived
checkpoint, a done or dropped action, or a plan no longer active stops the climb: they are not read.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from partnerhub.core.models import AuditEntry, Membership, Role, Tenant
from partnerhub.core.services.notifications import NotificationItem, notify_many
from partnerhub.core.tenancy.context import tenant_context
from partnerhub.core.tenancy.sql import LOCK_REMEDIATION, ensure_active_tenant, tenant_xact_lock
from remediation.domain.evaluation import label
from remediation.domain.ladder import EXECUTIVE, OWNER, RUNG_NAMES, SPONSOR, Ladder, next_rung
from remediation.models import Checkpoint, Escalation, Plan, PlanAction, RemediationSettings
from remediation.selectors.settings import ladder_of, remediation_settings_get
from remediation.services.evaluation import spec_of

LADDER_REASON = "Escalated by the ladder."


@dataclass(frozen=True)
class ClimbRun:
    climbed: int = 0  # escalation entries written by this run
    notified: int = 0
    by_rung: dict[str, int] | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Step:
    plan: Plan
    rung: int
    reason: str
    recipients: list[Membership]
    checkpoint_id: int | None = None
    action_id: int | None = None
    partner_user: Membership | None = None  # a partner-owned action's owner, told at the first rung


@transaction.atomic
def escalations_climb(*, tenant: Tenant, today: date | None = None, email: bool = True) -> ClimbRun:
    """Climb one rung, where due, for every missed checkpoint and overdue action of the active plans (``email``
    False: the notifications are in-app only, their e-mails left owed; the demo's history)."""
    today = today or timezone.localdate()
    with tenant_context(tenant):
        tenant_xact_lock(LOCK_REMEDIATION, tenant)
        settings = remediation_settings_get(tenant=tenant)
        ladder = ladder_of(settings)
        steps = _steps(tenant, settings, ladder, today)
        if not steps:
            return ClimbRun(by_rung={})
        inserted = _insert(tenant, steps, today)
        done = [s for s in steps if (s.checkpoint_id, s.action_id, s.rung) in inserted]
        notified = _notify(tenant, done, email=email)
    by_rung: dict[str, int] = {}
    for step in done:
        by_rung[RUNG_NAMES[step.rung]] = by_rung.get(RUNG_NAMES[step.rung], 0) + 1
    return ClimbRun(climbed=len(done), notified=notified, by_rung=by_rung)


def _steps(tenant: Tenant, settings: RemediationSettings, ladder: Ladder, today: date) -> list[_Step]:
    plan_joins = ("plan", "plan__partner", "plan__owner__user", "plan__sponsor__user", "plan__partner__owner__user")
    missed = list(
        Checkpoint.objects.for_tenant(tenant)
        .filter(plan__status=Plan.Status.ACTIVE, status=Checkpoint.Status.MISSED, missed_on__isnull=False)
        .select_related(*plan_joins, "metric")
    )
    overdue = list(
        PlanAction.objects.for_tenant(tenant)
        .filter(
            plan__status=Plan.Status.ACTIVE,
            status__in=(PlanAction.Status.OPEN, PlanAction.Status.IN_PROGRESS),
            due_date__lt=today,
        )
        .select_related(*plan_joins, "owner__user")
    )
    if not missed and not overdue:
        return []
    climbed_checkpoints = dict(
        Escalation.objects.for_tenant(tenant)
        .filter(checkpoint_id__in=[c.pk for c in missed])
        .values("checkpoint_id")
        .annotate(top=Max("rung"))
        .values_list("checkpoint_id", "top")
    )
    climbed_actions = dict(
        Escalation.objects.for_tenant(tenant)
        .filter(action_id__in=[a.pk for a in overdue])
        .values("action_id")
        .annotate(top=Max("rung"))
        .values_list("action_id", "top")
    )
    executives: list[Membership] | None = None

    def people(plan: Plan, rung: int) -> list[Membership]:
        nonlocal executives
        if rung == OWNER:
            owner = plan.owner or plan.partner.owner
            return [owner] if owner is not None else _admins(tenant)
        if rung == SPONSOR:
            return [plan.sponsor] if plan.sponsor is not None else _admins(tenant)
        if executives is None:
            executives = _executives(tenant, settings)
        return executives

    steps: list[_Step] = []
    for checkpoint in missed:
        assert checkpoint.missed_on is not None  # filtered above  # noqa: S101
        rung = next_rung(
            ladder, started=checkpoint.missed_on, climbed=climbed_checkpoints.get(checkpoint.pk, 0), today=today
        )
        if rung is None:
            continue
        criterion = label(spec_of(checkpoint, tenant.currency))
        steps.append(
            _Step(
                plan=checkpoint.plan,
                rung=rung,
                reason=f"Checkpoint missed: {criterion}. {checkpoint.explanation}"[:500],
                recipients=people(checkpoint.plan, rung),
                checkpoint_id=checkpoint.pk,
            )
        )
    for action in overdue:
        started = ladder.action_clock(action.due_date)
        rung = next_rung(ladder, started=started, climbed=climbed_actions.get(action.pk, 0), today=today)
        if rung is None:
            continue
        steps.append(
            _Step(
                plan=action.plan,
                rung=rung,
                reason=f"Action overdue since {action.due_date:%d %b %Y}: {action.title}"[:500],
                recipients=people(action.plan, rung),
                action_id=action.pk,
                partner_user=action.owner
                if rung == OWNER and action.owner and action.owner.role == Role.PARTNER
                else None,
            )
        )
    return steps


def _admins(tenant: Tenant) -> list[Membership]:
    return list(Membership.objects.for_tenant(tenant).filter(role=Role.ADMIN, is_active=True).select_related("user"))


def _executives(tenant: Tenant, settings: RemediationSettings) -> list[Membership]:
    """The ladder's last rung: the executive the settings name, else every active executive (else the admins)."""
    if settings.executive is not None and settings.executive.is_active:
        return [settings.executive]
    found = list(
        Membership.objects.for_tenant(tenant).filter(role=Role.EXECUTIVE, is_active=True).select_related("user")
    )
    return found or _admins(tenant)


def _insert(tenant: Tenant, steps: list[_Step], today: date) -> set[tuple[int | None, int | None, int]]:
    """Insert the entries, skipping any (subject, rung) already there; return the keys this call inserted."""
    ensure_active_tenant(tenant, "escalations")  # raw SQL bypasses the scoped manager's check
    now = timezone.now()
    table = Escalation._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (tenant_id, created_at, updated_at, plan_id, checkpoint_id, action_id, rung,
                recipients, reason, day)
            SELECT %s, %s, %s, x.plan_id, x.checkpoint_id, x.action_id, x.rung, x.recipients::jsonb, x.reason, %s
            FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[], %s::smallint[], %s::text[], %s::text[])
                AS x(plan_id, checkpoint_id, action_id, rung, recipients, reason)
            ON CONFLICT DO NOTHING
            RETURNING id, checkpoint_id, action_id, rung
            """,
            [
                tenant.pk,
                now,
                now,
                today,
                [s.plan.pk for s in steps],
                [s.checkpoint_id for s in steps],
                [s.action_id for s in steps],
                [s.rung for s in steps],
                [
                    json.dumps(
                        [{"id": m.pk, "name": str(m.user)} for m in [*s.recipients, *filter(None, [s.partner_user])]]
                    )
                    for s in steps
                ],
                [s.reason for s in steps],
            ],
        )
        rows = cursor.fetchall()
    content_type = ContentType.objects.get_for_model(Escalation)
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                tenant=tenant,
                content_type=content_type,
                object_pk=str(pk),
                object_id=pk,
                object_repr=f"{RUNG_NAMES[rung].capitalize()} rung",
                action=LogEntry.Action.CREATE,
                changes={"rung": [None, str(rung)]},
                changes_text=LADDER_REASON,
                timestamp=now,
            )
            for pk, _, _, rung in rows
        ]
    )
    return {(checkpoint_id, action_id, rung) for _, checkpoint_id, action_id, rung in rows}


RUNG_TITLES = {
    OWNER: "needs your attention",
    SPONSOR: "escalated to you as sponsor",
    EXECUTIVE: "escalated to you as executive",
}


def _notify(tenant: Tenant, steps: list[_Step], *, email: bool = True) -> int:
    items: list[NotificationItem] = []
    for step in steps:
        plan = step.plan
        url = reverse("plan_detail", kwargs={"tenant_slug": tenant.slug, "plan_id": plan.pk})
        subject = f"checkpoint:{step.checkpoint_id}" if step.checkpoint_id else f"action:{step.action_id}"
        title = f"{plan.partner.name}: improvement plan {RUNG_TITLES[step.rung]}"
        body = (
            f"{step.reason} Plan: {plan.title}, owned by {plan.owner.user if plan.owner else 'nobody yet'}"
            f"{', sponsored by ' + str(plan.sponsor.user) if plan.sponsor else ''}."
        )
        items += [
            NotificationItem(
                recipient_id=member.pk,
                kind=f"remediation.escalation.{RUNG_NAMES[step.rung]}",
                title=title[:200],
                body=body,
                url=url,
                dedupe_key=f"remediation:escalation:{subject}:{step.rung}",
            )
            for member in step.recipients
        ]
        if step.partner_user is not None:
            items.append(
                NotificationItem(
                    recipient_id=step.partner_user.pk,
                    kind="remediation.action_overdue",
                    title=f"Your action is overdue: {step.reason.split(': ', 1)[-1]}"[:200],
                    body="Please update its status in the portal, or tell us what is in the way.",
                    url=reverse("portal_plan", kwargs={"tenant_slug": tenant.slug}),
                    dedupe_key=f"remediation:escalation:{subject}:partner",
                )
            )
    if not items:
        return 0
    return notify_many(tenant, items, email=email).created
