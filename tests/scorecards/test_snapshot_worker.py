"""Two refreshes of one tenant started at once on a real worker with two slots: the advisory lock serialises them."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest

from partnerhub.core.tenancy.context import tenant_context
from scorecards.models import Observation
from scorecards.tasks.snapshots import snapshot_refresh_task
from tests.factories import PartnerFactory
from tests.scorecards.factories import MetricFactory, simple_scorecard
from tests.worker import running_worker

pytestmark = [pytest.mark.worker, pytest.mark.xdist_group("worker")]


@pytest.fixture
def two_slot_worker(transactional_db: None) -> Iterator[subprocess.Popen[bytes]]:
    """A real worker with a pool of two threads, so two tasks run at once."""
    with running_worker(pool="threads", concurrency=2) as proc:
        yield proc


def _program(tenant, partners=400, metrics=4, months=12):
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


def test_two_refreshes_of_one_tenant_started_at_once_run_one_after_the_other(tenant, two_slot_worker):
    _program(tenant)

    pending = [snapshot_refresh_task.delay(tenant_id=tenant.pk) for _ in range(2)]
    first, second = sorted((p.get(timeout=120) for p in pending), key=lambda r: r["started_at"])

    # Both were running at once: each had asked for the tenant's lock before the other finished.
    assert second["requested_at"] < first["finished_at"]
    assert first["requested_at"] < second["finished_at"]
    # Yet they held it one after the other, the second waiting for the first to commit.
    assert first["finished_at"] <= second["started_at"]
    assert second["started_at"] - second["requested_at"] > 0
    # So the second found the first's work done, and wrote nothing.
    assert (first["written"], second["changed"]) == (400 * 16, 0)
