"""The partners behind a number of the dashboard: which scorecards (or reviews, or action items) a figure counted.

``show`` names the figure: ``scored``, ``rag:<green|amber|red|none>``, ``trend:<verdict>``, ``dq``, ``bin:<0-9>``,
``move:<from>:<to>``, ``reviews`` or ``overdue``. Each list is one query for its page of rows (plus a count), whatever
the number of partners.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Final

from django.db.models import Count, Q, QuerySet

from partnerhub.core.domain.periods import add_months
from partnerhub.core.models import Partner, Tenant
from partnerhub.executive.domain.cube import MOVE_RAGS, RAGS, SCORE_BINS, TRENDS
from partnerhub.executive.errors import DashboardFilterError
from partnerhub.executive.selectors.dashboard import Dashboard, period_end
from partnerhub.executive.selectors.facts import ACTIONS_OPEN, REVIEWS_HELD
from partnerhub.executive.selectors.slices import partners_in_slice, slice_q
from reviews.models import ActionItem, Review
from scorecards.selectors.snapshots import portfolio_snapshots

TREND_LABELS: Final = {
    "improving": "improving",
    "stable": "stable",
    "declining": "declining",
    "not_enough": "without enough history",
}


@dataclass(frozen=True)
class DrillDown:
    kind: str  # "snapshots" | "reviews" | "overdue"
    title: str
    rows: QuerySet[Any]


def _parse(show: str) -> tuple[str, list[str]]:
    kind, *args = (show or "scored").split(":")
    valid = {
        "scored": 0,
        "all": 0,
        "dq": 0,
        "reviews": 0,
        "overdue": 0,
        "rag": 1,
        "trend": 1,
        "bin": 1,
        "move": 2,
    }
    if kind not in valid or len(args) != valid[kind]:
        raise DashboardFilterError(f"The dashboard has no figure “{show}”.")
    if kind == "rag" and args[0] not in RAGS:
        raise DashboardFilterError(f"There is no RAG status “{args[0]}”.")
    if kind == "trend" and args[0] not in TRENDS:
        raise DashboardFilterError(f"There is no trend verdict “{args[0]}”.")
    if kind == "bin" and args[0] not in {str(i) for i in range(SCORE_BINS)}:
        raise DashboardFilterError(f"There is no score band “{args[0]}”.")
    if kind == "move" and not set(args) <= set(MOVE_RAGS):
        raise DashboardFilterError(f"There is no RAG movement “{':'.join(args)}”.")
    return kind, args


def drilldown(*, tenant: Tenant, board: Dashboard, show: str) -> DrillDown:
    """The rows behind the figure ``show`` of the dashboard ``board`` (its slice and period); DashboardFilterError for
    a figure the dashboard does not have."""
    kind, args = _parse(show)
    period = board.period
    if period is None or (period.status_key is None and kind not in ("reviews", "overdue")):
        raise DashboardFilterError("There are no figures for this period.")
    partners = partners_in_slice(tenant=tenant, filters=board.filters)
    start, end = period.start, period_end(period)
    if kind == "reviews":
        return DrillDown(
            "reviews", f"Partners with reviews planned in {period.label}", _reviews(tenant, partners, start, end)
        )
    if kind == "overdue":
        as_of = board.computation.as_of if board.computation and board.computation.as_of else date.today()  # noqa: DTZ011
        return DrillDown(
            "overdue",
            f"Partners with overdue action items due in {period.label}",
            _overdue(tenant, partners, start, end, as_of),
        )
    assert period.status_key is not None  # noqa: S101 (checked above)
    snapshot_period, snapshot_start = period.status_key
    qs = portfolio_snapshots(tenant=tenant, period=snapshot_period, period_start=snapshot_start, sort="-score").filter(
        slice_q(board.filters, "partner__")
    )
    when = f"{snapshot_start:%B %Y}" if snapshot_period == "month" else period.label
    if kind == "scored":
        return DrillDown("snapshots", f"Partners scored in {when}", qs.filter(score__isnull=False))
    if kind == "all":
        return DrillDown("snapshots", f"Partners with a scorecard for {when}", qs)
    if kind == "dq":
        return DrillDown("snapshots", f"Scorecards flagged by data quality in {when}", qs.filter(dq_flag=True))
    if kind == "rag":
        stored = "" if args[0] == "none" else args[0]
        label = "without a score" if args[0] == "none" else args[0]
        return DrillDown("snapshots", f"Partners {label} in {when}", qs.filter(rag=stored))
    if kind == "trend":
        return DrillDown("snapshots", f"Partners {TREND_LABELS[args[0]]} in {when}", qs.filter(trend=args[0]))
    if kind == "bin":
        low = int(args[0]) * (100 // SCORE_BINS)
        band = qs.filter(score__gte=low) if low + 10 >= 100 else qs.filter(score__gte=low, score__lt=low + 10)
        return DrillDown("snapshots", f"Partners scoring {low} to {low + 10} in {when}", band)
    before, after = args
    step = 3 if snapshot_period == "quarter" else 1
    previous = portfolio_snapshots(
        tenant=tenant, period=snapshot_period, period_start=add_months(snapshot_start, -step)
    ).filter(rag=before, months_covered__gte=1 if snapshot_period == "month" else 3)
    moved = qs.filter(rag=after, partner__in=previous.values("partner_id"))
    if snapshot_period == "quarter":
        moved = moved.filter(months_covered__gte=3)
    return DrillDown("snapshots", f"Partners {before} before and {after} in {when}", moved)


def _reviews(tenant: Tenant, partners: QuerySet[Partner], start: date, end: date) -> QuerySet[Any]:
    """Per partner of the slice: reviews planned in the period, held (or signed off), cancelled."""
    return (
        Review.objects.for_tenant(tenant)
        .filter(
            partner__in=partners,
            scheduled_for__gte=datetime(start.year, start.month, 1, tzinfo=UTC),
            scheduled_for__lt=datetime(end.year, end.month, 1, tzinfo=UTC),
        )
        .values("partner_id", "partner__name")
        .annotate(
            scheduled=Count("id"),
            held=Count("id", filter=Q(state__in=REVIEWS_HELD)),
            cancelled=Count("id", filter=Q(state=Review.State.CANCELLED)),
        )
        .order_by("partner__name", "partner_id")
    )


def _overdue(tenant: Tenant, partners: QuerySet[Partner], start: date, end: date, as_of: date) -> QuerySet[Any]:
    """Per partner of the slice: action items due in the period and still open after their due date."""
    return (
        ActionItem.objects.for_tenant(tenant)
        .filter(partner__in=partners, due_date__gte=start, due_date__lt=min(end, as_of), status__in=ACTIONS_OPEN)
        .values("partner_id", "partner__name")
        .annotate(overdue=Count("id"))
        .order_by("-overdue", "partner__name", "partner_id")
    )
