"""Enter the tenant named in the URL for the whole request, once the user's membership there is known."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse

from partnerhub.core.accounts import user_has_totp
from partnerhub.core.models import Tenant
from partnerhub.core.selectors.program import membership_for_user
from partnerhub.core.tenancy.context import tenant_context

TENANT_PATH = re.compile(r"^/t/(?P<slug>[-\w]+)/")


class TenantMiddleware:
    """Every page under /t/<slug>/ runs inside that tenant (both walls) or not at all.

    Anonymous visitors are sent to log in, signed-in non-members get a 404 (whether or not the tenant exists),
    and only views marked ``tenant_public`` (accepting an invitation) run for a visitor without a membership.
    The API resolves its tenant in TenantApi, after token authentication.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.tenant = None  # type: ignore[attr-defined]
        request.membership = None  # type: ignore[attr-defined]
        match = TENANT_PATH.match(request.path_info)
        if match is None:
            return self.get_response(request)
        try:
            view = resolve(request.path_info).func
        except Resolver404:
            return self.get_response(request)
        is_public = getattr(view, "tenant_public", False)
        if not request.user.is_authenticated and not is_public:
            return redirect(f"{reverse('account_login')}?next={request.get_full_path()}")
        tenant = Tenant.objects.filter(slug=match["slug"]).first()
        if tenant is None:
            raise Http404
        with tenant_context(tenant):
            membership = None
            if request.user.is_authenticated:
                membership = membership_for_user(tenant=tenant, user_id=request.user.pk)
            if membership is None and not is_public:
                raise Http404
            request.tenant = tenant  # type: ignore[attr-defined]
            request.membership = membership  # type: ignore[attr-defined]
            if membership is not None and tenant.require_mfa and not user_has_totp(request.user) and not is_public:
                return redirect(f"{reverse('mfa_activate_totp')}?next={request.get_full_path()}")
            response = self.get_response(request)
            if response.status_code >= 400:
                # Django turned a view's exception or refusal into a response: nothing it did may commit.
                transaction.set_rollback(True)
            return response
