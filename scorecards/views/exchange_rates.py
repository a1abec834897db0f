"""The program's exchange rates: listed for the program's people, entered and removed by admins."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from partnerhub.core.errors import DomainError
from partnerhub.core.http import TenantRequest
from partnerhub.core.rules import can
from partnerhub.core.views.program import tenant_view
from scorecards.forms.exchange_rates import ExchangeRateForm
from scorecards.selectors.exchange_rates import exchange_rate_get, exchange_rate_list
from scorecards.services.exchange_rates import exchange_rate_delete, exchange_rate_set


def _list_url(request: TenantRequest) -> str:
    return reverse("exchange_rate_list", kwargs={"tenant_slug": request.tenant.slug})


@tenant_view("rates.view", methods=("GET", "POST"))
def exchange_rate_list_view(request: TenantRequest) -> HttpResponse:
    tenant, actor = request.tenant, request.membership
    can_change = can(actor, "rates.change")
    form = ExchangeRateForm(request.POST or None, initial={"to_currency": tenant.currency})
    if request.method == "POST":
        if not can_change:
            return render(
                request, "partnerhub/error.html", {"title": "Not allowed", "message": "Admins only."}, status=403
            )
        if form.is_valid():
            try:
                rate = exchange_rate_set(tenant=tenant, actor=actor, data=form.cleaned_data)
            except DomainError as exc:
                for field, reasons in exc.extra.get("fields", {}).items():
                    form.add_error(field if field in form.fields else None, reasons)
                if not exc.extra.get("fields"):
                    form.add_error(None, exc.message)
            else:
                messages.success(request, f"Saved: {rate}.")
                return redirect(_list_url(request))
    context = {
        "rates": exchange_rate_list(tenant=tenant)[:500],
        "form": form if can_change else None,
        "can_change": can_change,
    }
    return render(request, "scorecards/exchange_rates.html", context, status=400 if form.errors else 200)


@tenant_view("rates.change", methods=("POST",))
def exchange_rate_delete_view(request: TenantRequest, rate_id: int) -> HttpResponse:
    rate = exchange_rate_get(tenant=request.tenant, rate_id=rate_id)
    label = str(rate)
    exchange_rate_delete(tenant=request.tenant, actor=request.membership, rate=rate)
    messages.success(request, f"Removed: {label}.")
    return redirect(_list_url(request))
