"""Demo data for the partner's side of reviews: self-assessments and pipeline forecasts of past QBRs, scored.

``seed_portal`` runs after the demo's reviews exist (another seeder creates cadences, cycles and reviews). For every
held or signed-off review whose cadence asks for a forecast it writes a self-assessment and a forecast whose lines
name real demo deals of the partner (so some close and some do not), then scores every forecast whose quarter has
ended. Upcoming reviews are left alone, so the demo partner user (partner1@<program>.example) finds their next QBR's
self-assessment and forecast still to do. Deterministic (seeded by review id), bulk, and safe to run twice.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from partnerhub.core.domain.periods import quarter_end
from partnerhub.core.models import Membership, Role, Tenant
from partnerhub.core.tenancy.context import tenant_context
from reviews.models import Forecast, ForecastLine, Review, SelfAssessment
from reviews.selectors.portal import forecast_quarter, self_assessment_due
from reviews.services.forecasts import forecasts_score_due
from scorecards.models import Deal

WINS = (
    "Closed two new logos in the mid-market segment with the joint playbook.",
    "Our first certified architect passed the advanced exam; two more are booked.",
    "The co-hosted webinar brought 40 qualified leads and three opportunities.",
    "Renewed our largest customer for three years with an expansion.",
    "Shipped the integration milestone on time; customers are piloting it.",
)
LESSONS = (
    "Registering deals earlier would have saved us a pricing escalation.",
    "Technical validation took longer than planned; we now involve your SE in week one.",
    "Discounting to win late in the quarter hurt margin more than it helped.",
    "Joint account planning works best with a monthly check-in, not a quarterly one.",
)
NEEDS = (
    "A sandbox tenant for customer demos.",
    "Co-marketing funds for a regional event next quarter.",
    "An introduction to your product team about the roadmap for our vertical.",
    "Faster answers on deal registration approvals.",
)
RISKS = (
    "One senior seller is leaving; pipeline coverage dips for a month.",
    "A competitor is discounting aggressively in two of our accounts.",
    "Budget freezes at public-sector customers may push deals into next quarter.",
    "Nothing major this period.",
)
MAX_DEMO_LINES = 15
OPEN_STAGES = ("Qualification", "Discovery", "Proposal", "Negotiation", "Commit")


@dataclass(frozen=True)
class _Deal:
    pk: int
    external_id: str
    account_name: str
    amount: Decimal
    status: str
    created_on: date
    close_date: date | None


def seed_portal(tenant: Tenant, *, today: date | None = None) -> dict[str, Any]:
    """Give ``tenant``'s past forecast-asking reviews a self-assessment and a forecast, then score the ended ones.

    Returns the counts written. Reviews that already have a self-assessment or forecast keep it.
    """
    today = today or timezone.localdate()
    with tenant_context(tenant), transaction.atomic():
        reviews = list(
            Review.objects.for_tenant(tenant)
            .filter(cadence__asks_forecast=True, state__in=(Review.State.HELD, Review.State.SIGNED_OFF))
            .select_related("cadence", "cycle")
            .order_by("scheduled_for", "id")
        )
        with_assessment = set(SelfAssessment.objects.for_tenant(tenant).values_list("review_id", flat=True))
        with_forecast = set(Forecast.objects.for_tenant(tenant).values_list("review_id", flat=True))
        partner_ids = sorted({r.partner_id for r in reviews})
        deals = _deals_by_partner(tenant, partner_ids)
        users = _partner_users(tenant, partner_ids)
        assessments: list[SelfAssessment] = []
        planned: list[tuple[Forecast, list[ForecastLine]]] = []
        for review in reviews:
            rng = random.Random(review.pk)  # noqa: S311 (demo data, not security)
            submitted = _submitted_at(review, rng)
            if review.pk not in with_assessment:
                assessments.append(_assessment(tenant, review, users.get(review.partner_id), submitted, rng))
            if review.pk not in with_forecast:
                planned.append(_forecast(tenant, review, users.get(review.partner_id), submitted, deals, rng))
        SelfAssessment.objects.bulk_create(assessments)
        forecasts = Forecast.objects.bulk_create([forecast for forecast, _ in planned])
        lines: list[ForecastLine] = []
        for forecast, forecast_lines in zip(forecasts, (lines for _, lines in planned), strict=True):
            for line in forecast_lines:
                line.forecast = forecast
                lines.append(line)
        ForecastLine.objects.bulk_create(lines)
        run = forecasts_score_due(tenant=tenant, today=today)
    return {
        "self_assessments": len(assessments),
        "forecasts": len(forecasts),
        "forecast_lines": len(lines),
        "scored": run.scored,
    }


def _deals_by_partner(tenant: Tenant, partner_ids: list[int]) -> dict[int, list[_Deal]]:
    by_partner: dict[int, list[_Deal]] = defaultdict(list)
    rows = (
        Deal.objects.for_tenant(tenant)
        .filter(partner_id__in=partner_ids)
        .order_by("created_on", "id")
        .values_list("partner_id", "pk", "external_id", "account_name", "amount", "status", "created_on", "close_date")
    )
    for partner_id, pk, external_id, account_name, amount, status, created_on, close_date in rows:
        by_partner[partner_id].append(_Deal(pk, external_id, account_name, amount, status, created_on, close_date))
    return by_partner


def _partner_users(tenant: Tenant, partner_ids: list[int]) -> dict[int, Membership]:
    users: dict[int, Membership] = {}
    for membership in (
        Membership.objects.for_tenant(tenant)
        .filter(role=Role.PARTNER, partner_id__in=partner_ids, is_active=True)
        .order_by("id")
    ):
        if membership.partner_id is not None:
            users.setdefault(membership.partner_id, membership)
    return users


def _submitted_at(review: Review, rng: random.Random) -> datetime:
    due = self_assessment_due(review) or timezone.localtime(review.scheduled_for).date()
    day = due - timedelta(days=rng.randint(0, 4))
    return timezone.make_aware(datetime.combine(day, time(9 + rng.randint(0, 8))))


def _assessment(
    tenant: Tenant, review: Review, user: Membership | None, submitted: datetime, rng: random.Random
) -> SelfAssessment:
    return SelfAssessment(
        tenant=tenant,
        review=review,
        partner_id=review.partner_id,
        wins=rng.choice(WINS),
        lessons=rng.choice(LESSONS),
        needs=rng.choice(NEEDS),
        risks=rng.choice(RISKS),
        submitted_by=user,
        submitted_at=submitted,
    )


def _forecast(
    tenant: Tenant,
    review: Review,
    user: Membership | None,
    submitted: datetime,
    deals: dict[int, list[_Deal]],
    rng: random.Random,
) -> tuple[Forecast, list[ForecastLine]]:
    start = forecast_quarter(review)
    end = quarter_end(start)
    seen_on = timezone.localtime(review.scheduled_for).date()
    # What the partner could see when it forecast: deals opened by then and not closed before the quarter began.
    candidates = [
        d
        for d in deals.get(review.partner_id, [])
        if d.created_on <= seen_on and d.close_date is not None and start <= d.close_date <= end + timedelta(days=30)
    ]
    # Most of that pipeline, as a partner forecasting in earnest would list it (some forget a deal or two).
    share = round(len(candidates) * rng.uniform(0.75, 1.0))
    chosen = rng.sample(candidates, k=min(len(candidates), MAX_DEMO_LINES, max(3, share)))
    forecast = Forecast(
        tenant=tenant,
        review=review,
        partner_id=review.partner_id,
        quarter_start=start,
        submitted_by=user,
        submitted_at=submitted,
    )
    lines = [_line(tenant, d, start, rng) for d in sorted(chosen, key=lambda d: (d.close_date, d.external_id))]
    if not lines or rng.random() < 0.5:
        # A hunch without a CRM id yet: never matched, so it counts against the forecast unless rated low.
        lines.append(
            ForecastLine(
                tenant=tenant,
                opportunity="New logo from the partner event",
                stage="Qualification",
                amount=Decimal(rng.randrange(10_000, 60_000, 500)),
                probability=rng.choice((10, 20, 30)),
                expected_close=end - timedelta(days=rng.randint(5, 40)),
            )
        )
    return forecast, lines


def _line(tenant: Tenant, deal: _Deal, start: date, rng: random.Random) -> ForecastLine:
    won = deal.status == Deal.Status.WON
    # Partners lean optimistic: likely deals rated 60-95 %, the ones that slip still 25-70 %.
    probability = rng.randint(60, 95) if won else rng.randint(25, 70)
    probability = round(probability / 5) * 5
    amount = (deal.amount * Decimal(str(rng.uniform(0.9, 1.2))) / 50).quantize(Decimal(1)) * 50
    expected = max(start, (deal.close_date or start) + timedelta(days=rng.randint(-10, 10)))
    return ForecastLine(
        tenant=tenant,
        opportunity=deal.account_name or deal.external_id,
        deal_ref=deal.external_id,
        deal_id=deal.pk,
        stage=rng.choice(OPEN_STAGES[2:] if won else OPEN_STAGES),
        amount=amount,
        probability=probability,
        expected_close=expected,
    )
