"""The accuracy math on the worked example of docs/reviews-portal.md, computed by hand, and its zero cases."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from partnerhub.core.domain.periods import next_quarter_start, quarter_end, quarter_label, quarter_months, quarter_start
from reviews.domain.forecast_accuracy import (
    LineOutcome,
    accuracy_percent,
    brier,
    calibration_words,
    direction_words,
    forecast_amount,
    score,
    scoring_day,
    wape,
)

D = Decimal
# The worked example: Acme (100,000 at 80 %, won), Globex (50,000 at 50 %, lost), Initech (20,000 at 25 %, no CRM
# id, not won); the partner also won a 30,000 deal it had not forecast.
EXAMPLE = [
    LineOutcome(D("100000"), 80, won=True),
    LineOutcome(D("50000"), 50, won=False),
    LineOutcome(D("20000"), 25, won=False),
]
WON_IN_QUARTER = D("130000")  # 100,000 (Acme) + 30,000 (not forecast)


def test_the_worked_example_scores_as_computed_by_hand():
    result = score(EXAMPLE, WON_IN_QUARTER)

    # F = 100,000 x 0.8 + 50,000 x 0.5 + 20,000 x 0.25 = 80,000 + 25,000 + 5,000
    assert result.forecast_amount == D("110000.00")
    assert result.actual_amount == D("130000.00")
    # 100 x (1 - |110,000 - 130,000| / 130,000) = 100 x (1 - 0.153846...) = 84.615...
    assert result.accuracy == D("84.62")
    # (|80,000 - 100,000| + |25,000 - 0| + |5,000 - 0|) / 100,000 = 50,000 / 100,000
    assert result.wape == D("0.5000")
    # ((0.8 - 1)^2 + (0.5 - 0)^2 + (0.25 - 0)^2) / 3 = (0.04 + 0.25 + 0.0625) / 3 = 0.1175
    assert result.brier == D("0.1175")


def test_over_forecasting_by_a_factor_costs_as_much_as_under_forecasting_by_it():
    assert accuracy_percent(D(200), D(100)) == accuracy_percent(D(100), D(200)) == D(50)


@pytest.mark.parametrize(
    ("forecast", "actual", "expected"),
    [
        (D(0), D(0), D(100)),  # forecast nothing, won nothing: exactly right
        (D(0), D(5000), D(0)),  # won business nobody forecast
        (D(5000), D(0), D(0)),  # forecast business, won none
        (D(100), D(100), D(100)),
    ],
)
def test_accuracy_zero_cases(forecast, actual, expected):
    assert accuracy_percent(forecast, actual) == expected


def test_accuracy_refuses_negative_amounts():
    with pytest.raises(ValueError, match="negative"):
        accuracy_percent(D(-1), D(10))


def test_wape_when_no_forecast_line_was_won_is_one_if_anything_was_forecast():
    lines = [LineOutcome(D(1000), 60, won=False), LineOutcome(D(500), 10, won=False)]

    assert wape(lines) == D(1)


def test_wape_when_no_line_was_won_and_nothing_was_weighted_is_zero():
    lines = [LineOutcome(D(1000), 0, won=False), LineOutcome(D(0), 90, won=False)]

    assert wape(lines) == D(0)


def test_without_lines_wape_and_brier_are_undefined():
    result = score([], D(2500))

    assert (result.wape, result.brier, result.forecast_amount, result.accuracy) == (None, None, D("0.00"), D("0.00"))


def test_a_certain_and_right_forecast_is_perfect():
    lines = [LineOutcome(D(1000), 100, won=True), LineOutcome(D(500), 0, won=False)]

    result = score(lines, D(1000))

    assert (result.accuracy, result.wape, result.brier) == (D("100.00"), D("0.0000"), D("0.0000"))


def test_a_huge_wape_is_capped_at_what_the_column_holds():
    lines = [LineOutcome(D("0.01"), 100, won=True), LineOutcome(D("999999999999"), 100, won=False)]

    assert score(lines, D("0.01")).wape == D("99999.9999")


def test_forecast_amount_weights_each_line_by_its_probability():
    assert forecast_amount(EXAMPLE) == D("110000")


def test_brier_of_saying_fifty_percent_for_everything_is_a_quarter():
    assert brier([LineOutcome(D(1), 50, won=True), LineOutcome(D(1), 50, won=False)]) == D("0.25")


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (D("0.05"), "well calibrated"),
        (D("0.1175"), "roughly calibrated"),
        (D("0.4"), "no better than"),
        (None, "No lines"),
    ],
)
def test_calibration_in_plain_words(value, words):
    assert words in calibration_words(value)


def test_direction_in_plain_words():
    assert direction_words(D(110000), D(130000)) == "You under-forecast by 15% of what closed."
    assert direction_words(D(150), D(100)) == "You over-forecast by 50% of what closed."
    assert "matched" in direction_words(D(1), D(1))


@pytest.mark.parametrize(
    ("day", "start", "end", "label"),
    [
        (date(2026, 11, 23), date(2026, 10, 1), date(2026, 12, 31), "Q4 2026"),
        (date(2026, 1, 1), date(2026, 1, 1), date(2026, 3, 31), "Q1 2026"),
        (date(2026, 6, 30), date(2026, 4, 1), date(2026, 6, 30), "Q2 2026"),
    ],
)
def test_quarters(day, start, end, label):
    assert (quarter_start(day), quarter_end(day), quarter_label(day)) == (start, end, label)


def test_the_quarter_after_q4_is_next_years_q1_and_scoring_waits_a_week_after_it():
    assert next_quarter_start(date(2026, 10, 1)) == date(2027, 1, 1)
    assert scoring_day(date(2026, 10, 1)) == date(2027, 1, 8)
    assert quarter_months(date(2026, 10, 1)) == [date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)]
