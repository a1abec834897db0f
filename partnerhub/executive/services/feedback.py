"""Writes of partner feedback on reviews: the invitation after sign-off (in the app, once per attendee and review)
and the answer (once per partner user and review, 1 to 5 on three questions and a comment)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse

from partnerhub.core.models import Membership, Tenant
from partnerhub.core.rules import ensure_can
from partnerhub.core.services.notifications import NotificationItem, notify_many
from partnerhub.core.tenancy.context import tenant_context
from partnerhub.executive.errors import FeedbackError
from partnerhub.executive.models import ReviewFeedback
from partnerhub.executive.selectors.feedback import feedback_due_invitations
from reviews.models import Review

INVITE_LOOKBACK_DAYS = 7  # the daily run looks this far back, so a missed day is caught up


def feedback_invite(*, tenant: Tenant, now: datetime) -> int:
    """Ask the partner attendees of recently signed-off reviews for their feedback (once each); returns how many."""
    with tenant_context(tenant):
        due = feedback_due_invitations(tenant=tenant, since=now - timedelta(days=INVITE_LOOKBACK_DAYS))
        result = notify_many(
            tenant,
            [
                NotificationItem(
                    recipient_id=member_id,
                    kind="review_feedback",
                    title="How was your review?",
                    body=f"Tell us whether your review with us ({partner}) was useful, fair and well prepared.",
                    url=reverse("feedback_form", kwargs={"tenant_slug": tenant.slug, "review_id": review_id}),
                    dedupe_key=f"feedback:{review_id}",
                )
                for member_id, review_id, partner in due
            ],
        )
    return result.created


@transaction.atomic
def feedback_submit(
    *, tenant: Tenant, actor: Membership, review: Review, useful: int, fair: int, prepared: int, comment: str = ""
) -> ReviewFeedback:
    """Record a partner user's feedback on their company's signed-off review. Raises FeedbackError for a review not
    signed off, an answer already given, or a score outside 1 to 5 (nothing written)."""
    ensure_can(actor, "executive.feedback.give")
    if review.tenant_id != tenant.pk or review.partner_id != actor.partner_id:
        raise FeedbackError("That review is not one of your company's.")
    if review.state != Review.State.SIGNED_OFF:
        raise FeedbackError("Feedback opens once the review is signed off.")
    if not all(1 <= value <= 5 for value in (useful, fair, prepared)):
        raise FeedbackError("Answer each question from 1 to 5.")
    with tenant_context(tenant):
        try:
            with transaction.atomic():
                return ReviewFeedback.objects.create(
                    tenant=tenant,
                    review=review,
                    respondent=actor,
                    useful=useful,
                    fair=fair,
                    prepared=prepared,
                    comment=comment.strip(),
                )
        except IntegrityError as exc:
            raise FeedbackError("You gave your feedback on this review already: thank you.") from exc
