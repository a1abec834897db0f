"""Writes of tier recommendations: the quarterly run, a manager's exception, and executives' decisions.

``tier_recommendations_generate`` holds the program's advisory lock for its transaction, evaluates every partner for
the quarter under the framework version in force (``recognition.selectors.tiers.evaluate_quarter``: stored snapshots,
read in bulk), and writes only what changed: new recommendations are inserted in one statement, pending ones whose
evidence changed are rewritten in one statement, decided ones are never touched. Running it twice writes nothing the
second time. Pending recommendations of earlier quarters are superseded by the new quarter's.

A decision (``recommendations_decide``) is all-or-nothing over the recommendations given: every one is checked first
(pending, not one's own exception, an executive for an exception, a reason for a rejection, the partner still at the
tier the recommendation started from), then approved moves change the partners' tiers, write the tier history with
the recommendation's evidence, notify each partner's owner and users, and ask for the partners' scorecards to be
refreshed (their targets may depend on the tier).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from partnerhub.core.domain.periods import quarter_label
from partnerhub.core.models import AuditEntry, Membership, Partner, Role, Tenant
from partnerhub.core.rules import ensure_can
from partnerhub.core.services.notifications import NotificationItem, notify_many
from partnerhub.core.services.program import ensure_same_tenant
from partnerhub.core.signals import partner_data_changed, tier_grace_started
from partnerhub.core.tenancy.context import tenant_context
from partnerhub.core.tenancy.sql import LOCK_TIER_RECOMMENDATIONS, ensure_active_tenant, tenant_xact_lock
from recognition.domain.tiers import (
    DEMOTE,
    GRACE,
    HOLD,
    PROMOTE,
    evidence_json,
    explain,
    input_digests,
    partner_evidence,
)
from recognition.errors import DecisionInvalidError, NoFrameworkError, RecommendationDecidedError
from recognition.models import Tier, TierChange, TierRecommendation
from recognition.selectors.tiers import evaluate_quarter, evaluation_quarter, framework_in_force, tier_list

TABLE = TierRecommendation._meta.db_table
MAX_REASON = 2000


@dataclass(frozen=True)
class GenerateResult:
    """What one run did (JSON-friendly via ``as_dict``)."""

    tenant_id: int
    quarter: date | None = None
    version: int | None = None
    partners: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    decided: int = 0  # already approved or rejected: left as they were
    superseded: int = 0  # pending recommendations of earlier quarters
    counts: dict[str, int] = field(default_factory=dict)
    reason: str = ""  # why nothing was evaluated
    seconds: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["quarter"] = self.quarter.isoformat() if self.quarter else None
        return data


def tier_recommendations_generate(
    *,
    tenant: Tenant,
    quarter: date | None = None,
    reference_month: date | None = None,
    partner_ids: list[int] | None = None,
) -> GenerateResult:
    """Recommend a tier move (promote, hold, grace, demote) for every partner (or ``partner_ids``) for ``quarter``
    (default: the last complete quarter, by the refresh's ``reference_month`` when given), with its evidence.

    Idempotent; serialised per program by an advisory lock; no framework in force for the quarter: nothing written.
    """
    laps: dict[str, float] = {}
    started = time.perf_counter()
    with tenant_context(tenant):
        tenant_xact_lock(LOCK_TIER_RECOMMENDATIONS, tenant)
        quarter = quarter or evaluation_quarter(tenant=tenant, reference_month=reference_month)
        if quarter is None:
            return GenerateResult(tenant_id=tenant.pk, reason="No complete quarter of scorecards yet.")
        version = framework_in_force(tenant=tenant, quarter=quarter)
        if version is None:
            return GenerateResult(
                tenant_id=tenant.pk, quarter=quarter, reason="No tier framework is in force for this quarter."
            )
        evaluation = evaluate_quarter(tenant=tenant, version=version, quarter=quarter, partner_ids=partner_ids)
        laps["evaluate"] = round(time.perf_counter() - started, 3)
        tiers = evaluation.framework.tiers
        stored = {
            partner_id: (pk, status, print_)
            for partner_id, pk, status, print_ in TierRecommendation.objects.for_tenant(tenant)
            .filter(quarter=quarter, source=TierRecommendation.Source.ENGINE)
            .filter(**({"partner_id__in": partner_ids} if partner_ids is not None else {}))
            .values_list("partner_id", "pk", "status", "fingerprint")
        }
        inserts: list[list[Any]] = []
        updates: list[list[Any]] = []
        unchanged = decided = 0
        entered_grace: dict[str, list[int]] = {}
        now = timezone.now()
        facts = evaluation.facts
        digests = input_digests(evaluation)
        for row in range(len(evaluation)):
            partner_id = int(facts.partner_ids[row])
            found = stored.get(partner_id)
            if found is not None and found[1] != TierRecommendation.Status.PENDING:
                decided += 1
                continue
            digest = digests[row]
            if found is not None and found[2] == digest:
                unchanged += 1
                continue
            evidence = partner_evidence(evaluation, row)
            current, target = int(evaluation.current[row]), int(evaluation.target[row])
            from_id = tiers[current].id if current >= 0 else None
            to_id = tiers[target].id if target >= 0 else None
            move, grace = evaluation.move[row], int(evaluation.grace_quarter[row])
            text = evidence_json(evidence)
            values = [move, from_id, to_id, grace, text, explain(facts.names[row], evidence), digest]
            if move == GRACE and grace == 1:
                entered_grace.setdefault(facts.tier_keys[row], []).append(partner_id)
            if found is None:
                inserts.append([partner_id, *values])
            else:
                updates.append([found[0], *values])
        laps["evidence"] = round(time.perf_counter() - started - sum(laps.values()), 3)
        _insert(tenant, quarter, version.pk, inserts, now)
        _update(tenant, version.pk, updates, now)
        _announce_grace(tenant, quarter, entered_grace)
        superseded = (
            TierRecommendation.objects.for_tenant(tenant)
            .filter(quarter__lt=quarter, status=TierRecommendation.Status.PENDING)
            .filter(**({"partner_id__in": partner_ids} if partner_ids is not None else {}))
            .update(status=TierRecommendation.Status.SUPERSEDED, updated_at=now)
        )
        if inserts or updates:
            _audit_run(tenant, version, quarter, len(inserts), len(updates), evaluation.counts, now)
        laps["write"] = round(time.perf_counter() - started - sum(laps.values()), 3)
    return GenerateResult(
        tenant_id=tenant.pk,
        quarter=quarter,
        version=version.number,
        partners=len(evaluation),
        created=len(inserts),
        updated=len(updates),
        unchanged=unchanged,
        decided=decided,
        superseded=superseded,
        counts=evaluation.counts,
        seconds=laps,
    )


def _announce_grace(tenant: Tenant, quarter: date, entered: dict[str, list[int]]) -> None:
    """Tell the apps that follow tiers (remediation) which partners entered their tier's grace period this quarter
    (by tier): only recommendations written now, so a rerun that writes nothing sends nothing. Receivers run in this
    transaction."""
    for tier, partner_ids in sorted(entered.items()):
        tier_grace_started.send(
            sender=TierRecommendation, tenant=tenant, partner_ids=sorted(partner_ids), period_start=quarter, tier=tier
        )


_WRITE_COLUMNS = ["move", "from_tier_id", "to_tier_id", "grace_quarter", "evidence", "explanation", "fingerprint"]


_STAGE_TYPES = ["bigint", "text", "bigint", "bigint", "smallint", "jsonb", "text", "bigint"]
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _stage(rows: list[list[Any]]) -> None:
    """COPY rows of (id, move, from, to, grace, evidence, explanation, fingerprint) into a TEMP staging table.

    COPY into a table under row-level security is refused, and a TEMP table has none; COPY's text format is the
    cheapest way to send 20,000 evidence documents (an array parameter would be split and parsed element by element).
    """
    names = ["id", *_WRITE_COLUMNS]
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS recognition_stage")
        cursor.execute(
            "CREATE TEMP TABLE recognition_stage ("
            + ", ".join(f"{n} {t}" for n, t in zip(names, _STAGE_TYPES, strict=True))
            + ") ON COMMIT DROP"
        )
        text = "".join(
            "\t".join("\\N" if v is None else str(v).translate(_COPY_ESCAPES) for v in row) + "\n" for row in rows
        )
        with cursor.copy(f"COPY recognition_stage ({', '.join(names)}) FROM STDIN") as copy:
            copy.write(text)


def _insert(tenant: Tenant, quarter: date, version_id: int, rows: list[list[Any]], now: Any) -> None:
    """Insert new recommendations (rows start with the partner id): staged by COPY, then one INSERT ... SELECT."""
    if not rows:
        return
    ensure_active_tenant(tenant, "tier recommendations")
    _stage(rows)
    columns = ", ".join(_WRITE_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (tenant_id, quarter, version_id, source, status, justification, decision_comment, "
            f"created_at, updated_at, partner_id, {columns}) "
            f"SELECT %s, %s, %s, 'engine', 'pending', '', '', %s, %s, s.id, {columns} FROM recognition_stage s",
            [tenant.pk, quarter, version_id, now, now],
        )


def _update(tenant: Tenant, version_id: int, rows: list[list[Any]], now: Any) -> None:
    """Rewrite pending recommendations whose content changed (rows start with the recommendation id)."""
    if not rows:
        return
    ensure_active_tenant(tenant, "tier recommendations")
    _stage(rows)
    assignments = ", ".join(f"{name} = s.{name}" for name in _WRITE_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {TABLE} AS r SET {assignments}, version_id = %s, updated_at = %s FROM recognition_stage s "
            "WHERE r.tenant_id = %s AND r.id = s.id AND r.status = 'pending'",
            [version_id, now, tenant.pk],
        )


def _audit_run(
    tenant: Tenant, version: Any, quarter: date, created: int, updated: int, counts: dict[str, int], now: Any
) -> None:
    """One audit entry per run (on the framework version), naming what it wrote: the rows themselves are the
    framework's, not a person's, and a person's every decision on them is audited one by one."""
    summary = ", ".join(f"{n} {move}" for move, n in counts.items() if n)
    text = f"{quarter_label(quarter)} tier recommendations: {created} created, {updated} updated ({summary})"
    AuditEntry.objects.create(
        tenant=tenant,
        content_type=ContentType.objects.get_for_model(version),
        object_pk=str(version.pk),
        object_id=version.pk,
        object_repr=str(version),
        action=LogEntry.Action.UPDATE,
        changes={"recommendations": [created, updated]},
        changes_text=text,
        timestamp=now,
    )


# --- exceptions ---


@transaction.atomic
def recommendation_exception_propose(
    *, tenant: Tenant, actor: Membership, partner: Partner, to_tier: Tier, justification: str
) -> TierRecommendation:
    """Propose a tier for ``partner`` other than the framework's (with a justification), for an executive to decide.

    The quarter is the partner's latest framework recommendation's (else the last complete quarter); its evidence is
    carried over so the executive sees the numbers beside the justification. Raises CrossTenantReferenceError for
    another program's partner or tier, DecisionInvalidError for a missing justification or a second pending
    exception, NoFrameworkError when no framework is in force.
    """
    ensure_same_tenant(tenant, actor, partner, to_tier)
    ensure_can(actor, "recommendations.propose", partner)
    justification = justification.strip()
    if not justification:
        raise DecisionInvalidError(
            "Say why this partner should be an exception to the framework.",
            extra={"fields": {"justification": ["Required."]}},
        )
    if len(justification) > MAX_REASON:
        raise DecisionInvalidError(
            f"Keep the justification under {MAX_REASON} characters.",
            extra={"fields": {"justification": ["Too long."]}},
        )
    engine = (
        TierRecommendation.objects.for_tenant(tenant)
        .filter(partner=partner, source=TierRecommendation.Source.ENGINE)
        .order_by("-quarter")
        .first()
    )
    quarter = engine.quarter if engine is not None else evaluation_quarter(tenant=tenant)
    if quarter is None:
        raise NoFrameworkError("There is no complete quarter of scorecards to propose a tier for yet.")
    version = engine.version if engine is not None else framework_in_force(tenant=tenant, quarter=quarter)
    if version is None:
        raise NoFrameworkError("No tier framework is in force: publish one first.")
    pending = TierRecommendation.objects.for_tenant(tenant).filter(
        partner=partner, quarter=quarter, source=TierRecommendation.Source.EXCEPTION, status="pending"
    )
    if pending.exists():
        raise DecisionInvalidError(
            f"{partner.name} already has an exception awaiting a decision for {quarter_label(quarter)}.",
            code="exception_pending",
        )
    current = next((t for t in tier_list(tenant=tenant) if t.key == partner.tier), None)
    if current is None or to_tier.rank > current.rank:
        move = PROMOTE
    elif to_tier.rank < current.rank:
        move = DEMOTE
    else:
        move = HOLD
    framework_text = engine.explanation if engine is not None else "The framework has made no recommendation yet."
    who = str(actor.user)
    explanation = (
        f"{who} proposes {to_tier.name} for {partner.name} as an exception to the framework: {justification} "
        f"What the framework recommends: {framework_text}"
    )
    with set_actor(actor.user):
        return TierRecommendation.objects.create(
            tenant=tenant,
            partner=partner,
            quarter=quarter,
            version=version,
            source=TierRecommendation.Source.EXCEPTION,
            move=move,
            from_tier=current,
            to_tier=to_tier,
            evidence=engine.evidence if engine is not None else {},
            explanation=explanation,
            proposed_by=actor,
            justification=justification,
        )


# --- decisions ---


@dataclass(frozen=True)
class DecideResult:
    decided: int
    approved: int
    rejected: int
    tier_changes: int
    superseded: int


def _refuse(message: str, **extra: Any) -> DecisionInvalidError:
    return DecisionInvalidError(message, extra=extra)


@transaction.atomic
def recommendations_decide(
    *,
    tenant: Tenant,
    actor: Membership,
    recommendations: Sequence[TierRecommendation],
    approve: bool,
    comment: str = "",
    effective_date: date | None = None,
) -> DecideResult:
    """Approve or reject recommendations, all or none (see the module docstring for every check).

    Raises CrossTenantReferenceError (another program's recommendation), RecommendationDecidedError (decided
    before), DecisionInvalidError (no reason for a rejection, one's own exception, an exception decided by a
    non-executive, a partner whose tier changed since, two moves for one partner, an effective date in the future or
    before the quarter).
    """
    ensure_same_tenant(tenant, actor, *recommendations)
    ensure_can(actor, "recommendations.decide")
    if not recommendations:
        raise _refuse("Choose at least one recommendation.")
    comment = comment.strip()
    if not approve and not comment:
        raise _refuse(
            "Give the reason for the rejection: it is kept with the recommendation and shown to its owner.",
            fields={"comment": ["A rejection needs a reason."]},
        )
    if len(comment) > MAX_REASON:
        raise _refuse(f"Keep the comment under {MAX_REASON} characters.", fields={"comment": ["Too long."]})
    today = timezone.localdate()
    effective = effective_date or today
    if effective > today:
        raise _refuse("The effective date cannot be in the future.", fields={"effective_date": ["In the future."]})
    tenant_xact_lock(LOCK_TIER_RECOMMENDATIONS, tenant)  # no generation run rewrites these meanwhile
    ids = [r.pk for r in recommendations]
    locked = list(
        TierRecommendation.objects.for_tenant(tenant)
        .select_for_update(of=("self",))  # the recommendations alone: partners are locked below, tiers never
        .filter(pk__in=ids)
        .select_related("partner", "from_tier", "to_tier", "decided_by__user")
        .order_by("pk")
    )
    if len(locked) != len(set(ids)):
        raise _refuse("A recommendation named is not one of this program's.")
    decided = [r for r in locked if r.status != TierRecommendation.Status.PENDING]
    if decided:
        names = "; ".join(
            f"{r.partner.name} ({r.get_status_display().lower()}"
            + (f" by {r.decided_by.user} on {r.decided_at:%d %b %Y})" if r.decided_by and r.decided_at else ")")
            for r in decided[:5]
        )
        raise RecommendationDecidedError(
            f"Already decided, nothing was changed: {names}.", extra={"recommendations": [r.pk for r in decided]}
        )
    own = [r for r in locked if r.proposed_by_id == actor.pk]
    if own:
        raise _refuse("You proposed this exception: another executive decides it.", recommendations=[r.pk for r in own])
    if actor.role != Role.EXECUTIVE:
        exceptions = [r for r in locked if r.source == TierRecommendation.Source.EXCEPTION]
        if exceptions:
            raise _refuse(
                "An exception to the framework needs an executive's decision.",
                recommendations=[r.pk for r in exceptions],
            )
    partners = {r.partner_id for r in locked}
    if approve and len(partners) != len(locked):
        raise _refuse("Two recommendations name the same partner: approve one of them.")
    early = [r for r in locked if approve and r.changes_tier and effective < r.quarter]
    if early:
        raise _refuse(
            f"The effective date is before {quarter_label(early[0].quarter)}, the quarter the move is for.",
            fields={"effective_date": ["Too early."]},
        )
    current = {
        p.pk: p for p in Partner.objects.for_tenant(tenant).select_for_update().filter(pk__in=partners).order_by("pk")
    }
    stale = [
        r
        for r in locked
        if approve and r.changes_tier and (r.from_tier is None or current[r.partner_id].tier != r.from_tier.key)
    ]
    if stale:
        raise _refuse(
            f"{stale[0].partner.name}'s tier changed since this recommendation was made: it will be evaluated again.",
            code="stale_recommendation",
            recommendations=[r.pk for r in stale],
        )
    now = timezone.now()
    status = TierRecommendation.Status.APPROVED if approve else TierRecommendation.Status.REJECTED
    for r in locked:
        r.status, r.decided_by, r.decided_at, r.decision_comment = status, actor, now, comment
        r.effective_date = effective if approve and r.changes_tier else None
    TierRecommendation.objects.bulk_update(
        locked, ["status", "decided_by", "decided_at", "decision_comment", "effective_date", "updated_at"]
    )
    superseded = 0
    moved: list[TierRecommendation] = []
    if approve:
        # The partner's other pending recommendations (the framework's, or an exception) are settled by this one.
        superseded = (
            TierRecommendation.objects.for_tenant(tenant)
            .filter(partner_id__in=partners, status=TierRecommendation.Status.PENDING)
            .update(status=TierRecommendation.Status.SUPERSEDED, updated_at=now)
        )
        moved = [r for r in locked if r.changes_tier]
    changes = _apply_moves(tenant, actor, moved, current, effective, comment, now)
    _audit_decisions(tenant, actor, locked, current, moved, changes, now)
    if moved:
        _notify(tenant, moved, current)
        # The partners' scorecards may target by tier: their snapshots are refreshed after the commit.
        partner_data_changed.send(sender=Partner, tenant=tenant, partner_ids=[r.partner_id for r in moved])
    return DecideResult(
        decided=len(locked),
        approved=len(locked) if approve else 0,
        rejected=0 if approve else len(locked),
        tier_changes=len(moved),
        superseded=superseded,
    )


def _apply_moves(
    tenant: Tenant,
    actor: Membership,
    moved: list[TierRecommendation],
    partners: dict[int, Partner],
    effective: date,
    comment: str,
    now: Any,
) -> list[TierChange]:
    if not moved:
        return []
    for r in moved:
        partner = partners[r.partner_id]
        partner.tier = r.to_tier.key if r.to_tier is not None else partner.tier
        partner.updated_at = now
    Partner.objects.bulk_update([partners[r.partner_id] for r in moved], ["tier", "updated_at"])
    return TierChange.objects.bulk_create(
        [
            TierChange(
                tenant=tenant,
                partner_id=r.partner_id,
                from_tier=r.from_tier,
                to_tier=r.to_tier,
                effective_date=effective,
                approved_by=actor,
                recommendation=r,
                move=r.move,
                explanation=r.explanation,
                evidence=_evidence_of(r),
                comment=comment,
            )
            for r in moved
        ]
    )


def _evidence_of(r: TierRecommendation) -> dict[str, Any]:
    # The history keeps the evidence and, for an exception, its justification.
    evidence = dict(r.evidence or {})
    if r.source == TierRecommendation.Source.EXCEPTION:
        evidence["exception"] = {"justification": r.justification, "proposed_by": r.proposed_by_id}
    return evidence


def _audit_decisions(
    tenant: Tenant,
    actor: Membership,
    decided: list[TierRecommendation],
    partners: dict[int, Partner],
    moved: list[TierRecommendation],
    changes: list[TierChange],
    now: Any,
) -> None:
    """The audit entries auditlog would write for each row (bulk writes send no signals), with the acting user."""
    types = ContentType.objects.get_for_models(TierRecommendation, Partner, TierChange)
    entries = [
        _entry(tenant, actor, types[TierRecommendation], r, {"status": ["pending", r.status]}, r.decision_comment, now)
        for r in decided
    ]
    entries += [
        _entry(
            tenant,
            actor,
            types[Partner],
            partners[r.partner_id],
            {"tier": [r.from_tier.key if r.from_tier else "", partners[r.partner_id].tier]},
            f"Tier {r.get_move_display().lower()}d by recommendation {r.pk}",
            now,
        )
        for r in moved
    ]
    entries += [
        _entry(tenant, actor, types[TierChange], c, {"to_tier": [None, c.to_tier_id]}, "", now, LogEntry.Action.CREATE)
        for c in changes
    ]
    AuditEntry.objects.bulk_create(entries, batch_size=500)


def _entry(
    tenant: Tenant,
    actor: Membership,
    content_type: ContentType,
    obj: Any,
    changes: dict[str, Any],
    text: str,
    now: Any,
    action: int = LogEntry.Action.UPDATE,
) -> AuditEntry:
    return AuditEntry(
        tenant=tenant,
        content_type=content_type,
        object_pk=str(obj.pk),
        object_id=obj.pk,
        object_repr=str(obj)[:200],
        action=action,
        changes=changes,
        changes_text=text,
        actor=actor.user,
        actor_email=actor.user.email,
        timestamp=now,
    )


def _notify(tenant: Tenant, moved: list[TierRecommendation], partners: dict[int, Partner]) -> None:
    """Tell each moved partner's owner manager and its users the new tier (once per recommendation)."""
    users = Membership.objects.for_tenant(tenant).filter(
        role=Role.PARTNER, partner_id__in=[r.partner_id for r in moved], is_active=True
    )
    by_partner: dict[int, list[int]] = {}
    for member_id, partner_id in users.values_list("pk", "partner_id"):
        by_partner.setdefault(partner_id, []).append(member_id)
    items: list[NotificationItem] = []
    for r in moved:
        partner = partners[r.partner_id]
        new = r.to_tier.name if r.to_tier else partner.tier
        old = r.from_tier.name if r.from_tier else "no tier"
        key = f"tier-change:{r.pk}"
        if partner.owner_id:
            items.append(
                NotificationItem(
                    recipient_id=partner.owner_id,
                    kind="tier_change",
                    title=f"{partner.name} moves from {old} to {new}",
                    body=f"Approved for {quarter_label(r.quarter)}. {r.explanation}",
                    url=reverse("partner_tier_history", kwargs={"tenant_slug": tenant.slug, "partner_id": partner.pk}),
                    dedupe_key=key,
                )
            )
        items.extend(
            NotificationItem(
                recipient_id=member_id,
                kind="tier_change",
                title=f"Your tier is now {new}",
                body=f"{partner.name} moves from {old} to {new} (for {quarter_label(r.quarter)}).",
                url=reverse("portal_tier", kwargs={"tenant_slug": tenant.slug}),
                dedupe_key=key,
            )
            for member_id in by_partner.get(partner.pk, [])
        )
    if items:
        notify_many(tenant, items)
