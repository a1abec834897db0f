"""PostgreSQL restarted and Redis down while the application serves (issue 18), on private services of their own:
a PostgreSQL cluster (initdb in a temporary folder, another port) holding a copy of the migrated schema, a Redis
server on another port, gunicorn serving the application as production does, and a real Celery worker.

- PostgreSQL restarted: requests during the outage get a 503 (a page, or the API's error body) with Retry-After,
  never a traceback; the first request after it is back succeeds (connection health checks); a snapshot refresh
  running when the server went down is retried with backoff and completes.
- Redis down: pages and the API still serve; an import whose snapshot refresh would be queued runs it in-process
  (the documented rule, partnerhub/core/resilience.py), so nothing is lost; when Redis is back the queue serves again.
"""

from __future__ import annotations

import json
import time

import psycopg
import pytest
from celery.result import AsyncResult
from django.conf import settings
from django.db import connections

from partnerhub.celery import app
from tests.faults.services import (
    app_env,
    app_server,
    copy_schema,
    fetch,
    private_postgres,
    private_redis,
    run_script,
    start_redis,
    stop_redis,
)
from tests.worker import running_worker

pytestmark = [pytest.mark.worker, pytest.mark.faults, pytest.mark.xdist_group("faults")]

SEED = """
import json
from django.test import Client
from rest_framework.authtoken.models import Token
from partnerhub.core.models import Role
from tests.factories import PartnerFactory, TenantFactory, UserFactory, member
from tests.faults.seeding import observations

tenant = TenantFactory(name="Outage Program", slug="outage")
manager = member(tenant, Role.MANAGER, user=UserFactory(email="manager@outage.test"))
partners = PartnerFactory.create_batch(PARTNERS, tenant=tenant, owner=manager)
observations(tenant, partners)
client = Client()
client.force_login(manager.user)
print(json.dumps({
    "tenant": tenant.pk, "token": Token.objects.create(user=manager.user).key,
    "session": client.cookies["sessionid"].value, "partners": len(partners),
}))
"""


@pytest.fixture(scope="module")
def outage_program(django_db_setup, django_db_blocker):
    """A private PostgreSQL with the test database's schema and a seeded program; yields (server, env, seed)."""
    with django_db_blocker.unblock():
        db = connections["default"].settings_dict
        source = f"postgres://{settings.DATABASE_OWNER['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    with private_postgres() as pg:
        copy_schema(source, pg)
        env = app_env(pg.url("partnerhub_app"))
        seed = json.loads(run_script(env, SEED.replace("PARTNERS", "300")).strip().splitlines()[-1])
        yield pg, env, seed


def _lock_held(pg) -> bool:
    with psycopg.connect(pg.url("postgres")) as conn:
        row = conn.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted").fetchone()
    return bool(row and row[0])


def _requests(base: str, seed: dict) -> dict[str, object]:
    api = fetch(f"{base}/api/v1/t/outage/partners/", {"Authorization": f"Token {seed['token']}"})
    page = fetch(f"{base}/t/outage/partners/", {"Cookie": f"sessionid={seed['session']}"})
    return {"api": api, "page": page}


def test_postgres_restarted_while_serving_gives_clean_503s_then_recovers_and_the_running_task_completes(
    outage_program, record_property
):
    pg, env, seed = outage_program
    worker_env = {"DATABASE_URL": env["DATABASE_URL"], "DATABASE_OWNER_URL": env["DATABASE_OWNER_URL"]}
    server_env = {**env, "REDIS_URL": settings.REDIS_URL}
    with app_server(server_env) as base, running_worker(env=worker_env):
        before = _requests(base, seed)
        assert {k: a.status for k, a in before.items()} == {"api": 200, "page": 200}
        pending = app.send_task(
            "scorecards.tasks.snapshots.snapshot_refresh_task", kwargs={"tenant_id": seed["tenant"]}
        )
        deadline = time.monotonic() + 60
        while not _lock_held(pg) and time.monotonic() < deadline:
            time.sleep(0.02)
        pg.stop("fast")  # every session ends, the running refresh's included
        during = [_requests(base, seed) for _ in range(3)]
        pg.start()
        after = _requests(base, seed)
        result = pending.get(timeout=120)
        meta = AsyncResult(pending.id, app=app)._get_task_meta()
    failed = [a for r in during for a in r.values()]
    record_property(
        "faults",
        f"postgres restart: {len(failed)} requests during the outage, all 503; "
        f"task retried {meta.get('retries')} time(s), then {result['written']} rows",
    )
    assert {a.status for a in failed} == {503}
    assert all(a.headers.get("Retry-After") for a in failed)
    assert not any("Traceback" in a.body or "OperationalError" in a.body for a in failed)
    assert all(json.loads(r["api"].body)["code"] == "service_unavailable" for r in during)
    assert {k: a.status for k, a in after.items()} == {"api": 200, "page": 200}
    assert meta.get("retries", 0) >= 1  # the refresh running at the restart failed, and was retried
    assert result["written"] > 0


def test_redis_down_pages_serve_and_queued_work_runs_in_process_nothing_lost(outage_program, record_property):
    _pg, env, seed = outage_program
    with private_redis() as port:
        server_env = {**env, "REDIS_URL": f"redis://127.0.0.1:{port}/0"}
        with app_server(server_env) as base:
            assert {k: a.status for k, a in _requests(base, seed).items()} == {"api": 200, "page": 200}
            stop_redis(port)
            down = [_requests(base, seed) for _ in range(3)]
            login = fetch(f"{base}/accounts/login/")
            # An import commits, and its snapshot refresh (queued after commit) cannot reach the queue.
            body = json.dumps(
                {
                    "rows": [
                        {"partner": f"P-{i}", "metric": "metric_0", "month": "2025-12-01", "value": "77"}
                        for i in range(3)
                    ],
                    "commit": True,
                }
            )
            started = time.monotonic()
            imported = fetch_json(
                f"{base}/api/v1/t/outage/imports/observations/", body, {"Authorization": f"Token {seed['token']}"}
            )
            elapsed = time.monotonic() - started
            start_redis(port)
            back = _requests(base, seed)
    statuses = [a.status for r in down for a in r.values()] + [login.status]
    record_property("faults", f"redis down: {len(statuses)} requests, {sum(s >= 500 for s in statuses)} failed")
    assert set(statuses) == {200}
    assert imported.status == 200, imported.body
    assert elapsed < 30
    refreshed = run_script(
        env,
        "from partnerhub.core.models import Tenant\nfrom partnerhub.core.tenancy.context import tenant_context\n"
        "from scorecards.models import ScorecardSnapshot\n"
        f"t = Tenant.objects.get(pk={seed['tenant']})\n"
        "with tenant_context(t):\n    print(ScorecardSnapshot.objects.filter(period_start='2025-12-01').count())",
    )
    assert int(refreshed.strip().splitlines()[-1]) > 0  # the refresh ran in-process: nothing waits in a dead queue
    assert {k: a.status for k, a in back.items()} == {"api": 200, "page": 200}


def fetch_json(url: str, body: str, headers: dict[str, str]):
    import urllib.request

    from tests.faults.services import Answer

    request = urllib.request.Request(  # noqa: S310 - loopback only
        url, data=body.encode(), headers={**headers, "Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return Answer(response.status, response.read().decode(), dict(response.headers))
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, exc.read().decode(errors="replace"), dict(exc.headers))
