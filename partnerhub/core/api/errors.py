"""One error shape for the whole API: {"detail", "code", "extra"}; bad input is a 400, never a 500."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from partnerhub.core.errors import DomainError, TenantScopeError

logger = logging.getLogger(__name__)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, TenantScopeError):
        logger.error("tenant scope violation", exc_info=exc, extra={"view": str(context.get("view"))})
        return Response(
            {"detail": "Internal error.", "code": exc.code, "extra": {}}, status=status.HTTP_500_INTERNAL_SERVER_ERROR
        )
    if isinstance(exc, DomainError):
        return Response({"detail": exc.message, "code": exc.code, "extra": exc.extra}, status=exc.http_status)
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response({"detail": "Invalid input.", "code": "invalid", "extra": {"fields": fields}}, status=400)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"detail": "Invalid input.", "code": "invalid", "extra": {"fields": response.data}}
    elif isinstance(exc, exceptions.APIException):
        response.data = {
            "detail": str(exc.detail),
            "code": exc.get_codes() if isinstance(exc.get_codes(), str) else "error",
            "extra": {},
        }
    return response
