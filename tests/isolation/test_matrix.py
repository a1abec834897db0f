"""The isolation matrix: every tenant route, method, role and foreign target, with each wall proven alone.

Routes come from the URL resolver, so HTMX partials, exports and PDFs added later are covered automatically;
a route whose write payload or URL parameter the matrix does not know makes the test fail until it is taught.
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from partnerhub.core.api.base import TenantApi
from partnerhub.core.rules import can
from partnerhub.core.tenancy.context import app_wall_off
from tests.isolation.routes import METHODS, NON_OBJECT_PARAMS, all_routes, tenant_routes
from tests.isolation.world import ROLES, World, build_world, fingerprint, object_id, own_object_id

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("matrix")]
TARGETS = ("other_tenant", "other_partner")
WRITES = ("POST", "PUT", "PATCH", "DELETE")

# Writes on routes without an object in the URL: a payload that names another tenant's object (or None when the
# route takes no reference at all). A new writable route must be added here, or the matrix fails.
FOREIGN_PAYLOADS: dict[str, Any] = {
    "partner_create": lambda w: {
        "name": "Leak probe",
        "partner_type": "si",
        "tier": "gold",
        "stage": "growth",
        "region": "emea",
        "owner": w.foreign_manager.pk,
    },
    "partner_reassign": lambda w: {"from_owner": w.foreign_manager.pk, "to_owners": [w.actors["manager"].pk]},
    "member_list": lambda w: {"email": "probe@example.test", "role": "partner", "partner": w.foreign_partner.pk},
    "tenant_settings": None,
    "import_upload": None,  # a file names partners by name or CRM id: unknown ones are row errors, tested there
    "template_create": None,  # names no object: its segment choices are plain values
    "api_import_rows": lambda w: {
        "rows": [
            {
                "external_id": "LEAK-1",
                "partner": w.foreign_partner.external_id,
                "amount": "10",
                "created_on": "2026-01-05",
            }
        ],
        "commit": True,
    },
    "api_partner_list": lambda w: {
        "name": "Leak probe",
        "partner_type": "si",
        "region": "emea",
        "owner": w.foreign_manager.pk,
    },
    "calendar_subscribe": None,  # acts on the member's own feed only
    "notification_read": lambda w: {"id": _foreign_notification_id(w)},
    "api_notification_read": lambda w: {"ids": [_foreign_notification_id(w)]},
    "cadence_create": None,  # a cadence names no object: its filters and agenda are plain values
    "api_cadence_list": None,
    # A date the schedule would accept, so that the 400 is about the foreign partner.
    "review_schedule": lambda w: {
        "partner": w.foreign_partner.pk,
        "cadence": w.own_cadence_id,
        "date": _soon().isoformat(),
        "time": "09:00",
        "depth": "detailed",
        "reason": "Leak probe",
    },
    "api_review_list": lambda w: {
        "partner": w.foreign_partner.pk,
        "cadence": w.own_cadence_id,
        "scheduled_for": f"{_soon().isoformat()}T09:00:00Z",
    },
}
# Writes on one's own object that name another tenant's object in the payload: 400, nothing written.
OWN_OBJECT_FOREIGN_PAYLOADS: dict[str, Any] = {
    "review_action_add": lambda w: {
        "description": "Leak probe",
        "owner": w.foreign_manager.pk,
        "due_date": "2099-01-01",
        "visibility": "shared",
    },
    "review_attendee_add": lambda w: {"membership": w.foreign_manager.pk, "function": "sales"},
    "api_action_update": lambda w: {"owner": w.foreign_manager.pk},
    "partner_edit": lambda w: {
        "name": "Alpha Own Partner",
        "partner_type": "reseller",
        "tier": "silver",
        "stage": "growth",
        "region": "emea",
        "owner": w.foreign_manager.pk,
    },
    "api_partner_detail": lambda w: {"data_steward": w.foreign_manager.pk},
    "member_edit": lambda w: {"role": "partner", "partner": w.foreign_partner.pk, "is_active": "on"},
    "version_edit": lambda w: {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "0",
        "form-0-metric": w.foreign_metric_id,
        "form-0-weight": "100",
        "form-0-target": "10",
    },
    "metric_edit": lambda w: {
        "key": "alpha-metric",
        "name": "Alpha metric",
        "definition": "A probe metric.",
        "unit": "count",
        "direction": "higher",
        "timing": "leading",
        "category": "engagement",
        "aggregation": "sum",
        "data_owner": w.foreign_manager.pk,
        "freshness_days": "45",
    },
}
# URL parameters naming an object that belongs to one partner company (not program-wide like a metric).
PARTNER_OWNED_PARAMS = {"partner_id", "review_id", "action_id", "deal_review_id", "finding_id", "membership_id"}
PUBLIC_ROUTE_NAMES = {"home", "tenant_signup", "healthz", "api_token", "api_schema", "api_docs"}
PUBLIC_PREFIXES = ("accounts/", "admin/")


def _clients(world: World) -> dict[str, Client]:
    clients = {}
    for role, actor in world.actors.items():
        client = Client()
        client.force_login(actor.user)
        clients[role] = client
    return clients


def _request(client: Client, route: Any, method: str, url: str, payload: dict[str, Any] | None, token: str) -> Any:
    if route.is_api:
        return client.generic(
            method,
            url,
            data=__import__("json").dumps(payload or {}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {token}",
        )
    if method == "POST":
        return client.post(url, data=payload or {})
    return client.generic(method, url)


def _check_cell(
    world: World, clients: dict[str, Client], route: Any, method: str, role: str, target: str, failures: list[str]
) -> int:
    """Run one cell inside a rolled-back savepoint; return the number of assertions-bearing cells it checked."""
    actor = world.actors[role]
    kwargs = {**{p: NON_OBJECT_PARAMS[p] for p in route.params if p in NON_OBJECT_PARAMS}, "tenant_slug": world.a.slug}
    for param in route.object_params:
        kwargs[param] = object_id(world, param, target)
    url = reverse(route.name, kwargs=kwargs)
    perm = route.perm_for(method)
    payload = None
    names_foreign = False
    if method in WRITES and not route.object_params and perm is not None and can(actor, perm):
        if route.name not in FOREIGN_PAYLOADS:
            failures.append(f"{route.name}: writable route with no entry in FOREIGN_PAYLOADS")
            return 0
        factory = FOREIGN_PAYLOADS[route.name]
        payload, names_foreign = (factory(world), True) if factory else ({}, False)
    before_b = fingerprint(world.b) if method in WRITES else None
    before_a = fingerprint(world.a) if method in WRITES else None
    with transaction.atomic():
        response = _request(clients[role], route, method, url, payload, world.tokens[role])
        body = response.content.decode(errors="replace")
        where = f"{method} {url} as {role} ({target}) -> {response.status_code}"
        leaked = [m for m in world.foreign_markers if m in body]
        # An invitation link is itself the credential: its bearer may read that invitation, nothing else.
        if role == "partner" and not route.is_tenant_public:
            leaked += [m for m in world.sibling_markers if m in body]
        if leaked:
            failures.append(f"{where}: response shows {leaked}")
        if response.status_code >= 500:
            failures.append(f"{where}: server error")
        if route.is_tenant_public:
            if target == "other_tenant" and response.status_code not in (
                (404,) if method in ("GET", "POST") else (404, 405)
            ):
                failures.append(f"{where}: expected 404 for another tenant's invitation")
        elif perm is None:
            if response.status_code not in (403, 404, 405):
                failures.append(f"{where}: method not offered, expected 403/404/405")
        elif not can(actor, perm):
            if response.status_code != 403:
                failures.append(f"{where}: role lacks {perm}, expected 403")
        elif route.object_params:
            if target == "other_tenant" and response.status_code != 404:
                failures.append(f"{where}: another tenant's object must be a 404")
            if target == "other_partner" and role == "partner" and PARTNER_OWNED_PARAMS & set(route.object_params):
                # A partner user acting on another partner's review, action item...: as if it did not exist.
                if response.status_code not in (403, 404):
                    failures.append(f"{where}: another partner's object must be a 404 for a partner user")
            elif target == "other_partner" and method == "GET" and response.status_code != 200:
                failures.append(f"{where}: positive control, the same tenant's partner must be readable")
        elif method == "GET":
            if response.status_code not in (200, 302):
                failures.append(f"{where}: list should answer")
        elif names_foreign and response.status_code != 400:
            failures.append(f"{where}: a write naming another tenant's object must be a 400")
        if method in WRITES:
            if fingerprint(world.b) != before_b:
                failures.append(f"{where}: changed another tenant's rows")
            refused = response.status_code in (400, 403, 404, 405) or names_foreign
            if refused and fingerprint(world.a) != before_a:
                failures.append(f"{where}: a refused write changed rows")
        transaction.set_rollback(True)
    return 1


def _check_own_object_foreign_reference(
    world: World, clients: dict[str, Client], route: Any, failures: list[str]
) -> int:
    role = "admin"
    kwargs: dict[str, Any] = {"tenant_slug": world.a.slug}
    for param in route.object_params:
        kwargs[param] = own_object_id(world, param)
    url = reverse(route.name, kwargs=kwargs)
    method = "PATCH" if route.is_api else "POST"
    before = fingerprint(world.a), fingerprint(world.b)
    with transaction.atomic():
        response = _request(
            clients[role], route, method, url, OWN_OBJECT_FOREIGN_PAYLOADS[route.name](world), world.tokens[role]
        )
        if response.status_code != 400:
            failures.append(f"{method} {url} naming a foreign id -> {response.status_code}, expected 400")
        if (fingerprint(world.a), fingerprint(world.b)) != before:
            failures.append(f"{method} {url} naming a foreign id changed rows")
        transaction.set_rollback(True)
    return 1


def test_every_route_is_either_tenant_scoped_or_on_the_public_allowlist():
    unlisted = [
        r.pattern
        for r in all_routes()
        if not r.is_tenant_route and r.name not in PUBLIC_ROUTE_NAMES and not r.pattern.startswith(PUBLIC_PREFIXES)
    ]
    assert unlisted == []


def test_every_tenant_api_view_is_a_tenant_api_and_every_html_view_declares_a_permission():
    routes = tenant_routes()
    assert [r.pattern for r in routes if r.is_api and not issubclass(r.view_class, TenantApi)] == []
    assert [
        r.pattern for r in routes if not r.is_api and not r.is_tenant_public and not hasattr(r.callback, "tenant_perm")
    ] == []


@pytest.mark.parametrize("wall", ["both walls", "row-level security alone"])
def test_isolation_matrix(wall, record_property, capsys):
    world = build_world()
    clients = _clients(world)
    failures: list[str] = []
    cells = 0
    with app_wall_off() if wall == "row-level security alone" else nullcontext():
        for route in tenant_routes():
            for method in METHODS:
                for role in ROLES:
                    for target in TARGETS:
                        cells += _check_cell(world, clients, route, method, role, target, failures)
        for route in tenant_routes():
            if route.name in OWN_OBJECT_FOREIGN_PAYLOADS:
                cells += _check_own_object_foreign_reference(world, clients, route, failures)
    unknown = set(OWN_OBJECT_FOREIGN_PAYLOADS) - {r.name for r in tenant_routes()}
    record_property("isolation_cells", cells)
    with capsys.disabled():
        print(f"\nisolation matrix ({wall}): {cells} cells checked, {len(failures)} leaks or failures")
    assert unknown == set()
    assert "\n".join(failures) == ""
    assert cells >= 500


def _foreign_notification_id(world: World) -> int:
    """A notification of the other tenant's manager: marking it read from tenant A must be a 400."""
    from partnerhub.core.models import Notification
    from partnerhub.core.tenancy.context import tenant_context

    with tenant_context(world.b):
        found, _ = Notification.objects.get_or_create(
            tenant=world.b, recipient=world.foreign_manager, dedupe_key="matrix-probe", defaults={"title": "Probe"}
        )
    return found.pk


def _soon() -> Any:
    """A month from today: a date ``review_schedule`` accepts."""
    datetime = __import__("datetime")
    return datetime.date.today() + datetime.timedelta(days=30)
