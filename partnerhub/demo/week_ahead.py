"""Demo data of the landing pages: a working week ahead, so that a manager's portfolio shows "reviews in the next
7 days" whatever day the demo is seeded on, and a partner user's portal home shows a next review close enough to
prepare for.

The cycles put each month's reviews ``review_offset_days`` into the month, so between two cycles' review weeks the
coming seven days may hold none. For each owner manager with no review still ahead in the next seven days, the two
soonest of their partners' scheduled reviews whose cycle also covers the next days are brought forward: one two days
ahead at 10:00, one two days after that at 14:00 (local time; a day on a weekend moves to the Monday). A review
inside its pre-read lead time then gets its pre-read and moves to preparing, as the hourly task would. Safe to run
twice: a manager with a review this week is left alone.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from partnerhub.core.models import Tenant
from partnerhub.core.tenancy.context import tenant_context
from reviews.models import Review
from reviews.services.preread import preread_generate_due

WEEK = timedelta(days=7)
SLOTS = (time(10, 0), time(14, 0))  # two reviews, two working days apart; local time


def seed_week_ahead(tenant: Tenant, *, now: datetime | None = None) -> dict[str, Any]:
    """Bring reviews into the coming week (see the module docstring); return how many were moved and prepared."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    moved = 0
    with tenant_context(tenant), transaction.atomic():
        ahead = (
            Review.objects.for_tenant(tenant)
            .filter(state=Review.State.SCHEDULED, scheduled_for__gt=now)
            .select_related("cycle", "cadence", "partner")
            .order_by("scheduled_for", "id")
        )
        busy = set(
            ahead.filter(scheduled_for__lt=now + WEEK)
            .exclude(partner__owner__isnull=True)
            .values_list("partner__owner_id", flat=True)
        )
        owners = sorted(
            set(ahead.exclude(partner__owner__isnull=True).values_list("partner__owner_id", flat=True)) - busy
        )
        for owner_id in owners:
            candidates = list(ahead.filter(partner__owner_id=owner_id, scheduled_for__gte=now + WEEK))
            day = today
            for at in SLOTS:
                day = _working_day(day + timedelta(days=2))
                review = next((r for r in candidates if r.cycle.period_start <= day <= r.cycle.period_end), None)
                if review is None:
                    continue
                candidates.remove(review)
                review.scheduled_for = timezone.make_aware(datetime.combine(day, at))
                # The partner's input is due the cadence's lead time before, but not before tomorrow: a partner is
                # never late for a date the program moved.
                lead = timedelta(days=review.cadence.self_assessment_lead_days)
                review.self_assessment_due = max(today + timedelta(days=1), day - lead)
                review.save(update_fields=["scheduled_for", "self_assessment_due", "updated_at"])
                moved += 1
        run = preread_generate_due(tenant=tenant, now=now)
    return {"moved": moved, "prepared": run.prepared}


def _working_day(day: date) -> date:
    """``day``, or the Monday after it when it falls on a weekend."""
    return day + timedelta(days=(7 - day.weekday()) % 7) if day.weekday() >= 5 else day
