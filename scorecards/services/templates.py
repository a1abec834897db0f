"""Scorecard templates: versions are drafted, edited, then published with a rationale and an effective date.

A published version is never edited again: a change is a new draft (a copy of the latest version), so old snapshots
keep exactly the version they were computed with.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from partnerhub.core.errors import InvalidStateError
from partnerhub.core.models import Membership, Partner, Tenant
from partnerhub.core.publication import publication_ensure_allowed
from partnerhub.core.rules import ensure_can
from partnerhub.core.services.program import ensure_same_tenant
from scorecards.domain.target_limits import target_out_of_reach
from scorecards.models import MetricDefinition, ScorecardTemplate, TargetRule, TemplateItem, TemplateVersion
from scorecards.selectors.templates import template_version_publication, version_contents_load

TIERS = tuple(Partner.Tier.values)


@dataclass(frozen=True)
class ItemInput:
    """One weighted metric of a draft: a default monthly target, and optional targets by tier."""

    metric: MetricDefinition
    weight: Decimal
    normalise: bool = False
    target: Decimal | None = None
    tier_targets: tuple[tuple[str, Decimal], ...] = ()


@transaction.atomic
def template_create(
    *, tenant: Tenant, actor: Membership, name: str, partner_type: str = "", stage: str = "", is_default: bool = False
) -> ScorecardTemplate:
    """Create a template for a segment (blank type/stage = any) with an empty draft version 1."""
    ensure_same_tenant(tenant, actor)
    ensure_can(actor, "templates.change")
    template = ScorecardTemplate(
        tenant=tenant, name=name.strip(), partner_type=partner_type, stage=stage, is_default=is_default
    )
    template.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            template.save()
    except IntegrityError as exc:
        raise InvalidStateError(
            "This segment already has a template (or the program already has a default).",
            extra={"fields": {"partner_type": ["taken"]}},
        ) from exc
    TemplateVersion.objects.create(tenant=tenant, template=template, number=1, created_by=actor)
    return template


def _scope_label(tier: str, stage: str) -> str:
    return " / ".join(s for s in (tier, stage) if s) or "default"


def _ensure_targets_reachable(targets: list[tuple[MetricDefinition, str, str, Decimal]]) -> None:
    """Refuse targets a metric cannot reach (``(metric, tier, stage, monthly target)`` each), naming every one.

    The limits are the metric unit's (``scorecards.domain.target_limits``): above 0 for every unit, at most 100 for
    a percent. Raises ``InvalidStateError`` before anything is written.
    """
    problems = []
    for metric, tier, stage, target in targets:
        reason = target_out_of_reach(unit=metric.unit, target=target)
        if reason is not None:
            problems.append(f"{metric.name}: the {_scope_label(tier, stage)} target {_num(target)} {reason}")
    if problems:
        raise InvalidStateError(
            "A target is out of reach. " + "; ".join(problems) + ".",
            extra={"fields": {"target": ["out_of_reach"]}, "problems": problems},
        )


def _latest(template: ScorecardTemplate) -> TemplateVersion | None:
    return TemplateVersion.objects.for_tenant(template.tenant).filter(template=template).order_by("-number").first()


@transaction.atomic
def template_version_draft(*, tenant: Tenant, actor: Membership, template: ScorecardTemplate) -> TemplateVersion:
    """The template's open draft, or a new one copied from its latest version (items and targets included)."""
    ensure_same_tenant(tenant, actor, template)
    ensure_can(actor, "templates.change")
    latest = _latest(template)
    if latest is not None and latest.status == TemplateVersion.Status.DRAFT:
        return latest
    number = (latest.number if latest else 0) + 1
    draft = TemplateVersion.objects.create(
        tenant=tenant,
        template=template,
        number=number,
        created_by=actor,
        cap=latest.cap if latest else Decimal(150),
        green_at=latest.green_at if latest else Decimal(100),
        amber_at=latest.amber_at if latest else Decimal(80),
        score_green_at=latest.score_green_at if latest else Decimal(80),
        score_amber_at=latest.score_amber_at if latest else Decimal(60),
    )
    if latest is not None:
        items = list(TemplateItem.objects.for_tenant(tenant).filter(version=latest).prefetch_related("targets"))
        copies = TemplateItem.objects.bulk_create(
            [
                TemplateItem(
                    tenant=tenant, version=draft, metric_id=i.metric_id, weight=i.weight, normalise=i.normalise
                )
                for i in items
            ]
        )
        TargetRule.objects.bulk_create(
            [
                TargetRule(tenant=tenant, item=copy, tier=t.tier, stage=t.stage, monthly_target=t.monthly_target)
                for original, copy in zip(items, copies, strict=True)
                for t in original.targets.all()
            ]
        )
    return draft


@transaction.atomic
def template_items_set(
    *, tenant: Tenant, actor: Membership, version: TemplateVersion, items: list[ItemInput]
) -> TemplateVersion:
    """Replace a draft's items and targets (a published version cannot change).

    Raises ``InvalidStateError`` for a published version, a repeated metric, a weight not above 0, or a target out of
    its metric's reach (``_ensure_targets_reachable``), with nothing written.
    """
    ensure_same_tenant(tenant, actor, version, *(i.metric for i in items))
    ensure_can(actor, "templates.change")
    if version.status != TemplateVersion.Status.DRAFT:
        raise InvalidStateError("Only a draft can be edited: start a new draft from this version.")
    if len({i.metric.pk for i in items}) != len(items):
        raise InvalidStateError("Each metric may appear once.", extra={"fields": {"metric": ["duplicate"]}})
    if any(i.weight <= 0 for i in items):
        raise InvalidStateError("Weights must be positive.", extra={"fields": {"weight": ["positive"]}})
    _ensure_targets_reachable(
        [
            (i.metric, tier, "", value)
            for i in items
            for tier, value in ((("", i.target),) if i.target is not None else ()) + i.tier_targets
        ]
    )
    TemplateItem.objects.for_tenant(tenant).filter(version=version).delete()
    created = TemplateItem.objects.bulk_create(
        [
            TemplateItem(tenant=tenant, version=version, metric=i.metric, weight=i.weight, normalise=i.normalise)
            for i in items
        ]
    )
    rules = []
    for spec, item in zip(items, created, strict=True):
        if spec.target is not None:
            rules.append(TargetRule(tenant=tenant, item=item, monthly_target=spec.target))
        rules += [
            TargetRule(tenant=tenant, item=item, tier=tier, monthly_target=value) for tier, value in spec.tier_targets
        ]
    TargetRule.objects.bulk_create(rules)
    version.save(update_fields=["updated_at"])
    return version


@transaction.atomic
def template_version_publish(
    *, tenant: Tenant, actor: Membership, version: TemplateVersion, rationale: str, effective_from: date
) -> TemplateVersion:
    """Publish a draft: weights must sum to exactly 100, every item needs a default target, and every target must be
    within its metric's reach (``_ensure_targets_reachable``); otherwise ``InvalidStateError``, nothing written. A
    publication guard may refuse a later version (``PublicationBlockedError``: the executive layer asks for a
    published change notice first), nothing written either.

    The version in force before it is retired; it still applies to the periods that ended before
    ``effective_from``, so older snapshots keep their version. After commit, the tenant's snapshots are refreshed
    (a task: the periods from ``effective_from`` on are scored with the new version).
    """
    ensure_same_tenant(tenant, actor, version)
    ensure_can(actor, "templates.change")
    if version.status != TemplateVersion.Status.DRAFT:
        raise InvalidStateError("This version is already published.")
    if not rationale.strip():
        raise InvalidStateError("Say why the scorecard changes.", extra={"fields": {"rationale": ["required"]}})
    items = list(
        TemplateItem.objects.for_tenant(tenant)
        .filter(version=version)
        .select_related("metric")
        .prefetch_related("targets")
    )
    total = sum((i.weight for i in items), Decimal(0))
    if total != Decimal(100):
        raise InvalidStateError(
            f"The weights add up to {total.normalize():f}; they must add up to exactly 100.",
            extra={"fields": {"weight": ["sum"]}},
        )
    untargeted = [i for i in items if not any(t.tier == "" and t.stage == "" for t in i.targets.all())]
    if untargeted:
        raise InvalidStateError(
            "Every metric needs a default monthly target.", extra={"fields": {"target": ["required"]}}
        )
    # Checked again here: a draft saved before this rule existed, or written around the service, may hold one.
    _ensure_targets_reachable([(i.metric, t.tier, t.stage, t.monthly_target) for i in items for t in i.targets.all()])
    last_effective = (
        TemplateVersion.objects.for_tenant(tenant)
        .filter(template=version.template)
        .exclude(pk=version.pk)
        .aggregate(last=Max("effective_from"))["last"]
    )
    if last_effective is not None and effective_from <= last_effective:
        raise InvalidStateError(
            f"The effective date must come after {last_effective:%Y-%m-%d}, the date of the version in force.",
            extra={"fields": {"effective_from": ["order"]}},
        )
    # The program's governance may hold a later version back (a published change notice first): nothing written yet.
    publication_ensure_allowed(template_version_publication(tenant=tenant, version=version))
    TemplateVersion.objects.for_tenant(tenant).filter(
        template=version.template, status=TemplateVersion.Status.ACTIVE
    ).update(status=TemplateVersion.Status.RETIRED)
    version.status = TemplateVersion.Status.ACTIVE
    version.rationale = rationale.strip()
    version.effective_from = effective_from
    version.published_by = actor
    version.published_at = timezone.now()
    version.save(update_fields=["status", "rationale", "effective_from", "published_by", "published_at", "updated_at"])
    from scorecards.tasks.snapshots import snapshot_refresh_task  # lazily: the task module imports this service

    transaction.on_commit(lambda: snapshot_refresh_task.delay(tenant_id=tenant.pk))
    return version


def _num(value: Decimal | None) -> str:
    return "—" if value is None else f"{value.normalize():f}"


def template_version_diff(old: TemplateVersion | None, new: TemplateVersion) -> list[str]:
    """What changed from ``old`` to ``new``, one readable sentence per change (versions from ``template_versions``
    have their items loaded: no query)."""
    version_contents_load(tenant=new.tenant, versions=(old, new))

    def described(version: TemplateVersion | None) -> dict[int, dict[str, Any]]:
        if version is None:
            return {}
        return {
            i.metric_id: {
                "name": i.metric.name,
                "weight": i.weight,
                "normalise": i.normalise,
                "targets": {(t.tier, t.stage): t.monthly_target for t in i.targets.all()},
            }
            for i in version.items.all()
        }

    before, after = described(old), described(new)
    changes = [f"Added {a['name']} at weight {_num(a['weight'])}." for k, a in after.items() if k not in before]
    changes += [f"Removed {b['name']}." for k, b in before.items() if k not in after]
    for key in before.keys() & after.keys():
        b, a = before[key], after[key]
        if b["weight"] != a["weight"]:
            changes.append(f"{a['name']}: weight {_num(b['weight'])} → {_num(a['weight'])}.")
        if b["normalise"] != a["normalise"]:
            changes.append(f"{a['name']}: {'now' if a['normalise'] else 'no longer'} normalised by partner size.")
        for scope in sorted(b["targets"].keys() | a["targets"].keys()):
            old_t, new_t = b["targets"].get(scope), a["targets"].get(scope)
            if old_t != new_t:
                label = " / ".join(s for s in scope if s) or "default"
                changes.append(
                    f"{a['name']}: {label} target {old_t if old_t is not None else '—'} → "
                    f"{new_t if new_t is not None else '—'}."
                )
    if old is not None:
        for field in ("cap", "green_at", "amber_at", "score_green_at", "score_amber_at"):
            if getattr(old, field) != getattr(new, field):
                label = str(getattr(TemplateVersion._meta.get_field(field), "verbose_name", field))
                changes.append(f"{label}: {_num(getattr(old, field))} → {_num(getattr(new, field))}.")
    return sorted(changes)
