"""The confidential concerns channel: raise a concern, read and answer one's own (admins: all of them)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from partnerhub.core.domain.ids import parse_id
from partnerhub.core.errors import DomainError
from partnerhub.core.http import TenantRequest
from partnerhub.core.models import Role
from partnerhub.core.rules import can
from partnerhub.core.selectors.program import partner_list
from partnerhub.core.views.program import tenant_view
from partnerhub.executive.models import Concern
from partnerhub.executive.selectors.concerns import (
    concern_get_for,
    concern_list_for,
    concern_messages,
    concern_sender_shown_to,
)
from partnerhub.executive.services.concerns import concern_raise, concern_reply, concern_set_status


class ConcernForm(forms.Form):
    subject = forms.CharField(max_length=200, label="What is it about?")
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), max_length=10_000, label="What happened")
    partner = forms.TypedChoiceField(coerce=int, empty_value=None, required=False, label="Partner (optional)")
    anonymous_to_owner = forms.BooleanField(required=False, label="Do not name me to the manager who owns this partner")

    def __init__(self, *args: Any, partner_choices: list[tuple[Any, str]] | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if partner_choices is None:  # a partner user: about their own company
            del self.fields["partner"]
        else:
            cast(forms.ChoiceField, self.fields["partner"]).choices = [("", "None in particular"), *partner_choices]


class ReplyForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000, label="Reply")


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Concern.Status.choices)


@tenant_view("executive.concern.raise", methods=("GET", "POST"))
def concern_list_view(request: TenantRequest) -> HttpResponse:
    """Raise a concern; see one's own (admins: every concern of the program)."""
    tenant, actor = request.tenant, request.membership
    choices = None if actor.role == Role.PARTNER else [(p.pk, p.name) for p in partner_list(tenant=tenant)]
    form = ConcernForm(request.POST or None, partner_choices=choices)
    status = 200
    if request.method == "POST":
        # A partner id the form does not offer (another program's) is refused by the service, not just the form.
        data = request.POST
        if form.is_valid() or ("partner" in form.errors and set(form.errors) == {"partner"}):
            cleaned = getattr(form, "cleaned_data", {})
            raw_partner = data.get("partner") or None
            try:
                concern = concern_raise(
                    tenant=tenant,
                    actor=actor,
                    subject=cleaned.get("subject", ""),
                    body=cleaned.get("body", ""),
                    partner_id=parse_id(raw_partner),
                    anonymous_to_owner=bool(cleaned.get("anonymous_to_owner")),
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "Your concern reached the program's admins. Only they and you can read it.")
                return redirect("concern_detail", tenant_slug=tenant.slug, concern_id=concern.pk)
        status = 400
    context = {
        "form": form,
        "concerns": concern_list_for(tenant=tenant, member=actor)[:100],
        "is_admin": actor.role == Role.ADMIN,
    }
    return render(request, "executive/concern_list.html", context, status=status)


@tenant_view("executive.concern.raise", methods=("GET", "POST"))
def concern_detail_view(request: TenantRequest, concern_id: int) -> HttpResponse:
    """A concern's thread (for an admin or its sender): reply; an admin also sets its status."""
    tenant, actor = request.tenant, request.membership
    concern = concern_get_for(tenant=tenant, member=actor, concern_id=concern_id)
    reply, status_form = ReplyForm(), StatusForm(initial={"status": concern.status})
    error, code = "", 200
    if request.method == "POST":
        try:
            if "status" in request.POST:
                status_form = StatusForm(request.POST)
                if status_form.is_valid():
                    concern_set_status(
                        tenant=tenant, actor=actor, concern=concern, status=status_form.cleaned_data["status"]
                    )
                    return redirect("concern_detail", tenant_slug=tenant.slug, concern_id=concern.pk)
                error = "Choose one of the statuses offered."
            else:
                reply = ReplyForm(request.POST)
                if reply.is_valid():
                    concern_reply(tenant=tenant, actor=actor, concern=concern, body=reply.cleaned_data["body"])
                    return redirect("concern_detail", tenant_slug=tenant.slug, concern_id=concern.pk)
                error = "Write a reply first."
        except DomainError as exc:
            error = exc.message
        code = 400
    context = {
        "concern": concern,
        "thread": concern_messages(tenant=tenant, concern=concern),
        "sender_shown": concern_sender_shown_to(concern, actor),
        "reply": reply,
        "status_form": status_form,
        "can_manage": can(actor, "executive.concern.manage"),
        "error": error,
    }
    return render(request, "executive/concern_detail.html", context, status=code)
