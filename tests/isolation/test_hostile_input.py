"""No input gives a server error: every route the resolver knows, as every role and anonymously, with hostile values
(a NUL, digits ``int()`` refuses, an id past bigint, a huge string) in every field the page's forms or the API's
schema name, in the query string and the body, and in the URL's own id parameters (issue 18).

Field names come from the route itself, so a new page or endpoint is walked without anyone listing it: an HTML
route's fields are read off the ``name=`` attributes of its own page, an API route's from the OpenAPI schema. Each
request runs in a savepoint that is rolled back, so that one accepted write does not change the next request's world.
"""

from __future__ import annotations

import functools
import json
import re
from itertools import cycle
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from partnerhub.core.rules import can
from tests.isolation.routes import PARAM, Route, all_routes
from tests.isolation.world import ROLES, World, build_world, own_object_id

pytestmark = pytest.mark.django_db

NUL = "probe\x00nul"
# Each request gives each field one of these, rotated by one between the requests of a method: with two rotations
# each field meets two of the three. The admin (every staff page) and the partner user (the portal) get two; the
# manager and the executive, whose pages are the admin's seen with fewer rights, one.
VALUES = ("①²", "9" * 30, "x" * 20_000)
ROTATIONS = {"admin": 2, "partner": 2, "manager": 1, "executive": 1, "anonymous": 2}
HUGE_ID = "9" * 30  # matches <int:...> in a URL, and is far past bigint
COMMON_FIELDS = ("q", "page", "id", "ids", "partner", "sort", "period", "at", "status", "month", "next", "owner")
FIELD_NAME = re.compile(r'<(?:input|select|textarea)[^>]*\sname="([^"]+)"', re.IGNORECASE)
SKIP_FIELDS = {"csrfmiddlewaretoken"}
ANONYMOUS = "anonymous"


def _url(route: Route, world: World, **override: Any) -> str | None:
    if any(ch in route.pattern for ch in "(^$"):  # the admin's regex routes: not ours
        return None
    kwargs = {p: override.get(p, own_object_id(world, p)) for p in route.params}
    return reverse(route.name, kwargs=kwargs)


@functools.cache
def _schema_fields() -> dict[tuple[str, str], list[str]]:
    """(path pattern, method) -> the names of its request body's properties and its query parameters."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema.get("components", {}).get("schemas", {})

    def props(node: dict[str, Any]) -> list[str]:
        if "$ref" in node:
            node = components[node["$ref"].rsplit("/", 1)[-1]]
        names = list(node.get("properties", {}))
        for part in node.get("allOf", []) + node.get("oneOf", []):
            names += props(part)
        return names

    out: dict[tuple[str, str], list[str]] = {}
    for path, operations in schema["paths"].items():
        for method, op in operations.items():
            names = [p["name"] for p in op.get("parameters", []) if p.get("in") == "query"]
            for media in op.get("requestBody", {}).get("content", {}).values():
                names += props(media.get("schema", {}))
            out[(path, method.upper())] = sorted(set(names))
    return out


def _schema_path(route: Route) -> str:
    return "/" + PARAM.sub(lambda m: "{" + m.group(1) + "}", route.pattern)


def _requests(
    route: Route, url: str, fields: list[str], methods: tuple[str, ...], rotations: int
) -> list[tuple[str, str, Any]]:
    """(method, url, data) to send: one with NUL in every field, then the other values rotated over them."""
    names = [n for n in dict.fromkeys([*fields, *COMMON_FIELDS]) if n not in SKIP_FIELDS]
    plans: list[dict[str, str]] = [dict.fromkeys(names, NUL)]
    for shift in range(rotations):
        values = cycle(VALUES[shift:] + VALUES[:shift])
        plans.append({name: next(values) for name in names})
    out: list[tuple[str, str, Any]] = []
    for method in methods:
        for plan in plans:
            out.append((method, url, plan))
    return out


def _send(client: Client, route: Route, method: str, url: str, data: dict[str, str]) -> Any:
    if method == "GET":
        # a long query string is what a server would refuse anyway: the huge value goes in the body only
        query = {k: (v if len(v) < 2000 else v[:2000]) for k, v in data.items()}
        return client.get(url, query)
    if route.is_api:
        body = {k: ([v] if k == "ids" else v) for k, v in data.items()}
        return client.generic(method, url, json.dumps(body), content_type="application/json")
    return client.post(url, data)


def _reaches_view(route: Route, method: str, world: World, role: str) -> bool:
    if not route.is_tenant_route:
        return method in ("GET", "POST")
    perm = route.perm_for(method)
    if route.is_tenant_public:
        return method in getattr(route.callback, "tenant_methods", ("GET",))
    return perm is not None and role != ANONYMOUS and can(world.actors[role], perm)


def _walk(role: str) -> tuple[int, list[str]]:
    world = build_world()
    client = Client()
    if role != ANONYMOUS:
        client.force_login(world.actors[role].user)
    schema_fields = _schema_fields()
    sent, failures = 0, []
    for route in all_routes():
        if route.name.startswith("admin") or route.pattern.startswith("admin/"):
            continue  # Django's own admin: only its login page is ours, walked below through accounts/
        if role == ANONYMOUS and route.is_tenant_route:
            continue  # a visitor is sent to log in before any view runs
        url = _url(route, world)
        if url is None:
            continue
        # Only where the role's request reaches the view's code: a refusal before it is the isolation matrix's.
        methods = tuple(m for m in ("GET", "POST", "PATCH") if _reaches_view(route, m, world, role))
        if route.is_api:
            methods = tuple(m for m in methods if (_schema_path(route), m) in schema_fields)
            fields = sorted({n for m in methods for n in schema_fields[(_schema_path(route), m)]})
        elif methods:
            page = client.get(url)
            sent += 1
            fields = FIELD_NAME.findall(page.content.decode(errors="replace")) if page.status_code == 200 else []
        plans = _requests(route, url, fields, methods, ROTATIONS[role])
        if methods and any(p.endswith("_id") for p in route.params):
            int_params = {p: HUGE_ID for p in route.params if p.endswith("_id")}
            plans.append(("GET", _url(route, world, **int_params) or url, {}))
        for method, target, data in plans:
            sent += 1
            with transaction.atomic():
                try:
                    response = _send(client, route, method, target, data)
                except Exception as exc:  # the test client re-raises what would have been a 500
                    failures.append(f"{role} {method} {route.pattern} {sorted(data)[:5]}: {exc!r}"[:300])
                else:
                    if response.status_code >= 500:
                        failures.append(f"{role} {method} {route.pattern}: {response.status_code}")
                transaction.set_rollback(True)
    return sent, failures


@pytest.mark.parametrize("role", [*ROLES, ANONYMOUS])
def test_no_hostile_input_gives_a_server_error(role, record_property):
    sent, failures = _walk(role)
    record_property("hostile_requests", sent)
    assert failures == []
    assert sent > 100
