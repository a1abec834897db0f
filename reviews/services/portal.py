"""Writes of the partner portal: the self-assessment before a review, and status updates of shared action items.

Only a partner user of the review's own company may write here (``portal.reviews``); anyone else's review or action
item is a NotFoundError, as if it did not exist. The forecast lives in ``reviews.services.forecasts``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from partnerhub.core.errors import InvalidStateError, NotFoundError
from partnerhub.core.models import Membership, Tenant
from partnerhub.core.rules import ensure_can
from partnerhub.core.services.program import ensure_same_tenant
from reviews.errors import ActionStatusInvalidError, ReviewLockedError, SelfAssessmentInvalidError
from reviews.models import ActionItem, Review, SelfAssessment, Visibility
from reviews.selectors.portal import OPEN_STATES

SELF_ASSESSMENT_FIELDS = ("wins", "lessons", "needs", "risks")
TEXT_MAX = 5000
# A partner moves its shared commitments along; cancelling one is a decision for the review, not for one side.
PARTNER_STATUSES = (ActionItem.Status.OPEN, ActionItem.Status.IN_PROGRESS, ActionItem.Status.DONE)


def ensure_partner_of_review(tenant: Tenant, actor: Membership, review: Review) -> None:
    """Refuse anyone but a partner user of the review's own company (another partner's review: NotFoundError)."""
    ensure_same_tenant(tenant, actor, review)  # objects fetched elsewhere are never trusted
    ensure_can(actor, "portal.reviews")  # internal users: 403
    if review.partner_id != actor.partner_id:  # another partner's review: as if it did not exist
        raise NotFoundError("Review not found.")


def lock_open_review(tenant: Tenant, review: Review) -> Review:
    """Lock the review row for this transaction and refuse unless it is still ahead (scheduled or preparing).

    The lock makes a submission and the review's move to "held" happen one after the other, never across.
    """
    # for_tenant() filters and RLS confines the lock to this tenant's row; of=self locks no joined row.
    locked = Review.objects.for_tenant(tenant).select_for_update(of=("self",)).get(pk=review.pk)
    if locked.state not in OPEN_STATES:
        raise ReviewLockedError(_locked_message(locked), extra={"state": locked.state})
    return locked


def _locked_message(review: Review) -> str:
    if review.state == Review.State.CANCELLED:
        return "This review was cancelled: there is nothing more to submit for it."
    if review.state == Review.State.SIGNED_OFF:
        return "This review is signed off: what you submitted before it was held is now the record."
    return "This review has been held: what you submitted before it is now the record and can no longer change."


@transaction.atomic
def self_assessment_submit(
    *, tenant: Tenant, actor: Membership, review: Review, data: Mapping[str, Any]
) -> SelfAssessment:
    """Create or replace the partner's self-assessment (wins, lessons, needs, risks) of an upcoming review.

    Raises NotFoundError for another partner's review, PermissionDeniedError for a non-partner user,
    ReviewLockedError once the review is held, signed off or cancelled, and SelfAssessmentInvalidError when every
    field is empty or one is longer than 5,000 characters. Nothing is written on any error.
    """
    ensure_partner_of_review(tenant, actor, review)
    values = {name: str(data.get(name) or "").strip() for name in SELF_ASSESSMENT_FIELDS}
    too_long = {name: [f"Keep this under {TEXT_MAX:,} characters."] for name, v in values.items() if len(v) > TEXT_MAX}
    if too_long:
        raise SelfAssessmentInvalidError("Nothing was saved: a field is too long.", extra={"fields": too_long})
    if not any(values.values()):
        raise SelfAssessmentInvalidError(
            "Write at least one of your wins, lessons learned, needs or risks.",
            extra={"fields": {"wins": ["Write at least one of the four."]}},
        )
    locked = lock_open_review(tenant, review)
    assessment = SelfAssessment.objects.for_tenant(tenant).filter(review=locked).first()
    if assessment is None:
        return SelfAssessment.objects.create(
            tenant=tenant,
            review=locked,
            partner_id=locked.partner_id,
            submitted_by=actor,
            submitted_at=timezone.now(),
            **values,
        )
    for name, value in values.items():
        setattr(assessment, name, value)
    assessment.submitted_by = actor
    assessment.submitted_at = timezone.now()
    assessment.save(update_fields=[*SELF_ASSESSMENT_FIELDS, "submitted_by", "submitted_at", "updated_at"])
    return assessment


@transaction.atomic
def portal_action_status_update(*, tenant: Tenant, actor: Membership, action: ActionItem, status: str) -> ActionItem:
    """Move one of the partner's shared action items to open, in progress or done (audited by auditlog).

    Raises NotFoundError for an internal item or another partner's, PermissionDeniedError for a non-partner user,
    ActionStatusInvalidError for any other status (cancelling is decided in a review) and InvalidStateError for an
    item that was cancelled. Action items outlive their review's sign-off: the follow-through is the point.
    """
    ensure_same_tenant(tenant, actor, action)
    ensure_can(actor, "portal.reviews")
    if action.partner_id != actor.partner_id:  # another partner's item: as if it did not exist
        raise NotFoundError("Action item not found.")
    if action.visibility != Visibility.SHARED:  # internal items are never shown to the partner, nor writable
        raise NotFoundError("Action item not found.")
    if status not in PARTNER_STATUSES:
        allowed = ", ".join(str(ActionItem.Status(s).label).lower() for s in PARTNER_STATUSES)
        raise ActionStatusInvalidError(
            f"Choose one of: {allowed}.", extra={"fields": {"status": [f"Choose one of: {allowed}."]}}
        )
    # for_tenant() filters and RLS confines the lock to this tenant's row; of=self locks no joined row.
    locked = ActionItem.objects.for_tenant(tenant).select_for_update(of=("self",)).get(pk=action.pk)
    if locked.status == ActionItem.Status.CANCELLED:
        raise InvalidStateError("This action item was cancelled in the review; it can no longer change.")
    if locked.status == status:
        return locked
    locked.status = status
    locked.completed_at = timezone.now() if status == ActionItem.Status.DONE else None
    locked.save(update_fields=["status", "completed_at", "updated_at"])
    return locked
