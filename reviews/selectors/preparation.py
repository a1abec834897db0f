"""What needs preparing before reviews: the review list's health and readiness columns, its "needs attention" filter,
its load by week, and the portfolio's "this week" and "overdue actions" cards.

A review needs attention while it is still ahead (scheduled or preparing) and any of these holds: it is the partner's
next review not yet held and the partner is red or declining in the program's latest month or has overdue action
items (a partner's own state is prepared for once, in its next review), the partner's self-assessment (or
forecast, when the cadence asks one) is past its due date, the pre-read's time has come and there is none yet, or the
review's date has passed and it was not marked as held. Every read is a fixed number of queries, whatever the number
of reviews: the list's columns are annotations and one health lookup per page.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from django.db.models import (
    BooleanField,
    Count,
    DateField,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    Window,
)
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from partnerhub.core.models import Tenant
from reviews.models import ActionItem, Forecast, Review, SelfAssessment
from reviews.selectors.reviews import OPEN_ACTION_STATUSES, ReviewFilters, review_list
from scorecards.selectors.portfolio import PartnerHealth, partner_health, partners_at_risk

OPEN_STATES = (Review.State.SCHEDULED, Review.State.PREPARING)
LOAD_WEEKS = 8


def _days(field_name: str) -> ExpressionWrapper[CombinedExpression]:
    return ExpressionWrapper(F(field_name) * Value(timedelta(days=1)), output_field=DateTimeField())


def with_preparation(qs: QuerySet[Review], *, tenant: Tenant, today: date) -> QuerySet[Review]:
    """``qs`` with what preparing each review needs: whether it is the partner's next review not yet held
    (``is_next``), the partner's overdue action items (``overdue_actions``), when the partner's input is due
    (``input_due``), when the pre-read is due (``prepare_from``), and the self-assessment and forecast joined.
    Subqueries and joins of the one query."""
    overdue = (
        ActionItem.objects.for_tenant(tenant)
        .filter(partner_id=OuterRef("partner_id"), status__in=OPEN_ACTION_STATUSES, due_date__lt=today)
        .order_by()
        .values("partner_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    earlier = Review.objects.for_tenant(tenant).filter(
        Q(scheduled_for__lt=OuterRef("scheduled_for"))
        | Q(scheduled_for=OuterRef("scheduled_for"), id__lt=OuterRef("id")),
        partner_id=OuterRef("partner_id"),
        state__in=OPEN_STATES,
    )
    return qs.select_related("self_assessment", "forecast").annotate(
        is_next=~Exists(earlier),
        overdue_actions=Coalesce(Subquery(overdue, output_field=IntegerField()), Value(0)),
        prepare_from=ExpressionWrapper(
            F("scheduled_for") - _days("cadence__prep_lead_days"), output_field=DateTimeField()
        ),
        input_due=Coalesce(
            F("self_assessment_due"),
            TruncDate(
                ExpressionWrapper(
                    F("scheduled_for") - _days("cadence__self_assessment_lead_days"), output_field=DateTimeField()
                )
            ),
            output_field=DateField(),
        ),
    )


def _attention_tests(*, tenant: Tenant, today: date, now: datetime) -> dict[str, Q]:
    """Each reason a review still ahead needs attention, as a filter on ``with_preparation``'s rows."""
    # The partner's own state (its health, its overdue actions) is prepared for in its next review, not in every one.
    return {
        "at_risk": Q(is_next=True, partner_id__in=partners_at_risk(tenant=tenant)),
        "overdue_actions": Q(is_next=True, overdue_actions__gt=0),
        "input_late": Q(input_due__lt=today)
        & (
            Q(self_assessment__submitted_at__isnull=True)
            | Q(cadence__asks_forecast=True, forecast__submitted_at__isnull=True)
        ),
        "preread_late": Q(prepare_from__lte=now, preread_generated_at__isnull=True),
        "not_held": Q(scheduled_for__lt=now),
    }


def needs_attention(*, tenant: Tenant, today: date, now: datetime) -> Q:
    """The "needs attention" test as a filter on ``with_preparation``'s rows (see the module's docstring)."""
    tests = list(_attention_tests(tenant=tenant, today=today, now=now).values())
    either = tests[0]
    for test in tests[1:]:
        either |= test
    return Q(state__in=OPEN_STATES) & either


@dataclass(frozen=True)
class AttentionSummary:
    """Of the reviews still ahead (and those past their date but not held) matching the filters: how many, how many
    need attention, and how many for each reason (a review may have several)."""

    open: int
    attention: int
    at_risk: int
    overdue_actions: int
    input_late: int
    preread_late: int
    not_held: int


@dataclass(frozen=True)
class WeekLoad:
    week: date  # the Monday
    reviews: int


@dataclass(frozen=True)
class ReviewOverview:
    """The head of the review list: what needs attention, and the reviews ahead per week."""

    summary: AttentionSummary
    load: list[WeekLoad]

    @property
    def load_total(self) -> int:
        return sum(week.reviews for week in self.load)


def review_overview(
    *, tenant: Tenant, filters: ReviewFilters, now: datetime, weeks: int = LOAD_WEEKS
) -> ReviewOverview:
    """Of the reviews not yet held that match ``filters`` (whatever their upcoming/past choice): the
    ``AttentionSummary``, and how many fall in each of the next ``weeks`` weeks from this week's Monday (weeks without
    reviews count 0). One query: a row per review not yet held (its date and its reasons), counted here."""
    today = timezone.localdate(now)
    tests = _attention_tests(tenant=tenant, today=today, now=now)
    rows = list(
        with_preparation(
            review_list(tenant=tenant, filters=replace(filters, when=""), now=now), tenant=tenant, today=today
        )
        .filter(state__in=OPEN_STATES)
        .annotate(
            **{f"is_{name}": ExpressionWrapper(test, output_field=BooleanField()) for name, test in tests.items()}
        )
        .values_list("scheduled_for", *(f"is_{name}" for name in tests))
    )
    per_reason = {name: sum(1 for row in rows if row[i + 1]) for i, name in enumerate(tests)}
    summary = AttentionSummary(open=len(rows), attention=sum(1 for row in rows if any(row[1:])), **per_reason)
    monday = today - timedelta(days=today.weekday())
    by_week: dict[date, int] = {}
    for row in rows:
        day = timezone.localdate(row[0])
        week = day - timedelta(days=day.weekday())
        by_week[week] = by_week.get(week, 0) + 1
    load = [
        WeekLoad(week=monday + timedelta(weeks=i), reviews=by_week.get(monday + timedelta(weeks=i), 0))
        for i in range(weeks)
    ]
    return ReviewOverview(summary=summary, load=load)


def review_preparation_list(
    *, tenant: Tenant, filters: ReviewFilters, attention: bool, now: datetime
) -> QuerySet[Review]:
    """``review_list`` with the preparation columns (``with_preparation``); only those needing attention, soonest
    first, when ``attention`` (the partners' health of the program's latest month counts)."""
    today = timezone.localdate(now)
    qs = with_preparation(review_list(tenant=tenant, filters=filters, now=now), tenant=tenant, today=today)
    if attention:
        # What needs doing first comes first, whatever the upcoming/past order.
        qs = qs.filter(needs_attention(tenant=tenant, today=today, now=now)).order_by("scheduled_for", "id")
    return qs


@dataclass(frozen=True)
class PartnerInput:
    """One thing due from the partner before a review: what, when, and whether it is in."""

    label: str
    due: date | None
    submitted_at: datetime | None
    late: bool


@dataclass
class PreparationRow:
    """One row of the review list: the review (from ``review_preparation_list``), its partner's health, what is due
    from the partner, the pre-read's state, and why it needs attention (empty: it does not)."""

    review: Review
    health: PartnerHealth | None
    inputs: list[PartnerInput] = field(default_factory=list)
    preread: str = ""  # "ready" | "late" | "later" | "frozen" | "none"
    reasons: list[str] = field(default_factory=list)


def preparation_rows(*, tenant: Tenant, reviews: list[Review], now: datetime) -> list[PreparationRow]:
    """The rows of one page of ``review_preparation_list``: one query (the partners' health), whatever the rows."""
    today = timezone.localdate(now)
    health = partner_health(tenant=tenant, partner_ids={r.partner_id for r in reviews})
    rows = []
    for review in reviews:
        is_open = review.state in OPEN_STATES
        row = PreparationRow(review=review, health=health.get(review.partner_id))
        due: date | None = getattr(review, "input_due", None)
        late = is_open and due is not None and due < today
        assessment = _joined(review, "self_assessment", SelfAssessment)
        row.inputs.append(
            PartnerInput("Self-assessment", due, assessment.submitted_at if assessment else None, late=late)
        )
        if review.cadence.asks_forecast:
            forecast = _joined(review, "forecast", Forecast)
            row.inputs.append(PartnerInput("Forecast", due, forecast.submitted_at if forecast else None, late=late))
        prepare_from: datetime | None = getattr(review, "prepare_from", None)
        if review.preread_generated_at is not None:
            row.preread = "ready"
        elif not is_open:
            row.preread = "none"
        elif prepare_from is not None and prepare_from <= now:
            row.preread = "late"
        else:
            row.preread = "later"
        if is_open:
            row.reasons = _reasons(
                row, overdue=getattr(review, "overdue_actions", 0), is_next=getattr(review, "is_next", True), now=now
            )
        rows.append(row)
    return rows


def _joined(review: Review, name: str, model: type[SelfAssessment | Forecast]) -> SelfAssessment | Forecast | None:
    # A reverse one-to-one joined by select_related raises DoesNotExist when absent (no query either way).
    try:
        value: SelfAssessment | Forecast = getattr(review, name)
    except model.DoesNotExist:
        return None
    return value


def _reasons(row: PreparationRow, *, overdue: int, is_next: bool, now: datetime) -> list[str]:
    reasons = []
    if is_next and row.health is not None and row.health.rag == "red":
        reasons.append("Red")
    if is_next and row.health is not None and row.health.trend == "declining":
        reasons.append("Declining")
    if is_next and overdue:
        reasons.append(f"{overdue} overdue action{'s' if overdue != 1 else ''}")
    reasons.extend(f"{entry.label} late" for entry in row.inputs if entry.late and entry.submitted_at is None)
    if row.preread == "late":
        reasons.append("Pre-read not ready")
    if row.review.scheduled_for < now:
        reasons.append("Not marked as held")
    return reasons


# --- the portfolio's "needs attention" cards ---


@dataclass(frozen=True)
class PortfolioAttention:
    """The reviews of the next days and the overdue action items, of one member's partners (or all)."""

    reviews: list[PreparationRow]
    reviews_total: int
    actions: list[ActionItem]
    actions_total: int
    days: int


def portfolio_attention(
    *, tenant: Tenant, owner_id: int | None, now: datetime, days: int = 7, shown: int = 5
) -> PortfolioAttention:
    """Reviews still ahead in the next ``days`` days (and any whose date passed without being held), soonest first,
    and open action items past their due date, oldest first: of the partners ``owner_id`` owns (and, for actions,
    those ``owner_id`` owns themself), or of every partner when None. Up to ``shown`` of each, with the totals (a
    window count over each query's rows). Three queries: the reviews, their partners' health, the actions."""
    today = timezone.localdate(now)
    total = Window(Count("id"))
    reviews = with_preparation(
        Review.objects.for_tenant(tenant)
        .filter(state__in=OPEN_STATES, scheduled_for__lt=now + timedelta(days=days))
        .select_related("partner", "cadence", "moderator__user")
        .defer("preread", "agenda")
        .order_by("scheduled_for", "id"),
        tenant=tenant,
        today=today,
    )
    actions = (
        ActionItem.objects.for_tenant(tenant)
        .filter(status__in=OPEN_ACTION_STATUSES, due_date__lt=today)
        .select_related("partner", "owner__user")
        .order_by("due_date", "id")
    )
    if owner_id is not None:
        reviews = reviews.filter(partner__owner_id=owner_id)
        actions = actions.filter(Q(partner__owner_id=owner_id) | Q(owner_id=owner_id))
    shown_reviews = list(reviews.annotate(total=total)[:shown])
    shown_actions = list(actions.annotate(total=total)[:shown])
    reviews_total = shown_reviews[0].total if shown_reviews else 0
    actions_total = shown_actions[0].total if shown_actions else 0
    for action in shown_actions:
        action.days_overdue = (today - action.due_date).days  # type: ignore[attr-defined]
    return PortfolioAttention(
        reviews=preparation_rows(tenant=tenant, reviews=list[Review](shown_reviews), now=now),
        reviews_total=reviews_total,
        actions=list[ActionItem](shown_actions),
        actions_total=actions_total,
        days=days,
    )
