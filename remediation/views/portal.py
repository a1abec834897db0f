"""The partner's plan in the portal: only its shared parts, and the partner's own actions to move along (inline,
with HTMX) and updates to post. Partner users only (``portal.plan``); anything not theirs is a 404."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from partnerhub.core.errors import DomainError
from partnerhub.core.http import TenantRequest
from partnerhub.core.rules import can
from partnerhub.core.views.program import tenant_view
from remediation.domain.evaluation import label
from remediation.models import Plan
from remediation.selectors.portal import portal_plan, portal_plan_action_get, portal_plan_current
from remediation.services.actions import PARTNER_STATUSES, portal_action_update, progress_update_add
from remediation.services.evaluation import spec_of
from remediation.views.plans import PASS_THROUGH

STATUS_CHOICES = [(s.value, s.label) for s in PARTNER_STATUSES]


class PortalActionForm(forms.Form):
    status = forms.ChoiceField(choices=STATUS_CHOICES)
    note = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PortalUpdateForm(forms.Form):
    body = forms.CharField(label="Your update", widget=forms.Textarea(attrs={"rows": 3}))


def _url(request: TenantRequest) -> str:
    return reverse("portal_plan", kwargs={"tenant_slug": request.tenant.slug})


def _render(request: TenantRequest, *, update_form: PortalUpdateForm | None = None, status: int = 200) -> HttpResponse:
    tenant, actor = request.tenant, request.membership
    plan = portal_plan_current(tenant=tenant, actor=actor)
    context: dict[str, Any] = {"plan": plan, "today": timezone.localdate(), "status_choices": STATUS_CHOICES}
    if plan is not None:
        shared = portal_plan(tenant=tenant, actor=actor, plan=plan)
        context.update(
            shared=shared,
            checkpoints=[(c, label(spec_of(c, tenant.currency))) for c in shared.checkpoints],
            editable_ids={a.pk for a in shared.actions if can(actor, "portal.plan_action", a)}
            if plan.status == Plan.Status.ACTIVE
            else set(),
            update_form=update_form or PortalUpdateForm(auto_id="portal-update-%s"),
        )
    return render(request, "remediation/portal_plan.html", context, status=status)


@tenant_view("portal.plan")
def portal_plan_view(request: TenantRequest) -> HttpResponse:
    return _render(request)


@tenant_view("portal.plan_action", methods=("POST",))
def portal_plan_action_view(request: TenantRequest, plan_action_id: int) -> HttpResponse:
    """Move one of the company's shared actions along; with HTMX its row comes back alone."""
    tenant, actor = request.tenant, request.membership
    action = portal_plan_action_get(tenant=tenant, actor=actor, action_id=plan_action_id)
    form = PortalActionForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            action = portal_action_update(
                tenant=tenant,
                actor=actor,
                action=action,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
            )
        except PASS_THROUGH:
            raise
        except DomainError as exc:
            error = exc.message
    else:
        error = "Choose open, in progress or done."
    if request.htmx:
        action = portal_plan_action_get(tenant=tenant, actor=actor, action_id=action.pk)
        context = {
            "action": action,
            "editable": can(actor, "portal.plan_action", action),
            "status_choices": STATUS_CHOICES,
            "today": timezone.localdate(),
            "error": error,
            "saved": not error,
        }
        return render(request, "remediation/partials/_portal_action_row.html", context, status=400 if error else 200)
    if error:
        messages.error(request, error)
        return _render(request, status=400)
    messages.success(request, "Thank you: your action is updated.")
    return redirect(_url(request))


@tenant_view("portal.plan", methods=("POST",))
def portal_plan_update_view(request: TenantRequest) -> HttpResponse:
    tenant, actor = request.tenant, request.membership
    form = PortalUpdateForm(request.POST, auto_id="portal-update-%s")
    plan = portal_plan_current(tenant=tenant, actor=actor)
    if plan is None:
        messages.error(request, "There is no active plan to update.")
        return _render(request, status=400)
    if form.is_valid():
        try:
            progress_update_add(tenant=tenant, actor=actor, plan=plan, body=form.cleaned_data["body"], shared=True)
        except PASS_THROUGH:
            raise
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Your update is posted.")
            return redirect(_url(request) + "#updates")
    return _render(request, update_form=form, status=400)
