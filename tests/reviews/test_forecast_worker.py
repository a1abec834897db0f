"""Forecast scoring on a real Celery worker: the per-tenant task, the nightly fan-out, and the snapshot refresh it
sets off (the accuracy reaches the partner's scorecard without anyone running anything else)."""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal

import pytest

from partnerhub.core.tenancy.context import tenant_context
from reviews.models import Forecast, Review
from reviews.tasks.forecasts import forecasts_score_due_task, forecasts_score_nightly_task
from scorecards.models import Deal, Observation, ScorecardSnapshot
from tests.factories import TenantFactory
from tests.reviews.portal_world import deal, forecast_with_lines, portal, qbr
from tests.scorecards.factories import MetricFactory, simple_scorecard

pytestmark = [pytest.mark.worker, pytest.mark.xdist_group("worker")]

Q3 = date(2026, 7, 1)


def _program(tenant):
    """The worked example of docs/reviews-portal.md (accuracy 84.62) and a scorecard that weighs the metric."""
    world = portal(tenant)
    metric = MetricFactory(tenant=tenant, key="forecast_accuracy", name="Forecast accuracy", unit="percent")
    simple_scorecard(tenant, [metric], target=100)
    deal(tenant, world.partner, "OPP-ACME", "100000", status=Deal.Status.WON, close=date(2026, 8, 20))
    deal(tenant, world.partner, "OPP-GLOBEX", "50000", status=Deal.Status.LOST, close=date(2026, 9, 1))
    deal(tenant, world.partner, "OPP-EXTRA", "30000", status=Deal.Status.WON, close=date(2026, 9, 15))
    review = qbr(tenant, world.partner, state=Review.State.SIGNED_OFF, period_start=Q3)
    forecast_with_lines(
        review,
        [
            {"deal_ref": "OPP-ACME", "amount": 100000, "probability": 80},
            {"deal_ref": "OPP-GLOBEX", "amount": 50000, "probability": 50},
            {"amount": 20000, "probability": 25},
        ],
        quarter=Q3,
    )
    return world


def _wait_for(check, timeout=90.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError("timed out waiting for the worker")


def _quarter_snapshot(tenant, partner):
    with tenant_context(tenant):
        return (
            ScorecardSnapshot.objects.filter(partner=partner, period="quarter", period_start=Q3)
            .values_list("score", flat=True)
            .first()
        )


def test_the_scoring_task_scores_once_and_the_snapshot_refresh_picks_the_accuracy_up(tenant, celery_worker_process):
    world = _program(tenant)

    first = forecasts_score_due_task.delay(tenant_id=tenant.pk).get(timeout=60)
    second = forecasts_score_due_task.delay(tenant_id=tenant.pk).get(timeout=60)

    assert (first["scored"], first["observations_written"], first["partner_ids"]) == (1, 3, [world.partner.pk])
    assert second == {"scored": 0, "observations_written": 0, "partner_ids": []}
    with tenant_context(tenant):
        assert Forecast.objects.get().accuracy == Decimal("84.62")
        assert Observation.objects.filter(metric__key="forecast_accuracy").count() == 3
    # partner_data_changed queued the data-quality run and the refresh after the task's commit, on the worker.
    score = _wait_for(lambda: _quarter_snapshot(tenant, world.partner))
    assert score == Decimal("84.6200")


def test_the_nightly_fan_out_scores_every_tenant_and_nothing_crosses_over(tenant, celery_worker_process):
    world = _program(tenant)
    other = TenantFactory(name="Other Program", slug="other")
    other_world = _program(other)

    queued = forecasts_score_nightly_task.delay().get(timeout=60)

    assert queued == 2

    def scored(t):
        with tenant_context(t):
            return list(Forecast.objects.filter(scored_at__isnull=False).values_list("partner_id", flat=True))

    assert _wait_for(lambda: scored(tenant)) == [world.partner.pk]
    assert _wait_for(lambda: scored(other)) == [other_world.partner.pk]
    _wait_for(lambda: _quarter_snapshot(tenant, world.partner))
    _wait_for(lambda: _quarter_snapshot(other, other_world.partner))
