"""Budgets and allocations: the list with each budget's figures (and a total in the reporting currency, with the
rates used), a budget's page with its allocations, the allocation form, and the allocation rule (a proposal shown,
then applied). Admins write; the program's people read."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from partnerhub.core.domain.numbers import format_money
from partnerhub.core.errors import DomainError, NotFoundError, PermissionDeniedError
from partnerhub.core.http import TenantRequest
from partnerhub.core.rules import can
from partnerhub.core.selectors.program import partner_get
from partnerhub.core.views.program import tenant_view
from recognition.domain.budgets import Proposal, fiscal_period_of
from recognition.forms.funds import AllocationForm, AllocationRuleForm, BudgetAmountForm, BudgetForm
from recognition.models import Budget
from recognition.selectors.allocation_rules import allocation_proposal
from recognition.selectors.budgets import (
    allocation_list,
    budget_get,
    budget_list,
    converted_total,
    figures_of,
    partner_options,
)
from recognition.services.budgets import allocation_rule_apply, allocation_set, budget_create, budget_update_amount


def _url(request: TenantRequest, name: str, **kwargs: Any) -> str:
    return reverse(name, kwargs={"tenant_slug": request.tenant.slug, **kwargs})


def _reraise_hidden(exc: DomainError) -> None:
    if isinstance(exc, NotFoundError | PermissionDeniedError):
        raise exc


@tenant_view("investments.view")
def budget_list_view(request: TenantRequest) -> HttpResponse:
    tenant = request.tenant
    budgets = list(budget_list(tenant=tenant))
    rows = [(b, figures_of(b)) for b in budgets]
    total = converted_total(tenant=tenant, items=[(b.amount, b.currency, b.starts_on, b.name) for b in budgets])
    allocated = converted_total(tenant=tenant, items=[(f.allocated, b.currency, b.starts_on, b.name) for b, f in rows])
    claimed = converted_total(tenant=tenant, items=[(f.claimed, b.currency, b.starts_on, b.name) for b, f in rows])
    today = timezone.localdate()
    year, quarter = fiscal_period_of(today, tenant.fiscal_year_start)
    context = {
        "rows": rows,
        "total": total,
        "allocated": allocated,
        "claimed": claimed,
        "unclaimed_share": (
            float(100 * (allocated.amount - claimed.amount) / allocated.amount) if allocated.amount > 0 else None
        ),
        "current_period": f"FY{year} Q{quarter}",
        "can_budget": can(request.membership, "investments.budget"),
    }
    return render(request, "recognition/budget_list.html", context)


@tenant_view("investments.budget", methods=("GET", "POST"))
def budget_create_view(request: TenantRequest) -> HttpResponse:
    tenant = request.tenant
    year, _ = fiscal_period_of(timezone.localdate(), tenant.fiscal_year_start)
    form = BudgetForm(request.POST or None, initial={"currency": tenant.currency, "fiscal_year": year})
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            budget = budget_create(tenant=tenant, actor=request.membership, data=form.cleaned_data)
        except DomainError as exc:
            _reraise_hidden(exc)
            error = exc.message
            for field, reasons in exc.extra.get("fields", {}).items():
                if field in form.fields:
                    form.add_error(field, reasons)
        else:
            messages.success(request, f"{budget.name} is open: allocate it to partners.")
            return redirect(_url(request, "budget_detail", budget_id=budget.pk))
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "error": error, "fiscal_start": tenant.fiscal_year_start}
    return render(request, "recognition/budget_form.html", context, status=status)


@tenant_view("investments.view")
def budget_detail_view(request: TenantRequest, budget_id: int) -> HttpResponse:
    budget = budget_get(tenant=request.tenant, budget_id=budget_id)
    return _detail(request, budget)


def _detail(
    request: TenantRequest,
    budget: Budget,
    *,
    allocation_form: AllocationForm | None = None,
    rule_form: AllocationRuleForm | None = None,
    proposal: Proposal | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    tenant = request.tenant
    allocations = [(a, figures_of(a)) for a in allocation_list(tenant=tenant, budget=budget)]
    can_budget = can(request.membership, "investments.budget")
    context = {
        "budget": budget,
        "figures": figures_of(budget),
        "allocations": allocations,
        "left": budget.amount - figures_of(budget).allocated,
        "can_budget": can_budget,
        "allocation_form": allocation_form or AllocationForm(partners=partner_options(tenant=tenant)),
        "amount_form": BudgetAmountForm(initial={"amount": budget.amount}),
        "rule_form": rule_form or AllocationRuleForm(),
        "proposal": proposal,
        "error": error,
    }
    return render(request, "recognition/budget_detail.html", context, status=status)


@tenant_view("investments.budget", methods=("POST",))
def budget_amount_view(request: TenantRequest, budget_id: int) -> HttpResponse:
    budget = budget_get(tenant=request.tenant, budget_id=budget_id)
    form = BudgetAmountForm(request.POST)
    if not form.is_valid():
        return _detail(request, budget, error="Enter the budget's new amount.", status=400)
    try:
        budget_update_amount(
            tenant=request.tenant, actor=request.membership, budget=budget, amount=form.cleaned_data["amount"]
        )
    except DomainError as exc:
        _reraise_hidden(exc)
        return _detail(request, budget, error=exc.message, status=400)
    messages.success(request, f"{budget.name} is now {format_money(form.cleaned_data['amount'], budget.currency)}.")
    return redirect(_url(request, "budget_detail", budget_id=budget.pk))


@tenant_view("investments.budget", methods=("POST",))
def allocation_set_view(request: TenantRequest, budget_id: int) -> HttpResponse:
    tenant = request.tenant
    budget = budget_get(tenant=tenant, budget_id=budget_id)
    form = AllocationForm(request.POST, partners=partner_options(tenant=tenant))
    if not form.is_valid():
        return _detail(request, budget, allocation_form=form, error="Choose a partner and an amount.", status=400)
    try:
        partner = partner_get(tenant=tenant, partner_id=form.cleaned_data["partner"])
    except NotFoundError:
        return _detail(
            request, budget, allocation_form=form, error="Choose one of this program's partners.", status=400
        )
    try:
        allocation = allocation_set(
            tenant=tenant,
            actor=request.membership,
            budget=budget,
            partner=partner,
            amount=form.cleaned_data["amount"],
            note=form.cleaned_data["note"],
        )
    except DomainError as exc:
        _reraise_hidden(exc)
        return _detail(request, budget, allocation_form=form, error=exc.message, status=400)
    messages.success(request, f"{partner.name}: {format_money(allocation.amount, allocation.currency)} allocated.")
    return redirect(_url(request, "budget_detail", budget_id=budget.pk) + "#allocations")


@tenant_view("investments.budget", methods=("GET", "POST"))
def allocation_rule_view(request: TenantRequest, budget_id: int) -> HttpResponse:
    """GET with the rule's settings: the proposal, shown beside the budget. POST: apply it."""
    tenant = request.tenant
    budget = budget_get(tenant=tenant, budget_id=budget_id)
    data = request.POST if request.method == "POST" else request.GET
    form = AllocationRuleForm(data or None)
    if not form.is_valid():
        status = 400 if request.method == "POST" else 200
        return _detail(
            request, budget, rule_form=form, error="Check the rule's settings." if data else "", status=status
        )
    proposal = allocation_proposal(
        tenant=tenant,
        budget=budget,
        as_of=min(budget.starts_on, timezone.localdate()),
        tier_weights={k: Decimal(v) for k, v in form.tier_weights().items()},
        performance_strength=form.cleaned_data["performance"],
        cap=form.cleaned_data["cap"] or None,
    )
    if request.method == "GET":
        return _detail(request, budget, rule_form=form, proposal=proposal)
    try:
        changed = allocation_rule_apply(
            tenant=tenant,
            actor=request.membership,
            budget=budget,
            amounts={line.partner_id: line.amount for line in proposal.lines},
            note="Allocation rule: " + ", ".join(f"{k} {v}" for k, v in form.tier_weights().items()),
        )
    except DomainError as exc:
        _reraise_hidden(exc)
        return _detail(request, budget, rule_form=form, proposal=proposal, error=exc.message, status=400)
    messages.success(request, f"The rule's allocations are set ({changed} changed).")
    return redirect(_url(request, "budget_detail", budget_id=budget.pk) + "#allocations")
