"""Request-wide rules no single view should have to remember: refused input, private caching, a database outage.

- ``InputTextMiddleware``: a NUL character anywhere in the path, the query string, a form field (names too) or a
  JSON body is a 400 with a clear message before any view or the lockout machinery runs (PostgreSQL cannot store
  it, and it is never meaningful in our text); so is a JSON body nested too deeply to parse (the parser's
  RecursionError would be a 500). Uploaded files are the import reader's business.
- ``PrivateCacheMiddleware``: every response that is not a static asset is ``Cache-Control: private, no-store``
  (added to what the view set), so that no shared cache or browser back-button keeps a program's data.

(A database outage is answered by the 500 handler, ``partnerhub.core.views.errors``: a middleware cannot see the
exceptions of the middleware inside it, which Django has already turned into responses.)
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control

from partnerhub.core.domain.text import NUL, NUL_MESSAGE, first_nul_path

Handler = Callable[[HttpRequest], HttpResponse]
API_PREFIX = "/api/"


def error_response(request: HttpRequest, status: int, code: str, message: str, **extra: Any) -> HttpResponse:
    """A refusal in the shape the client reads: the API's ``{"detail", "code", "extra"}``, or a plain page."""
    if request.path_info.startswith(API_PREFIX):
        return JsonResponse({"detail": message, "code": code, "extra": extra}, status=status)
    try:
        body: str = render_to_string("partnerhub/error.html", {"title": "Not accepted", "message": message}, request)
    except Exception:  # the page template needs the database (navigation): a bare page is still a clear answer
        body = f"<!doctype html><html lang=en><title>Error</title><h1>Not accepted</h1><p>{message}</p></html>"
    return HttpResponse(body, status=status)


TOO_DEEP = "The JSON body is nested too deeply: send at most a few hundred levels."


def _refusal(request: HttpRequest) -> tuple[str, str, str] | None:
    """(code, message, field) when the request carries text the application must not see, else None."""
    if NUL in request.path_info:
        return "nul_character", NUL_MESSAGE, "(address)"
    for key, values in request.GET.lists():
        if NUL in key or any(NUL in v for v in values):
            return "nul_character", NUL_MESSAGE, key
    content_type = request.content_type or ""
    if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return None
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for key, values in request.POST.lists():
            if NUL in key or any(NUL in v for v in values):
                return "nul_character", NUL_MESSAGE, key
        for key in request.FILES:
            if NUL in key:
                return "nul_character", NUL_MESSAGE, key
    elif content_type.endswith("json") and request.body:
        if b"\x00" in request.body:
            return "nul_character", NUL_MESSAGE, "(body)"
        try:
            field = first_nul_path(json.loads(request.body))
        except RecursionError:  # the parser (ours here, the API's after) would fail with a 500
            return "too_deep", TOO_DEEP, "(body)"
        except ValueError:
            return None  # not JSON at all: the API's parser says so
        if field is not None:
            return "nul_character", NUL_MESSAGE, field
    return None


class InputTextMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refused = _refusal(request)
        if refused is not None:
            code, message, field = refused
            return error_response(request, 400, code, message, field=field)
        return self.get_response(request)


class PrivateCacheMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path_info.startswith(settings.STATIC_URL):
            return response
        # Merged into what a view set (``private`` for an HTMX partial, a max-age): no-store wins over any max-age.
        patch_cache_control(response, private=True, no_store=True)
        return response
