"""Reads of the joint deal-review queue."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Final, Literal

import pandas as pd
from django.db.models import F, QuerySet

from partnerhub.core.models import Tenant
from scorecards.domain.deal_rubric import DEAL_QUALITY
from scorecards.models import DealReview

# Deal reviews not decided yet: queued, or being reviewed.
DEAL_REVIEW_WAITING_STATUSES: Final[tuple[str, ...]] = (
    DealReview.Status.QUEUED.value,
    DealReview.Status.IN_REVIEW.value,
)


def deal_review_list(*, tenant: Tenant, status: str = "") -> QuerySet[DealReview]:
    """Deal reviews (of one status when given), largest deals first, with deal, partner and reviewer joined."""
    qs = DealReview.objects.for_tenant(tenant).select_related("deal", "partner", "reviewer__user")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-deal__amount", "id")


def deal_review_list_waiting(*, tenant: Tenant, partner_ids: Iterable[int]) -> QuerySet[DealReview]:
    """These partners' deal reviews still waiting for a decision, as ``deal_review_list`` orders and joins them."""
    return deal_review_list(tenant=tenant).filter(
        partner_id__in=list(partner_ids), status__in=DEAL_REVIEW_WAITING_STATUSES
    )


def deal_quality_by_partner_month(
    *,
    tenant: Tenant,
    partner_ids: Iterable[int] | None = None,
    period: Literal["month", "quarter"] = "month",
    before: date | None = None,
) -> pd.DataFrame:
    """The "deal_quality" metric: mean rubric quality per partner and month of deal creation (one query).

    ``period="quarter"`` averages the quarter's reviewed deals (labelled by the quarter's first day), not the months'
    means, as every deal-derived metric does; ``partner_ids`` limits the read to these partners; ``before`` leaves out
    the deals created on or after that day (the scorecard counts complete months only).
    """
    reviews = DealReview.objects.for_tenant(tenant)
    if before is not None:
        reviews = reviews.filter(deal__created_on__lt=before)
    if partner_ids is not None:
        reviews = reviews.filter(partner_id__in=list(partner_ids))
    rows = list(reviews.annotate(created_on=F("deal__created_on")).values_list("partner_id", "created_on", "quality"))
    frame = pd.DataFrame.from_records(rows, columns=["partner_id", "created_on", "quality"])
    if frame.empty:
        return pd.DataFrame(columns=["partner_id", "month", "metric", "value"])
    frame["month"] = pd.to_datetime(frame["created_on"]).dt.to_period("Q" if period == "quarter" else "M")
    frame["month"] = frame["month"].dt.to_timestamp().dt.date
    grouped = frame.assign(quality=frame["quality"].astype(float)).groupby(["partner_id", "month"])["quality"].mean()
    return (
        grouped.round(4)
        .rename("value")
        .reset_index()
        .assign(metric=DEAL_QUALITY)[["partner_id", "month", "metric", "value"]]
    )
