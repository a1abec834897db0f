"""Reads around partner forecasts: the lines, the deals they are matched with, and the accuracy shown to both sides.

``forecast_accuracy_for_review`` is what the internal review page and the portal show (with the template partial
``reviews/partials/forecast_accuracy.html``); it reads a fixed number of queries and never recomputes a score.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import QuerySet

from partnerhub.core.models import Tenant
from reviews.domain.forecast_accuracy import (
    HUNDRED,
    SCORING_GRACE_DAYS,
    calibration_words,
    direction_words,
    quarter_end,
    quarter_label,
    quarter_start,
    scoring_day,
)
from reviews.models import Forecast, ForecastLine, Review
from scorecards.models import Deal, MetricDefinition

FORECAST_METRIC_KEY = "forecast_accuracy"


def forecast_for_review(*, tenant: Tenant, review: Review) -> Forecast | None:
    """The review's forecast, or None when the partner has not submitted one."""
    return Forecast.objects.for_tenant(tenant).filter(review_id=review.pk).first()


def forecast_lines(*, tenant: Tenant, forecast: Forecast) -> QuerySet[ForecastLine]:
    """A forecast's lines by expected close date, each with its matched deal."""
    return (
        ForecastLine.objects.for_tenant(tenant)
        .filter(forecast=forecast)
        .select_related("deal")
        .order_by("expected_close", "id")
    )


def forecasts_due_for_scoring(*, tenant: Tenant, today: date) -> QuerySet[Forecast]:
    """Unscored forecasts whose quarter ended at least ``SCORING_GRACE_DAYS`` days before ``today``."""
    latest_due = quarter_start(today - timedelta(days=SCORING_GRACE_DAYS))
    return (
        Forecast.objects.for_tenant(tenant)
        .filter(scored_at__isnull=True, submitted_at__isnull=False, quarter_start__lt=latest_due)
        .order_by("quarter_start", "id")
    )


def partner_deals_by_ref(
    *, tenant: Tenant, partner_ids: Iterable[int], refs: Iterable[str]
) -> dict[tuple[int, str], int]:
    """{(partner id, CRM id): deal id} for the named deals of these partners (another partner's deal never matches)."""
    wanted = sorted({ref for ref in refs if ref})
    if not wanted:
        return {}
    rows = (
        Deal.objects.for_tenant(tenant)
        .filter(partner_id__in=sorted(set(partner_ids)), external_id__in=wanted)
        .values_list("partner_id", "external_id", "pk")
    )
    return {(partner_id, external_id): pk for partner_id, external_id, pk in rows}


@dataclass(frozen=True)
class WonDeal:
    partner_id: int
    deal_id: int
    external_id: str
    amount: Decimal
    close_date: date


def won_deals_between(*, tenant: Tenant, partner_ids: Iterable[int], start: date, end: date) -> list[WonDeal]:
    """The deals of these partners won with a close date from ``start`` to ``end`` (one query)."""
    rows = (
        Deal.objects.for_tenant(tenant)
        .filter(
            partner_id__in=sorted(set(partner_ids)),
            status=Deal.Status.WON,
            close_date__gte=start,
            close_date__lte=end,
        )
        .values_list("partner_id", "pk", "external_id", "amount", "close_date")
    )
    # close_date is nullable, but the date range above leaves no undated deal.
    return [
        WonDeal(partner_id, deal_id, external_id, amount, close_date)
        for partner_id, deal_id, external_id, amount, close_date in rows
        if close_date is not None
    ]


def forecast_metric(*, tenant: Tenant) -> MetricDefinition | None:
    """The program's ``forecast_accuracy`` glossary entry (None if an admin removed it)."""
    return MetricDefinition.objects.for_tenant(tenant).filter(key=FORECAST_METRIC_KEY).first()


# --- what both sides are shown ---


@dataclass(frozen=True)
class ScoredLine:
    line: ForecastLine
    in_quarter: bool  # expected to close in the forecast quarter (later lines are pipeline, not scored)
    won: bool | None  # won in the quarter (by its matched deal); None until the forecast is scored

    @property
    def weighted(self) -> Decimal:
        return self.line.amount * Decimal(self.line.probability) / HUNDRED


@dataclass(frozen=True)
class ForecastAccuracy:
    """A forecast with its accuracy (once scored) and plain-language readings of it."""

    forecast: Forecast
    lines: list[ScoredLine]
    metric: MetricDefinition | None

    @property
    def quarter_label(self) -> str:
        return quarter_label(self.forecast.quarter_start)

    @property
    def scoring_day(self) -> date:
        return scoring_day(self.forecast.quarter_start)

    @property
    def is_scored(self) -> bool:
        return self.forecast.scored_at is not None

    @property
    def rag(self) -> str:
        """Green from 80 % accuracy, amber from 60 %, else red ("" until scored)."""
        accuracy = self.forecast.accuracy
        if accuracy is None:
            return ""
        return "green" if accuracy >= 80 else "amber" if accuracy >= 60 else "red"

    @property
    def weighted_total(self) -> Decimal:
        return sum((s.weighted for s in self.lines if s.in_quarter), Decimal(0))

    @property
    def later_lines(self) -> int:
        return sum(1 for s in self.lines if not s.in_quarter)

    @property
    def direction_words(self) -> str:
        f, a = self.forecast.forecast_amount, self.forecast.actual_amount
        return "" if f is None or a is None else direction_words(f, a)

    @property
    def calibration_words(self) -> str:
        return calibration_words(self.forecast.brier)

    @property
    def wape_percent(self) -> Decimal | None:
        wape = self.forecast.wape
        return None if wape is None else (wape * HUNDRED).quantize(Decimal("0.1"))

    @property
    def wape_words(self) -> str:
        if self.forecast.wape is None:
            return "There were no lines expected to close in the quarter to compare one by one."
        if not any(s.won for s in self.lines):
            return "None of the forecast lines was won in the quarter, so every weighted amount was a miss."
        return (
            f"Line by line, the gaps between your weighted amounts and what was won add up to {self.wape_percent}% "
            "of the value of the forecast deals that were won (0% is perfect)."
        )


def forecast_accuracy_for_review(*, tenant: Tenant, review: Review) -> ForecastAccuracy | None:
    """The review's forecast with its lines and accuracy, or None when no forecast was submitted. Three queries."""
    forecast = forecast_for_review(tenant=tenant, review=review)
    if forecast is None:
        return None
    return forecast_accuracy(tenant=tenant, forecast=forecast)


def forecast_accuracy(*, tenant: Tenant, forecast: Forecast) -> ForecastAccuracy:
    """``forecast`` with its lines (and their outcomes once scored) and the glossary entry. Two queries."""
    start, end = forecast.quarter_start, quarter_end(forecast.quarter_start)
    scored = forecast.scored_at is not None
    lines = [
        ScoredLine(
            line=line,
            in_quarter=line.expected_close <= end,
            won=(_won_in(line.deal, start, end) if scored else None),
        )
        for line in forecast_lines(tenant=tenant, forecast=forecast)
    ]
    return ForecastAccuracy(forecast=forecast, lines=lines, metric=forecast_metric(tenant=tenant))


def _won_in(deal: Deal | None, start: date, end: date) -> bool:
    return (
        deal is not None
        and deal.status == Deal.Status.WON
        and deal.close_date is not None
        and start <= deal.close_date <= end
    )
