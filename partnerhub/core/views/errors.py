"""The 400 and 500 handlers: a database outage is a 503 to come back to, anything else a plain error page; the API
always answers in its error shape ``{"detail", "code", "extra"}``, even for a request Django refuses before any view
runs (too many form fields, an unreadable body, a hostile Host header)."""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django.views.decorators.csrf import requires_csrf_token

API_PREFIX = "/api/"
UNAVAILABLE = "PartnerHub cannot reach its database right now. Nothing was changed; try again in a minute."
RETRY_AFTER_SECONDS = 30


def _database_unreachable(exc: BaseException | None) -> bool:
    """Whether ``exc`` says the connection is gone (not a bad query: that one is a bug, and a 500)."""
    if isinstance(exc, InterfaceError):
        return True
    if not isinstance(exc, OperationalError):
        return False
    return not any(conn.is_usable() for conn in connections.all(initialized_only=True) if conn.connection is not None)


def server_error_view(request: HttpRequest) -> HttpResponse:
    exc = sys.exc_info()[1]
    is_api = request.path_info.startswith(API_PREFIX)
    if _database_unreachable(exc):
        for conn in connections.all(initialized_only=True):
            conn.close_if_unusable_or_obsolete()
        if is_api:
            response: HttpResponse = JsonResponse(
                {"detail": UNAVAILABLE, "code": "service_unavailable", "extra": {}}, status=503
            )
        else:
            response = HttpResponse(render_to_string("503.html", {"message": UNAVAILABLE}), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    elif is_api:
        response = JsonResponse({"detail": "Internal error.", "code": "server_error", "extra": {}}, status=500)
    else:
        response = HttpResponse(render_to_string("500.html"), status=500)
    patch_cache_control(response, private=True, no_store=True)
    return response


BAD_REQUEST = "The request could not be read (too many fields, a malformed body or header). Nothing was changed."


@requires_csrf_token
def bad_request_view(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path_info.startswith(API_PREFIX):
        response: HttpResponse = JsonResponse({"detail": BAD_REQUEST, "code": "bad_request", "extra": {}}, status=400)
    else:
        response = HttpResponse(render_to_string("400.html", {"message": BAD_REQUEST}), status=400)
    patch_cache_control(response, private=True, no_store=True)
    return response
