"""Writes of the tiers and the tier framework: the program's tiers (rank, name, benefits), and framework versions
drafted, checked and published with a rationale and an effective date.

A published version is never edited: a change is a new draft (a copy of the latest version), so recommendations keep
the version they were made with. Criteria are checked as a whole (``recognition.domain.tiers.framework_problems``):
a threshold out of range, K above N, a metric named twice, a lower tier demanding more than a higher one, or two tiers
asking exactly the same are refused with every problem named, and nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from auditlog.context import set_actor
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from partnerhub.core.errors import InvalidStateError
from partnerhub.core.models import Membership, Partner, Tenant
from partnerhub.core.publication import publication_ensure_allowed
from partnerhub.core.rules import ensure_can
from partnerhub.core.services.program import ensure_same_tenant
from recognition.domain.defaults import DEFAULT_TIERS, SUGGESTED_CRITERIA
from recognition.domain.tiers import Criteria, Framework, MetricRule, TierSpec, framework_problems
from recognition.errors import FrameworkInvalidError, FrameworkNotDraftError, TierInvalidError
from recognition.models import FrameworkVersion, Tier, TierCriteria, TierMetricRequirement
from recognition.selectors.tiers import (
    framework_draft,
    framework_latest_published,
    framework_spec,
    framework_version_publication,
    tier_list,
)

if TYPE_CHECKING:
    from scorecards.models import MetricDefinition

TIER_FIELDS = (
    "name",
    "rank",
    "mdf_share_pct",
    "discount_pct",
    "enablement",
    "support",
    "beta_access",
    "executive_sponsor",
    "other_benefits",
)


# --- tiers ---


def tier_defaults_ensure(*, tenant: Tenant) -> list[Tier]:
    """Give a program without tiers the four it always had (Registered to Platinum, with default benefits), and a
    record for any other value a partner holds; idempotent. Returns the tiers, entry tier first."""
    with transaction.atomic():
        existing = {t.key for t in tier_list(tenant=tenant)}
        rows = [
            Tier(
                tenant=tenant,
                key=d.key,
                name=d.name,
                rank=d.rank,
                mdf_share_pct=d.mdf_share_pct,
                discount_pct=d.discount_pct,
                enablement=d.enablement,
                support=d.support,
                beta_access=d.beta_access,
                executive_sponsor=d.executive_sponsor,
            )
            for d in DEFAULT_TIERS
            if not existing and d.key not in existing
        ]
        known = existing | {r.key for r in rows}
        top = max([r.rank for r in rows] + list(tier_list(tenant=tenant).values_list("rank", flat=True)) + [0])
        held = set(Partner.objects.for_tenant(tenant).values_list("tier", flat=True).distinct())
        for value in sorted(held - known):
            top += 1
            rows.append(Tier(tenant=tenant, key=value, name=value.replace("_", " ").title(), rank=top))
        Tier.objects.bulk_create(rows)
    return list(tier_list(tenant=tenant))


def _tier_errors(exc: ValidationError) -> TierInvalidError:
    fields = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
    first = next(iter(fields.values()))[0] if fields else "Check the tier's fields."
    return TierInvalidError(first, extra={"fields": fields})


@transaction.atomic
def tier_create(*, tenant: Tenant, actor: Membership, data: dict[str, Any]) -> Tier:
    """Add a tier (its key is what partners hold; it never changes). Raises TierInvalidError, nothing written."""
    ensure_same_tenant(tenant, actor)
    ensure_can(actor, "tiers.change")
    tier = Tier(
        tenant=tenant, key=str(data.get("key", "")).strip().lower(), **{k: data[k] for k in TIER_FIELDS if k in data}
    )
    try:
        tier.full_clean(validate_constraints=False, validate_unique=False)
    except ValidationError as exc:
        raise _tier_errors(exc) from exc
    _check_unique(tenant, tier)
    with set_actor(actor.user):
        tier.save()
    return tier


@transaction.atomic
def tier_update(*, tenant: Tenant, actor: Membership, tier: Tier, data: dict[str, Any]) -> Tier:
    """Change a tier's name, rank or benefits (not its key). Raises TierInvalidError, nothing written."""
    ensure_same_tenant(tenant, actor, tier)
    ensure_can(actor, "tiers.change")
    changed = [k for k in TIER_FIELDS if k in data]
    for key in changed:
        setattr(tier, key, data[key])
    try:
        tier.full_clean(validate_constraints=False, validate_unique=False)
    except ValidationError as exc:
        raise _tier_errors(exc) from exc
    _check_unique(tenant, tier)
    with set_actor(actor.user):
        tier.save(update_fields=[*changed, "updated_at"])
    return tier


def _check_unique(tenant: Tenant, tier: Tier) -> None:
    others = Tier.objects.for_tenant(tenant).exclude(pk=tier.pk)
    if others.filter(key=tier.key).exists():
        raise TierInvalidError("Another tier has this key.", extra={"fields": {"key": ["Another tier has this key."]}})
    clash = others.filter(rank=tier.rank).first()
    if clash is not None:
        message = f"{clash.name} already has rank {tier.rank}: each tier has its own place in the order."
        raise TierInvalidError(message, extra={"fields": {"rank": [message]}})


# --- framework versions ---


@dataclass(frozen=True)
class MetricInput:
    metric: MetricDefinition
    threshold: Decimal
    comparison: str = ""  # "" = from the metric's direction (higher is better: at least; lower: at most)


@dataclass(frozen=True)
class CriteriaInput:
    """One tier's criteria in a draft (no score, no tenure, no metric: open to every partner)."""

    tier: Tier
    min_score: Decimal | None = None
    quarters_required: int = 1
    quarters_window: int = 1
    min_tenure_months: int | None = None
    metrics: tuple[MetricInput, ...] = ()


@transaction.atomic
def framework_draft_open(*, tenant: Tenant, actor: Membership) -> FrameworkVersion:
    """The program's open draft, or a new one: a copy of the latest published version, or, for a first framework, a
    suggestion (score criteria by rank, the entry tier open) to edit before publishing."""
    ensure_same_tenant(tenant, actor)
    ensure_can(actor, "framework.change")
    draft = framework_draft(tenant=tenant)
    if draft is not None:
        return draft
    tiers = tier_defaults_ensure(tenant=tenant)
    latest = framework_latest_published(tenant=tenant)
    number = (FrameworkVersion.objects.for_tenant(tenant).aggregate(n=Max("number"))["n"] or 0) + 1
    with set_actor(actor.user):
        draft = FrameworkVersion.objects.create(
            tenant=tenant,
            number=number,
            created_by=actor,
            grace_quarters=latest.grace_quarters if latest else 1,
            grace_visible_to_partner=latest.grace_visible_to_partner if latest else True,
        )
    if latest is not None:
        _copy_criteria(tenant, latest, draft)
    else:
        suggestions = dict(zip(reversed(tiers[1:]), SUGGESTED_CRITERIA, strict=False))
        TierCriteria.objects.bulk_create(
            [
                TierCriteria(
                    tenant=tenant,
                    version=draft,
                    tier=tier,
                    min_score=s.min_score,
                    quarters_required=s.quarters_required,
                    quarters_window=s.quarters_window,
                    min_tenure_months=s.min_tenure_months,
                )
                for tier, s in suggestions.items()
            ]
        )
    return draft


def _copy_criteria(tenant: Tenant, source: FrameworkVersion, target: FrameworkVersion) -> None:
    rows = list(TierCriteria.objects.for_tenant(tenant).filter(version=source).prefetch_related("metrics"))
    copies = TierCriteria.objects.bulk_create(
        [
            TierCriteria(
                tenant=tenant,
                version=target,
                tier_id=c.tier_id,
                min_score=c.min_score,
                quarters_required=c.quarters_required,
                quarters_window=c.quarters_window,
                min_tenure_months=c.min_tenure_months,
            )
            for c in rows
        ]
    )
    TierMetricRequirement.objects.bulk_create(
        [
            TierMetricRequirement(
                tenant=tenant, criteria=copy, metric_id=m.metric_id, comparison=m.comparison, threshold=m.threshold
            )
            for original, copy in zip(rows, copies, strict=True)
            for m in original.metrics.all()
        ]
    )


def _comparison(item: MetricInput) -> str:
    if item.comparison:
        return item.comparison
    return TierMetricRequirement.Comparison.AT_MOST if item.metric.direction == "lower" else "gte"


def _as_framework(version: FrameworkVersion, tiers: list[Tier], criteria: list[CriteriaInput], grace: int) -> Framework:
    return Framework(
        version_id=version.pk,
        number=version.number,
        grace_quarters=grace,
        tiers=tuple(TierSpec(t.pk, t.key, t.name, t.rank) for t in tiers),
        criteria={
            c.tier.pk: Criteria(
                tier_id=c.tier.pk,
                min_score=float(c.min_score) if c.min_score is not None else None,
                quarters_required=c.quarters_required,
                quarters_window=c.quarters_window,
                min_tenure_months=c.min_tenure_months,
                metrics=tuple(
                    MetricRule(
                        metric_id=m.metric.pk,
                        key=m.metric.key,
                        name=m.metric.name,
                        unit=m.metric.unit,
                        comparison=_comparison(m),
                        threshold=float(m.threshold),
                    )
                    for m in c.metrics
                ),
            )
            for c in criteria
        },
    )


def _raise_problems(framework: Framework, units: dict[int, str]) -> None:
    problems = framework_problems(framework, units)
    if problems:
        fields: dict[str, list[str]] = {}
        for problem in problems:
            fields.setdefault(problem.field, []).append(problem.message)
        raise FrameworkInvalidError([p.message for p in problems], fields)


@transaction.atomic
def framework_draft_save(
    *,
    tenant: Tenant,
    actor: Membership,
    version: FrameworkVersion,
    criteria: list[CriteriaInput],
    grace_quarters: int,
    grace_visible_to_partner: bool,
) -> FrameworkVersion:
    """Replace a draft's criteria and grace settings after checking them as a whole.

    Raises ``FrameworkNotDraftError`` for a published version, ``CrossTenantReferenceError`` for a tier or metric of
    another program, ``FrameworkInvalidError`` listing every problem; in each case nothing is written.
    """
    ensure_same_tenant(
        tenant, actor, version, *(c.tier for c in criteria), *(m.metric for c in criteria for m in c.metrics)
    )
    ensure_can(actor, "framework.change")
    locked = FrameworkVersion.objects.for_tenant(tenant).select_for_update().get(pk=version.pk)
    if locked.status != FrameworkVersion.Status.DRAFT:
        raise FrameworkNotDraftError("This version is published: open a new draft to change the framework.")
    tiers = list(tier_list(tenant=tenant))
    if len({c.tier.pk for c in criteria}) != len(criteria):
        raise FrameworkInvalidError(["A tier is given criteria twice."])
    units = {m.metric.pk: m.metric.unit for c in criteria for m in c.metrics}
    _raise_problems(_as_framework(locked, tiers, criteria, grace_quarters), units)
    TierCriteria.objects.for_tenant(tenant).filter(version=locked).delete()
    kept = [c for c in criteria if c.min_score is not None or c.min_tenure_months or c.metrics]
    rows = TierCriteria.objects.bulk_create(
        [
            TierCriteria(
                tenant=tenant,
                version=locked,
                tier=c.tier,
                min_score=c.min_score,
                quarters_required=c.quarters_required if c.min_score is not None else 1,
                quarters_window=c.quarters_window if c.min_score is not None else 1,
                min_tenure_months=c.min_tenure_months or None,
            )
            for c in kept
        ]
    )
    TierMetricRequirement.objects.bulk_create(
        [
            TierMetricRequirement(
                tenant=tenant, criteria=row, metric=m.metric, comparison=_comparison(m), threshold=m.threshold
            )
            for row, c in zip(rows, kept, strict=True)
            for m in c.metrics
        ]
    )
    locked.grace_quarters, locked.grace_visible_to_partner = grace_quarters, grace_visible_to_partner
    with set_actor(actor.user):
        locked.save(update_fields=["grace_quarters", "grace_visible_to_partner", "updated_at"])
    return locked


@transaction.atomic
def framework_publish(
    *, tenant: Tenant, actor: Membership, version: FrameworkVersion, rationale: str, effective_from: date | None
) -> FrameworkVersion:
    """Publish a draft with a rationale and an effective date (after the version in force's); then the latest
    complete quarter's recommendations are made again under it, if it is in force for that quarter.

    Raises ``FrameworkNotDraftError``, ``InvalidStateError`` (no rationale, no or too early a date),
    ``FrameworkInvalidError`` or ``PublicationBlockedError`` (a publication guard's refusal: the executive layer asks
    a published change notice of every version after the first); nothing is written.
    """
    ensure_same_tenant(tenant, actor, version)
    ensure_can(actor, "framework.change")
    locked = FrameworkVersion.objects.for_tenant(tenant).select_for_update().get(pk=version.pk)
    if locked.status != FrameworkVersion.Status.DRAFT:
        raise FrameworkNotDraftError("This version is already published.")
    rationale = rationale.strip()
    if not rationale:
        raise InvalidStateError(
            "Say why the framework changes: the rationale is kept with the version.",
            extra={"fields": {"rationale": ["Required."]}},
        )
    if effective_from is None:
        raise InvalidStateError(
            "Give the date the version takes effect.", extra={"fields": {"effective_from": ["Required."]}}
        )
    latest = framework_latest_published(tenant=tenant)
    if latest is not None and latest.effective_from is not None and effective_from <= latest.effective_from:
        message = (
            f"Version {latest.number} takes effect on {latest.effective_from:%d %b %Y}: this one must take effect "
            "after it."
        )
        raise InvalidStateError(message, extra={"fields": {"effective_from": [message]}})
    spec = framework_spec(tenant=tenant, version=locked)
    _raise_problems(spec, {})
    # The program's governance may hold a later version back (a published change notice first): nothing written yet.
    publication_ensure_allowed(framework_version_publication(tenant=tenant, version=locked))
    locked.status, locked.rationale, locked.effective_from = (
        FrameworkVersion.Status.PUBLISHED,
        rationale,
        effective_from,
    )
    locked.published_by, locked.published_at = actor, timezone.now()
    try:
        with set_actor(actor.user), transaction.atomic():
            locked.save(
                update_fields=["status", "rationale", "effective_from", "published_by", "published_at", "updated_at"]
            )
    except IntegrityError as exc:  # the constraints say the same as the checks above; a race is the only way here
        raise InvalidStateError("The framework changed meanwhile; reload and try again.") from exc

    def regenerate() -> None:
        from recognition.tasks.tiers import tier_recommendations_generate_task

        tier_recommendations_generate_task.delay(tenant_id=tenant.pk)

    transaction.on_commit(regenerate)
    return locked
