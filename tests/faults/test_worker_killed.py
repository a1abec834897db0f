"""A Celery worker killed (SIGKILL) in the middle of a snapshot refresh and of a large import commit (issue 18).

The task is late-acknowledged, so it stays unacknowledged in Redis when its worker dies; a new worker (here with a
visibility timeout of 2 s, in production an hour, above the longest task) is handed it again and runs it to the end,
once. Meanwhile nothing partial is visible: both commit in one transaction. After recovery the stored result is
compared row by row with an uninterrupted run: 0 differences.
"""

from __future__ import annotations

import os
import signal
import time
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from partnerhub.celery import app
from partnerhub.core.models import Role
from partnerhub.core.tenancy.context import tenant_context
from scorecards.models import Deal, ImportBatch, Observation, ScorecardSnapshot
from scorecards.services.snapshots import snapshot_refresh
from scorecards.tasks.snapshots import snapshot_refresh_task
from tests.factories import PartnerFactory, member
from tests.scorecards.factories import MetricFactory, simple_scorecard
from tests.tenant_urls import tenant_url
from tests.worker import running_worker

pytestmark = [pytest.mark.worker, pytest.mark.faults, pytest.mark.xdist_group("faults")]
REDELIVERY = {"CELERY_VISIBILITY_TIMEOUT": "2", "CELERY_UNACKED_RESTORE_THROTTLE": "1"}


def _worker_in_the_middle(timeout: float = 60) -> None:
    """Wait until another backend holds an advisory lock: a task is inside its transaction."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("the task never took its lock")


def _kill(proc) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


def _snapshot_rows(tenant) -> list[tuple]:
    with tenant_context(tenant), connection.cursor() as cursor:
        cursor.execute(
            "SELECT partner_id, period, period_start, template_version_id, score, rag, percentile, trend,"
            " change_previous, change_baseline, months_covered, items::text FROM scorecards_scorecardsnapshot"
            " WHERE tenant_id = %s ORDER BY 1, 2, 3",
            [tenant.pk],
        )
        return cursor.fetchall()


def _program(tenant, partners=600, metrics=4, months=12):
    chosen = [MetricFactory(tenant=tenant, key=f"metric_{i}") for i in range(metrics)]
    simple_scorecard(tenant, chosen)
    people = PartnerFactory.create_batch(partners, tenant=tenant)
    with tenant_context(tenant):
        Observation.objects.bulk_create(
            Observation(
                tenant=tenant,
                partner=partner,
                metric=metric,
                month=date(2025, 1 + m, 1),
                value=Decimal(50 + (i * 7 + m * 3 + j) % 90),
            )
            for i, partner in enumerate(people)
            for j, metric in enumerate(chosen)
            for m in range(months)
        )


def test_a_refresh_whose_worker_is_killed_is_redelivered_and_equals_an_uninterrupted_run(
    tenant, transactional_db, record_property
):
    _program(tenant, partners=400)
    with running_worker() as doomed:
        pending = snapshot_refresh_task.delay(tenant_id=tenant.pk)
        _worker_in_the_middle()
        time.sleep(0.3)
        _kill(doomed)
    assert _snapshot_rows(tenant) == []  # nothing of the killed run is visible
    with running_worker(env=REDELIVERY, purge=False):
        result = pending.get(timeout=120)
    recovered = _snapshot_rows(tenant)
    assert result["written"] == len(recovered) > 0  # the redelivered run wrote everything, once
    with tenant_context(tenant):
        ScorecardSnapshot.objects.all().delete()
    snapshot_refresh(tenant=tenant)  # the same refresh, uninterrupted
    uninterrupted = _snapshot_rows(tenant)
    differences = len(set(recovered) ^ set(uninterrupted))
    record_property(
        "faults", f"refresh: 1 worker killed, 1 task redelivered, {len(recovered)} rows, {differences} diff"
    )
    assert differences == 0
    assert len(recovered) == len(uninterrupted)


def test_an_import_whose_worker_is_killed_mid_commit_is_redelivered_and_never_partly_visible(
    tenant, client, settings, transactional_db, record_property
):
    settings.IMPORT_SYNC_MAX_ROWS = 100
    PartnerFactory(tenant=tenant, name="Acme Digital")
    manager = member(tenant, Role.MANAGER)
    n = 30_000
    lines = [(f"OPP-{i}", 100 + i, date(2026, 1, 1 + i % 28)) for i in range(n)]
    body = "".join(f"{ext},Acme Digital,{amount},{day.isoformat()}\n" for ext, amount, day in lines)
    file = SimpleUploadedFile("big.csv", ("Opportunity ID,Partner,Amount,Created Date\n" + body).encode())
    client.force_login(manager.user)
    client.post(tenant_url("import_upload", tenant), {"kind": "deals", "source": "crm", "file": file})
    with tenant_context(tenant):
        batch = ImportBatch.objects.order_by("-id").first()
    app.control.purge()
    with running_worker() as doomed:
        client.post(tenant_url("import_commit", tenant, batch_id=batch.pk))
        _worker_in_the_middle()
        time.sleep(0.3)
        _kill(doomed)
    seen = set()
    with tenant_context(tenant):
        for _ in range(20):  # while no worker runs, the import is all or nothing: nothing
            seen.add(Deal.objects.count())
            time.sleep(0.05)
        assert ImportBatch.objects.get(pk=batch.pk).status != ImportBatch.Status.COMMITTED
    assert seen == {0}
    with running_worker(env=REDELIVERY, purge=False):
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with tenant_context(tenant):
                count = Deal.objects.count()
                status = ImportBatch.objects.get(pk=batch.pk).status
            seen.add(count)
            if status == ImportBatch.Status.COMMITTED:
                break
            time.sleep(0.1)
    with tenant_context(tenant):
        batch = ImportBatch.objects.get(pk=batch.pk)
        stored = set(Deal.objects.values_list("external_id", "amount", "created_on"))
    expected = {(ext, Decimal(amount), day) for ext, amount, day in lines}
    differences = len(stored ^ expected)
    record_property("faults", f"import: 1 worker killed, 1 task redelivered, {len(stored)} rows, {differences} diff")
    assert batch.status == ImportBatch.Status.COMMITTED
    assert batch.counts["new"] == n  # committed once: a second run would have found them unchanged
    assert seen <= {0, n}  # never a partial import
    assert differences == 0
