"""One partner's reviews and open action items as the partner page shows them (its reviews panel): the next ones,
the latest past ones, the open actions soonest due first with how many there are and how many are overdue. Four
queries, whatever the partner's history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Q

from partnerhub.core.models import Tenant
from reviews.models import ActionItem, Review
from reviews.selectors.reviews import OPEN_ACTION_STATUSES

SHOWN_REVIEWS = 3
SHOWN_ACTIONS = 5


@dataclass(frozen=True)
class PartnerReviews:
    upcoming: list[Review]  # not cancelled, soonest first
    past: list[Review]  # newest first, cancelled ones included (they say so)
    actions: list[ActionItem]  # open or in progress, soonest due first
    open_actions: int
    overdue_actions: int


def partner_reviews(*, tenant: Tenant, partner_id: int, now: datetime, today: date) -> PartnerReviews:
    reviews = (
        Review.objects.for_tenant(tenant)
        .filter(partner_id=partner_id)
        .select_related("moderator__user")
        .defer("preread", "agenda")
    )
    upcoming = reviews.filter(scheduled_for__gte=now).exclude(state=Review.State.CANCELLED)
    past = reviews.filter(scheduled_for__lt=now)
    actions = ActionItem.objects.for_tenant(tenant).filter(partner_id=partner_id, status__in=OPEN_ACTION_STATUSES)
    counts = actions.aggregate(open=Count("id"), overdue=Count("id", filter=Q(due_date__lt=today)))
    return PartnerReviews(
        upcoming=list(upcoming.order_by("scheduled_for", "id")[:SHOWN_REVIEWS]),
        past=list(past.order_by("-scheduled_for", "-id")[:SHOWN_REVIEWS]),
        actions=list(
            actions.select_related("owner__user", "review")
            .defer("review__preread", "review__agenda")
            .order_by("due_date", "id")[:SHOWN_ACTIONS]
        ),
        open_actions=counts["open"],
        overdue_actions=counts["overdue"],
    )
