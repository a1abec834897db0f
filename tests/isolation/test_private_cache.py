"""Private pages are not cached (issue 18): every route the resolver knows, page and API, answers with
``Cache-Control: private, no-store`` whatever its status; static assets stay cacheable."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.cache import get_max_age

from partnerhub.core.rules import can
from tests.isolation.routes import all_routes
from tests.isolation.world import ROLES, build_world, own_object_id

pytestmark = pytest.mark.django_db


def _urls(world, role):
    for route in all_routes():
        perm = route.perm_for("GET")
        if role != ROLES[0] and route.is_tenant_route and (perm is None or not can(world.actors[role], perm)):
            continue  # the admin's walk already had this route's refusal, and its page
        if route.is_tenant_route:
            yield reverse(route.name, kwargs={p: own_object_id(world, p) for p in route.params})
        elif not any(ch in route.pattern for ch in "<(^$"):
            yield "/" + route.pattern


def _directives(response) -> set[str]:
    return {part.strip().split("=")[0] for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.mark.parametrize("role", [ROLES[0], ROLES[-1]])  # the admin reaches every staff page, the partner the portal
def test_every_route_says_private_no_store_to_every_role(role):
    world = build_world()
    client = Client()
    client.force_login(world.actors[role].user)
    problems, checked = [], 0
    for url in _urls(world, role):
        response = client.get(url)
        checked += 1
        if not {"private", "no-store"} <= _directives(response):
            problems.append(f"{url} {response.status_code}: {response.get('Cache-Control')!r}")
    assert problems == []
    assert checked > (100 if role == ROLES[0] else 10)


def test_refusals_and_the_api_token_too(client):
    assert {"private", "no-store"} <= _directives(client.get("/t/nowhere/partners/"))
    token = client.post("/api/v1/auth/token/", {"username": "x", "password": "y"})
    assert {"private", "no-store"} <= _directives(token)
    assert {"private", "no-store"} <= _directives(client.get("/api/v1/t/nowhere/partners/"))


def test_static_assets_keep_their_own_caching(client):
    response = client.get("/static/partnerhub/app.css")
    assert "no-store" not in _directives(response)
    assert get_max_age(response) is None or get_max_age(response) > 0
