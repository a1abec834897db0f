"""Scorecard template pages: templates, a version history with readable diffs, draft editing, what-if, publishing."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from partnerhub.core.errors import DomainError
from partnerhub.core.http import TenantRequest
from partnerhub.core.publication import PublicationVerdict, publication_verdicts
from partnerhub.core.rules import can
from partnerhub.core.views.program import tenant_view
from scorecards.forms.templates import ItemFormSet, PublishForm, TemplateForm, item_initial
from scorecards.models import TemplateVersion
from scorecards.selectors.templates import (
    template_get,
    template_list,
    template_version_publication,
    template_versions,
    version_contents_load,
    version_get,
)
from scorecards.selectors.whatif import SORTS as WHATIF_SORTS
from scorecards.selectors.whatif import version_whatif
from scorecards.services.templates import (
    template_create,
    template_items_set,
    template_version_diff,
    template_version_draft,
    template_version_publish,
)


def _template_url(request: TenantRequest, template_id: int) -> str:
    return reverse("template_detail", kwargs={"tenant_slug": request.tenant.slug, "template_id": template_id})


@tenant_view("templates.view")
def template_list_view(request: TenantRequest) -> HttpResponse:
    return render(
        request,
        "scorecards/template_list.html",
        {
            "templates": template_list(tenant=request.tenant),
            "can_change": can(request.membership, "templates.change"),
        },
    )


@tenant_view("templates.change", methods=("GET", "POST"))
def template_create_view(request: TenantRequest) -> HttpResponse:
    form = TemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            template = template_create(tenant=request.tenant, actor=request.membership, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect(_template_url(request, template.pk))
    return render(request, "scorecards/template_form.html", {"form": form}, status=400 if form.errors else 200)


@tenant_view("templates.view")
def template_detail_view(request: TenantRequest, template_id: int) -> HttpResponse:
    template = template_get(tenant=request.tenant, template_id=template_id)
    versions = template_versions(tenant=request.tenant, template=template)
    history = [
        {"version": v, "changes": template_version_diff(versions[i + 1] if i + 1 < len(versions) else None, v)}
        for i, v in enumerate(versions)
    ]
    current = next((v for v in versions if v.status == TemplateVersion.Status.ACTIVE), None)
    draft = next((v for v in versions if v.status == TemplateVersion.Status.DRAFT), None)
    return render(
        request,
        "scorecards/template_detail.html",
        {
            "template": template,
            "history": history,
            "current": current,
            "draft": draft,
            "can_change": can(request.membership, "templates.change"),
        },
    )


@tenant_view("templates.change", methods=("POST",))
def template_draft_view(request: TenantRequest, template_id: int) -> HttpResponse:
    template = template_get(tenant=request.tenant, template_id=template_id)
    draft = template_version_draft(tenant=request.tenant, actor=request.membership, template=template)
    return redirect(reverse("version_edit", kwargs={"tenant_slug": request.tenant.slug, "version_id": draft.pk}))


@tenant_view("templates.change", methods=("GET", "POST"))
def version_edit_view(request: TenantRequest, version_id: int) -> HttpResponse:
    tenant, actor = request.tenant, request.membership
    version = version_get(tenant=tenant, version_id=version_id)
    if version.status != TemplateVersion.Status.DRAFT:
        messages.error(request, "A published version cannot change: start a new draft.")
        return redirect(_template_url(request, version.template_id))
    version_contents_load(tenant=tenant, versions=[version])
    formset = ItemFormSet(request.POST or None, tenant=tenant, initial=item_initial(version))
    if request.method == "POST" and formset.is_valid():
        items = [item for form in formset for item in [form.to_item()] if item is not None]
        try:
            template_items_set(tenant=tenant, actor=actor, version=version, items=items)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Draft saved.")
            return redirect(reverse("version_publish", kwargs={"tenant_slug": tenant.slug, "version_id": version.pk}))
    total = (
        sum((f.cleaned_data.get("weight") or 0) for f in formset if f.is_bound and f.is_valid())
        if request.method == "POST"
        else sum(i.weight for i in version.items.all())
    )
    return render(
        request,
        "scorecards/version_edit.html",
        {"version": version, "formset": formset, "total": total},
        status=400 if request.method == "POST" else 200,
    )


def _gate(request: TenantRequest, version: TemplateVersion) -> list[PublicationVerdict]:
    """What the publication guards say of publishing a draft (a change notice needed, or in place)."""
    if version.status != TemplateVersion.Status.DRAFT:
        return []
    return publication_verdicts(template_version_publication(tenant=request.tenant, version=version))


@tenant_view("templates.change", methods=("GET", "POST"))
def version_publish_view(request: TenantRequest, version_id: int) -> HttpResponse:
    tenant, actor = request.tenant, request.membership
    version = version_get(tenant=tenant, version_id=version_id)
    versions = template_versions(tenant=tenant, template=version.template)
    previous = next((v for v in versions if v.number < version.number), None)
    form = PublishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            template_version_publish(tenant=tenant, actor=actor, version=version, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Version {version.number} published.")
            return redirect(_template_url(request, version.template_id))
    return render(
        request,
        "scorecards/version_publish.html",
        {
            "version": version,
            "form": form,
            "changes": template_version_diff(previous, version),
            "previous": previous,
            "gate": _gate(request, version),
        },
        status=400 if form.errors else 200,
    )


WHATIF_PAGE_SIZE = 50


@tenant_view("templates.view")
def version_whatif_view(request: TenantRequest, version_id: int) -> HttpResponse:
    """The portfolio's latest month re-scored under a draft, in memory: totals of RAG changes, then each partner."""
    version = version_get(tenant=request.tenant, version_id=version_id)
    sort = request.GET.get("sort", "change")
    sort = sort if sort in WHATIF_SORTS else "change"
    context = {"version": version, "sort": sort, "can_change": can(request.membership, "templates.change")}
    try:
        whatif = version_whatif(tenant=request.tenant, version=version)
    except DomainError as exc:
        return render(request, "scorecards/version_whatif.html", {**context, "error": exc.message})
    page = Paginator(whatif.sorted_rows(sort), WHATIF_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "scorecards/version_whatif.html",
        {**context, "whatif": whatif, "page": page, "query": f"sort={sort}", "page_size": WHATIF_PAGE_SIZE},
    )
