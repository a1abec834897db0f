"""The quarterly memo's pages: the list by quarter, a memo (its draft to edit, its published versions), the frozen
HTML and PDF of a version, and the partner-facing version in the portal. Writes are POST-redirect-GET; a refused
write re-renders the page with its message (400) and writes nothing."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify

from partnerhub.core.domain.periods import period_label
from partnerhub.core.errors import DomainError, NotFoundError
from partnerhub.core.http import TenantRequest
from partnerhub.core.rules import can
from partnerhub.core.views.program import tenant_view
from partnerhub.executive.domain.memo import memo_sections
from partnerhub.executive.models import Memo, MemoVersion
from partnerhub.executive.selectors.cube import dashboard_computation
from partnerhub.executive.selectors.memo import (
    closed_quarters,
    memo_draft,
    memo_get,
    memo_latest_published,
    memo_list,
    memo_version_get,
    memo_versions,
    published_memos,
)
from partnerhub.executive.services.memo import memo_edit, memo_generate, memo_publish, memo_redraft


class GenerateForm(forms.Form):
    quarter = forms.DateField(widget=forms.Select, label="Quarter")


class EditForm(forms.Form):
    commentary = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    remove = forms.CharField(required=False, max_length=40)
    restore = forms.CharField(required=False, max_length=40)


def _memo_url(request: TenantRequest, memo: Memo) -> str:
    return reverse("memo_detail", kwargs={"tenant_slug": request.tenant.slug, "memo_id": memo.pk})


@tenant_view("executive.memo.view", methods=("GET", "POST"))
def memo_list_view(request: TenantRequest) -> HttpResponse:
    """The memos by quarter; POST (admins, executives): write the memo of a closed quarter now."""
    tenant, actor = request.tenant, request.membership
    quarters = closed_quarters(tenant=tenant, computation=dashboard_computation(tenant=tenant))
    form = GenerateForm(request.POST or None)
    cast(forms.Select, form.fields["quarter"].widget).choices = quarter_choices(quarters)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                result = memo_generate(tenant=tenant, quarter=form.cleaned_data["quarter"], actor=actor)
            except DomainError as exc:
                form.add_error("quarter", exc.message)
            else:
                if not result.created:
                    messages.info(request, "That quarter has a memo already: here it is.")
                return redirect(_memo_url(request, result.memo))
        status = 400
    memos = list(memo_list(tenant=tenant))
    rows = []
    for memo in memos:
        versions = sorted(memo.versions.all(), key=lambda v: -v.number)
        published = next((v for v in versions if v.status == MemoVersion.Status.PUBLISHED), None)
        draft = next((v for v in versions if v.status == MemoVersion.Status.DRAFT), None)
        rows.append(
            {"memo": memo, "label": period_label("quarter", memo.quarter_start), "published": published, "draft": draft}
        )
    context = {
        "rows": rows,
        "form": form,
        "can_edit": can(actor, "executive.memo.edit"),
        "has_quarters": bool(quarters),
    }
    return render(request, "executive/memo_list.html", context, status=status)


def _detail_context(request: TenantRequest, memo: Memo) -> dict[str, Any]:
    tenant = request.tenant
    draft = memo_draft(tenant=tenant, memo=memo)
    latest = memo_latest_published(tenant=tenant, memo=memo)
    shown = draft or latest
    return {
        "memo": memo,
        "label": period_label("quarter", memo.quarter_start),
        "draft": draft,
        "latest": latest,
        "versions": memo_versions(tenant=tenant, memo=memo),
        "sections": memo_sections(shown.lines) if shown else [],
        "removed": [line for line in (draft.lines if draft else []) if line.get("removed")],
        "can_edit": can(request.membership, "executive.memo.edit"),
        "edit_form": EditForm(initial={"commentary": draft.commentary if draft else ""}),
    }


@tenant_view("executive.memo.view")
def memo_detail_view(request: TenantRequest, memo_id: int) -> HttpResponse:
    """A memo: its draft (editable by admins and executives) or its latest published version, and its history."""
    memo = memo_get(tenant=request.tenant, memo_id=memo_id)
    return render(request, "executive/memo_detail.html", _detail_context(request, memo))


def _refused(request: TenantRequest, memo: Memo, message: str) -> HttpResponse:
    context = _detail_context(request, memo)
    context["error"] = message
    return render(request, "executive/memo_detail.html", context, status=400)


@tenant_view("executive.memo.edit", methods=("POST",))
def memo_edit_view(request: TenantRequest, memo_id: int) -> HttpResponse:
    """Edit the draft: commentary, or remove / restore one line."""
    tenant = request.tenant
    memo = memo_get(tenant=tenant, memo_id=memo_id)
    draft = memo_draft(tenant=tenant, memo=memo)
    form = EditForm(request.POST)
    if draft is None:
        return _refused(request, memo, "This memo has no draft: its published versions stay as they were.")
    if not form.is_valid():
        return _refused(request, memo, "; ".join(str(e[0]) for e in form.errors.values()))
    data = form.cleaned_data
    try:
        memo_edit(
            tenant=tenant,
            actor=request.membership,
            version=draft,
            commentary=data["commentary"] if "commentary" in request.POST else None,
            remove=data["remove"] or None,
            restore=data["restore"] or None,
        )
    except DomainError as exc:
        return _refused(request, memo, exc.message)
    return redirect(_memo_url(request, memo))


@tenant_view("executive.memo.edit", methods=("POST",))
def memo_publish_view(request: TenantRequest, memo_id: int) -> HttpResponse:
    """Publish the draft (or say clearly that there is nothing left to publish)."""
    tenant = request.tenant
    memo = memo_get(tenant=tenant, memo_id=memo_id)
    version = memo_draft(tenant=tenant, memo=memo) or memo_latest_published(tenant=tenant, memo=memo)
    if version is None:
        return _refused(request, memo, "This memo has nothing to publish.")
    try:
        published = memo_publish(tenant=tenant, actor=request.membership, version=version)
    except DomainError as exc:
        return _refused(request, memo, exc.message)
    messages.success(request, f"Version {published.number} is published.")
    return redirect(_memo_url(request, memo))


@tenant_view("executive.memo.edit", methods=("POST",))
def memo_redraft_view(request: TenantRequest, memo_id: int) -> HttpResponse:
    """Start a new draft from the latest published version."""
    tenant = request.tenant
    memo = memo_get(tenant=tenant, memo_id=memo_id)
    try:
        memo_redraft(tenant=tenant, actor=request.membership, memo=memo)
    except DomainError as exc:
        return _refused(request, memo, exc.message)
    return redirect(_memo_url(request, memo))


def _published(request: TenantRequest, memo_id: int, memo_version_id: int) -> tuple[Memo, MemoVersion]:
    memo = memo_get(tenant=request.tenant, memo_id=memo_id)
    version = memo_version_get(tenant=request.tenant, memo=memo, version_id=memo_version_id)
    return memo, version


@tenant_view("executive.memo.view")
def memo_version_view(request: TenantRequest, memo_id: int, memo_version_id: int) -> HttpResponse:
    """A version as it was published (its frozen HTML), or a draft as it stands."""
    memo, version = _published(request, memo_id, memo_version_id)
    partner = request.GET.get("audience") == "partner"
    context = {
        "memo": memo,
        "version": version,
        "label": period_label("quarter", memo.quarter_start),
        "body": version.partner_html if partner else version.html,
        "sections": memo_sections(version.lines, public_only=partner),
        "partner": partner,
    }
    return render(request, "executive/memo_version.html", context)


def _pdf(memo: Memo, version: MemoVersion, tenant_slug: str, partner: bool) -> HttpResponse:
    content = version.partner_pdf if partner else version.pdf
    response = HttpResponse(bytes(content or b""), content_type="application/pdf")
    audience = "-partners" if partner else ""
    name = f"{tenant_slug}-memo-{slugify(period_label('quarter', memo.quarter_start))}-v{version.number}{audience}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@tenant_view("executive.memo.view")
def memo_pdf_view(request: TenantRequest, memo_id: int, memo_version_id: int) -> HttpResponse:
    """The PDF of a published version, as rendered when it was published (``audience=partner``: the partners')."""
    memo, version = _published(request, memo_id, memo_version_id)
    if version.status != MemoVersion.Status.PUBLISHED:
        return render(
            request,
            "partnerhub/error.html",
            {"title": "Not published", "message": "A draft has no PDF: publish it first."},
            status=400,
        )
    return _pdf(memo, version, request.tenant.slug, request.GET.get("audience") == "partner")


# --- the partner portal ---


@tenant_view("executive.memo.portal")
def portal_memo_list_view(request: TenantRequest) -> HttpResponse:
    """The program's published memos, partner-facing: program-level figures only."""
    rows = [
        {"memo": memo, "version": version, "label": period_label("quarter", memo.quarter_start)}
        for memo, version in published_memos(tenant=request.tenant)
    ]
    return render(request, "executive/portal_memo_list.html", {"rows": rows})


def _portal_memo(request: TenantRequest, memo_id: int) -> tuple[Memo, MemoVersion]:
    memo = memo_get(tenant=request.tenant, memo_id=memo_id)
    version = memo_latest_published(tenant=request.tenant, memo=memo)
    if version is None:
        raise NotFoundError("Memo not found.")
    return memo, version


@tenant_view("executive.memo.portal")
def portal_memo_view(request: TenantRequest, memo_id: int) -> HttpResponse:
    """A memo's partner-facing version (the latest published)."""
    memo, version = _portal_memo(request, memo_id)
    context = {"memo": memo, "version": version, "label": period_label("quarter", memo.quarter_start)}
    return render(request, "executive/portal_memo.html", context)


@tenant_view("executive.memo.portal")
def portal_memo_pdf_view(request: TenantRequest, memo_id: int) -> HttpResponse:
    memo, version = _portal_memo(request, memo_id)
    return _pdf(memo, version, request.tenant.slug, partner=True)


def quarter_choices(quarters: list[date]) -> list[tuple[str, str]]:
    return [(q.isoformat(), period_label("quarter", q)) for q in quarters]
