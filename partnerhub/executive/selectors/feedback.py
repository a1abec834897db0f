"""Reads of partner feedback on reviews: the signed-off reviews a partner user may give feedback on, and the
review-quality figure per moderator and per cadence (two aggregate queries)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Avg, CharField, Count, F, QuerySet, Value
from django.db.models.functions import Coalesce, Concat, NullIf, Trim

from partnerhub.core.errors import NotFoundError
from partnerhub.core.models import Membership, Tenant
from partnerhub.executive.models import ReviewFeedback
from reviews.models import Attendee, Review

FEEDBACK_DAYS = 60  # a review may be given feedback on for this long after its sign-off


def feedback_reviews_for(*, tenant: Tenant, member: Membership, now: datetime) -> QuerySet[Review]:
    """The member's company's reviews signed off in the last ``FEEDBACK_DAYS`` days, latest first."""
    if member.partner_id is None:
        return Review.objects.for_tenant(tenant).none()
    return (
        Review.objects.for_tenant(tenant)
        .filter(
            partner_id=member.partner_id,
            state=Review.State.SIGNED_OFF,
            signed_off_at__gte=now - timedelta(days=FEEDBACK_DAYS),
        )
        .select_related("cadence", "moderator__user")
        .order_by("-signed_off_at", "-pk")
    )


def feedback_review_get(*, tenant: Tenant, member: Membership, review_id: int) -> Review:
    """A review of the member's own company (any state: the page says when it cannot take feedback yet);
    NotFoundError for another partner's or another program's."""
    if member.partner_id is None:
        raise NotFoundError("Review not found.")
    review = (
        Review.objects.for_tenant(tenant)
        .filter(pk=review_id, partner_id=member.partner_id)
        .select_related("cadence", "moderator__user", "partner")
        .first()
    )
    if review is None:
        raise NotFoundError("Review not found.")
    return review


def feedback_given(*, tenant: Tenant, member: Membership, review_ids: list[int]) -> dict[int, ReviewFeedback]:
    return {
        f.review_id: f
        for f in ReviewFeedback.objects.for_tenant(tenant).filter(respondent=member, review_id__in=review_ids)
    }


def feedback_due_invitations(*, tenant: Tenant, since: datetime) -> list[tuple[int, int, str]]:
    """(membership id, review id, partner name) of the partner attendees (with an account) of reviews signed off
    since ``since``: who is asked for feedback."""
    return list(
        Attendee.objects.for_tenant(tenant)
        .filter(
            side=Attendee.Side.PARTNER,
            membership__isnull=False,
            membership__is_active=True,
            review__state=Review.State.SIGNED_OFF,
            review__signed_off_at__gte=since,
        )
        .values_list("membership_id", "review_id", "review__partner__name")
    )


@dataclass(frozen=True)
class QualityRow:
    label: str
    reviews: int
    answers: int
    useful: float
    fair: float
    prepared: float

    @property
    def overall(self) -> float:
        return (self.useful + self.fair + self.prepared) / 3


def review_quality(*, tenant: Tenant) -> dict[str, list[QualityRow]]:
    """Mean feedback (1 to 5) per moderator and per cadence, with how many reviews and answers it rests on."""
    base = ReviewFeedback.objects.for_tenant(tenant)

    def rows(key: str, label: Any) -> list[QualityRow]:
        grouped = (
            base.values(key, label_value=label)
            .annotate(
                reviews=Count("review", distinct=True),
                answers=Count("pk"),
                useful_avg=Avg("useful"),
                fair_avg=Avg("fair"),
                prepared_avg=Avg("prepared"),
            )
            .order_by("label_value")
        )
        return [
            QualityRow(
                label=str(r["label_value"] or "No moderator"),
                reviews=r["reviews"],
                answers=r["answers"],
                useful=float(r["useful_avg"] or 0),
                fair=float(r["fair_avg"] or 0),
                prepared=float(r["prepared_avg"] or 0),
            )
            for r in grouped
        ]

    return {
        "moderator": rows("review__moderator_id", _person("review__moderator__user")),
        "cadence": rows("review__cadence_id", F("review__cadence__name")),
    }


def _person(user: str) -> Any:
    """A person as people are named on the pages: their full name, or their address when they have not given one."""
    name = Trim(Concat(f"{user}__first_name", Value(" "), f"{user}__last_name"))
    return Coalesce(NullIf(name, Value("")), F(f"{user}__email"), output_field=CharField())
