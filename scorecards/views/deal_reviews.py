"""The joint deal-review queue: large deals with their rubric scores, moved through review by managers."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from partnerhub.core.errors import DomainError, NotFoundError
from partnerhub.core.http import TenantRequest
from partnerhub.core.rules import can
from partnerhub.core.views.program import tenant_view
from scorecards.models import DealReview
from scorecards.selectors.deal_reviews import deal_review_list
from scorecards.services.deal_reviews import deal_review_transition, scorecard_settings


@tenant_view("deals.view_reviews")
def deal_review_list_view(request: TenantRequest) -> HttpResponse:
    status = request.GET.get("status", DealReview.Status.QUEUED)
    if status not in DealReview.Status.values and status != "all":
        status = DealReview.Status.QUEUED
    reviews = deal_review_list(tenant=request.tenant, status="" if status == "all" else status)
    page = Paginator(reviews, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "scorecards/deal_reviews.html",
        {
            "page": page,
            "status": status,
            "statuses": DealReview.Status.choices,
            "query": f"status={status}",
            "threshold": scorecard_settings(tenant=request.tenant).deal_review_threshold,
            "can_review": can(request.membership, "deals.review"),
        },
    )


@tenant_view("deals.review", methods=("POST",))
def deal_review_action_view(request: TenantRequest, deal_review_id: int) -> HttpResponse:
    review = deal_review_list(tenant=request.tenant).filter(pk=deal_review_id).first()
    if review is None:
        raise NotFoundError("Deal review not found.")
    try:
        deal_review_transition(
            tenant=request.tenant,
            actor=request.membership,
            review=review,
            action=request.POST.get("action", ""),
            comment=request.POST.get("comment", ""),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{review.deal.external_id}: {review.get_status_display().lower()}.")
    back = request.POST.get("status", DealReview.Status.QUEUED)
    return redirect(f"{reverse('deal_review_list', kwargs={'tenant_slug': request.tenant.slug})}?status={back}")
