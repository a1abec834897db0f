"""The metric glossary pages: the program's living glossary, read by every role and edited by admins."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from partnerhub.core.errors import DomainError
from partnerhub.core.http import TenantRequest
from partnerhub.core.rules import can
from partnerhub.core.views.program import tenant_view
from scorecards.forms.glossary import MetricFilterForm, MetricForm
from scorecards.models import MetricDefinition
from scorecards.selectors.glossary import metric_get, metric_list
from scorecards.services.glossary import metric_update


@tenant_view("metrics.view")
def metric_list_view(request: TenantRequest) -> HttpResponse:
    form = MetricFilterForm(request.GET or None)
    filters = form.filters()
    metrics = list(metric_list(tenant=request.tenant, category=filters["category"] or None, q=filters["q"]))
    groups = [
        (value, label, [m for m in metrics if m.category == value])
        for value, label in MetricDefinition.Category.choices
    ]
    context = {
        "form": form,
        "groups": [group for group in groups if group[2]],
        "count": len(metrics),
        "filtered": bool(filters["q"] or filters["category"]),
        "can_change": can(request.membership, "metrics.change"),
    }
    return render(request, "scorecards/metric_list.html", context)


@tenant_view("metrics.view")
def metric_detail_view(request: TenantRequest, metric_id: int) -> HttpResponse:
    metric = metric_get(tenant=request.tenant, metric_id=metric_id)
    context = {"metric": metric, "can_change": can(request.membership, "metrics.change")}
    return render(request, "scorecards/metric_detail.html", context)


@tenant_view("metrics.change", methods=("GET", "POST"))
def metric_edit_view(request: TenantRequest, metric_id: int) -> HttpResponse:
    tenant, actor = request.tenant, request.membership
    metric = metric_get(tenant=tenant, metric_id=metric_id)
    # Validating a ModelForm copies the posted values onto ``metric``: the page names the metric as stored.
    stored_name = metric.name
    form = MetricForm(request.POST or None, instance=metric, tenant=tenant)
    if request.method == "POST" and form.is_valid():
        try:
            metric_update(tenant=tenant, actor=actor, metric=metric, data=form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"{metric.name} saved.")
            return redirect(reverse("metric_detail", kwargs={"tenant_slug": tenant.slug, "metric_id": metric.pk}))
    context = {"form": form, "metric": metric, "stored_name": stored_name}
    return render(request, "scorecards/metric_form.html", context, status=400 if form.errors else 200)
