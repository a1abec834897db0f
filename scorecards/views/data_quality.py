"""The data-quality page: open findings with their owners, filtered by kind and partner; resolving one by hand."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers

from partnerhub.core.errors import DomainError
from partnerhub.core.http import TenantRequest
from partnerhub.core.rules import can
from partnerhub.core.views.program import PAGE_SIZE, tenant_view
from scorecards.models import DataQualityFinding
from scorecards.selectors.data_quality import finding_counts_by_kind, finding_get, finding_list
from scorecards.services.data_quality import finding_resolve
from scorecards.services.deal_duplicates import deal_duplicates_link

FILTER_KEYS = ("kind", "partner", "page")


class QualityFilterForm(forms.Form):
    kind = forms.ChoiceField(choices=[("", "All kinds"), *DataQualityFinding.Kind.choices], required=False)
    partner = forms.CharField(label="Partner name", required=False, max_length=200)


def _filter_query(params: QueryDict, keys: tuple[str, ...] = FILTER_KEYS) -> str:
    """Only the list's own filter keys, non-empty, as a query string (never a redirect target of its own)."""
    return urlencode({key: value for key in keys if (value := params.get(key))})


@tenant_view("quality.view")
def quality_list_view(request: TenantRequest) -> HttpResponse:
    """Open findings, newest month first, 50 a page, with the counts by kind on top."""
    tenant = request.tenant
    form = QualityFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    findings = finding_list(tenant=tenant, kind=filters.get("kind") or None, partner_name=filters.get("partner", ""))
    page = Paginator(findings, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = finding_counts_by_kind(tenant=tenant)
    query = _filter_query(request.GET, FILTER_KEYS[:-1])
    context = {
        "form": form,
        "page": page,
        "query": query,
        "return_query": request.GET.urlencode(),
        "kind_counts": [(kind, label, counts[kind]) for kind, label in DataQualityFinding.Kind.choices],
        "open_total": sum(counts.values()),
        "can_resolve": can(request.membership, "quality.change"),
        "can_link": can(request.membership, "imports.run"),
    }
    fragment = bool(request.htmx) and not request.htmx.history_restore_request
    template = "scorecards/partials/_quality_table.html" if fragment else "scorecards/quality_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request", "HX-History-Restore-Request"])
    patch_cache_control(response, private=True)
    if fragment:
        response["HX-Push-Url"] = request.path + (f"?{query}" if query else "")
    return response


@tenant_view("quality.change", methods=("POST",))
def quality_finding_resolve_view(request: TenantRequest, finding_id: int) -> HttpResponse:
    """Resolve one finding by hand, then back to the list as it was filtered."""
    tenant = request.tenant
    finding = finding_get(tenant=tenant, finding_id=finding_id)
    try:
        finding_resolve(tenant=tenant, actor=request.membership, finding=finding)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Resolved: {finding.partner.name}, {finding.get_kind_display().lower()}.")
    query = _filter_query(QueryDict(request.POST.get("return_query", "")))
    url = reverse("quality_list", kwargs={"tenant_slug": tenant.slug})
    return redirect(f"{url}?{query}" if query else url)


@tenant_view("imports.run", methods=("POST",))
def quality_finding_link_view(request: TenantRequest, finding_id: int) -> HttpResponse:
    """Link the deals a likely-duplicate finding names (one deal, two ids), then back to the list as filtered."""
    tenant = request.tenant
    finding = finding_get(tenant=tenant, finding_id=finding_id)
    try:
        linked = deal_duplicates_link(tenant=tenant, actor=request.membership, finding=finding)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        pairs = "1 pair of deals" if linked == 1 else f"{linked} pairs of deals"
        messages.success(request, f"Linked {pairs} of {finding.partner.name}: each is now one deal with two ids.")
    query = _filter_query(QueryDict(request.POST.get("return_query", "")))
    url = reverse("quality_list", kwargs={"tenant_slug": tenant.slug})
    return redirect(f"{url}?{query}" if query else url)
