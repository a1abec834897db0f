"""A program to hold a review in: its people, a partner, a review; and snapshots for it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from partnerhub.core.domain.periods import add_months, month_number, month_start
from partnerhub.core.models import Membership, Partner, Role, Tenant
from partnerhub.core.tenancy.context import tenant_context
from reviews.models import Review, ReviewNote
from scorecards.models import ScorecardSnapshot, TemplateVersion
from tests.factories import PartnerFactory, UserFactory, member
from tests.reviews.factories import CadenceFactory, CycleFactory, ReviewFactory
from tests.scorecards.factories import TemplateFactory, VersionFactory


@dataclass
class Program:
    tenant: Tenant
    admin: Membership
    moderator: Membership  # a manager who moderates the review and owns the partner
    other_manager: Membership  # a manager of another partner
    executive: Membership
    partner_user: Membership
    partner: Partner
    review: Review


def program(tenant: Tenant, *, kind: str = "qbr", scheduled_for: datetime | None = None, **review: Any) -> Program:
    admin = member(tenant, Role.ADMIN, user=UserFactory(first_name="Ada", last_name="Admin"))
    moderator = member(tenant, Role.MANAGER, user=UserFactory(first_name="Maya", last_name="Moderator"))
    other_manager = member(tenant, Role.MANAGER, user=UserFactory(first_name="Otto", last_name="Other"))
    executive = member(tenant, Role.EXECUTIVE, user=UserFactory(first_name="Evan", last_name="Exec"))
    partner = PartnerFactory(tenant=tenant, name="Northwind Traders", owner=moderator)
    PartnerFactory(tenant=tenant, name="Someone Else", owner=other_manager)
    partner_user = member(
        tenant, Role.PARTNER, partner=partner, user=UserFactory(first_name="Pat", last_name="Partner")
    )
    cadence = CadenceFactory(tenant=tenant, kind=kind)
    cycle = CycleFactory(cadence=cadence)
    when = scheduled_for or datetime.now(UTC).replace(microsecond=0) + timedelta(days=14)
    the_review = ReviewFactory(cycle=cycle, partner=partner, moderator=moderator, scheduled_for=when, **review)
    return Program(tenant, admin, moderator, other_manager, executive, partner_user, partner, the_review)


def fresh(review: Review) -> Review:
    with tenant_context(review.tenant):
        return Review.objects.select_related("partner").get(pk=review.pk)


def template_version(tenant: Tenant) -> TemplateVersion:
    with tenant_context(tenant):
        found = TemplateVersion.objects.filter(template__name="Review tests").first()
    if found is not None:
        return found
    template = TemplateFactory(tenant=tenant, name="Review tests", is_default=True)
    return VersionFactory(template=template, number=1)


def item(metric: Any, *, actual: float, target: float, rag: str, missing: bool = False) -> dict[str, Any]:
    return {
        "metric_id": metric.pk,
        "weight": 50,
        "target": target,
        "actual": None if missing else actual,
        "normalised": None,
        "attainment": None if missing else round(100 * actual / target, 2),
        "points": None if missing else 25,
        "rag": "" if missing else rag,
        "missing": missing,
    }


def snapshot(
    partner: Partner,
    period_start: date,
    *,
    score: float | None = 72.5,
    rag: str = "amber",
    change: float | None = None,
    trend: str = "stable",
    explanation: str = "Usual month-to-month movement ±2.0 points.",
    items: list[dict[str, Any]] | None = None,
    dq_reasons: list[str] | None = None,
    period: str = "month",
    months_covered: int | None = None,
) -> ScorecardSnapshot:
    tenant = partner.tenant
    version = template_version(tenant)
    with tenant_context(tenant):
        found, _ = ScorecardSnapshot.objects.update_or_create(
            tenant=tenant,
            partner=partner,
            period=period,
            period_start=period_start,
            defaults={
                "template_version": version,
                "score": None if score is None else Decimal(str(score)),
                "rag": rag,
                "change_previous": None if change is None else Decimal(str(change)),
                "trend": trend,
                "trend_explanation": explanation,
                "dq_flag": bool(dq_reasons),
                "dq_reasons": dq_reasons or [],
                "items": items or [],
                "computed_at": datetime.now(UTC),
                "months_covered": months_covered or (3 if period == "quarter" else 1),
            },
        )
    return found


def this_month() -> date:
    return month_start(month_number(timezone.localdate()))


def months_ago(n: int) -> date:
    return add_months(timezone.localdate(), -n)


def on_its_day(p: Program) -> Program:
    """Move ``p``'s review to an hour ago, so it may be marked held (a review is never held before its day)."""
    with tenant_context(p.tenant):
        when = timezone.now().replace(microsecond=0) - timedelta(hours=1)
        Review.objects.filter(pk=p.review.pk).update(scheduled_for=when)
    p.review.scheduled_for = when
    return p


def with_a_note(p: Program) -> Program:
    """Put one internal note on ``p``'s review, so its record is not empty when it is signed off."""
    with tenant_context(p.tenant):
        ReviewNote.objects.create(tenant=p.tenant, review=p.review, section_key="performance", body="Discussed.")
    return p
