"""TenantApi: the only base for tenant endpoints. It enters the tenant named in the URL, for the member only."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any, ClassVar

from django.db import transaction
from django.http import Http404, HttpRequest
from rest_framework import serializers
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.pagination import BasePagination, PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from partnerhub.core.accounts import user_has_totp
from partnerhub.core.errors import PermissionDeniedError
from partnerhub.core.models import Membership, Tenant
from partnerhub.core.rules import can
from partnerhub.core.selectors.program import membership_for_user
from partnerhub.core.tenancy.context import tenant_context


class TenantApi(APIView):
    """Resolve ``self.tenant`` and ``self.actor`` once, from the URL and the user's membership, then check ``perms``.

    ``perms`` maps an HTTP method to the permission it needs; a method not listed is not allowed.
    """

    perms: ClassVar[dict[str, str]] = {}
    # A list this view answers is paginated by this class (the schema declares the page envelope); None: a plain list.
    pagination_class: ClassVar[type[BasePagination] | None] = PageNumberPagination
    tenant: Tenant
    actor: Membership

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in ("get_queryset", "get_object", "initial", "dispatch"):
            if name in cls.__dict__:
                raise TypeError(f"{cls.__name__} may not override {name}: tenancy is resolved in TenantApi")

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        with ExitStack() as stack:
            self._tenant_stack = stack
            return super().dispatch(request, *args, **kwargs)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # authentication first: the tenant comes from the member
        if not hasattr(self, (request.method or "").lower()):
            raise MethodNotAllowed(request.method or "")  # a method the view lacks: 405 with Allow, whoever asks
        tenant = Tenant.objects.filter(slug=kwargs.get("tenant_slug", "")).first()
        if tenant is None:
            raise Http404
        self._tenant_stack.enter_context(tenant_context(tenant))
        actor = membership_for_user(tenant=tenant, user_id=request.user.pk)
        if actor is None:
            raise Http404
        self.tenant, self.actor = tenant, actor
        if tenant.require_mfa and not user_has_totp(request.user):
            # A token is obtained with a password alone; a program that requires MFA accepts only MFA users.
            raise PermissionDeniedError(
                "This program requires two-factor authentication; set it up first.", code="mfa_required"
            )
        perm = self.perms.get(request.method or "")
        if perm is None or not can(actor, perm):
            raise PermissionDeniedError("You do not have permission to do this.", extra={"permission": perm})

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        # A refused request writes nothing, whether it raised or returned its 4xx itself (as the HTML middleware does).
        if getattr(self, "tenant", None) is not None and response.status_code >= 400:
            transaction.set_rollback(True)
        return response

    def paginated(self, request: Request, items: Any, serializer_class: type[Any], **kwargs: Any) -> Response:
        """One page of ``items`` in the envelope the schema declares (``pagination_class``)."""
        paginator = (self.pagination_class or PageNumberPagination)()
        page: Any = paginator.paginate_queryset(items, request, view=self)
        return paginator.get_paginated_response(serializer_class(page, many=True, **kwargs).data)

    @staticmethod
    def validated(serializer_class: type[serializers.Serializer[Any]], data: Any, **kwargs: Any) -> dict[str, Any]:
        serializer = serializer_class(data=data, **kwargs)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)
