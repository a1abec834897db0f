"""Demo data of remediation: each program gets improvement plans in every state, on its declining partners.

``seed_remediation`` runs after the snapshots and the review history exist. It picks the program's weakest partners
by their latest monthly snapshot (declining trend or red first, then the lowest scores) and, through the real
services, gives them:

- a plan **drafted by a trigger** (the trigger run on the first partner one fires for);
- a plan **on track**: its first checkpoint met in the latest snapshot, the next one not due yet;
- a plan whose checkpoint was **missed and has climbed to the sponsor** (the ladder run on the day it was found
  missed and a week later), with an overdue action;
- **two closed plans** with their outcome and lessons learned (enablement, channel conflict...), so a new finding
  of those categories shows "N lessons from earlier plans";
- findings from the partners' held reviews (origin "review", linked to their notes and decisions), and a cause found
  at three partners of one region this quarter (a program-level pattern on the backlog).

Deterministic for a given program and day, and safe to run twice: a program that has plans already is left alone.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from partnerhub.core.domain.periods import add_months, month_number, month_start
from partnerhub.core.models import Membership, Partner, Role, Tenant
from partnerhub.core.tenancy.context import tenant_context
from remediation.domain.triggers import fired_trigger
from remediation.models import Checkpoint, Finding, Plan
from remediation.services.actions import ActionInput, plan_action_add, progress_update_add
from remediation.services.checkpoints import CheckpointInput, checkpoint_add
from remediation.services.escalation import escalations_climb
from remediation.services.evaluation import checkpoints_evaluate
from remediation.services.findings import FindingInput, finding_create
from remediation.services.plans import LessonInput, PlanInput, plan_activate, plan_close, plan_create
from remediation.services.triggers import plans_draft_from_triggers
from reviews.models import Review
from scorecards.selectors.snapshots import SNAPSHOT_PERIOD_MONTH, latest_snapshots, snapshot_recent_signals

CLOSED_LESSONS = (
    (
        "enablement",
        "Pair every new seller with a certified engineer for their first three deals: win rate rose within a quarter.",
        "Generic webinars did not move anything; hands-on sessions with their own pipeline did.",
    ),
    (
        "channel_conflict",
        "Agree account ownership for the top 50 accounts in writing before co-selling starts.",
        "Deal registration alone did not stop the conflicts; a monthly account review with both sales leads did.",
    ),
)


def seed_remediation(tenant: Tenant, *, today: date | None = None) -> dict[str, Any]:
    """Give ``tenant`` plans in every state (see the module docstring); returns the plan ids by state."""
    today = today or timezone.localdate()
    with tenant_context(tenant), transaction.atomic():
        if Plan.objects.for_tenant(tenant).exists():
            return {}
        admin = Membership.objects.for_tenant(tenant).filter(role=Role.ADMIN).order_by("id").first()
        executive = Membership.objects.for_tenant(tenant).filter(role=Role.EXECUTIVE).order_by("id").first()
        if admin is None:
            return {}
        candidates, clean = _weakest_partners(tenant, today)
        drafted = _trigger_draft(tenant, candidates, today)
        # The missed and on-track plans need a snapshot the evaluation can read (not flagged for data quality).
        checkable = [p for p in candidates if p.pk in clean and p.pk not in drafted and p.owner_id is not None]
        if len(checkable) < 2:
            return {"drafted": sorted(drafted)}
        rest = [p for p in candidates if p.pk not in drafted and p.owner_id is not None and p not in checkable[:2]]
        if len(rest) < 2:
            return {"drafted": sorted(drafted)}
        latest = _latest_month(tenant, today)
        out: dict[str, Any] = {"drafted": sorted(drafted)}
        out["missed"] = _missed_plan(tenant, checkable[0], executive, latest, today)
        out["on_track"] = _on_track_plan(tenant, checkable[1], executive, latest, today)
        out["closed"] = [
            _closed_plan(tenant, partner, executive, latest, today, lessons)
            for partner, lessons in zip(rest[:2], CLOSED_LESSONS, strict=True)
        ]
        _pattern(tenant, admin, today)
    return out


def _weakest_partners(tenant: Tenant, today: date) -> tuple[list[Partner], set[int]]:
    """Partners by how much they need a plan (declining or red first, then by their latest score), and those whose
    latest snapshot has a score and no data-quality flag."""
    snapshots = {
        s.partner_id: s
        for s in latest_snapshots(
            tenant=tenant,
            period=SNAPSHOT_PERIOD_MONTH,
            partner_ids=Partner.objects.for_tenant(tenant).values_list("pk", flat=True),
            on_or_before=today,
        )
    }
    partners = Partner.objects.for_tenant(tenant).select_related("owner__user").order_by("name", "id")

    def need(partner: Partner) -> tuple[int, float, str]:
        s = snapshots.get(partner.pk)
        if s is None or s.score is None:
            return (3, 100.0, partner.name)
        return (0 if s.trend == "declining" or s.rag == "red" else 1, float(s.score), partner.name)

    clean = {pk for pk, s in snapshots.items() if s.score is not None and not s.dq_flag}
    return sorted((p for p in partners if p.pk in snapshots), key=need), clean


def _latest_month(tenant: Tenant, today: date) -> date:
    return month_start(month_number(today) - 1)


def _trigger_draft(tenant: Tenant, candidates: list[Partner], today: date) -> set[int]:
    """Run the real triggers for the first candidate one fires for (one draft, as a refresh would write); return the
    partners drafted for."""
    signals = snapshot_recent_signals(tenant=tenant, partner_ids=[p.pk for p in candidates])
    for partner in candidates:
        if fired_trigger(signals.get(partner.pk, [])) is not None:
            drafts = plans_draft_from_triggers(tenant=tenant, partner_ids=[partner.pk], today=today, email=False)
            return {p.partner_id for p in drafts}
    return set()


def _held_review(tenant: Tenant, partner: Partner) -> Review | None:
    return (
        Review.objects.for_tenant(tenant)
        .filter(partner=partner, state__in=(Review.State.HELD, Review.State.SIGNED_OFF))
        .select_related("partner")
        .order_by("-scheduled_for")
        .first()
    )


def _finding(
    tenant: Tenant,
    partner: Partner,
    actor: Membership,
    title: str,
    category: str,
    *,
    from_review: bool = True,
    **kw: Any,
) -> Finding:
    """A finding of ``partner``, from its latest held review when it has one (and ``from_review``)."""
    review = _held_review(tenant, partner) if from_review else None
    data = FindingInput(
        title=title,
        category=category,
        partner=partner,
        owner=actor,
        date_found=kw.pop("date_found", None) or (review.scheduled_for.date() if review else None),
        **kw,
    )
    return finding_create(tenant=tenant, actor=actor, data=data, review=review)


def _score(tenant: Tenant, partner: Partner, month: date) -> Decimal:
    snapshot = latest_snapshots(
        tenant=tenant, period=SNAPSHOT_PERIOD_MONTH, partner_ids=[partner.pk], on_or_before=month
    ).first()
    return Decimal(snapshot.score) if snapshot is not None and snapshot.score is not None else Decimal(50)


def _plan(
    tenant: Tenant, partner: Partner, sponsor: Membership | None, findings: list[Finding], start: date, end: date
) -> Plan:
    actor = partner.owner
    assert actor is not None  # noqa: S101 - chosen with an owner
    return plan_create(
        tenant=tenant,
        actor=actor,
        partner=partner,
        data=PlanInput(
            title=f"Back on track: {partner.name}",
            owner=actor,
            sponsor=sponsor,
            start_date=start,
            target_end_date=end,
            goal=f"{partner.name} back above the amber line, with a pipeline that holds.",
            partner_contact_name="Their sales lead",
            internal_notes="Coaching first; no change to their tier before the next review.",
        ),
        findings=findings,
    )


def _missed_plan(tenant: Tenant, partner: Partner, sponsor: Membership | None, latest: date, today: date) -> int:
    """Active since four months ago; its checkpoint in the latest month was missed eight days ago and has climbed to
    the sponsor; one of our actions is overdue."""
    actor = partner.owner
    assert actor is not None  # noqa: S101
    finding = _finding(
        tenant,
        partner,
        actor,
        "Sellers cannot position the new platform against the incumbent",
        "enablement",
        severity="high",
        impact_amount=Decimal("180000"),
        impact_points=Decimal("12"),
        root_cause_method="five_whys",
        root_cause={
            "whys": [
                "Win rate fell below 20 % in competitive deals",
                "Sellers lead with features, not outcomes",
                "They never took the new value-selling course",
                "The course clashed with their quarter-end",
            ]
        },
    )
    plan = _plan(tenant, partner, sponsor, [finding], add_months(latest, -3), add_months(latest, 6))
    target = (_score(tenant, partner, latest) + 15).quantize(Decimal("1"))
    checkpoint_add(
        tenant=tenant,
        actor=actor,
        plan=plan,
        data=CheckpointInput(measure="score", target=min(target, Decimal(100)), period="month", due=latest),
        today=today,
    )
    checkpoint_add(
        tenant=tenant,
        actor=actor,
        plan=plan,
        data=CheckpointInput(measure="trend", period="month", due=add_months(latest, 3)),
        today=today,
    )
    plan_activate(tenant=tenant, actor=actor, plan=plan)
    plan_action_add(
        tenant=tenant,
        actor=actor,
        plan=plan,
        data=ActionInput(
            title="Run the value-selling workshop for their sellers",
            due_date=today - timedelta(days=30),
            kind="quick_win",
            owner=actor,
            success_criteria="Every seller certified",
            contingency="Record it and run two short sessions instead",
        ),
        today=today - timedelta(days=60),
    )
    plan_action_add(
        tenant=tenant,
        actor=actor,
        plan=plan,
        data=ActionInput(
            title="Rebuild the competitive deck with our team",
            due_date=add_months(today, 1),
            kind="mid_term",
            side="partner",
        ),
        today=today,
    )
    checkpoints_evaluate(tenant=tenant, partner_ids=[partner.pk], today=today)
    missed_on = today - timedelta(days=8)
    Checkpoint.objects.for_tenant(tenant).filter(plan=plan, status=Checkpoint.Status.MISSED).update(missed_on=missed_on)
    escalations_climb(tenant=tenant, today=missed_on, email=False)
    escalations_climb(tenant=tenant, today=missed_on + timedelta(days=7), email=False)
    progress_update_add(
        tenant=tenant,
        actor=actor,
        plan=plan,
        shared=True,
        body="Workshop postponed twice; we are moving it to a remote format next week.",
    )
    return plan.pk


def _on_track_plan(tenant: Tenant, partner: Partner, sponsor: Membership | None, latest: date, today: date) -> int:
    """Active; its first checkpoint met in the latest month, the next one due next quarter."""
    actor = partner.owner
    assert actor is not None  # noqa: S101
    finding = _finding(
        tenant,
        partner,
        actor,
        "Their incentives reward volume, not renewals",
        "misaligned_incentives",
        severity="medium",
        impact_points=Decimal("6"),
        root_cause_method="fishbone",
        root_cause={
            "branches": {
                "incentives": ["Renewal commission is a flat 2 %", "No spiff for multi-year terms"],
                "process": ["Renewals handled by a separate team"],
            }
        },
    )
    plan = _plan(tenant, partner, sponsor, [finding], add_months(latest, -2), add_months(latest, 7))
    floor = (_score(tenant, partner, latest) - 5).quantize(Decimal("1"))
    checkpoint_add(
        tenant=tenant,
        actor=actor,
        plan=plan,
        data=CheckpointInput(measure="score", target=max(floor, Decimal(0)), period="month", due=latest),
        today=today,
    )
    checkpoint_add(
        tenant=tenant,
        actor=actor,
        plan=plan,
        data=CheckpointInput(measure="score", target=Decimal(60), period="quarter", due=add_months(latest, 4)),
        today=today,
    )
    plan_activate(tenant=tenant, actor=actor, plan=plan)
    plan_action_add(
        tenant=tenant,
        actor=actor,
        plan=plan,
        data=ActionInput(
            title="Propose a renewal spiff for the next two quarters",
            due_date=add_months(today, 1),
            kind="quick_win",
            owner=actor,
            resources="Co-marketing budget: 15,000",
        ),
        today=today,
    )
    checkpoints_evaluate(tenant=tenant, partner_ids=[partner.pk], today=today)
    progress_update_add(
        tenant=tenant,
        actor=actor,
        plan=plan,
        shared=True,
        body="First month above the agreed floor; the renewal spiff is with their finance team.",
    )
    return plan.pk


def _closed_plan(
    tenant: Tenant,
    partner: Partner,
    sponsor: Membership | None,
    latest: date,
    today: date,
    lessons: tuple[str, str, str],
) -> int:
    """A plan of last year, checked against its months' snapshots, then closed with its outcome and lessons."""
    actor = partner.owner
    assert actor is not None  # noqa: S101
    category, worked, did_not = lessons
    start = add_months(latest, -12)
    finding = _finding(
        tenant,
        partner,
        actor,
        f"{category.replace('_', ' ').capitalize()} held the partner back last year",
        category,
        date_found=start,
        from_review=False,
    )
    plan = _plan(tenant, partner, sponsor, [finding], start, add_months(latest, -5))
    for offset in (3, 6):
        checkpoint_add(
            tenant=tenant,
            actor=actor,
            plan=plan,
            data=CheckpointInput(measure="score", target=Decimal(55), period="month", due=add_months(start, offset)),
            today=start,
        )
    plan_activate(tenant=tenant, actor=actor, plan=plan)
    checkpoints_evaluate(tenant=tenant, partner_ids=[partner.pk], today=today)
    statuses = list(Checkpoint.objects.for_tenant(tenant).filter(plan=plan).values_list("status", flat=True))
    met = statuses.count(Checkpoint.Status.MET)
    settled = all(s in (Checkpoint.Status.MET, Checkpoint.Status.MISSED) for s in statuses)
    plan_close(
        tenant=tenant,
        actor=actor,
        plan=plan,
        outcome=Plan.Outcome.SUCCEEDED if met == 2 else Plan.Outcome.PARTLY if met else Plan.Outcome.NOT_SUCCEEDED,
        what_worked=worked,
        what_did_not=did_not,
        lessons=[LessonInput(category, worked), LessonInput(category, did_not)],
        open_checkpoints_note="" if settled else "A month's data was flagged; the months since say enough.",
    )
    return plan.pk


def _pattern(tenant: Tenant, admin: Membership, today: date) -> None:
    """Channel conflict found at three EMEA partners this quarter: a program-level pattern on the backlog."""
    partners = list(
        Partner.objects.for_tenant(tenant)
        .filter(region=Partner.Region.EMEA)
        .exclude(pk__in=Finding.objects.for_tenant(tenant).filter(partner__isnull=False).values("partner_id"))
        .order_by("name")[:3]
    )
    for partner in partners:
        finding_create(
            tenant=tenant,
            actor=admin,
            data=FindingInput(
                title=f"Overlapping territory with a direct rep at {partner.name}",
                category="channel_conflict",
                severity="medium",
                partner=partner,
                owner=partner.owner if partner.owner and partner.owner.role == Role.MANAGER else None,
                date_found=max(today - timedelta(days=3), today.replace(day=1)),
                impact_amount=Decimal("40000"),
            ),
        )
