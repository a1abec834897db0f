"""Recognition test helpers: stored quarterly snapshots (as the refresh writes them), tiers, and a published
framework built through the services, as an admin would."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from partnerhub.core.domain.periods import add_months
from partnerhub.core.models import Membership, Partner, Role, Tenant
from partnerhub.core.tenancy.context import tenant_context
from recognition.models import FrameworkVersion, Tier
from recognition.services.tiers import (
    CriteriaInput,
    MetricInput,
    framework_draft_open,
    framework_draft_save,
    framework_publish,
    tier_defaults_ensure,
)
from scorecards.models import MetricDefinition, ScorecardSnapshot, TemplateVersion
from tests.factories import announced, member
from tests.scorecards.factories import MetricFactory, VersionFactory

Q3_2026 = date(2026, 7, 1)


def quarters_back(last: date, count: int) -> list[date]:
    """``count`` quarter starts ending at ``last``, oldest first."""
    return [add_months(last, -3 * (count - 1 - i)) for i in range(count)]


def _version(tenant: Tenant) -> TemplateVersion:
    with tenant_context(tenant):
        found = TemplateVersion.objects.for_tenant(tenant).first()
    return found or VersionFactory(template__tenant=tenant)


def quarter_snapshot(
    partner: Partner,
    quarter: date,
    score: float | None,
    *,
    actuals: Mapping[MetricDefinition, float | None] | None = None,
    months_covered: int = 3,
    trend: str = "stable",
    percentile: float | None = None,
) -> ScorecardSnapshot:
    """A quarter snapshot as the refresh stores it; ``actuals`` become its items (metric id, actual)."""
    tenant = partner.tenant
    version = _version(tenant)
    items = [
        {
            "metric_id": m.pk,
            "weight": 10,
            "target": 1,
            "actual": v,
            "attainment": None,
            "points": None,
            "rag": "",
            "missing": v is None,
        }
        for m, v in (actuals or {}).items()
    ]
    with tenant_context(tenant):
        return ScorecardSnapshot.objects.create(
            tenant=tenant,
            partner=partner,
            period=ScorecardSnapshot.Period.QUARTER,
            period_start=quarter,
            months_covered=months_covered,
            template_version=version,
            score=None if score is None else Decimal(str(score)),
            percentile=None if percentile is None else Decimal(str(percentile)),
            trend=trend,
            items=items,
            computed_at=datetime(2026, 10, 2, tzinfo=UTC),
        )


def history(partner: Partner, scores: Iterable[float | None], *, last: date = Q3_2026, **kw: Any) -> None:
    """Quarter snapshots with ``scores``, oldest first, ending at ``last``."""
    scores = list(scores)
    for quarter, score in zip(quarters_back(last, len(scores)), scores, strict=True):
        quarter_snapshot(partner, quarter, score, **kw)


def month_snapshot(partner: Partner, month: date, score: float | None = 70) -> ScorecardSnapshot:
    tenant = partner.tenant
    with tenant_context(tenant):
        return ScorecardSnapshot.objects.create(
            tenant=tenant,
            partner=partner,
            period=ScorecardSnapshot.Period.MONTH,
            period_start=month,
            months_covered=1,
            template_version=_version(tenant),
            score=None if score is None else Decimal(str(score)),
            computed_at=datetime(2026, 10, 2, tzinfo=UTC),
        )


def tiers(tenant: Tenant) -> dict[str, Tier]:
    with tenant_context(tenant):
        return {t.key: t for t in tier_defaults_ensure(tenant=tenant)}


def certified_metric(tenant: Tenant) -> MetricDefinition:
    return MetricFactory(tenant=tenant, key="certified_staff", name="Certified staff", aggregation="last")


def publish(
    tenant: Tenant,
    admin: Membership | None = None,
    *,
    criteria: dict[str, dict[str, Any]] | None = None,
    grace: int = 1,
    visible: bool = True,
    effective_from: date = date(2025, 1, 1),
    rationale: str = "First framework.",
    announce: bool = True,
) -> FrameworkVersion:
    """Draft, save and publish a framework: ``criteria`` per tier key (min_score, required, window, tenure, metrics:
    [(metric, threshold)]); by default Silver 60 in 2 of 4, Gold 75 in 3 of 4, Platinum 85 in 3 of 4. ``announce``:
    a published change notice for the draft first (what the publication guard asks of every version after the
    first)."""
    admin = admin or member(tenant, Role.ADMIN)
    by_key = tiers(tenant)
    criteria = (
        criteria
        if criteria is not None
        else {
            "silver": {"min_score": 60, "required": 2, "window": 4},
            "gold": {"min_score": 75, "required": 3, "window": 4},
            "platinum": {"min_score": 85, "required": 3, "window": 4},
        }
    )
    with tenant_context(tenant):
        return _publish(tenant, admin, by_key, criteria, grace, visible, effective_from, rationale, announce)


def _publish(tenant, admin, by_key, criteria, grace, visible, effective_from, rationale, announce):  # type: ignore[no-untyped-def]
    draft = framework_draft_open(tenant=tenant, actor=admin)
    inputs = [
        CriteriaInput(
            tier=by_key[key],
            min_score=Decimal(str(c["min_score"])) if c.get("min_score") is not None else None,
            quarters_required=c.get("required", 1),
            quarters_window=c.get("window", 1),
            min_tenure_months=c.get("tenure"),
            metrics=tuple(MetricInput(metric=m, threshold=Decimal(str(t))) for m, t in c.get("metrics", [])),
        )
        for key, c in criteria.items()
    ]
    framework_draft_save(
        tenant=tenant,
        actor=admin,
        version=draft,
        criteria=inputs,
        grace_quarters=grace,
        grace_visible_to_partner=visible,
    )
    if announce:
        announced(draft)
    return framework_publish(
        tenant=tenant, actor=admin, version=draft, rationale=rationale, effective_from=effective_from
    )
