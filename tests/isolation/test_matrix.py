"""The isolation matrix: every tenant route, method, role and foreign target, with each wall proven alone.

Routes come from the URL resolver, so HTMX partials, exports and PDFs added later are covered automatically;
a route whose write payload or URL parameter the matrix does not know makes the test fail until it is taught.

The matrix is one test item per wall and per view module, so that xdist workers share it. Each item builds its
world once, logs each role in once, and runs every cell in a savepoint that is rolled back. Whether a cell wrote
anything is read off PostgreSQL's per-transaction write counters; only the tables a cell did write to are then
compared, row by row, with the world as it was built.
"""

from __future__ import annotations

import json
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import product
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from partnerhub.core.api.base import TenantApi
from partnerhub.core.models import Partner
from partnerhub.core.rules import can
from partnerhub.core.tenancy.context import app_wall_off, tenant_context
from tests.isolation.routes import METHODS, NON_OBJECT_PARAMS, Route, all_routes, tenant_routes
from tests.isolation.world import (
    ROLES,
    World,
    build_world,
    fingerprint,
    object_id,
    own_object_id,
    tenant_owned_tables,
    write_counters,
    written_tables,
)

pytestmark = pytest.mark.django_db
TARGETS = ("other_tenant", "other_partner")
WRITES = ("POST", "PUT", "PATCH", "DELETE")
WALLS: dict[str, Any] = {"both walls": nullcontext, "row-level security alone": app_wall_off}
# Cells per wall when the matrix was split into items (97 tenant routes x 5 methods x 4 roles x 2 targets, and 8
# writes on one's own object naming a foreign one). Routes are added, not removed: the count may only grow.
CELLS_PER_WALL_FLOOR = 3888

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
    "notification_read": lambda w: {"id": w.foreign_notification_id},
    "api_notification_read": lambda w: {"ids": [w.foreign_notification_id]},
    "cadence_create": None,  # a cadence names no object: its filters and agenda are plain values
    "exchange_rate_list": None,  # a rate names currencies, not objects
    "api_exchange_rate_list": None,
    # investments (issue 15)
    "budget_create": None,  # a budget names no object: a period, a currency, an amount
    "api_budget_list": None,
    "impact_refresh": None,  # re-estimates the program's own investments
    "fund_request_create": lambda w: _fund_request(w, w.funds["foreign"]["allocation"]),
    "portal_fund_request": lambda w: _fund_request(w, w.funds["foreign"]["allocation"]),
    "api_fund_request_list": lambda w: _fund_request(w, w.funds["foreign"]["allocation"]),
    "fund_request_bulk": lambda w: {"decision": "approve", "ids": [w.funds["foreign"]["request"]]},
    "claim_bulk": lambda w: {"decision": "approve", "ids": [w.funds["foreign"]["claim"]]},
    "investment_record": lambda w: _enablement(w.foreign_partner.pk),
    "api_investment_list": lambda w: _enablement(w.foreign_partner.pk),
    "api_cadence_list": None,
    "memo_list": None,  # writes the memo of a quarter: names no object
    "digest_settings": None,  # the member's own frequency
    "change_create": lambda w: {
        "subject": f"template:{w.foreign_version_id}",
        "title": "Leak probe",
        "what_changed": "x",
        "why": "x",
    },
    "framework_list": None,  # the review's frequency, or "set one up now": names no object
    "concern_list": lambda w: {"subject": "Leak probe", "body": "Probe", "partner": w.foreign_partner.pk},
    # A date the schedule would accept, so that the 400 is about the foreign partner.
    "review_schedule": lambda w: {
        "partner": w.foreign_partner.pk,
        "cadence": w.own_cadence_id,
        "date": _soon().isoformat(),
        "time": "09:00",
        "depth": "detailed",
        "reason": "Leak probe",
    },
    # Remediation: a finding or plan on another tenant's partner, an executive of another tenant.
    "finding_create": lambda w: {
        "partner": w.foreign_partner.pk,
        "title": "Leak probe",
        "category": "enablement",
        "severity": "high",
        "date_found": "2026-09-01",
        "root_cause_method": "notes",
    },
    "plan_create": lambda w: {
        "partner": w.foreign_partner.pk,
        "title": "Leak probe",
        "owner": w.actors["manager"].pk,
        "start_date": "2026-09-01",
        "target_end_date": "2026-12-31",
    },
    "remediation_settings": lambda w: {
        "sponsor_after_days": "7",
        "executive_after_days": "14",
        "action_grace_days": "7",
        "draft_horizon_months": "3",
        "executive": w.foreign_manager.pk,
    },
    "cause_category_add": None,  # a name, no reference
    "portal_plan_update": None,  # the member's own company's plan only
    "api_finding_list": lambda w: {"partner": w.foreign_partner.pk, "title": "Leak probe", "category": "enablement"},
    "api_plan_list": lambda w: {
        "partner": w.foreign_partner.pk,
        "title": "Leak probe",
        "owner": w.actors["manager"].pk,
        "start_date": "2026-09-01",
        "target_end_date": "2026-12-31",
    },
    "api_portal_plan_update": None,
    "api_review_list": lambda w: {
        "partner": w.foreign_partner.pk,
        "cadence": w.own_cadence_id,
        "scheduled_for": f"{_soon().isoformat()}T09:00:00Z",
    },
    # recognition: tiers, the framework, recommendations, awards
    "tier_create": None,  # a tier names no object
    "framework_draft_open": None,
    "recommendation_bulk_decide": lambda w: {"decision": "approve", "recommendation": [w.foreign_recommendation_id]},
    "award_category_create": lambda w: {
        "name": "Leak probe",
        "rule": "top_metric",
        "metric": w.foreign_metric_id,
        "min_responses": "5",
        "candidate_count": "5",
        "is_active": "on",
    },
    "nomination_create": lambda w: {
        "category": w.own_category_id,
        "partner": w.foreign_partner.pk,
        "quarter": "2026-07-01",
        "case": "Leak probe",
    },
    "api_tier_list": None,
    "api_framework_version_list": None,
    "api_recommendation_decide": lambda w: {"recommendations": [w.foreign_recommendation_id], "decision": "approve"},
    "api_recommendation_exception": lambda w: {
        "partner": w.foreign_partner.pk,
        "to_tier": w.own_tier_id,
        "justification": "Leak probe",
    },
    "api_award_category_list": lambda w: {"name": "Leak probe", "rule": "top_metric", "metric": w.foreign_metric_id},
    "api_nomination_list": lambda w: {
        "category": w.own_category_id,
        "partner": w.foreign_partner.pk,
        "quarter": "2026-07-01",
        "case": "Leak probe",
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
    "finding_edit": lambda w: {
        "title": "Alpha own plan finding",
        "category": "enablement",
        "severity": "medium",
        "date_found": "2026-09-01",
        "root_cause_method": "notes",
        "owner": w.foreign_manager.pk,
    },
    "plan_edit": lambda w: {
        "title": "Alpha own plan",
        "owner": w.foreign_manager.pk,
        "start_date": "2026-09-01",
        "target_end_date": "2027-03-31",
    },
    "plan_action_add": lambda w: {
        "title": "Leak probe",
        "kind": "quick_win",
        "side": "ours",
        "owner": w.foreign_manager.pk,
        "due_date": "2099-01-01",
    },
    "checkpoint_add": lambda w: {
        "measure": "metric",
        "metric": w.foreign_metric_id,
        "comparator": "gte",
        "target": "10",
        "period": "month",
        "due": "2026-12-01",
    },
    "api_finding_detail": lambda w: {"owner": w.foreign_manager.pk},
    "api_plan_detail": lambda w: {"sponsor": w.foreign_manager.pk},
    "api_plan_action": lambda w: {"owner": w.foreign_manager.pk},
    "allocation_set": lambda w: {"partner": w.foreign_partner.pk, "amount": "10"},
    "investment_link": lambda w: {"activities": [w.funds["foreign"]["activity"]]},
    "member_edit": lambda w: {"role": "partner", "partner": w.foreign_partner.pk, "is_active": "on"},
    "version_edit": lambda w: {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "0",
        "form-0-metric": w.foreign_metric_id,
        "form-0-weight": "100",
        "form-0-target": "10",
    },
    "partner_tier_exception": lambda w: {"to_tier": w.foreign_tier_id, "justification": "Leak probe"},
    "framework_edit": lambda w: {
        "grace_quarters": "1",
        f"t{w.own_tier_id}_min_score": "70",
        f"t{w.own_tier_id}_m0_metric": w.foreign_metric_id,
        f"t{w.own_tier_id}_m0_threshold": "4",
    },
    "api_framework_version_detail": lambda w: {
        "grace_quarters": 1,
        "criteria": [
            {"tier": w.own_tier_id, "min_score": "70", "metrics": [{"metric": w.foreign_metric_id, "threshold": "4"}]}
        ],
    },
    "award_category_edit": lambda w: {
        "name": "Alpha award",
        "rule": "top_metric",
        "metric": w.foreign_metric_id,
        "min_responses": "5",
        "candidate_count": "5",
    },
    "api_award_category_detail": lambda w: {"metric": w.foreign_metric_id},
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
OWN_OBJECT_FOREIGN_PAYLOADS["change_edit"] = lambda w: {
    "title": "Alpha notice",
    "what_changed": "x",
    "why": "x",
    "sponsor": w.foreign_manager.pk,
}
# URL parameters naming an object that belongs to one partner company (not program-wide like a metric).
PARTNER_OWNED_PARAMS = {
    "partner_id",
    "review_id",
    "action_id",
    "deal_review_id",
    "deal_id",
    "finding_id",
    "membership_id",
    "plan_id",
    "remediation_finding_id",
    "checkpoint_id",
    "plan_action_id",
    "recommendation_id",
    "nomination_id",
    "request_id",
    "claim_id",
    "proof_id",
    "investment_id",
    "estimate_id",
}
# URL parameters naming an object only its author and the program's admins may see (another member gets a 404).
PERSONAL_PARAMS = {"concern_id"}
PUBLIC_ROUTE_NAMES = {"home", "tenant_signup", "healthz", "api_token", "api_schema", "api_docs"}
PUBLIC_PREFIXES = ("accounts/", "admin/")


def _group(route: Route) -> str:
    """The module of the route's view: a new view module becomes a new item, so items stay small as routes are added."""
    return str(route.callback.__module__)


GROUPS = sorted({_group(route) for route in tenant_routes()})


def _routes_in(group: str) -> list[Route]:
    return [route for route in tenant_routes() if _group(route) == group]


def _planned_cells(routes: list[Route]) -> int:
    own_object_cells = sum(route.name in OWN_OBJECT_FOREIGN_PAYLOADS for route in routes)
    return len(routes) * len(METHODS) * len(ROLES) * len(TARGETS) + own_object_cells


@dataclass
class Matrix:
    """One world, a logged-in client per role, and the world's rows as built, to compare written tables with."""

    world: World
    clients: dict[str, Client] = field(default_factory=dict)
    tables: tuple[str, ...] = ()
    built: dict[str, dict[str, str]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    @classmethod
    def build(cls) -> Matrix:
        matrix = cls(build_world(), tables=tenant_owned_tables())
        for role, actor in matrix.world.actors.items():
            client = Client()
            client.force_login(actor.user)
            matrix.clients[role] = client
        matrix.built = {"a": fingerprint(matrix.world.a), "b": fingerprint(matrix.world.b)}
        return matrix

    def changed(self, tenant: str, tables: list[str]) -> list[str]:
        """Of ``tables``, those whose rows of tenant ``a`` or ``b`` differ from the world as built."""
        now = fingerprint(getattr(self.world, tenant), tables)
        return [table for table in tables if now[table] != self.built[tenant][table]]


def _request(client: Client, route: Route, method: str, url: str, payload: dict[str, Any] | None, token: str) -> Any:
    if route.is_api:
        return client.generic(
            method,
            url,
            data=json.dumps(payload or {}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {token}",
        )
    if method == "POST":
        return client.post(url, data=payload or {})
    return client.generic(method, url)


def _check_cell(matrix: Matrix, route: Route, method: str, role: str, target: str) -> int:
    """Run one cell inside a rolled-back savepoint; return the number of assertions-bearing cells it checked."""
    world, failures = matrix.world, matrix.failures
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
    with transaction.atomic():
        before = write_counters(matrix.tables)
        response = _request(matrix.clients[role], route, method, url, payload, world.tokens[role])
        written = written_tables(before, write_counters(matrix.tables))
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
            if target == "other_partner" and PERSONAL_PARAMS & set(route.object_params):
                # Another member's personal object (a confidential concern): its sender and the admins only.
                if role != "admin" and response.status_code not in (403, 404):
                    failures.append(f"{where}: another member's personal object must be a 404")
                elif role == "admin" and method == "GET" and response.status_code != 200:
                    failures.append(f"{where}: positive control, the admins must read it")
            elif target == "other_partner" and role == "partner" and PARTNER_OWNED_PARAMS & set(route.object_params):
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
        # Nothing written, nothing to compare; a table written to is compared with the world as built.
        if written and (changed := matrix.changed("b", written)):
            failures.append(f"{where}: changed another tenant's rows in {changed}")
        refused = response.status_code in (400, 403, 404, 405) or names_foreign
        if method in WRITES and refused and written and (changed := matrix.changed("a", written)):
            failures.append(f"{where}: a refused write changed rows in {changed}")
        transaction.set_rollback(True)
    return 1


def _check_own_object_foreign_reference(matrix: Matrix, route: Route) -> int:
    world, role = matrix.world, "admin"
    kwargs: dict[str, Any] = {"tenant_slug": world.a.slug}
    for param in route.object_params:
        kwargs[param] = own_object_id(world, param)
    url = reverse(route.name, kwargs=kwargs)
    method = "PATCH" if route.is_api else "POST"
    with transaction.atomic():
        before = write_counters(matrix.tables)
        response = _request(
            matrix.clients[role], route, method, url, OWN_OBJECT_FOREIGN_PAYLOADS[route.name](world), world.tokens[role]
        )
        written = written_tables(before, write_counters(matrix.tables))
        if response.status_code != 400:
            matrix.failures.append(f"{method} {url} naming a foreign id -> {response.status_code}, expected 400")
        if written and (matrix.changed("a", written) or matrix.changed("b", written)):
            matrix.failures.append(f"{method} {url} naming a foreign id changed rows")
        transaction.set_rollback(True)
    return 1


def _run_matrix(wall: str, group: str) -> tuple[int, float, list[str]]:
    routes = _routes_in(group)
    started = time.perf_counter()
    matrix = Matrix.build()
    cells = 0
    with WALLS[wall]():
        for route, method, role, target in product(routes, METHODS, ROLES, TARGETS):
            cells += _check_cell(matrix, route, method, role, target)
        for route in routes:
            if route.name in OWN_OBJECT_FOREIGN_PAYLOADS:
                cells += _check_own_object_foreign_reference(matrix, route)
    return cells, time.perf_counter() - started, matrix.failures


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


def test_the_matrix_items_cover_every_tenant_route_and_no_fewer_cells_than_before():
    grouped = sorted(route.pattern for group in GROUPS for route in _routes_in(group))
    assert grouped == sorted(route.pattern for route in tenant_routes())
    assert set(OWN_OBJECT_FOREIGN_PAYLOADS) - {route.name for route in tenant_routes()} == set()
    assert sum(_planned_cells(_routes_in(group)) for group in GROUPS) >= CELLS_PER_WALL_FLOOR


def test_the_write_counters_see_every_write_even_one_rolled_back_and_only_the_tables_written():
    world = build_world()
    tables = tenant_owned_tables()
    before = write_counters(tables)
    with transaction.atomic(), tenant_context(world.b):
        Partner.objects.filter(pk=world.foreign_partner.pk).update(name="FOREIGN-PARTNER-MARKER")
        transaction.set_rollback(True)
    assert written_tables(before, write_counters(tables)) == [Partner._meta.db_table]
    assert written_tables(write_counters(tables), write_counters(tables)) == []


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO probe VALUES (2)",
        "UPDATE probe SET id = id",
        "DELETE FROM probe",
        "TRUNCATE probe",
    ],
)
def test_the_write_counters_see_inserts_updates_to_the_same_value_deletes_and_truncates(statement):
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE probe (id int) ON COMMIT DROP")
        cursor.execute("INSERT INTO probe VALUES (1)")
        before = write_counters(("probe",))
        with transaction.atomic():
            cursor.execute(statement)
            assert written_tables(before, write_counters(("probe",))) == ["probe"]
            transaction.set_rollback(True)


@pytest.mark.parametrize(("wall", "group"), list(product(WALLS, GROUPS)))
def test_isolation_matrix(wall, group, record_property):
    cells, seconds, failures = _run_matrix(wall, group)
    record_property("isolation_cells", cells)
    record_property("isolation_matrix", f"{wall}|{group}|{cells}|{seconds:.3f}")
    assert "\n".join(failures) == ""


def _fund_request(world: World, allocation_id: int) -> dict[str, Any]:
    """A valid fund request but for its allocation (another tenant's), so that the 400 is about the allocation."""
    return {
        "allocation": allocation_id,
        "activity_type": "event",
        "title": "Leak probe",
        "planned_start": "2026-05-01",
        "planned_end": "2026-05-02",
        "requested_amount": "10",
    }


def _enablement(partner_id: int) -> dict[str, Any]:
    return {
        "partner": partner_id,
        "kind": "enablement",
        "category": "training_seats",
        "title": "Leak probe",
        "value": "10",
        "currency": "USD",
        "starts_on": "2026-05-01",
    }


def _soon() -> date:
    """A month from today: a date ``review_schedule`` accepts."""
    return timezone.localdate() + timedelta(days=30)
