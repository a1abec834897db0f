"""Reads of the partner portal: a partner user's own company's reviews and shared action items, and nothing else.

Every selector filters by the tenant and by the actor's partner explicitly; an id of another partner's (or another
tenant's) review or action item raises NotFoundError exactly like a missing one. Internal notes, decisions, ratings
and action items, and the pre-read, are never read here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from partnerhub.core.domain.periods import quarter_label, quarter_start
from partnerhub.core.errors import NotFoundError
from partnerhub.core.models import Membership, Tenant
from partnerhub.core.rules import can
from reviews.models import (
    ActionItem,
    Decision,
    Forecast,
    PromptRating,
    Review,
    ReviewNote,
    SelfAssessment,
    Visibility,
)
from reviews.selectors.forecasts import ForecastAccuracy, forecast_accuracy
from reviews.selectors.reviews import OPEN_ACTION_STATUSES

# A partner contributes (self-assessment, forecast) while the review is ahead; once held it is the record.
OPEN_STATES = (Review.State.SCHEDULED, Review.State.PREPARING)
PAST_REVIEWS_SHOWN = 24
ACTIONS_SHOWN = 200


def _partner_id(actor: Membership) -> int:
    if actor.partner_id is None:  # only partner users reach the portal; refuse rather than guess
        raise NotFoundError("Review not found.")
    return actor.partner_id


def portal_reviews(*, tenant: Tenant, actor: Membership) -> QuerySet[Review]:
    """The reviews of the actor's own company, with what the portal lists about each, soonest first."""
    return (
        Review.objects.for_tenant(tenant)
        .filter(partner_id=_partner_id(actor))
        .select_related("cadence", "cycle", "moderator__user", "self_assessment__submitted_by__user", "forecast")
        .order_by("scheduled_for", "id")
    )


@dataclass(frozen=True)
class PortalReviewRow:
    review: Review
    self_assessment_due: date | None
    asks_forecast: bool
    forecast_quarter: str
    self_assessment: SelfAssessment | None
    forecast: Forecast | None
    is_open: bool

    @property
    def self_assessment_late(self) -> bool:
        due = self.self_assessment_due
        return self.is_open and self.self_assessment is None and due is not None and due < timezone.localdate()


@dataclass(frozen=True)
class PortalReviewList:
    upcoming: list[PortalReviewRow]
    past: list[PortalReviewRow]


def portal_review_list(*, tenant: Tenant, actor: Membership) -> PortalReviewList:
    """Upcoming reviews (scheduled or preparing, soonest first) and the latest past ones (held, signed off,
    cancelled; newest first), each with what is due from the partner. Two queries whatever the number of reviews."""
    reviews = portal_reviews(tenant=tenant, actor=actor)
    upcoming = [_row(r) for r in reviews.filter(state__in=OPEN_STATES)]
    past = [
        _row(r) for r in reviews.exclude(state__in=OPEN_STATES).order_by("-scheduled_for", "-id")[:PAST_REVIEWS_SHOWN]
    ]
    return PortalReviewList(upcoming=upcoming, past=past)


def _row(review: Review) -> PortalReviewRow:
    return PortalReviewRow(
        review=review,
        self_assessment_due=self_assessment_due(review),
        asks_forecast=review.cadence.asks_forecast,
        forecast_quarter=quarter_label(forecast_quarter(review)),
        self_assessment=_assessment_of(review),
        forecast=_forecast_of(review),
        is_open=review.state in OPEN_STATES,
    )


def _assessment_of(review: Review) -> SelfAssessment | None:
    # A reverse one-to-one loaded by select_related raises DoesNotExist when absent (no extra query either way).
    try:
        return review.self_assessment
    except SelfAssessment.DoesNotExist:
        return None


def _forecast_of(review: Review) -> Forecast | None:
    try:
        return review.forecast
    except Forecast.DoesNotExist:
        return None


def self_assessment_due(review: Review) -> date | None:
    """When the partner's self-assessment (and forecast) is due: the review's own date, else the cadence's lead time
    before the review (``review.cadence`` should be loaded)."""
    if review.self_assessment_due is not None:
        return review.self_assessment_due
    local = timezone.localtime(review.scheduled_for).date()
    return local - timedelta(days=review.cadence.self_assessment_lead_days)


def forecast_quarter(review: Review) -> date:
    """The quarter a review's forecast is for: the quarter of the review's cycle (``review.cycle`` should be loaded).

    A QBR is held early in its cycle's quarter, so the partner forecasts the quarter under way.
    """
    return quarter_start(review.cycle.period_start)


def portal_review_get(*, tenant: Tenant, actor: Membership, review_id: int) -> Review:
    """The actor's own company's review, or NotFoundError (missing, another partner's, another tenant's alike)."""
    review = portal_reviews(tenant=tenant, actor=actor).filter(pk=review_id).first()
    if review is None:
        raise NotFoundError("Review not found.")
    return review


def partner_input_review_get(*, tenant: Tenant, actor: Membership, review_id: int) -> Review:
    """A review whose self-assessment and forecast ``actor`` may read: any of the tenant's for the program's people,
    only their own company's for a partner user; otherwise NotFoundError (missing and not-yours alike)."""
    review = (
        Review.objects.for_tenant(tenant)
        .select_related("cadence", "cycle", "self_assessment__submitted_by__user", "forecast")
        .filter(pk=review_id)
        .first()
    )
    if review is None or not can(actor, "reviews.read_partner_input", review):
        raise NotFoundError("Review not found.")
    return review


@dataclass(frozen=True)
class SharedSection:
    key: str
    title: str
    notes: list[ReviewNote] = field(default_factory=list)
    ratings: list[PromptRating] = field(default_factory=list)


@dataclass(frozen=True)
class PortalReviewDetail:
    review: Review
    sections: list[SharedSection]
    decisions: list[Decision]
    actions: list[ActionItem]
    self_assessment: SelfAssessment | None
    forecast: Forecast | None
    accuracy: ForecastAccuracy | None  # the forecast's lines, and its accuracy once scored
    self_assessment_due: date | None
    forecast_quarter: date
    is_open: bool

    @property
    def asks_forecast(self) -> bool:
        return self.review.cadence.asks_forecast

    @property
    def forecast_quarter_label(self) -> str:
        return quarter_label(self.forecast_quarter)


def portal_review_detail(*, tenant: Tenant, actor: Membership, review: Review) -> PortalReviewDetail:
    """Only the shared parts of the actor's own company's review: agenda titles, shared notes and ratings by
    section, shared decisions and action items, and the partner's own self-assessment and forecast.

    A bounded number of queries (one per kind of record) whatever the number of notes, decisions or actions.
    """
    partner_id = _partner_id(actor)
    if review.partner_id != partner_id or review.tenant_id != tenant.pk:
        raise NotFoundError("Review not found.")
    shared = {"tenant": tenant, "review": review, "visibility": Visibility.SHARED}
    notes = list(
        ReviewNote.objects.for_tenant(tenant)
        .filter(**shared)
        .select_related("author__user")
        .order_by("created_at", "id")
    )
    ratings = list(PromptRating.objects.for_tenant(tenant).filter(**shared).order_by("id"))
    decisions = list(Decision.objects.for_tenant(tenant).filter(**shared).order_by("created_at", "id"))
    actions = flag_overdue(list(portal_actions_open_first(tenant=tenant, actor=actor).filter(review=review)))
    self_assessment = _assessment_of(review)
    forecast = _forecast_of(review)
    accuracy = forecast_accuracy(tenant=tenant, forecast=forecast) if forecast is not None else None
    return PortalReviewDetail(
        review=review,
        sections=_sections(review.agenda, notes, ratings),
        decisions=decisions,
        actions=actions,
        self_assessment=self_assessment,
        forecast=forecast,
        accuracy=accuracy,
        self_assessment_due=self_assessment_due(review),
        forecast_quarter=forecast_quarter(review),
        is_open=review.state in OPEN_STATES,
    )


def _sections(agenda: object, notes: Sequence[ReviewNote], ratings: Sequence[PromptRating]) -> list[SharedSection]:
    """The agenda's sections in order, each with its shared notes and ratings; records under a section the agenda
    no longer names go to a last "Other" section."""
    sections: list[SharedSection] = []
    by_key: dict[str, SharedSection] = {}
    prompts: dict[str, str] = {}
    for entry in agenda if isinstance(agenda, list) else []:
        if not isinstance(entry, dict) or not entry.get("key"):
            continue
        section = SharedSection(key=str(entry["key"]), title=str(entry.get("title") or entry["key"]))
        sections.append(section)
        by_key[section.key] = section
        for prompt in entry.get("prompts") or []:
            if isinstance(prompt, dict) and prompt.get("key"):
                prompts[str(prompt["key"])] = str(prompt.get("text") or prompt["key"])
    other = SharedSection(key="", title="Other")
    for note in notes:
        by_key.get(note.section_key, other).notes.append(note)
    for rating in ratings:
        rating.prompt_text = prompts.get(rating.prompt_key, rating.prompt_key)  # type: ignore[attr-defined]
        by_key.get(rating.section_key, other).ratings.append(rating)
    if other.notes or other.ratings:
        sections.append(other)
    return sections


# --- shared action items ---


def shared_action_items(*, tenant: Tenant, actor: Membership) -> QuerySet[ActionItem]:
    """The shared action items of the actor's own company (never internal ones), with their review and owner."""
    return (
        ActionItem.objects.for_tenant(tenant)
        .filter(partner_id=_partner_id(actor), visibility=Visibility.SHARED)
        .select_related("review", "owner__user")
    )


def portal_actions_open_first(*, tenant: Tenant, actor: Membership) -> QuerySet[ActionItem]:
    """The actor's company's shared action items: open ones first (soonest due first), then the closed ones."""
    open_first = Case(
        When(status__in=OPEN_ACTION_STATUSES, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return (
        shared_action_items(tenant=tenant, actor=actor).annotate(closed=open_first).order_by("closed", "due_date", "id")
    )


def portal_action_list(*, tenant: Tenant, actor: Membership) -> list[ActionItem]:
    """The first ``ACTIONS_SHOWN`` of ``portal_actions_open_first``, each with ``is_overdue``. One query."""
    return flag_overdue(list(portal_actions_open_first(tenant=tenant, actor=actor)[:ACTIONS_SHOWN]))


def flag_overdue(items: list[ActionItem], *, today: date | None = None) -> list[ActionItem]:
    """Set ``is_overdue`` on each item: still open and due before today."""
    today = today or timezone.localdate()
    for item in items:
        item.is_overdue = item.is_open and item.due_date < today  # type: ignore[attr-defined]
    return items


def portal_action_get(*, tenant: Tenant, actor: Membership, action_id: int) -> ActionItem:
    """A shared action item of the actor's own company, or NotFoundError (internal, another partner's, missing)."""
    item = shared_action_items(tenant=tenant, actor=actor).filter(pk=action_id).first()
    if item is None:
        raise NotFoundError("Action item not found.")
    return item


# --- the portal home's cards ---

HOME_REVIEWS = 3
HOME_ACTIONS = 5
HOME_DECISIONS = 4
INPUT_HORIZON_DAYS = 30


@dataclass(frozen=True)
class PortalHome:
    """What the portal home shows of reviews: the next ones with what is due from the partner for each, the open shared
    action items the partner's own people own (soonest due first, each with ``is_overdue``), how many open ones there
    are on both sides, and the latest shared decisions (each with its review)."""

    upcoming: list[PortalReviewRow]
    upcoming_total: int
    actions: list[ActionItem]  # open, owned on the partner's side
    actions_yours: int
    actions_overdue: int  # of the partner's side
    actions_open: int  # both sides
    decisions: list[Decision]

    @property
    def next_review(self) -> PortalReviewRow | None:
        return self.upcoming[0] if self.upcoming else None

    @property
    def inputs_due(self) -> list[PortalReviewRow]:
        """The upcoming reviews still waiting for the partner's self-assessment or forecast, due within
        ``INPUT_HORIZON_DAYS`` (or late): what to do now, not next quarter."""
        horizon = timezone.localdate() + timedelta(days=INPUT_HORIZON_DAYS)
        return [
            row
            for row in self.upcoming
            if (row.self_assessment is None or (row.asks_forecast and row.forecast is None))
            and (row.self_assessment_due is None or row.self_assessment_due <= horizon)
        ]

    @property
    def next_in_days(self) -> int | None:
        """Days from today to the next review (0: today)."""
        if self.next_review is None:
            return None
        return (timezone.localtime(self.next_review.review.scheduled_for).date() - timezone.localdate()).days

    @property
    def next_days_ago(self) -> int | None:
        """Days since the next review's date when that date has passed (it is not marked as held yet), else None."""
        days = self.next_in_days
        return -days if days is not None and days < 0 else None


def portal_home(*, tenant: Tenant, actor: Membership) -> PortalHome:
    """The actor's company's next reviews, its open shared action items and the latest shared decisions. Four
    queries (five with more upcoming reviews than the home shows)."""
    today = timezone.localdate()
    partner_id = _partner_id(actor)
    open_reviews = portal_reviews(tenant=tenant, actor=actor).filter(state__in=OPEN_STATES)
    upcoming = list(open_reviews[: HOME_REVIEWS + 1])
    open_actions = shared_action_items(tenant=tenant, actor=actor).filter(status__in=OPEN_ACTION_STATUSES)
    yours = Q(owner__partner_id=partner_id)
    counts = open_actions.aggregate(
        open=Count("id"), yours=Count("id", filter=yours), overdue=Count("id", filter=yours & Q(due_date__lt=today))
    )
    actions = flag_overdue(list(open_actions.filter(yours).order_by("due_date", "id")[:HOME_ACTIONS]), today=today)
    decisions = list(
        Decision.objects.for_tenant(tenant)
        .filter(review__partner_id=partner_id, visibility=Visibility.SHARED)
        .exclude(review__state=Review.State.CANCELLED)
        .select_related("review")
        .order_by("-created_at", "-id")[:HOME_DECISIONS]
    )
    return PortalHome(
        upcoming=[_row(r) for r in upcoming[:HOME_REVIEWS]],
        upcoming_total=len(upcoming) if len(upcoming) <= HOME_REVIEWS else open_reviews.count(),
        actions=actions,
        actions_yours=counts["yours"],
        actions_overdue=counts["overdue"],
        actions_open=counts["open"],
        decisions=decisions,
    )
