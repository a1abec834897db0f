"""Plans drafted by the system: after a refresh, for partners red two periods running or with a declining trend; when
the tier framework says a partner entered a tier's grace period (``tier_grace_started``).

Each draft is a finding (origin "trigger", not yet diagnosed: its category is for the owner to choose), a draft plan
addressing it, owned by the partner's owner manager and sponsored by its executive sponsor, with checkpoints
proposed from its weakest metrics and targets (``domain.triggers.propose_checkpoints``), and a notification to the
owner. Never a second draft while the partner has an open plan; a trigger drafts once per partner and period of
evidence (a unique constraint holds it). The admin switches each trigger off in the remediation settings.

Reads are bulk (the recent snapshots of every partner in one query, the proposals' snapshots in one more); the few
drafts are written in bulk too, with their audit entries, so a refresh that turns fifty partners red costs a fixed
number of statements.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone

from partnerhub.core.domain.periods import add_months, period_bounds, period_start
from partnerhub.core.models import AuditEntry, Membership, Partner, Role, Tenant
from partnerhub.core.services.notifications import NotificationItem, notify_many
from partnerhub.core.tenancy.context import tenant_context
from remediation.domain.triggers import TIER_GRACE, Fired, fired_trigger, propose_checkpoints
from remediation.models import Checkpoint, Finding, Plan, Severity
from remediation.selectors.settings import remediation_settings_get
from scorecards.selectors.glossary import metric_list
from scorecards.selectors.snapshots import SNAPSHOT_PERIOD_MONTH, latest_snapshots, snapshot_recent_signals

DRAFT_REASON = "Drafted by a trigger after a snapshot refresh."
PLAN_MONTHS = 6  # a drafted plan's target end, from today
SEVERITY = {"red_two_periods": Severity.HIGH, "declining": Severity.MEDIUM, TIER_GRACE: Severity.HIGH}


def plans_draft_from_triggers(
    *, tenant: Tenant, partner_ids: Iterable[int] | None = None, today: date | None = None, email: bool = True
) -> list[Plan]:
    """Draft plans for the partners (of ``partner_ids``, or all) whose recent snapshots fire a trigger that is on;
    ``email`` False notifies in-app only (the demo)."""
    with tenant_context(tenant):
        return _draft_from_signals(tenant, partner_ids, today or timezone.localdate(), email)


def _draft_from_signals(tenant: Tenant, partner_ids: Iterable[int] | None, today: date, email: bool) -> list[Plan]:
    settings = remediation_settings_get(tenant=tenant)
    if not (settings.trigger_red or settings.trigger_declining):
        return []
    signals = snapshot_recent_signals(tenant=tenant, partner_ids=partner_ids)
    fired: dict[int, Fired] = {}
    for partner_id, rows in signals.items():
        hit = fired_trigger(rows, red=settings.trigger_red, declining=settings.trigger_declining)
        if hit is not None:
            fired[partner_id] = hit
    return _draft(tenant, fired, today, email=email)


def plans_draft_for_tier_grace(
    *, tenant: Tenant, partner_ids: list[int], period_start: date, tier: str = "", today: date | None = None
) -> list[Plan]:
    """Draft plans for partners that entered a tier's grace period (the tier framework's signal), when that trigger
    is on."""
    with tenant_context(tenant):
        if not remediation_settings_get(tenant=tenant).trigger_tier_grace:
            return []
        what = f"the {tier} tier's" if tier else "a tier's"
        fired = {
            int(p): Fired(TIER_GRACE, SNAPSHOT_PERIOD_MONTH, period_start, f"Entered {what} grace period.")
            for p in partner_ids
        }
        return _draft(tenant, fired, today or timezone.localdate())


def _draft(tenant: Tenant, fired: dict[int, Fired], today: date, *, email: bool = True) -> list[Plan]:
    if not fired:
        return []
    ids = sorted(fired)
    # Never a second draft while one is open; a trigger drafts once per partner and period of evidence.
    busy = set(
        Plan.objects.for_tenant(tenant)
        .filter(partner_id__in=ids, status__in=(Plan.Status.DRAFT, Plan.Status.ACTIVE))
        .values_list("partner_id", flat=True)
    )
    done = set(
        Finding.objects.for_tenant(tenant)
        .filter(origin=Finding.Origin.TRIGGER, partner_id__in=ids)
        .values_list("partner_id", "trigger", "trigger_period")
    )
    wanted = [p for p in ids if p not in busy and (p, fired[p].trigger, fired[p].period_start) not in done]
    if not wanted:
        return []
    partners = {p.pk: p for p in Partner.objects.for_tenant(tenant).filter(pk__in=wanted).select_related("owner")}
    proposals = _proposals(tenant, wanted, fired, today)
    now = timezone.now()
    horizon = period_start(
        SNAPSHOT_PERIOD_MONTH, add_months(today, remediation_settings_get(tenant=tenant).draft_horizon_months)
    )
    plans: list[Plan] = []
    for partner_id in wanted:
        partner, hit = partners[partner_id], fired[partner_id]
        plans.append(
            Plan(
                tenant=tenant,
                partner=partner,
                title=f"Improvement plan: {partner.name}",
                goal=f"Bring {partner.name} back on track. {hit.explanation}",
                owner=partner.owner if partner.owner_id is not None else None,
                sponsor_id=partner.executive_sponsor_id,
                start_date=today,
                target_end_date=max(add_months(today, PLAN_MONTHS), period_bounds(SNAPSHOT_PERIOD_MONTH, horizon)[1]),
                trigger=hit.trigger,
                created_at=now,
            )
        )
    try:
        with transaction.atomic():
            Plan.objects.for_tenant(tenant).bulk_create(plans)
    except IntegrityError:
        # A manager opened a plan for one of them meanwhile: draft one by one, skipping those.
        plans = [plan for plan in plans if _save_alone(plan)]
    findings: list[Finding] = []
    checkpoints: list[Checkpoint] = []
    for plan in plans:
        hit = fired[plan.partner_id]
        findings.append(
            Finding(
                tenant=tenant,
                partner_id=plan.partner_id,
                title=f"{hit.explanation} Cause not diagnosed yet.",
                category="",
                severity=SEVERITY.get(hit.trigger, Severity.MEDIUM),
                date_found=today,
                origin=Finding.Origin.TRIGGER,
                trigger=hit.trigger,
                trigger_period=hit.period_start,
                owner_id=plan.owner_id,
                plan=plan,
                created_at=now,
            )
        )
        checkpoints.extend(
            Checkpoint(
                tenant=tenant,
                plan=plan,
                partner_id=plan.partner_id,
                measure=proposal.measure,
                metric_id=proposal.metric_id,
                comparator=proposal.comparator,
                target=proposal.target,
                period=SNAPSHOT_PERIOD_MONTH,
                due_period_start=horizon,
                created_at=now,
            )
            for proposal in proposals.get(plan.partner_id, [])
        )
    Finding.objects.for_tenant(tenant).bulk_create(findings)
    Checkpoint.objects.for_tenant(tenant).bulk_create(checkpoints)
    _audit(tenant, [*plans, *findings, *checkpoints], now)
    _notify(tenant, plans, fired, partners, email=email)
    return plans


def _save_alone(plan: Plan) -> bool:
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError:
        return False
    return True


def _proposals(tenant: Tenant, partner_ids: list[int], fired: dict[int, Fired], today: date) -> dict[int, list[Any]]:
    """The proposed checkpoints of each partner, from its latest monthly snapshot (two queries for all of them)."""
    snapshots = latest_snapshots(
        tenant=tenant, period=SNAPSHOT_PERIOD_MONTH, partner_ids=partner_ids, on_or_before=today
    ).select_related("template_version")
    directions = dict(metric_list(tenant=tenant).values_list("pk", "direction"))
    found = {s.partner_id: s for s in snapshots}
    out: dict[int, list[Any]] = {}
    for partner_id in partner_ids:
        snapshot = found.get(partner_id)
        amber = snapshot.template_version.score_amber_at if snapshot is not None else Decimal(60)
        out[partner_id] = propose_checkpoints(
            snapshot.items if snapshot is not None else [],
            directions,
            score_amber_at=amber,
            trigger=fired[partner_id].trigger,
        )
    return out


def _audit(tenant: Tenant, rows: list[Model], now: Any) -> None:
    """Audit entries for the drafted rows (``bulk_create`` sends no signals), actor: the system."""
    types: dict[type[Model], Any] = {}
    entries = []
    for row in rows:
        model = type(row)
        if model not in types:
            types[model] = ContentType.objects.get_for_model(model)
        entries.append(
            AuditEntry(
                tenant=tenant,
                content_type=types[model],
                object_pk=str(row.pk),
                object_id=row.pk,
                object_repr=str(row)[:200],
                action=LogEntry.Action.CREATE,
                changes={},
                changes_text=DRAFT_REASON,
                timestamp=now,
            )
        )
    AuditEntry.objects.bulk_create(entries, batch_size=1000)


def _notify(
    tenant: Tenant, plans: list[Plan], fired: dict[int, Fired], partners: dict[int, Partner], *, email: bool = True
) -> None:
    """Tell each draft's owner (the program's admins when the partner has no owner manager)."""
    admins: list[int] | None = None
    items = []
    for plan in plans:
        recipients = [plan.owner_id] if plan.owner_id is not None else None
        if recipients is None:
            if admins is None:
                admins = list(
                    Membership.objects.for_tenant(tenant)
                    .filter(role=Role.ADMIN, is_active=True)
                    .values_list("pk", flat=True)
                )
            recipients = admins
        partner = partners[plan.partner_id]
        url = reverse("plan_detail", kwargs={"tenant_slug": tenant.slug, "plan_id": plan.pk})
        items += [
            NotificationItem(
                recipient_id=recipient,
                kind="remediation.draft",
                title=f"Draft improvement plan for {partner.name}",
                body=f"{fired[plan.partner_id].explanation} A draft plan with proposed checkpoints is waiting for "
                "you: diagnose the cause, adjust it with the partner, and activate it.",
                url=url,
                dedupe_key=f"remediation:draft:{plan.pk}",
            )
            for recipient in recipients
        ]
    if items:
        notify_many(tenant, items, email=email)
