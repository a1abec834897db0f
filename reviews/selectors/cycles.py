"""Reads of review cycles: a cadence's cycles, one cycle with its reviews, the snapshots that rank a cycle's partners.

Also the calendar arithmetic of cycles (pure functions): the month, quarter or half-year containing a date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import QuerySet

from partnerhub.core.domain.periods import next_period_start, period_bounds, period_label
from partnerhub.core.errors import NotFoundError
from partnerhub.core.models import Tenant
from reviews.models import Cadence, Review, ReviewCycle
from scorecards.selectors.snapshots import SNAPSHOT_PERIOD_MONTH, SNAPSHOT_TREND_DECLINING, snapshot_latest_scores

# --- cycles ---


def cycle_list_for_cadence(*, tenant: Tenant, cadence: Cadence) -> QuerySet[ReviewCycle]:
    """The cadence's cycles, latest period first."""
    return (
        ReviewCycle.objects.for_tenant(tenant)
        .filter(cadence=cadence)
        .select_related("generated_by__user")
        .order_by("-period_start", "-id")
    )


def cycle_get(*, tenant: Tenant, cycle_id: int) -> ReviewCycle:
    """The cycle with its cadence, or NotFoundError for a missing id and another tenant's alike."""
    cycle = (
        ReviewCycle.objects.for_tenant(tenant)
        .select_related("cadence", "generated_by__user")
        .filter(pk=cycle_id)
        .first()
    )
    if cycle is None:
        raise NotFoundError("Review cycle not found.")
    return cycle


def cycle_reviews(*, tenant: Tenant, cycle: ReviewCycle) -> QuerySet[Review]:
    """The cycle's reviews in priority order (rank 1 first), with partner and moderator joined in the same query."""
    return (
        Review.objects.for_tenant(tenant)
        .filter(cycle=cycle)
        .select_related("partner", "moderator__user")
        .defer("agenda", "preread", "partner__product_lines")
        .order_by("priority_rank", "id")
    )


def cycle_periods_generated(*, tenant: Tenant, cadence: Cadence, starts: list[date]) -> set[date]:
    """Which of the period ``starts`` already have a cycle of ``cadence`` (one query)."""
    return set(
        ReviewCycle.objects.for_tenant(tenant)
        .filter(cadence=cadence, period_start__in=starts)
        .values_list("period_start", flat=True)
    )


def cycle_partner_ranks(*, tenant: Tenant, cycle: ReviewCycle) -> dict[int, tuple[int, str]]:
    """Partner id -> (priority rank, depth) of every review already in ``cycle`` (one query)."""
    rows = Review.objects.for_tenant(tenant).filter(cycle=cycle).values_list("partner_id", "priority_rank", "depth")
    return {partner_id: (rank, depth) for partner_id, rank, depth in rows}


def cycle_moderator_load(*, tenant: Tenant, cycle: ReviewCycle) -> dict[int | None, int]:
    """Moderator id -> number of reviews they already moderate in ``cycle`` (one query)."""
    load: dict[int | None, int] = {}
    for moderator_id in Review.objects.for_tenant(tenant).filter(cycle=cycle).values_list("moderator_id", flat=True):
        load[moderator_id] = load.get(moderator_id, 0) + 1
    return load


# --- the snapshots that rank partners ---


@dataclass(frozen=True)
class ScoreSignal:
    """What a partner's latest monthly scorecard says about its priority in a cycle."""

    month: date
    score: Decimal | None
    previous_score: Decimal | None
    trend: str

    @property
    def declining(self) -> bool:
        return self.trend == SNAPSHOT_TREND_DECLINING


def latest_month_signals(*, tenant: Tenant, partner_ids: list[int], before: date) -> dict[int, ScoreSignal]:
    """Partner id -> its latest monthly snapshot before ``before`` (the cycle's start): one query for all partners.

    The snapshot engine only writes snapshots of finished months, so "before the cycle" is also "the latest" for a
    cycle that starts in the future.
    """
    if not partner_ids:
        return {}
    scores = snapshot_latest_scores(
        tenant=tenant, period=SNAPSHOT_PERIOD_MONTH, partner_ids=partner_ids, on_or_before=before - timedelta(days=1)
    )
    signals = {}
    for partner_id, row in scores.items():
        score, change = row.score, row.change_previous
        previous = score - change if score is not None and change is not None else None
        signals[partner_id] = ScoreSignal(month=row.period_start, score=score, previous_score=previous, trend=row.trend)
    return signals


@dataclass(frozen=True)
class PeriodChoice:
    """A period a cycle can be generated for, as the cadence page offers it."""

    start: date
    end: date
    label: str


def cadence_current_and_next(cadence: Cadence, today: date) -> tuple[PeriodChoice, PeriodChoice]:
    """The period containing ``today`` and the one after it."""
    start, end = period_bounds(cadence.frequency, today)
    following = next_period_start(cadence.frequency, today)
    _, following_end = period_bounds(cadence.frequency, following)
    return (
        PeriodChoice(start, end, period_label(cadence.frequency, start)),
        PeriodChoice(following, following_end, period_label(cadence.frequency, following)),
    )


def cadence_next_cycle(cadence: Cadence, today: date) -> PeriodChoice:
    """The next period to start: today's when it starts today, else the following one."""
    current, following = cadence_current_and_next(cadence, today)
    return current if current.start == today else following
