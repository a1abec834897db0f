"""Tier pages: the tiers and their benefits, the framework (versions, the editor with its preview, publishing).
Views validate, call a service or selector, and render."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from partnerhub.core.errors import DomainError
from partnerhub.core.http import TenantRequest
from partnerhub.core.publication import PublicationVerdict, publication_verdicts
from partnerhub.core.rules import can
from partnerhub.core.views.program import tenant_view
from recognition.forms.tiers import FrameworkForm, PublishForm, TierForm
from recognition.models import FrameworkVersion
from recognition.selectors.tiers import (
    criteria_rows,
    framework_draft,
    framework_latest_published,
    framework_preview,
    framework_spec,
    framework_version_get,
    framework_version_list,
    framework_version_publication,
    tier_get,
    tier_list,
)
from recognition.services.tiers import (
    framework_draft_open,
    framework_draft_save,
    framework_publish,
    tier_create,
    tier_update,
)


def _url(request: TenantRequest, name: str, **kwargs: Any) -> str:
    return reverse(name, kwargs={"tenant_slug": request.tenant.slug, **kwargs})


def form_errors(form: forms.Form, exc: DomainError) -> None:
    """Put a service's field errors on the form's fields; the rest (and every listed problem) on top."""
    fields = exc.extra.get("fields") or {}
    problems = exc.extra.get("problems")
    if problems:
        for problem in problems:
            form.add_error(None, str(problem))
        return
    if not fields:
        form.add_error(None, exc.message)
    for field, found in fields.items():
        for problem in found if isinstance(found, list) else [found]:
            form.add_error(field if field in form.fields else None, str(problem))


# --- tiers ---


@tenant_view("recognition.view")
def tier_list_view(request: TenantRequest) -> HttpResponse:
    tenant = request.tenant
    in_force = framework_latest_published(tenant=tenant)
    rows = {c.tier_id: c for c in criteria_rows(tenant=tenant, version=in_force)} if in_force else {}
    spec = framework_spec(tenant=tenant, version=in_force) if in_force else None
    tiers = [
        {
            "tier": t,
            "criteria": spec.criteria_of(next(s for s in spec.tiers if s.id == t.pk)).labels() if spec else [],
            "has_criteria": t.pk in rows,
        }
        for t in tier_list(tenant=tenant)
    ]
    context = {
        "tiers": tiers,
        "in_force": in_force,
        "draft": framework_draft(tenant=tenant),
        "can_change": can(request.membership, "tiers.change"),
        "can_frame": can(request.membership, "framework.change"),
    }
    return render(request, "recognition/tier_list.html", context)


@tenant_view("tiers.change", methods=("GET", "POST"))
def tier_create_view(request: TenantRequest) -> HttpResponse:
    form = TierForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            tier = tier_create(tenant=request.tenant, actor=request.membership, data=form.cleaned_data)
        except DomainError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, f"{tier.name} added.")
            return redirect(_url(request, "tier_list"))
    status = 400 if form.errors else 200
    return render(request, "recognition/tier_form.html", {"form": form, "tier": None}, status=status)


@tenant_view("tiers.change", methods=("GET", "POST"))
def tier_edit_view(request: TenantRequest, tier_id: int) -> HttpResponse:
    tier = tier_get(tenant=request.tenant, tier_id=tier_id)
    form = TierForm(request.POST or None, tier=tier)
    if request.method == "POST" and form.is_valid():
        try:
            tier_update(tenant=request.tenant, actor=request.membership, tier=tier, data=form.cleaned_data)
        except DomainError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, f"{tier.name} saved.")
            return redirect(_url(request, "tier_list"))
    status = 400 if form.errors else 200
    return render(request, "recognition/tier_form.html", {"form": form, "tier": tier}, status=status)


# --- the framework ---


@tenant_view("recognition.view")
def framework_view(request: TenantRequest) -> HttpResponse:
    context = {
        "versions": framework_version_list(tenant=request.tenant),
        "can_frame": can(request.membership, "framework.change"),
        "draft": framework_draft(tenant=request.tenant),
    }
    return render(request, "recognition/framework.html", context)


def _version_context(request: TenantRequest, version: FrameworkVersion) -> dict[str, Any]:
    spec = framework_spec(tenant=request.tenant, version=version)
    return {
        "version": version,
        "tiers": [{"tier": t, "labels": spec.criteria_of(t).labels()} for t in reversed(spec.tiers)],
    }


@tenant_view("recognition.view")
def framework_version_view(request: TenantRequest, framework_version_id: int) -> HttpResponse:
    version = framework_version_get(tenant=request.tenant, version_id=framework_version_id)
    context = {
        **_version_context(request, version),
        "can_frame": can(request.membership, "framework.change"),
        "gate": _gate(request, version),
    }
    return render(request, "recognition/framework_version.html", context)


def _gate(request: TenantRequest, version: FrameworkVersion) -> list[PublicationVerdict]:
    """What the publication guards say of publishing a draft (a change notice needed, or in place)."""
    if version.status != FrameworkVersion.Status.DRAFT:
        return []
    return publication_verdicts(framework_version_publication(tenant=request.tenant, version=version))


@tenant_view("framework.change", methods=("POST",))
def framework_draft_open_view(request: TenantRequest) -> HttpResponse:
    draft = framework_draft_open(tenant=request.tenant, actor=request.membership)
    return redirect(_url(request, "framework_edit", framework_version_id=draft.pk))


def _editor(
    request: TenantRequest,
    version: FrameworkVersion,
    form: FrameworkForm | None = None,
    publish_form: PublishForm | None = None,
    status: int = 200,
) -> HttpResponse:
    tenant = request.tenant
    form = form or FrameworkForm(
        tenant=tenant, version=version, criteria=list(criteria_rows(tenant=tenant, version=version))
    )
    context = {
        "version": version,
        "form": form,
        "publish_form": publish_form or PublishForm(),
        "in_force": framework_latest_published(tenant=tenant),
        "gate": _gate(request, version),
    }
    return render(request, "recognition/framework_edit.html", context, status=status)


@tenant_view("framework.change", methods=("GET", "POST"))
def framework_edit_view(request: TenantRequest, framework_version_id: int) -> HttpResponse:
    tenant = request.tenant
    version = framework_version_get(tenant=tenant, version_id=framework_version_id)
    if version.status != FrameworkVersion.Status.DRAFT:
        messages.error(request, "A published version is never edited: open a new draft.")
        return redirect(_url(request, "framework_version", framework_version_id=version.pk))
    form = FrameworkForm(
        request.POST or None,
        tenant=tenant,
        version=version,
        criteria=list(criteria_rows(tenant=tenant, version=version)),
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                framework_draft_save(
                    tenant=tenant,
                    actor=request.membership,
                    version=version,
                    criteria=form.criteria(),
                    grace_quarters=form.cleaned_data["grace_quarters"],
                    grace_visible_to_partner=form.cleaned_data["grace_visible_to_partner"],
                )
            except DomainError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, "Draft saved. Preview it against the portfolio before publishing.")
                return redirect(_url(request, "framework_edit", framework_version_id=version.pk))
        return _editor(request, version, form=form, status=400)
    return _editor(request, version, form=form)


@tenant_view("framework.change")
def framework_preview_view(request: TenantRequest, framework_version_id: int) -> HttpResponse:
    version = framework_version_get(tenant=request.tenant, version_id=framework_version_id)
    preview = framework_preview(tenant=request.tenant, draft=version)
    template = "recognition/partials/_framework_preview.html" if request.htmx else "recognition/framework_preview.html"
    return render(request, template, {"version": version, "preview": preview})


@tenant_view("framework.change", methods=("POST",))
def framework_publish_view(request: TenantRequest, framework_version_id: int) -> HttpResponse:
    version = framework_version_get(tenant=request.tenant, version_id=framework_version_id)
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            framework_publish(
                tenant=request.tenant,
                actor=request.membership,
                version=version,
                rationale=form.cleaned_data["rationale"],
                effective_from=form.cleaned_data["effective_from"],
            )
        except DomainError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request,
                f"Version {version.number} published. The last complete quarter's recommendations are being made again "
                "under it if it is in force for that quarter.",
            )
            return redirect(_url(request, "framework_version", framework_version_id=version.pk))
    if version.status != FrameworkVersion.Status.DRAFT:
        messages.error(request, "This version is already published.")
        return redirect(_url(request, "framework_version", framework_version_id=version.pk))
    return _editor(request, version, publish_form=form, status=400)
