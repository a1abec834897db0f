"""Login limits shared by every login path (allauth, Django admin, the API token): who is asking, and how often.

- The client address is ``REMOTE_ADDR`` as ``TrustedProxyMiddleware`` left it: the real client's address when the
  request came through a configured trusted proxy (``TRUSTED_PROXIES``), the peer's own otherwise. Nothing reads
  ``X-Forwarded-For`` itself.
- Per account: django-axes locks a login name (from that address) after ``AXES_FAILURE_LIMIT`` failures for
  ``AXES_COOLOFF_TIME``; a locked account is answered 429 with ``Retry-After`` on every path.
- Per address: more than ``LOGIN_IP_FAILURE_LIMIT`` failures from one address within the window turn that
  address's further *failures* into 429 with ``Retry-After``; a correct password is never refused by it, so one
  person mistyping behind an office NAT cannot lock out their colleagues.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

# django-axes keeps the attempted login name in 255 characters; no email address is longer than 254.
AXES_USERNAME_MAX = 255
LOCKED_MESSAGE = "Too many failed logins: logging in with this account from here is paused. Try again later."
THROTTLED_MESSAGE = "Too many failed logins from your network: wait a few minutes before trying again."


def _django_request(request: Any) -> HttpRequest:
    inner: HttpRequest = getattr(request, "_request", request)  # a DRF Request wraps Django's
    return inner


def client_ip(request: Any) -> str:
    """The client's address (django-axes's ``AXES_CLIENT_IP_CALLABLE``): REMOTE_ADDR, proxies already resolved."""
    return str(_django_request(request).META.get("REMOTE_ADDR", ""))


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The login name, whichever form posted it (allauth: login/email, admin and DRF: username), bounded to what
    django-axes can store (the forms refuse a longer one; this bound holds on any path that forgets)."""
    credentials = credentials or {}
    data = getattr(request, "POST", {}) or {}
    for source in (credentials, data):
        for key in ("login", "email", "username"):
            value = source.get(key)
            if value:
                return str(value).strip().lower()[:AXES_USERNAME_MAX]
    return ""


def cool_off_seconds() -> int:
    return int(timedelta(hours=float(settings.AXES_COOLOFF_TIME)).total_seconds())


def refusal(request: HttpRequest, *, locked: bool) -> HttpResponse:
    """429 with Retry-After: the lockout page, or the API's error body."""
    message = LOCKED_MESSAGE if locked else THROTTLED_MESSAGE
    retry_after = cool_off_seconds() if locked else int(settings.LOGIN_IP_FAILURE_WINDOW)
    if request.path_info.startswith("/api/"):
        code = "locked_out" if locked else "throttled"
        response: HttpResponse = JsonResponse(
            {"detail": message, "code": code, "extra": {"retry_after": retry_after}}, status=429
        )
    else:
        body = render_to_string("partnerhub/locked_out.html", {"locked": locked}, request=request)
        response = HttpResponse(body, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def axes_lockout_response(
    request: HttpRequest, credentials: dict[str, Any] | None = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    return refusal(_django_request(request), locked=True)


# --- per address: failures only ---


def _ip_key(ip: str) -> str:
    return f"login-failures:{ip}"


def note_login_failure(sender: Any, credentials: dict[str, Any] | None = None, request: Any = None, **_: Any) -> None:
    """``user_login_failed`` receiver: count the failure against the client's address for the window."""
    if request is None:
        return
    key = _ip_key(client_ip(request))
    if cache.add(key, 1, timeout=int(settings.LOGIN_IP_FAILURE_WINDOW)):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=int(settings.LOGIN_IP_FAILURE_WINDOW))


def address_is_throttled(request: Any) -> bool:
    return int(cache.get(_ip_key(client_ip(request))) or 0) > int(settings.LOGIN_IP_FAILURE_LIMIT)


def is_locked_out(request: HttpRequest, login: str) -> bool:
    """Whether django-axes has locked this login name (from this address)."""
    from axes.handlers.proxy import AxesProxyHandler

    return bool(AxesProxyHandler.is_locked(request, credentials={"username": login}))


View = Callable[..., HttpResponse]


def login_answers(view: View) -> View:
    """Wrap an HTML login view: a refused form is a 400 (bad input), or a 429 once the address is throttled."""
    import functools

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        form = (getattr(response, "context_data", None) or {}).get("form")
        if request.method == "POST" and response.status_code == 200 and form is not None and form.errors:
            if address_is_throttled(request):
                return refusal(request, locked=False)
            response.status_code = 400
        return response

    return wrapper


def user_has_totp(user: Any) -> bool:
    """Whether the user has an authenticator app set up (what a tenant's "require MFA" asks for)."""
    from allauth.mfa.models import Authenticator

    has_totp: bool = Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()
    return has_totp


# --- the client's address behind trusted proxies ---


def trusted_networks(entries: list[str]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())


def _is_trusted(address: str, networks: tuple[Any, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in net for net in networks)


def resolve_client_address(remote_addr: str, forwarded_for: str, networks: tuple[Any, ...]) -> str:
    """The client's address: ``remote_addr`` unless it is a trusted proxy, in which case the right-most address of
    ``X-Forwarded-For`` that is not itself a trusted proxy (what a proxy appended, not what a client claimed)."""
    if not networks or not _is_trusted(remote_addr, networks):
        return remote_addr
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return remote_addr  # a garbled header: trust nothing in it
    return remote_addr


class TrustedProxyMiddleware:
    """REMOTE_ADDR becomes the real client's address when the peer is a trusted proxy; X-Forwarded-For is dropped,
    so that axes, allauth and DRF's throttles all see one address, which no client can choose."""

    def __init__(self, get_response: View) -> None:
        self.get_response = get_response
        self.networks = trusted_networks(list(settings.TRUSTED_PROXIES))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        peer = str(meta.get("REMOTE_ADDR", ""))
        forwarded = str(meta.pop("HTTP_X_FORWARDED_FOR", ""))
        meta["REMOTE_ADDR"] = resolve_client_address(peer, forwarded, self.networks)
        return self.get_response(request)
