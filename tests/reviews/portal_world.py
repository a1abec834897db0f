"""Builders for the portal, self-assessment and forecast tests: a program seen from a partner company's portal.

One program with a partner company that has a portal user, a sibling partner with its own user, and a manager;
every shared record a test creates carries a marker string, so the tests can assert on the HTML what shows and what
never does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from partnerhub.core.domain.periods import quarter_end
from partnerhub.core.models import Membership, Partner, Role, Tenant
from partnerhub.core.tenancy.context import tenant_context
from reviews.models import (
    ActionItem,
    Decision,
    Forecast,
    ForecastLine,
    PromptRating,
    Review,
    ReviewNote,
    SelfAssessment,
    Visibility,
)
from scorecards.models import Deal
from tests.factories import PartnerFactory, UserFactory, member
from tests.reviews.factories import ActionItemFactory, CadenceFactory, CycleFactory, ReviewFactory

Q4_2026 = date(2026, 10, 1)


@dataclass
class Portal:
    tenant: Tenant
    manager: Membership
    partner: Partner
    sibling: Partner
    partner_user: Membership
    sibling_user: Membership


def portal(tenant: Tenant) -> Portal:
    manager = member(tenant, Role.MANAGER, user=UserFactory(email="manager@alpha.test"))
    partner = PartnerFactory(tenant=tenant, name="Own Partner Co", owner=manager)
    sibling = PartnerFactory(tenant=tenant, name="SIBLING-CO-MARKER", owner=manager)
    return Portal(
        tenant=tenant,
        manager=manager,
        partner=partner,
        sibling=sibling,
        partner_user=member(tenant, Role.PARTNER, partner=partner, user=UserFactory(email="paula@own.test")),
        sibling_user=member(tenant, Role.PARTNER, partner=sibling, user=UserFactory(email="piet@sibling.test")),
    )


def qbr(
    tenant: Tenant,
    partner: Partner,
    *,
    state: str = Review.State.SCHEDULED,
    period_start: date = Q4_2026,
    asks_forecast: bool = True,
    scheduled_for: datetime | None = None,
    cadence: Any = None,
    **extra: Any,
) -> Review:
    """A QBR of ``partner`` in the quarter starting ``period_start`` (its own cadence and cycle unless given)."""
    cadence = cadence or CadenceFactory(tenant=tenant, asks_forecast=asks_forecast)
    cycle = CycleFactory(cadence=cadence, period_start=period_start, period_end=quarter_end(period_start))
    when = scheduled_for or datetime(period_start.year, period_start.month, 15, 15, 0, tzinfo=UTC)
    return ReviewFactory(cycle=cycle, partner=partner, state=state, scheduled_for=when, **extra)


def upcoming_qbr(tenant: Tenant, partner: Partner, **extra: Any) -> Review:
    """A QBR in the current quarter, a week ahead."""
    return qbr(tenant, partner, scheduled_for=timezone.now() + timedelta(days=7), **extra)


def shared_and_internal_record(review: Review, tag: str = "") -> dict[str, int]:
    """A note, rating, decision and action item of each visibility, with markers: SHARED-… shows, INTERNAL-… never.

    Returns the ids of the shared and internal action items.
    """
    tenant = review.tenant
    with tenant_context(tenant):
        for visibility, marker in ((Visibility.SHARED, "SHARED"), (Visibility.INTERNAL, "INTERNAL")):
            ReviewNote.objects.create(
                tenant=tenant,
                review=review,
                section_key="performance",
                body=f"{marker}-NOTE{tag}",
                visibility=visibility,
            )
            PromptRating.objects.create(
                tenant=tenant,
                review=review,
                section_key="collaboration",
                prompt_key=f"responsiveness-{marker.lower()}",
                rating=4,
                comment=f"{marker}-RATING{tag}",
                visibility=visibility,
            )
            Decision.objects.create(tenant=tenant, review=review, text=f"{marker}-DECISION{tag}", visibility=visibility)
    shared = ActionItemFactory(review=review, description=f"SHARED-ACTION{tag}", visibility=Visibility.SHARED)
    internal = ActionItemFactory(review=review, description=f"INTERNAL-ACTION{tag}", visibility=Visibility.INTERNAL)
    return {"shared": shared.pk, "internal": internal.pk}


def deal(tenant: Tenant, partner: Partner, external_id: str, amount: str, *, status: str, close: date | None) -> Deal:
    with tenant_context(tenant):
        return Deal.objects.create(
            tenant=tenant,
            partner=partner,
            external_id=external_id,
            amount=Decimal(amount),
            created_on=date(2026, 1, 5),
            close_date=close,
            status=status,
        )


def forecast_with_lines(review: Review, lines: list[dict[str, Any]], *, quarter: date = Q4_2026) -> Forecast:
    """A submitted forecast written directly (for scoring tests): lines as ForecastLine field dicts."""
    tenant = review.tenant
    with tenant_context(tenant):
        forecast = Forecast.objects.create(
            tenant=tenant,
            review=review,
            partner=review.partner,
            quarter_start=quarter,
            submitted_at=timezone.now(),
        )
        ForecastLine.objects.bulk_create(
            [
                ForecastLine(
                    tenant=tenant,
                    forecast=forecast,
                    opportunity=line.get("opportunity", f"Opportunity {i}"),
                    deal_ref=line.get("deal_ref", ""),
                    stage=line.get("stage", "Proposal"),
                    amount=Decimal(str(line["amount"])),
                    probability=line["probability"],
                    expected_close=line.get("expected_close", quarter + timedelta(days=40)),
                )
                for i, line in enumerate(lines)
            ]
        )
    return forecast


def assessment(review: Review, **fields: str) -> SelfAssessment:
    with tenant_context(review.tenant):
        return SelfAssessment.objects.create(
            tenant=review.tenant,
            review=review,
            partner=review.partner,
            submitted_at=timezone.now(),
            **{"wins": "A win", **fields},
        )


def action_status(item_id: int, tenant: Tenant) -> str:
    with tenant_context(tenant):
        return ActionItem.objects.get(pk=item_id).status


def counts(tenant: Tenant) -> tuple[int, int, int]:
    """(self-assessments, forecasts, forecast lines) in the tenant."""
    with tenant_context(tenant):
        return SelfAssessment.objects.count(), Forecast.objects.count(), ForecastLine.objects.count()


def formset_post(rows: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    """The forecast form as posted: a management form and one prefixed field per row and column."""
    data: dict[str, Any] = {"form-TOTAL_FORMS": str(len(rows)), "form-INITIAL_FORMS": "0", **extra}
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"form-{i}-{key}"] = value
    return data


def line(**overrides: Any) -> dict[str, Any]:
    return {
        "opportunity": "Globex expansion",
        "deal_ref": "",
        "stage": "Proposal",
        "amount": "50000",
        "probability": "50",
        "expected_close": "2026-12-15",
        **overrides,
    }
