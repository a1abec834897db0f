"""The framework review: its list and settings, one review (checklist, comments, invitations, outcome), and the
portal page where invited partner representatives comment."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from partnerhub.core.domain.ids import parse_id
from partnerhub.core.errors import DomainError
from partnerhub.core.http import TenantRequest
from partnerhub.core.models import Role
from partnerhub.core.rules import can
from partnerhub.core.selectors.program import membership_list
from partnerhub.core.views.program import tenant_view
from partnerhub.executive.models import FrameworkReview
from partnerhub.executive.selectors.framework import (
    framework_review_comments,
    framework_review_for_invitee,
    framework_review_get,
    framework_review_list,
    governance_settings,
)
from partnerhub.executive.services.framework import (
    framework_review_comment,
    framework_review_complete,
    framework_review_invite,
    framework_review_schedule,
    governance_settings_save,
)
from scorecards.models import TemplateVersion


class SettingsForm(forms.Form):
    meta_review_months = forms.IntegerField(min_value=1, max_value=36, label="Review the framework every (months)")


def _ids(values: list[str]) -> list[int] | None:
    """Ids posted as text; None when one is not a plain number (a clear refusal, never a 500)."""
    ids = [parse_id(v) for v in values]
    return None if None in ids else [i for i in ids if i is not None]


@tenant_view("executive.framework.view", methods=("GET", "POST"))
def framework_list_view(request: TenantRequest) -> HttpResponse:
    """The framework reviews; admins set how often they come, or set one up now."""
    tenant, actor = request.tenant, request.membership
    form = SettingsForm(
        request.POST or None, initial={"meta_review_months": governance_settings(tenant=tenant).meta_review_months}
    )
    status = 200
    if request.method == "POST":
        try:
            if "schedule" in request.POST:
                if not can(actor, "executive.framework.manage"):
                    return render(
                        request,
                        "partnerhub/error.html",
                        {"title": "Not allowed", "message": "Only admins set up the framework review."},
                        status=403,
                    )
                review = framework_review_schedule(tenant=tenant, today=timezone.now().date(), force=True)
                if review is None:
                    messages.info(request, "A framework review is open already.")
                    return redirect("framework_list", tenant_slug=tenant.slug)
                return redirect("framework_detail", tenant_slug=tenant.slug, framework_review_id=review.pk)
            if form.is_valid():
                governance_settings_save(
                    tenant=tenant, actor=actor, meta_review_months=form.cleaned_data["meta_review_months"]
                )
                messages.success(request, "Saved.")
                return redirect("framework_list", tenant_slug=tenant.slug)
        except DomainError as exc:
            form.add_error(None, exc.message)
        status = 400
    context = {
        "reviews": framework_review_list(tenant=tenant)[:50],
        "form": form,
        "can_manage": can(actor, "executive.framework.manage"),
    }
    return render(request, "executive/framework_list.html", context, status=status)


def _detail(request: TenantRequest, review: FrameworkReview, error: str = "") -> dict[str, Any]:
    tenant = request.tenant
    partner_users = membership_list(tenant=tenant).filter(role=Role.PARTNER, is_active=True).select_related("partner")
    versions = (
        TemplateVersion.objects.for_tenant(tenant).select_related("template").order_by("template__name", "-number")
    )
    return {
        "review": review,
        "comments": framework_review_comments(tenant=tenant, review=review),
        "partner_users": [
            (m.pk, f"{m.user} ({m.partner.name if m.partner else ''})", m.pk in review.invited_ids)
            for m in partner_users
        ],
        "versions": [
            (
                v.pk,
                f"{v.template.name} v{v.number} ({v.get_status_display().lower()})",
                v.pk in review.caused_version_ids,
            )
            for v in versions
        ],
        "can_manage": can(request.membership, "executive.framework.manage"),
        "error": error,
    }


def _act(request: TenantRequest, review: FrameworkReview) -> None:
    """One POST on a review: a comment (anyone who may read it), an invitation or the completion (admins)."""
    tenant, actor = request.tenant, request.membership
    action = request.POST.get("action", "comment")
    if action == "comment":
        framework_review_comment(tenant=tenant, actor=actor, review=review, body=request.POST.get("body", ""))
        return
    if not can(actor, "executive.framework.manage"):
        raise DomainError("Only admins invite partner representatives or complete the review.")
    ids = _ids(request.POST.getlist("invite" if action == "invite" else "versions"))
    if ids is None:
        raise DomainError("Choose from the list.")
    if action == "invite":
        framework_review_invite(tenant=tenant, actor=actor, review=review, member_ids=ids)
    else:
        outcome = request.POST.get("outcome", "")
        framework_review_complete(tenant=tenant, actor=actor, review=review, outcome=outcome, version_ids=ids)


@tenant_view("executive.framework.view", methods=("GET", "POST"))
def framework_detail_view(request: TenantRequest, framework_review_id: int) -> HttpResponse:
    """A review: its checklist from the data, comments, invitations (admins) and outcome (admins)."""
    tenant = request.tenant
    review = framework_review_get(tenant=tenant, review_id=framework_review_id)
    if request.method == "POST":
        try:
            _act(request, review)
        except DomainError as exc:
            return render(request, "executive/framework_detail.html", _detail(request, review, exc.message), status=400)
        return redirect("framework_detail", tenant_slug=tenant.slug, framework_review_id=review.pk)
    return render(request, "executive/framework_detail.html", _detail(request, review))


@tenant_view("executive.framework.portal", methods=("GET", "POST"))
def portal_framework_view(request: TenantRequest, framework_review_id: int) -> HttpResponse:
    """An invited partner representative reads the checklist and comments."""
    tenant, actor = request.tenant, request.membership
    review = framework_review_for_invitee(tenant=tenant, member=actor, review_id=framework_review_id)
    error, status = "", 200
    if request.method == "POST":
        try:
            framework_review_comment(tenant=tenant, actor=actor, review=review, body=request.POST.get("body", ""))
        except DomainError as exc:
            error, status = exc.message, 400
        else:
            messages.success(request, "Thank you: the program team reads every comment.")
            return redirect("portal_framework", tenant_slug=tenant.slug, framework_review_id=review.pk)
    own = [c for c in framework_review_comments(tenant=tenant, review=review) if c.author_id == actor.pk]
    context = {"review": review, "own": own, "error": error}
    return render(request, "executive/portal_framework.html", context, status=status)
