"""Reminders of the review cadence, in-app and by e-mail, each sent once thanks to its dedupe key.

Run once a day per tenant (Celery beat; running more often is harmless). Three kinds:

- upcoming review: to the moderator and the internal attendees, 3 days before (``review:<id>:upcoming:3d``, sent
  when the review is 2 or 3 days away) and the day before (``review:<id>:upcoming:1d``, 0 or 1 day away);
- self-assessment and forecast due: to the partner's users when the due date (the review's ``self_assessment_due``,
  else the cadence's ``self_assessment_lead_days`` before the review) is within the next 3 days and nothing was
  submitted yet (``review:<id>:self_assessment_due``, ``review:<id>:forecast_due``; the forecast
  only when the cadence asks for one);
- overdue action item: to its owner, once per ISO week while it stays open past its due date
  (``action:<id>:overdue:<year>-W<week>``). A partner user is reminded only of their own company's shared items.

Only reviews still ahead (scheduled or preparing) remind anyone. One query per kind, whatever the number of reviews.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.contrib.postgres.aggregates import ArrayAgg
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import DateField, Exists, ExpressionWrapper, F, OuterRef, Q
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from partnerhub.core.models import Membership, Role, Tenant
from partnerhub.core.services.notifications import NotificationItem, notify_many
from reviews.models import ActionItem, Attendee, Forecast, Review, SelfAssessment, Visibility
from reviews.selectors.calendar import KIND_SHORT, portal_actions_path, review_path
from reviews.selectors.portal import OPEN_STATES
from reviews.selectors.reviews import OPEN_ACTION_STATUSES

UPCOMING = (("1d", 0, 1), ("3d", 2, 3))  # (label, from, to days before the review)
DUE_WINDOW_DAYS = 3
SELF_ASSESSMENT_ASKS = "wins, lessons learned, needs and risks"
FORECAST_ASKS = "opportunities by stage, likelihood and expected close date"


@dataclass(frozen=True)
class ReminderResult:
    upcoming: int = 0
    self_assessment: int = 0
    forecast: int = 0
    overdue: int = 0
    emailed: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "upcoming": self.upcoming,
            "self_assessment": self.self_assessment,
            "forecast": self.forecast,
            "overdue": self.overdue,
            "created": self.upcoming + self.self_assessment + self.forecast + self.overdue,
            "emailed": self.emailed,
        }


def _when(days: int) -> str:
    return "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"


def _upcoming_items(tenant: Tenant, today: date) -> list[NotificationItem]:
    horizon = today + timedelta(days=UPCOMING[-1][2])
    reviews = (
        Review.objects.for_tenant(tenant)
        .filter(state__in=OPEN_STATES, scheduled_for__date__gte=today, scheduled_for__date__lte=horizon)
        .select_related("partner", "moderator")
        .annotate(
            attendee_ids=ArrayAgg(
                "attendees__membership_id",
                filter=Q(attendees__side=Attendee.Side.INTERNAL, attendees__membership__isnull=False)
                & ~Q(attendees__membership__role=Role.PARTNER),
                distinct=True,
                default=[],
            )
        )
    )
    items: list[NotificationItem] = []
    for review in reviews:
        days = (timezone.localtime(review.scheduled_for).date() - today).days
        label = next(lab for lab, low, high in UPCOMING if low <= days <= high)
        kind = KIND_SHORT.get(review.kind, "Review")
        at = timezone.localtime(review.scheduled_for)
        people = set(review.attendee_ids)
        if review.moderator is not None and review.moderator.role != Role.PARTNER:
            people.add(review.moderator.pk)
        items.extend(
            NotificationItem(
                recipient_id=recipient,
                kind="review.upcoming",
                title=f"{kind} with {review.partner.name} {_when(days)}",
                body=(
                    f"The {review.get_kind_display().lower()} with {review.partner.name} is on "
                    f"{at:%A %d %B %Y at %H:%M} {at.tzname()}."
                ),
                url=review_path(tenant_slug=tenant.slug, review=review),
                dedupe_key=f"review:{review.pk}:upcoming:{label}",
            )
            for recipient in sorted(people)
        )
    return items


def _due_items(tenant: Tenant, today: date) -> list[NotificationItem]:
    submitted_assessment = SelfAssessment.objects.for_tenant(tenant).filter(
        review_id=OuterRef("pk"), submitted_at__isnull=False
    )
    submitted_forecast = Forecast.objects.for_tenant(tenant).filter(
        review_id=OuterRef("pk"), submitted_at__isnull=False
    )
    partner_users = (
        Membership.objects.for_tenant(tenant)
        .filter(partner_id=OuterRef("partner_id"), role=Role.PARTNER, is_active=True)
        .values("pk")
    )
    # The review's own due date, else the cadence's lead time before the review (as the portal shows it).
    due_date = Coalesce(
        "self_assessment_due",
        ExpressionWrapper(
            TruncDate("scheduled_for") - F("cadence__self_assessment_lead_days"), output_field=DateField()
        ),
    )
    reviews = (
        Review.objects.for_tenant(tenant)
        .filter(state__in=OPEN_STATES)
        .annotate(due=due_date)
        .filter(due__gte=today, due__lte=today + timedelta(days=DUE_WINDOW_DAYS))
        .select_related("partner", "cadence")
        .annotate(
            has_assessment=Exists(submitted_assessment),
            has_forecast=Exists(submitted_forecast),
            recipient_ids=ArraySubquery(partner_users),
        )
    )
    items: list[NotificationItem] = []
    for review in reviews:
        due = review.due
        days = (due - today).days
        kind = KIND_SHORT.get(review.kind, "review")
        at = timezone.localtime(review.scheduled_for)
        owed = []
        if not review.has_assessment:
            owed.append(("self_assessment", "Your self-assessment", SELF_ASSESSMENT_ASKS, "portal_self_assessment"))
        if review.cadence.asks_forecast and not review.has_forecast:
            owed.append(("forecast", "Your pipeline forecast", FORECAST_ASKS, "portal_forecast"))
        items.extend(
            NotificationItem(
                recipient_id=recipient,
                kind=f"review.{key}_due",
                title=f"{what} for the {kind} is due {_when(days)}",
                body=(
                    f"Please submit {what.lower()} ({content}) by {due:%A %d %B %Y}, before the {kind} "
                    f"on {at:%d %B %Y at %H:%M} {at.tzname()}."
                ),
                url=review_path(tenant_slug=tenant.slug, review=review, portal=True, page=page),
                dedupe_key=f"review:{review.pk}:{key}_due",
            )
            for key, what, content, page in owed
            for recipient in review.recipient_ids
        )
    return items


def _overdue_items(tenant: Tenant, today: date) -> list[NotificationItem]:
    year, week, _ = today.isocalendar()
    actions = (
        ActionItem.objects.for_tenant(tenant)
        .filter(status__in=OPEN_ACTION_STATUSES, due_date__lt=today, owner__isnull=False, owner__is_active=True)
        # A partner user hears only of their own company's shared items, never of internal ones.
        .filter(~Q(owner__role=Role.PARTNER) | Q(visibility=Visibility.SHARED, owner__partner_id=F("partner_id")))
        .select_related("owner", "review__partner")
    )
    items: list[NotificationItem] = []
    for action in actions:
        assert action.owner is not None  # noqa: S101 (filtered above)
        portal = action.owner.role == Role.PARTNER
        late = (today - action.due_date).days
        items.append(
            NotificationItem(
                recipient_id=action.owner.pk,
                kind="action.overdue",
                title=f"Overdue action: {action.description[:120]}",
                body=(
                    f"This action from the review with {action.review.partner.name} was due on "
                    f"{action.due_date:%d %B %Y} ({late} day{'' if late == 1 else 's'} ago) and is still "
                    f"{action.get_status_display().lower()}."
                ),
                url=(
                    portal_actions_path(tenant_slug=tenant.slug)
                    if portal
                    else review_path(tenant_slug=tenant.slug, review=action.review)
                ),
                dedupe_key=f"action:{action.pk}:overdue:{year}-W{week:02d}",
            )
        )
    return items


def reminders_send(*, tenant: Tenant, today: date | None = None, email: bool = True) -> ReminderResult:
    """Send the reminders due on ``today`` (default: the local date) for ``tenant``; a second run sends nothing.

    Runs inside the tenant's context (a task or a request); the e-mails leave after commit.
    """
    today = today or timezone.localdate()
    items = [*_upcoming_items(tenant, today), *_due_items(tenant, today), *_overdue_items(tenant, today)]
    sent = notify_many(tenant, items, email=email)
    counts = sent.created_by_kind
    return ReminderResult(
        upcoming=counts.get("review.upcoming", 0),
        self_assessment=counts.get("review.self_assessment_due", 0),
        forecast=counts.get("review.forecast_due", 0),
        overdue=counts.get("action.overdue", 0),
        emailed=sent.emailed,
    )
