"""Security headers and cookie flags on every HTML route the resolver knows, and no inline script anywhere."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.isolation.routes import all_routes
from tests.isolation.world import build_world, own_object_id

pytestmark = pytest.mark.django_db
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


def _own_kwargs(world, params):
    return {p: own_object_id(world, p) for p in params}


def _html_urls(world):
    urls = []
    for route in all_routes():
        if route.is_tenant_route:
            urls.append((route, reverse(route.name, kwargs=_own_kwargs(world, route.params))))
        elif not any(ch in route.pattern for ch in "<(^$"):
            urls.append((route, "/" + route.pattern))
    return urls


def test_every_html_route_sends_csp_without_inline_scripts_and_the_security_headers():
    world = build_world()
    client = Client()
    client.force_login(world.actors["admin"].user)
    checked = 0
    problems = []
    for _route, url in _html_urls(world):
        response = client.get(url, secure=True, follow=False)
        if "text/html" not in response.get("Content-Type", ""):
            continue
        checked += 1
        csp = response.get("Content-Security-Policy", "")
        script_src = next((d for d in csp.split(";") if d.strip().startswith("script-src")), "")
        body = response.content.decode(errors="replace")
        expectations = {
            "csp script-src self": "'self'" in script_src,
            "no unsafe-inline script": "unsafe-inline" not in script_src and "unsafe-eval" not in script_src,
            "frame-ancestors none": "frame-ancestors 'none'" in csp,
            "nosniff": response.get("X-Content-Type-Options") == "nosniff",
            "referrer policy": response.get("Referrer-Policy") == "same-origin",
            "hsts": "max-age=" in response.get("Strict-Transport-Security", ""),
            "x-frame-options": response.get("X-Frame-Options") == "DENY",
            "no inline script": INLINE_SCRIPT.search(body) is None,
            "no inline handler": INLINE_HANDLER.search(body) is None,
            "no other host asset": re.search(r'<(script|link|img)[^>]+(src|href)="(https?:)?//', body) is None,
        }
        problems += [f"{url}: {name}" for name, ok in expectations.items() if not ok]
    assert problems == []
    assert checked >= 20


def test_session_and_csrf_cookies_are_secure_httponly_and_samesite(client):
    world = build_world()
    response = client.get(reverse("account_login"), secure=True)
    csrf = response.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf["httponly"] is True
    assert csrf["secure"] is True
    assert csrf["samesite"] == "Lax"
    from tests.factories import PASSWORD

    response = client.post(
        reverse("account_login"), {"login": world.actors["manager"].user.email, "password": PASSWORD}, secure=True
    )
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["httponly"] is True
    assert session["secure"] is True
    assert session["samesite"] == "Lax"


def test_outside_debug_hsts_and_secure_cookies_are_on_by_default():
    assert settings.DEBUG is False
    assert settings.SECURE_HSTS_SECONDS >= 31536000
    assert settings.SESSION_COOKIE_SECURE is True
    assert settings.CSRF_COOKIE_SECURE is True
