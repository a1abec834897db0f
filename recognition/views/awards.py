"""Award pages: categories with the candidates their rules propose for a quarter, nominations and decisions, and the
recognition wall every member of the program sees. Views validate, call a service or selector, and render."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from partnerhub.core.domain.periods import quarter_label
from partnerhub.core.errors import DomainError
from partnerhub.core.http import TenantRequest
from partnerhub.core.rules import can
from partnerhub.core.views.program import tenant_view
from recognition.forms.awards import AwardCategoryForm, NominationDecisionForm, NominationForm, complete_quarters
from recognition.selectors.awards import (
    award_candidates,
    award_category_get,
    award_category_list,
    nomination_get,
    nomination_list,
    recognition_wall,
)
from recognition.services.awards import (
    award_category_create,
    award_category_update,
    nomination_create,
    nomination_decide,
)
from recognition.views.tiers import form_errors


def _url(request: TenantRequest, name: str, **kwargs: Any) -> str:
    return reverse(name, kwargs={"tenant_slug": request.tenant.slug, **kwargs})


def _quarter(request: TenantRequest, quarters: list[date]) -> date | None:
    asked = request.GET.get("quarter", "")
    for quarter in quarters:
        if quarter.isoformat() == asked:
            return quarter
    return quarters[0] if quarters else None


@tenant_view("awards.view")
def award_list_view(request: TenantRequest) -> HttpResponse:
    tenant = request.tenant
    quarters = complete_quarters(tenant)
    quarter = _quarter(request, quarters)
    categories = []
    nominations = list(nomination_list(tenant=tenant, quarter=quarter)) if quarter else []
    for category in award_category_list(tenant=tenant):
        nominated = [n for n in nominations if n.category_id == category.pk]
        categories.append(
            {
                "category": category,
                "candidates": award_candidates(tenant=tenant, category=category, quarter=quarter)
                if quarter and category.is_active
                else [],
                "nominations": nominated,
                "nominated_ids": {n.partner_id for n in nominated},
                "winner": next((n for n in nominated if n.status == "awarded"), None),
            }
        )
    context = {
        "quarters": [(q, quarter_label(q)) for q in quarters],
        "quarter": quarter,
        "quarter_label": quarter_label(quarter) if quarter else "",
        "categories": categories,
        "can_change": can(request.membership, "awards.change"),
        "can_nominate": can(request.membership, "awards.nominate"),
    }
    return render(request, "recognition/award_list.html", context)


@tenant_view("awards.change", methods=("GET", "POST"))
def award_category_create_view(request: TenantRequest) -> HttpResponse:
    form = AwardCategoryForm(request.POST or None, tenant=request.tenant)
    if request.method == "POST" and form.is_valid():
        try:
            category = award_category_create(tenant=request.tenant, actor=request.membership, data=form.cleaned_data)
        except DomainError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, f"{category.name} added.")
            return redirect(_url(request, "award_list"))
    status = 400 if form.errors else 200
    return render(request, "recognition/award_category_form.html", {"form": form, "category": None}, status=status)


@tenant_view("awards.change", methods=("GET", "POST"))
def award_category_edit_view(request: TenantRequest, category_id: int) -> HttpResponse:
    category = award_category_get(tenant=request.tenant, category_id=category_id)
    form = AwardCategoryForm(request.POST or None, tenant=request.tenant, category=category)
    if request.method == "POST" and form.is_valid():
        try:
            award_category_update(
                tenant=request.tenant, actor=request.membership, category=category, data=form.cleaned_data
            )
        except DomainError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, f"{category.name} saved.")
            return redirect(_url(request, "award_list"))
    status = 400 if form.errors else 200
    return render(request, "recognition/award_category_form.html", {"form": form, "category": category}, status=status)


@tenant_view("awards.nominate", methods=("GET", "POST"))
def nomination_create_view(request: TenantRequest) -> HttpResponse:
    tenant = request.tenant
    initial = {key: request.GET[key] for key in ("category", "partner", "quarter") if key in request.GET}
    form = NominationForm(request.POST or None, tenant=tenant, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            nomination = nomination_create(
                tenant=tenant,
                actor=request.membership,
                category=form.cleaned_data["category"],
                partner=form.cleaned_data["partner"],
                quarter=form.cleaned_data["quarter"],
                case=form.cleaned_data["case"],
                evidence_links=form.links(),
            )
        except DomainError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, f"{nomination.partner.name} nominated for {nomination.category.name}.")
            return redirect(_url(request, "nomination_detail", nomination_id=nomination.pk))
    status = 400 if form.errors else 200
    return render(request, "recognition/nomination_form.html", {"form": form}, status=status)


def _nomination(
    request: TenantRequest, nomination_id: int, form: NominationDecisionForm | None = None, status: int = 200
) -> HttpResponse:
    nomination = nomination_get(tenant=request.tenant, nomination_id=nomination_id)
    actor = request.membership
    context = {
        "nomination": nomination,
        "form": form or NominationDecisionForm(),
        "can_decide": can(actor, "awards.decide")
        and nomination.status == "submitted"
        and nomination.nominated_by_id != actor.pk,
        "own": nomination.nominated_by_id == actor.pk,
    }
    return render(request, "recognition/nomination_detail.html", context, status=status)


@tenant_view("awards.view")
def nomination_detail_view(request: TenantRequest, nomination_id: int) -> HttpResponse:
    return _nomination(request, nomination_id)


@tenant_view("awards.decide", methods=("POST",))
def nomination_decide_view(request: TenantRequest, nomination_id: int) -> HttpResponse:
    nomination = nomination_get(tenant=request.tenant, nomination_id=nomination_id)
    form = NominationDecisionForm(request.POST)
    if form.is_valid():
        award = form.cleaned_data["decision"] == "award"
        try:
            nomination_decide(
                tenant=request.tenant,
                actor=request.membership,
                nomination=nomination,
                award=award,
                citation=form.cleaned_data["citation"],
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            form_errors(form, exc)
        else:
            if award:
                messages.success(
                    request, f"{nomination.partner.name} wins {nomination.category.name}: on the wall now."
                )
                return redirect(_url(request, "recognition_wall"))
            messages.success(request, "Nomination declined.")
            return redirect(_url(request, "award_list") + f"?quarter={nomination.quarter.isoformat()}")
    return _nomination(request, nomination_id, form=form, status=400)


@tenant_view("wall.view")
def wall_view(request: TenantRequest) -> HttpResponse:
    """The recognition wall: every award, with its citation and the figures behind it, for every member."""
    awards = list(recognition_wall(tenant=request.tenant)[:200])
    quarters: list[dict[str, Any]] = []
    for award in awards:
        if not quarters or quarters[-1]["quarter"] != award.quarter:
            quarters.append({"quarter": award.quarter, "label": quarter_label(award.quarter), "awards": []})
        quarters[-1]["awards"].append(award)
    return render(request, "recognition/wall.html", {"quarters": quarters})
