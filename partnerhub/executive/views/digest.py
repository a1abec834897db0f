"""The digest's pages: a member's digests and settings, and the unsubscribe link that works without logging in."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_http_methods

from partnerhub.core.errors import DomainError
from partnerhub.core.http import TenantRequest
from partnerhub.core.views.program import tenant_view
from partnerhub.executive.errors import UnsubscribeLinkError
from partnerhub.executive.models import DigestSubscription
from partnerhub.executive.selectors.digest import digest_for_month, digest_frequency, digest_list_for_member
from partnerhub.executive.services.digest import digest_mark_read, digest_set_frequency, unsubscribe_member


class FrequencyForm(forms.Form):
    frequency = forms.ChoiceField(
        choices=DigestSubscription.Frequency.choices, widget=forms.RadioSelect, label="Send me the digest"
    )


@tenant_view("executive.digest.read")
def digest_list_view(request: TenantRequest) -> HttpResponse:
    """The member's own digests, latest first."""
    digests = digest_list_for_member(tenant=request.tenant, member=request.membership)[:24]
    frequency = digest_frequency(tenant=request.tenant, member=request.membership)
    context = {"digests": digests, "frequency": DigestSubscription.Frequency(frequency).label}
    return render(request, "executive/digest_list.html", context)


@tenant_view("executive.digest.read")
def digest_detail_view(request: TenantRequest, month: str) -> HttpResponse:
    """The member's own digest of a month (``2026-11``), as it was sent; a month without one says so."""
    try:
        day = date.fromisoformat(f"{month}-01")
    except ValueError:
        message = {"title": "No such month", "message": "A month is written like 2026-11."}
        return render(request, "partnerhub/error.html", message, status=400)
    digest = digest_for_month(tenant=request.tenant, member=request.membership, month=day)
    if digest is not None:
        digest_mark_read(tenant=request.tenant, member=request.membership, digest=digest)
    context: dict[str, Any] = {"digest": digest, "content": digest.content if digest else None, "month": day}
    return render(request, "executive/digest_detail.html", context)


@tenant_view("executive.digest.read", methods=("GET", "POST"))
def digest_settings_view(request: TenantRequest) -> HttpResponse:
    """How often the member gets the digest (every month, every quarter, never)."""
    tenant, member = request.tenant, request.membership
    form = FrequencyForm(request.POST or None, initial={"frequency": digest_frequency(tenant=tenant, member=member)})
    if request.method == "POST":
        if form.is_valid():
            digest_set_frequency(tenant=tenant, member=member, frequency=form.cleaned_data["frequency"])
            messages.success(request, "Saved.")
            return redirect("digest_settings", tenant_slug=tenant.slug)
        return render(request, "executive/digest_settings.html", {"form": form}, status=400)
    return render(request, "executive/digest_settings.html", {"form": form})


@require_http_methods(["GET", "POST"])
def digest_unsubscribe_view(request: TenantRequest, tenant_slug: str, unsubscribe_token: str) -> HttpResponse:
    """GET: say whose digest this link stops and ask to confirm; POST (the button, or a mail app's one-click
    unsubscribe): stop it. A link altered or of another program: a clear message, nothing written, no name shown."""
    try:
        member = unsubscribe_member(tenant=request.tenant, token=unsubscribe_token)
    except UnsubscribeLinkError as exc:
        response = render(request, "executive/digest_unsubscribe.html", {"invalid": exc.message}, status=404)
        patch_cache_control(response, private=True, no_store=True)
        return response
    done = False
    if request.method == "POST":
        try:
            digest_set_frequency(tenant=request.tenant, member=member, frequency=DigestSubscription.Frequency.OFF)
        except DomainError as exc:  # pragma: no cover - the token named this program's member
            return render(request, "executive/digest_unsubscribe.html", {"invalid": exc.message}, status=400)
        done = True
    response = render(request, "executive/digest_unsubscribe.html", {"email": member.user.email, "done": done})
    patch_cache_control(response, private=True, no_store=True)  # the address is a credential
    return response


# Reachable without a login (a mail reader's link); the tenant context is still entered by the middleware.
digest_unsubscribe_view.tenant_public = True  # type: ignore[attr-defined]
