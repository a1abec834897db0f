"""Joint deal reviews: large deals are scored on the rubric in bulk and queued; managers move them through review."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

import pandas as pd
from django.db import transaction
from django.utils import timezone

from partnerhub.core.errors import InvalidStateError
from partnerhub.core.models import Membership, Tenant
from partnerhub.core.rules import ensure_can
from partnerhub.core.services.program import ensure_same_tenant
from partnerhub.core.tenancy.sql import LOCK_DEAL_REVIEWS, tenant_xact_lock
from scorecards.domain.deal_rubric import CRITERIA, score_deals
from scorecards.models import Deal, DealReview, ScorecardSettings

Status = DealReview.Status
# action -> (states it may start from, state it leads to)
TRANSITIONS = {
    "start": ((Status.QUEUED, Status.CHANGES_REQUESTED), Status.IN_REVIEW),
    "approve": ((Status.IN_REVIEW,), Status.APPROVED),
    "request_changes": ((Status.IN_REVIEW,), Status.CHANGES_REQUESTED),
}


def scorecard_settings(*, tenant: Tenant) -> ScorecardSettings:
    """The program's scorecard settings, created with defaults on first use."""
    found = ScorecardSettings.objects.for_tenant(tenant).first()
    return found or ScorecardSettings.objects.create(tenant=tenant)


@dataclass(frozen=True)
class DealReviewRefresh:
    queued: int
    rescored: int
    dropped: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@transaction.atomic
def deal_reviews_refresh(*, tenant: Tenant) -> DealReviewRefresh:
    """Score every deal at or above the threshold and queue the new ones; reviewed deals keep their scores.

    A review still queued (nobody started it) whose deal is now below the threshold (an import corrected its amount,
    or the threshold rose) leaves the queue. Runs after every committed import and nightly; one refresh per program
    at a time (an advisory lock: a second one waits, then finds nothing to do). Three reads (the threshold; all deal
    amounts for the partners' medians; the large deals with their review, if any) and three bulk writes, whatever
    the number of deals. Idempotent.
    """
    tenant_xact_lock(LOCK_DEAL_REVIEWS, tenant)
    threshold = scorecard_settings(tenant=tenant).deal_review_threshold
    dropped, _ = DealReview.objects.for_tenant(tenant).filter(status=Status.QUEUED, deal__amount__lt=threshold).delete()
    deals = Deal.objects.for_tenant(tenant)
    amounts = pd.DataFrame.from_records(
        list(deals.values_list("partner_id", "amount")), columns=["partner_id", "amount"]
    )
    if amounts.empty:
        return DealReviewRefresh(0, 0, dropped)
    medians = amounts.assign(amount=amounts["amount"].astype(float)).groupby("partner_id")["amount"].median()
    fields = [
        "id",
        "partner_id",
        "amount",
        "discount_pct",
        "term_months",
        "is_renewal",
        "registration_status",
        "probability",
        "status",
    ]
    large = pd.DataFrame.from_records(list(deals.filter(amount__gte=threshold).values_list(*fields)), columns=fields)
    if large.empty:
        return DealReviewRefresh(0, 0, dropped)
    large["median_amount"] = large["partner_id"].map(medians)
    scores = score_deals(large)
    existing = {r.deal_id: r for r in DealReview.objects.for_tenant(tenant).filter(deal_id__in=list(large["id"]))}
    new, changed = [], []
    for row, score in zip(large.itertuples(index=False), scores.itertuples(index=False), strict=True):
        values = {c: int(getattr(score, c)) for c in CRITERIA} | {"quality": Decimal(str(score.quality))}
        review = existing.get(row.id)
        if review is None:
            new.append(DealReview(tenant=tenant, deal_id=row.id, partner_id=row.partner_id, **values))
        elif review.status == Status.QUEUED and any(getattr(review, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(review, key, value)
            changed.append(review)
    DealReview.objects.bulk_create(new, batch_size=2000)
    DealReview.objects.for_tenant(tenant).bulk_update(changed, [*CRITERIA, "quality"], batch_size=2000)
    return DealReviewRefresh(queued=len(new), rescored=len(changed), dropped=dropped)


@transaction.atomic
def deal_review_transition(
    *, tenant: Tenant, actor: Membership, review: DealReview, action: str, comment: str = ""
) -> DealReview:
    """Move a review: start (from queued or changes requested), approve, or request changes (with a comment)."""
    ensure_same_tenant(tenant, actor, review)
    ensure_can(actor, "deals.review")
    if action not in TRANSITIONS:
        raise InvalidStateError("Unknown action.")
    sources, target = TRANSITIONS[action]
    if review.status not in sources:
        raise InvalidStateError(
            f"A review that is {review.get_status_display().lower()} cannot be "
            f"{'started' if action == 'start' else 'decided'} now."
        )
    if action == "request_changes" and not comment.strip():
        raise InvalidStateError("Say what must change.", extra={"fields": {"comment": ["required"]}})
    review.status = target
    review.reviewer = actor
    if comment.strip():
        review.comment = comment.strip()
    if target in (Status.APPROVED, Status.CHANGES_REQUESTED):
        review.reviewed_at = timezone.now()
    review.save(update_fields=["status", "reviewer", "comment", "reviewed_at", "updated_at"])
    return review
