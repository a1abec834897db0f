"""Reads of the joint deal-review queue."""

from __future__ import annotations

from django.db.models import QuerySet

from partnerhub.core.models import Tenant
from scorecards.models import DealReview


def deal_review_list(*, tenant: Tenant, status: str = "") -> QuerySet[DealReview]:
    """Deal reviews (of one status when given), largest deals first, with deal, partner and reviewer joined."""
    qs = DealReview.objects.for_tenant(tenant).select_related("deal", "partner", "reviewer__user")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-deal__amount", "id")
