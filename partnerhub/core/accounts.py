"""Hooks for login throttling (django-axes) shared by every login path: allauth, Django admin, API token."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The login name, whichever form posted it (allauth: login/email, admin and DRF: username)."""
    credentials = credentials or {}
    for key in ("login", "email", "username"):
        value = credentials.get(key)
        if value:
            return str(value).strip().lower()
    data = getattr(request, "POST", {}) or {}
    for key in ("login", "email", "username"):
        value = data.get(key)
        if value:
            return str(value).strip().lower()
    return ""


def axes_lockout_response(
    request: HttpRequest, credentials: dict[str, Any] | None = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    body = render_to_string("partnerhub/locked_out.html", request=request)
    return HttpResponse(body, status=429)


def user_has_totp(user: Any) -> bool:
    """Whether the user has an authenticator app set up (what a tenant's "require MFA" asks for)."""
    from allauth.mfa.models import Authenticator

    has_totp: bool = Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()
    return has_totp
