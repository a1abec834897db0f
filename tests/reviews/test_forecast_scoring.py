from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from partnerhub.core.signals import partner_data_changed
from partnerhub.core.tenancy.context import tenant_context
from reviews.models import Forecast, ForecastLine, Review
from reviews.selectors.forecasts import forecast_accuracy_for_review
from reviews.services.forecasts import OBSERVATION_SOURCE, forecasts_score, forecasts_score_due
from scorecards.models import Deal, MetricDefinition, Observation
from tests.reviews.portal_world import deal, forecast_with_lines, portal, qbr
from tests.scorecards.factories import MetricFactory
from tests.tenant_urls import tenant_url

pytestmark = pytest.mark.django_db

Q3 = date(2026, 7, 1)
DUE = date(2026, 10, 8)  # the quarter's last day + the 7 grace days
WON, LOST = Deal.Status.WON, Deal.Status.LOST


@pytest.fixture
def world(tenant):
    return portal(tenant)


@pytest.fixture
def metric(tenant):
    return MetricFactory(tenant=tenant, key="forecast_accuracy", name="Forecast accuracy", unit="percent")


@pytest.fixture
def sent():
    received: list[dict] = []

    def receiver(sender, tenant, partner_ids, **kwargs):
        received.append({"sender": sender, "tenant": tenant.pk, "partner_ids": partner_ids})

    partner_data_changed.connect(receiver, dispatch_uid="test-forecast-scoring")
    yield received
    partner_data_changed.disconnect(dispatch_uid="test-forecast-scoring")


def worked_example(world):
    """docs/reviews-portal.md's worked example, in Q3 2026, with deals that must not count around it."""
    partner = world.partner
    deal(world.tenant, partner, "OPP-ACME", "100000", status=WON, close=date(2026, 8, 20))
    deal(world.tenant, partner, "OPP-GLOBEX", "50000", status=LOST, close=date(2026, 9, 1))
    deal(world.tenant, partner, "OPP-EXTRA", "30000", status=WON, close=date(2026, 9, 15))  # won, not forecast
    deal(world.tenant, partner, "OPP-EARLY", "7000", status=WON, close=date(2026, 6, 30))  # before the quarter
    deal(world.tenant, partner, "OPP-AFTER", "9000", status=WON, close=date(2026, 10, 1))  # after the quarter
    deal(world.tenant, world.sibling, "OPP-SIB", "5000", status=WON, close=date(2026, 8, 1))  # another partner's
    review = qbr(world.tenant, partner, state=Review.State.SIGNED_OFF, period_start=Q3)
    forecast = forecast_with_lines(
        review,
        [
            {"opportunity": "Acme renewal", "deal_ref": "OPP-ACME", "amount": 100000, "probability": 80},
            {"opportunity": "Globex expansion", "deal_ref": "OPP-GLOBEX", "amount": 50000, "probability": 50},
            {"opportunity": "Initech pilot", "amount": 20000, "probability": 25},
            # Expected after the quarter: pipeline, not part of this quarter's forecast.
            {"opportunity": "Next year", "amount": 999999, "probability": 90, "expected_close": date(2026, 10, 20)},
        ],
        quarter=Q3,
    )
    return review, forecast


def _score_due(world, today=DUE):
    with tenant_context(world.tenant):
        return forecasts_score_due(tenant=world.tenant, today=today)


def _observations(world):
    with tenant_context(world.tenant):
        return list(
            Observation.objects.filter(metric__key="forecast_accuracy")
            .order_by("partner_id", "month")
            .values_list("partner_id", "month", "value", "source", "updated_at")
        )


def test_the_worked_example_is_scored_and_stored_on_the_forecast(world, metric):
    _review, forecast = worked_example(world)

    run = _score_due(world)

    with tenant_context(world.tenant):
        forecast.refresh_from_db()
    assert run.scored == 1
    assert (forecast.forecast_amount, forecast.actual_amount) == (Decimal("110000.00"), Decimal("130000.00"))
    assert (forecast.accuracy, forecast.wape, forecast.brier) == (Decimal("84.62"), Decimal("0.5"), Decimal("0.1175"))
    assert forecast.scored_at is not None


def test_scoring_writes_the_quarters_forecast_accuracy_observations_and_tells_the_snapshot_refresh(world, metric, sent):
    worked_example(world)

    run = _score_due(world)

    rows = _observations(world)
    assert [(p, m, v, s) for p, m, v, s, _ in rows] == [
        (world.partner.pk, date(2026, month, 1), Decimal("84.6200"), OBSERVATION_SOURCE) for month in (7, 8, 9)
    ]
    assert run.observations_written == 3
    assert sent == [{"sender": Forecast, "tenant": world.tenant.pk, "partner_ids": [world.partner.pk]}]


def test_scoring_again_changes_nothing(world, metric, sent):
    _review, forecast = worked_example(world)
    _score_due(world)
    before = _observations(world)
    sent.clear()

    again = _score_due(world)
    with tenant_context(world.tenant):
        forced = forecasts_score(tenant=world.tenant, forecasts=[Forecast.objects.get(pk=forecast.pk)])

    assert again.as_dict() == {"scored": 0, "observations_written": 0, "partner_ids": []}
    assert (forced.scored, forced.observations_written) == (1, 0)
    assert _observations(world) == before
    assert sent == []


def test_an_existing_observation_of_the_month_is_updated_not_duplicated(world, metric):
    worked_example(world)
    with tenant_context(world.tenant):
        Observation.objects.create(
            tenant=world.tenant, partner=world.partner, metric=metric, month=date(2026, 8, 1), value=55, source="upload"
        )

    _score_due(world)

    assert [(r[1], r[2], r[3]) for r in _observations(world)] == [
        (date(2026, month, 1), Decimal("84.6200"), OBSERVATION_SOURCE) for month in (7, 8, 9)
    ]


def test_a_quarter_is_not_scored_before_its_grace_days_have_passed(world, metric):
    worked_example(world)

    run = _score_due(world, today=date(2026, 10, 7))

    assert run.scored == 0
    assert _observations(world) == []


def test_a_deal_imported_after_the_forecast_is_matched_when_it_is_scored(world, metric):
    review = qbr(world.tenant, world.partner, state=Review.State.SIGNED_OFF, period_start=Q3)
    forecast_with_lines(review, [{"deal_ref": "LATE-IMPORT", "amount": 1000, "probability": 100}], quarter=Q3)
    late = deal(world.tenant, world.partner, "LATE-IMPORT", "1000", status=WON, close=date(2026, 9, 30))

    _score_due(world)

    with tenant_context(world.tenant):
        scored_line = ForecastLine.objects.get()
        forecast = Forecast.objects.get()
    assert scored_line.deal_id == late.pk
    assert (forecast.accuracy, forecast.wape, forecast.brier) == (Decimal("100.00"), Decimal("0"), Decimal("0"))


def test_nothing_forecast_and_nothing_won_is_a_perfect_score(world, metric):
    review = qbr(world.tenant, world.partner, state=Review.State.SIGNED_OFF, period_start=Q3)
    forecast_with_lines(review, [{"amount": 5000, "probability": 0}], quarter=Q3)

    _score_due(world)

    with tenant_context(world.tenant):
        forecast = Forecast.objects.get()
    assert (forecast.accuracy, forecast.wape, forecast.brier, forecast.actual_amount) == (
        Decimal("100.00"),
        Decimal("0"),
        Decimal("0"),
        Decimal("0"),
    )


def test_without_the_metric_in_the_glossary_the_forecast_is_still_scored(world):
    worked_example(world)
    with tenant_context(world.tenant):
        MetricDefinition.objects.filter(key="forecast_accuracy").delete()

    run = _score_due(world)

    assert (run.scored, run.observations_written) == (1, 0)


def test_two_forecasts_of_one_partner_for_one_quarter_write_their_mean(world, metric):
    for accuracy_probability in (100, 0):
        review = qbr(world.tenant, world.partner, state=Review.State.SIGNED_OFF, period_start=Q3)
        forecast_with_lines(review, [{"amount": 1000, "probability": accuracy_probability}], quarter=Q3)
    deal(world.tenant, world.partner, "W", "1000", status=WON, close=date(2026, 8, 1))

    _score_due(world)

    assert {r[2] for r in _observations(world)} == {Decimal("50.0000")}  # (100 + 0) / 2


# --- shown to both sides ---


def test_the_selector_gives_the_internal_review_page_the_accuracy_with_its_lines(world, metric):
    review, _ = worked_example(world)
    _score_due(world)

    with tenant_context(world.tenant):
        accuracy = forecast_accuracy_for_review(tenant=world.tenant, review=review)

    assert accuracy is not None
    assert accuracy.is_scored
    assert accuracy.quarter_label == "Q3 2026"
    assert [(s.line.opportunity, s.in_quarter, s.won) for s in accuracy.lines] == [
        ("Acme renewal", True, True),
        ("Globex expansion", True, False),
        ("Initech pilot", True, False),
        ("Next year", False, False),
    ]
    assert accuracy.rag == "green"
    assert "under-forecast by 15%" in accuracy.direction_words


def test_the_selector_answers_none_without_a_forecast(world):
    review = qbr(world.tenant, world.partner)

    with tenant_context(world.tenant):
        assert forecast_accuracy_for_review(tenant=world.tenant, review=review) is None


def test_the_partner_sees_their_accuracy_in_plain_words(world, metric, client_for):
    review, _ = worked_example(world)
    _score_due(world)

    body = (
        client_for(world.partner_user)
        .get(tenant_url("portal_review_detail", world.tenant, review_id=review.pk))
        .content.decode()
    )

    assert "85%" in body
    assert "You under-forecast by 15% of what closed." in body
    assert "roughly calibrated" in body
    assert "110,000" in body
    assert "130,000" in body
    assert f"/glossary/{metric.pk}/" in body
