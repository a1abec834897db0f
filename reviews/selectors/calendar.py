"""Reads of the review calendar: a month grid, upcoming weeks, a member's feed. One query for the reviews each."""

from __future__ import annotations

import calendar as pycalendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import cast

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from partnerhub.core.domain.tokens import token_hash
from partnerhub.core.errors import NotFoundError
from partnerhub.core.models import Membership, Role, Tenant
from reviews.models import Attendee, Cadence, CalendarFeed, Review

KIND_SHORT: dict[str, str] = {
    Cadence.Kind.HEALTH_CHECK: "Health check",
    Cadence.Kind.QBR: "QBR",
    Cadence.Kind.DEEP_DIVE: "Deep dive",
    Cadence.Kind.CUSTOM: "Review",
}
MAX_RANGE_DAYS = 100  # the API's longest range
FEED_PAST_DAYS = 90  # a feed holds the last three months and everything ahead
FEED_LIMIT = 1000
CELL_REVIEWS = 6  # a month cell lists this many reviews; the rest are behind "+N more"


@dataclass(frozen=True)
class CalendarFilters:
    owner: int | None = None  # the moderator's membership id
    kind: str = ""
    partner: str = ""  # part of the partner's name


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def calendar_reviews(
    *, tenant: Tenant, start: date, end: date, filters: CalendarFilters | None = None
) -> QuerySet[Review]:
    """Reviews of ``tenant`` held from ``start`` up to (not including) ``end``, by time; partner, moderator joined."""
    f = filters or CalendarFilters()
    qs = (
        Review.objects.for_tenant(tenant)
        .filter(scheduled_for__gte=_start_of(start), scheduled_for__lt=_start_of(end))
        .select_related("partner", "moderator__user")
    )
    if f.owner is not None:
        qs = qs.filter(moderator_id=f.owner)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.partner:
        qs = qs.filter(partner__name__icontains=f.partner)
    return qs.order_by("scheduled_for", "partner__name", "id")


def calendar_owner_choices(*, tenant: Tenant) -> QuerySet[Membership]:
    """The people who can moderate a review (internal members), by name."""
    return (
        Membership.objects.for_tenant(tenant)
        .exclude(role=Role.PARTNER)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__email")
    )


@dataclass
class CalendarDay:
    day: date
    in_month: bool
    is_today: bool
    reviews: list[Review] = field(default_factory=list)

    @property
    def shown(self) -> list[Review]:
        return self.reviews[:CELL_REVIEWS]

    @property
    def more(self) -> int:
        return max(0, len(self.reviews) - CELL_REVIEWS)


@dataclass
class CalendarMonth:
    month: date  # its first day
    weeks: list[list[CalendarDay]]
    previous: date
    next: date
    count: int  # reviews in the month itself (not the neighbouring days shown in the grid)


def calendar_month(
    *, tenant: Tenant, month: date, today: date, filters: CalendarFilters | None = None
) -> CalendarMonth:
    """The month as a grid of weeks (Monday first), each day holding its reviews; one query."""
    first = month.replace(day=1)
    weeks_of_dates = pycalendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    grid_start, grid_end = weeks_of_dates[0][0], weeks_of_dates[-1][-1] + timedelta(days=1)
    by_day: dict[date, list[Review]] = {}
    for review in calendar_reviews(tenant=tenant, start=grid_start, end=grid_end, filters=filters):
        by_day.setdefault(timezone.localtime(review.scheduled_for).date(), []).append(review)
    weeks = [
        [CalendarDay(day=d, in_month=d.month == first.month, is_today=d == today, reviews=by_day.get(d, [])) for d in w]
        for w in weeks_of_dates
    ]
    previous = (first - timedelta(days=1)).replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    count = sum(len(day.reviews) for week in weeks for day in week if day.in_month)
    return CalendarMonth(month=first, weeks=weeks, previous=previous, next=following, count=count)


@dataclass
class CalendarWeek:
    start: date  # Monday
    end: date  # Sunday
    iso_week: int
    reviews: list[Review] = field(default_factory=list)


def calendar_weeks(
    *, tenant: Tenant, start: date, weeks: int, filters: CalendarFilters | None = None
) -> list[CalendarWeek]:
    """``weeks`` weeks from the one holding ``start`` (reviews from ``start`` on), grouped by week; one query."""
    monday = start - timedelta(days=start.weekday())
    out = [
        CalendarWeek(
            start=monday + timedelta(weeks=n),
            end=monday + timedelta(weeks=n, days=6),
            iso_week=(monday + timedelta(weeks=n)).isocalendar().week,
        )
        for n in range(weeks)
    ]
    end = monday + timedelta(weeks=weeks)
    for review in calendar_reviews(tenant=tenant, start=start, end=end, filters=filters):
        index = (timezone.localtime(review.scheduled_for).date() - monday).days // 7
        out[index].reviews.append(review)
    return out


# --- a member's feed ---


def calendar_feed_get_by_token(*, tenant: Tenant, token: str) -> CalendarFeed:
    """The feed of ``tenant`` with this token, its member active; NotFoundError otherwise (another tenant's too)."""
    feed = (
        CalendarFeed.objects.for_tenant(tenant)
        .select_related("membership__user", "membership__partner")
        .filter(token_hash=token_hash(token), membership__is_active=True)
        .first()
    )
    if feed is None:
        raise NotFoundError("This calendar address is not valid.")
    return feed


def calendar_feed_exists(*, tenant: Tenant, member: Membership) -> bool:
    return CalendarFeed.objects.for_tenant(tenant).filter(membership_id=member.pk).exists()


def feed_reviews_for_member(*, tenant: Tenant, member: Membership, now: datetime) -> QuerySet[Review]:
    """The reviews a member's feed holds: a partner user's company's; otherwise those they moderate or attend.

    From ``FEED_PAST_DAYS`` ago on, at most ``FEED_LIMIT``; cancelled ones included (the feed cancels them).
    """
    qs = (
        Review.objects.for_tenant(tenant)
        .filter(scheduled_for__gte=now - timedelta(days=FEED_PAST_DAYS))
        .select_related("partner", "moderator__user")
    )
    if member.role == Role.PARTNER:
        # A partner user's feed: their own company's reviews, nothing of any other partner.
        # A partner membership always names its partner (membership_partner_iff_partner_role).
        qs = qs.filter(partner_id=cast(int, member.partner_id))
    else:
        attends = Attendee.objects.for_tenant(tenant).filter(
            review_id=OuterRef("pk"), membership_id=member.pk, side=Attendee.Side.INTERNAL
        )
        qs = qs.filter(Q(moderator_id=member.pk) | Q(Exists(attends)))
    return qs.order_by("scheduled_for", "id")[:FEED_LIMIT]


# --- links ---


def review_path(*, tenant_slug: str, review: Review, portal: bool = False, page: str = "") -> str:
    """The review's page, or for a partner user its portal page (or ``page``, another portal page of the review)."""
    kwargs: dict[str, object] = {"tenant_slug": tenant_slug, "review_id": review.pk}
    if portal:
        return reverse(page or "portal_review_detail", kwargs=kwargs)
    return reverse("review_detail", kwargs=kwargs)


def portal_actions_path(*, tenant_slug: str) -> str:
    """The partner user's action items."""
    return reverse("portal_action_list", kwargs={"tenant_slug": tenant_slug})
