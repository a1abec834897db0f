"""Investments: every MDF, enablement and favourable-terms investment with its value; recording enablement and
terms (managers, admins), with the partner's imported enablement activities (trainings, certifications) linked."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from partnerhub.core.errors import DomainError, NotFoundError, PermissionDeniedError
from partnerhub.core.forms.fields import IdForm
from partnerhub.core.http import TenantRequest
from partnerhub.core.rules import can
from partnerhub.core.selectors.program import partner_get
from partnerhub.core.views.program import tenant_view
from recognition.forms.funds import InvestmentForm
from recognition.models import Investment
from recognition.selectors.budgets import partner_options
from recognition.selectors.investments import (
    impact_estimate_list,
    investment_activities,
    investment_activity_counts,
    investment_get,
    investment_list,
)
from recognition.services.investments import investment_link_activities, investment_record
from scorecards.selectors.activities import enablement_activities

LIST_LIMIT = 300


def _url(request: TenantRequest, name: str, **kwargs: Any) -> str:
    return reverse(name, kwargs={"tenant_slug": request.tenant.slug, **kwargs})


@tenant_view("investments.view")
def investment_list_view(request: TenantRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    if kind not in Investment.Kind.values:
        kind = ""
    rows = list(investment_list(tenant=request.tenant, kind=kind)[:LIST_LIMIT])
    counts = investment_activity_counts(tenant=request.tenant, investment_ids=[r.pk for r in rows])
    context = {
        "rows": [(r, counts.get(r.pk, 0)) for r in rows],
        "kind": kind,
        "kinds": Investment.Kind.choices,
        "can_record": can(request.membership, "investments.record"),
        "limit": LIST_LIMIT,
    }
    return render(request, "recognition/investment_list.html", context)


@tenant_view("investments.record", methods=("GET", "POST"))
def investment_record_view(request: TenantRequest) -> HttpResponse:
    tenant = request.tenant
    form = InvestmentForm(
        request.POST or None, partners=partner_options(tenant=tenant), initial={"currency": tenant.currency}
    )
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            partner = partner_get(tenant=tenant, partner_id=form.cleaned_data["partner"])
            investment = investment_record(
                tenant=tenant,
                actor=request.membership,
                partner=partner,
                data=form.cleaned_data,
                activity_ids=IdForm.parse_all(request.POST, "activities"),
            )
        except NotFoundError:
            error = "Choose one of this program's partners."
        except DomainError as exc:
            if isinstance(exc, PermissionDeniedError):
                raise
            error = exc.message
        else:
            messages.success(request, f"“{investment.title}” recorded for {partner.name}.")
            return redirect(_url(request, "investment_detail", investment_id=investment.pk))
    status = 400 if request.method == "POST" else 200
    return render(request, "recognition/investment_form.html", {"form": form, "error": error}, status=status)


@tenant_view("investments.view")
def investment_detail_view(request: TenantRequest, investment_id: int) -> HttpResponse:
    investment = investment_get(tenant=request.tenant, investment_id=investment_id)
    return _detail(request, investment)


def _detail(request: TenantRequest, investment: Investment, *, error: str = "", status: int = 200) -> HttpResponse:
    """An investment, its linked activities, the partner's other enablement activities to link, its impact."""
    tenant = request.tenant
    linked = investment_activities(tenant=tenant, investment=investment)
    linked_ids = {a.id for a in linked}
    candidates = [
        a for a in enablement_activities(tenant=tenant, partner_ids=[investment.partner_id]) if a.id not in linked_ids
    ]
    context = {
        "investment": investment,
        "linked": linked,
        "candidates": candidates[:50],
        "estimates": list(impact_estimate_list(tenant=tenant, investment_id=investment.pk)),
        "can_record": can(request.membership, "investments.record"),
        "error": error,
    }
    return render(request, "recognition/investment_detail.html", context, status=status)


@tenant_view("investments.record", methods=("POST",))
def investment_link_view(request: TenantRequest, investment_id: int) -> HttpResponse:
    tenant = request.tenant
    investment = investment_get(tenant=tenant, investment_id=investment_id)
    try:
        added = investment_link_activities(
            tenant=tenant,
            actor=request.membership,
            investment=investment,
            activity_ids=IdForm.parse_all(request.POST, "activities"),
        )
    except DomainError as exc:
        if isinstance(exc, NotFoundError | PermissionDeniedError):
            raise
        return _detail(request, investment, error=exc.message, status=400)
    messages.success(request, f"{added} activit{'y' if added == 1 else 'ies'} linked.")
    return redirect(_url(request, "investment_detail", investment_id=investment.pk))
