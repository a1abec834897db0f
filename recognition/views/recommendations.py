"""The recommendations queue (filters by move, segment and owner; bulk decisions), one recommendation with its
evidence, a partner's tier history with a manager's exception. Views validate, call a service or selector, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers

from partnerhub.core.domain.periods import quarter_label
from partnerhub.core.errors import DomainError
from partnerhub.core.http import TenantRequest
from partnerhub.core.rules import can, ensure_can
from partnerhub.core.selectors.program import partner_get
from partnerhub.core.views.program import tenant_view
from recognition.forms.tiers import BulkDecisionForm, DecisionForm, ExceptionForm, RecommendationFilterForm
from recognition.models import TierRecommendation
from recognition.selectors.awards import partner_awards
from recognition.selectors.tiers import (
    partner_tier_status,
    recommendation_counts,
    recommendation_get,
    recommendation_list,
    recommendations_for_partner,
    tier_history,
    tier_moves_awaiting_count,
)
from recognition.services.tier_recommendations import recommendation_exception_propose, recommendations_decide
from recognition.views.tiers import form_errors

PAGE_SIZE = 50


def _url(request: TenantRequest, name: str, **kwargs: Any) -> str:
    return reverse(name, kwargs={"tenant_slug": request.tenant.slug, **kwargs})


def _queue(request: TenantRequest, bulk_form: BulkDecisionForm | None = None, status: int = 200) -> HttpResponse:
    tenant = request.tenant
    form = RecommendationFilterForm(request.GET or None, tenant=tenant)
    filters = form.to_filters()
    page = Paginator(recommendation_list(tenant=tenant, filters=filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    counts = recommendation_counts(tenant=tenant, filters=filters)
    context = {
        "form": form,
        "filters": filters,
        "quarter_label": quarter_label(filters.quarter) if filters.quarter else "",
        "page": page,
        "query": query.urlencode(),
        "counts": counts,
        "total": sum(counts.values()),
        "awaiting": tier_moves_awaiting_count(tenant=tenant),
        "bulk_form": bulk_form or BulkDecisionForm(tenant=tenant),
        "selected": set(request.POST.getlist("recommendation")) if bulk_form is not None else set(),
        "next_url": _url(request, "recommendation_list") + (f"?{request.GET.urlencode()}" if request.GET else ""),
        "can_decide": can(request.membership, "recommendations.decide"),
        "can_frame": can(request.membership, "framework.change"),
    }
    response = render(request, "recognition/recommendation_list.html", context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    patch_cache_control(response, private=True)
    return response


@tenant_view("recognition.view")
def recommendation_list_view(request: TenantRequest) -> HttpResponse:
    return _queue(request)


@tenant_view("recommendations.decide", methods=("POST",))
def recommendation_bulk_decide_view(request: TenantRequest) -> HttpResponse:
    """Approve or reject the recommendations ticked in the queue, all or none."""
    form = BulkDecisionForm(request.POST, tenant=request.tenant)
    if form.is_valid():
        chosen = list(form.cleaned_data["recommendation"])
        try:
            result = recommendations_decide(
                tenant=request.tenant,
                actor=request.membership,
                recommendations=chosen,
                approve=form.cleaned_data["decision"] == "approve",
                comment=form.cleaned_data["comment"],
                effective_date=form.cleaned_data["effective_date"],
            )
        except DomainError as exc:
            form_errors(form, exc)
        else:
            verb = "approved" if result.approved else "rejected"
            moved = (
                f"; {result.tier_changes} partner tier{'s' if result.tier_changes != 1 else ''} changed"
                if result.tier_changes
                else ""
            )
            messages.success(
                request, f"{result.decided} recommendation{'s' if result.decided != 1 else ''} {verb}{moved}."
            )
            return redirect(request.POST.get("next") or _url(request, "recommendation_list"))
    return _queue(request, bulk_form=form, status=400)


def _detail(
    request: TenantRequest, recommendation: TierRecommendation, form: DecisionForm | None = None, status: int = 200
) -> HttpResponse:
    actor = request.membership
    own_exception = recommendation.proposed_by_id == actor.pk
    needs_executive = recommendation.source == TierRecommendation.Source.EXCEPTION and actor.role != "executive"
    context = {
        "rec": recommendation,
        "evidence": recommendation.evidence,
        "form": form or DecisionForm(),
        "can_decide": can(actor, "recommendations.decide")
        and recommendation.status == TierRecommendation.Status.PENDING
        and not own_exception
        and not needs_executive,
        "own_exception": own_exception,
        "needs_executive": needs_executive and can(actor, "recommendations.decide"),
    }
    return render(request, "recognition/recommendation_detail.html", context, status=status)


@tenant_view("recognition.view")
def recommendation_detail_view(request: TenantRequest, recommendation_id: int) -> HttpResponse:
    return _detail(request, recommendation_get(tenant=request.tenant, recommendation_id=recommendation_id))


@tenant_view("recommendations.decide", methods=("POST",))
def recommendation_decide_view(request: TenantRequest, recommendation_id: int) -> HttpResponse:
    recommendation = recommendation_get(tenant=request.tenant, recommendation_id=recommendation_id)
    form = DecisionForm(request.POST)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            recommendations_decide(
                tenant=request.tenant,
                actor=request.membership,
                recommendations=[recommendation],
                approve=approve,
                comment=form.cleaned_data["comment"],
                effective_date=form.cleaned_data["effective_date"],
            )
        except DomainError as exc:
            form_errors(form, exc)
        else:
            partner = recommendation.partner.name
            messages.success(
                request,
                f"{partner}: recommendation {'approved' if approve else 'rejected'}"
                + (
                    f", now {recommendation.to_tier.name}."
                    if approve and recommendation.changes_tier and recommendation.to_tier
                    else "."
                ),
            )
            return redirect(request.POST.get("next") or _url(request, "recommendation_list"))
    return _detail(request, recommendation, form=form, status=400)


# --- a partner's tiers ---


def _history(
    request: TenantRequest, partner_id: int, form: ExceptionForm | None = None, status: int = 200
) -> HttpResponse:
    tenant = request.tenant
    partner = partner_get(tenant=tenant, partner_id=partner_id)
    standing = partner_tier_status(tenant=tenant, partner=partner)
    context = {
        "partner": partner,
        "status": standing,
        "history": tier_history(tenant=tenant, partner=partner)[:50],
        "recommendations": recommendations_for_partner(tenant=tenant, partner=partner)[:12],
        "awards": partner_awards(tenant=tenant, partner=partner)[:20],
        "form": form or ExceptionForm(tenant=tenant, initial={"to_tier": standing.tier}),
        "can_propose": can(request.membership, "recommendations.propose", partner),
    }
    return render(request, "recognition/partner_tiers.html", context, status=status)


@tenant_view("recognition.view")
def partner_tier_history_view(request: TenantRequest, partner_id: int) -> HttpResponse:
    return _history(request, partner_id)


@tenant_view("recommendations.propose", methods=("POST",))
def partner_tier_exception_view(request: TenantRequest, partner_id: int) -> HttpResponse:
    tenant = request.tenant
    partner = partner_get(tenant=tenant, partner_id=partner_id)
    ensure_can(request.membership, "recommendations.propose", partner)
    form = ExceptionForm(request.POST, tenant=tenant)
    if form.is_valid():
        try:
            recommendation_exception_propose(
                tenant=tenant,
                actor=request.membership,
                partner=partner,
                to_tier=form.cleaned_data["to_tier"],
                justification=form.cleaned_data["justification"],
            )
        except DomainError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, f"Exception proposed for {partner.name}: an executive decides it in the queue.")
            return redirect(_url(request, "partner_tier_history", partner_id=partner.pk))
    return _history(request, partner_id, form=form, status=400)
