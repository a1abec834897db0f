"""On a real worker: a snapshot refresh is followed by the dashboard precompute, so the dashboard shows the new
snapshots without anyone asking."""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Avg

from partnerhub.core.tenancy.context import tenant_context
from partnerhub.executive.models import DashboardComputation
from partnerhub.executive.selectors.cube import dashboard_computation, slice_series
from scorecards.models import Observation, ScorecardSnapshot
from scorecards.tasks.snapshots import snapshot_refresh_task
from tests.factories import PartnerFactory
from tests.scorecards.factories import MetricFactory, simple_scorecard

pytestmark = [pytest.mark.worker, pytest.mark.xdist_group("worker")]


def _observe(tenant, partners, metric, months, base):
    with tenant_context(tenant):
        Observation.objects.bulk_create(
            Observation(tenant=tenant, partner=p, metric=metric, month=month, value=Decimal(base + 5 * i + m))
            for i, p in enumerate(partners)
            for m, month in enumerate(months)
        )


def _wait_for_computation(tenant, after=None, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with tenant_context(tenant):
            computation = dashboard_computation(tenant=tenant)
        if computation is not None and (after is None or computation.computed_at > after):
            return computation
        time.sleep(0.2)
    raise AssertionError("no dashboard precompute followed the refresh")


def _program_mean(tenant, computation, month):
    with tenant_context(tenant):
        series = slice_series(tenant=tenant, computation=computation, filters={})
        stored = ScorecardSnapshot.objects.filter(period="month", period_start=month).aggregate(m=Avg("score"))["m"]
    key = ("month", month)
    return series.value(key, "score_sum") / series.value(key, "scored"), float(stored), series.value(key, "partners")


def test_each_snapshot_refresh_is_followed_by_a_precompute_that_shows_the_new_snapshots(tenant, celery_worker_process):
    metric = MetricFactory(tenant=tenant, key="revenue")
    simple_scorecard(tenant, [metric])
    partners = PartnerFactory.create_batch(4, tenant=tenant)
    _observe(tenant, partners, metric, [date(2025, m, 1) for m in (1, 2, 3)], base=60)

    snapshot_refresh_task.delay(tenant_id=tenant.pk).get(timeout=60)
    first = _wait_for_computation(tenant)

    assert first.trigger == DashboardComputation.Trigger.REFRESH
    assert first.latest_month == date(2025, 3, 1)
    cube_mean, stored_mean, count = _program_mean(tenant, first, date(2025, 3, 1))
    assert count == 4
    assert cube_mean == pytest.approx(stored_mean)

    # New data for a new month, and the old months' values doubled: the next refresh's snapshots change.
    with tenant_context(tenant):
        for o in Observation.objects.all():
            o.value = o.value * 2
            o.save(update_fields=["value"])
    _observe(tenant, partners, metric, [date(2025, 4, 1)], base=10)
    snapshot_refresh_task.delay(tenant_id=tenant.pk).get(timeout=60)
    second = _wait_for_computation(tenant, after=first.computed_at)

    assert second.latest_month == date(2025, 4, 1)
    for month in (date(2025, 3, 1), date(2025, 4, 1)):
        cube_mean, stored_mean, count = _program_mean(tenant, second, month)
        assert (count, cube_mean) == (4, pytest.approx(stored_mean))
