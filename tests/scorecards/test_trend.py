# Trend verdicts: SCORING.md's rates over generated series (against the naive 5-point rule), then the sentences,
# the edge cases, and the vectorised form against row-by-row calls. Pure numpy: no database.
from __future__ import annotations

import re
import time
from dataclasses import dataclass
from functools import cache

import numpy as np
import pytest

from scorecards.domain.trend import TrendVerdict, trend_verdict, trend_verdicts

SERIES = 2_000  # per scenario
MONTHS = 12
SEED = 20_251_105
SCENARIOS = ("flat", "outlier", "drift", "step")
DIRECTION = {"improving": 1, "declining": -1, "stable": 0, "not_enough": 0}


@dataclass(frozen=True)
class Partners:
    noise: float  # the noise standard deviation, points
    levels: tuple[float, float]  # each partner's level is drawn uniformly from this range


# A quiet-ish partner (the naive rule's 5 points is 1.7 sigma: the fair middle ground) and a volatile one.
STEADY = Partners(noise=3.0, levels=(60.0, 75.0))
VOLATILE = Partners(noise=8.0, levels=(40.0, 60.0))  # lower levels so that drifts and outliers stay inside 0-100


def generate(partners: Partners, scenario: str, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    sigma = partners.noise
    months = np.arange(MONTHS)
    level = rng.uniform(*partners.levels, size=(SERIES, 1))
    scores = level + rng.normal(0.0, sigma, size=(SERIES, MONTHS))
    sign = rng.choice([-1.0, 1.0], size=SERIES)
    outlier_month = rng.integers(0, MONTHS, size=SERIES)
    change = {
        "flat": np.zeros((SERIES, MONTHS)),
        # one month 4.5 sigma off, at a random month, either way
        "outlier": (months == outlier_month[:, None]) * sign[:, None] * 4.5 * sigma,
        # 3 sigma in total from the first month to the twelfth
        "drift": sign[:, None] * 3.0 * sigma * months / (MONTHS - 1),
        # 2.5 sigma for the last 4 months
        "step": (months >= MONTHS - 4) * sign[:, None] * 2.5 * sigma,
    }[scenario]
    # scores are stored rounded to 4 decimals (SCORING.md) and live in 0-100
    return np.round(np.clip(scores + change, 0.0, 100.0), 4), sign


def engine_directions(scores: np.ndarray) -> np.ndarray:
    return np.array([DIRECTION[v.verdict] for v in trend_verdicts(scores, period="month")])


def naive_directions(scores: np.ndarray) -> np.ndarray:
    change = scores[:, -1] - scores[:, -2]
    return np.where(change > 5.0, 1, np.where(change < -5.0, -1, 0))


@cache
def rates(partners: Partners, rule: str) -> dict[str, float]:
    # The engine and the naive rule judge the very same series. Flat scenarios: share called "stable";
    # drift and step: share called a change in the right direction.
    directions = {"engine": engine_directions, "naive": naive_directions}[rule]
    rng = np.random.default_rng(SEED)
    measured = {}
    for scenario in SCENARIOS:
        scores, sign = generate(partners, scenario, rng)
        expected = np.zeros(SERIES) if scenario in ("flat", "outlier") else sign
        measured[scenario] = float(np.mean(directions(scores) == expected))
    measured["stable when flat"] = (measured["flat"] + measured["outlier"]) / 2
    measured["detected"] = (measured["drift"] + measured["step"]) / 2
    return measured


def noise_shown(verdict: TrendVerdict) -> float:
    found = re.search(r"±(\d+\.\d)", verdict.explanation)
    assert found is not None, verdict.explanation
    return float(found.group(1))


@pytest.mark.parametrize("partners", [STEADY, VOLATILE], ids=["sigma 3", "sigma 8"])
def test_flat_series_with_or_without_one_outlier_month_read_stable_at_least_90_percent_of_the_time(partners):
    assert rates(partners, "engine")["stable when flat"] >= 0.90


@pytest.mark.parametrize("partners", [STEADY, VOLATILE], ids=["sigma 3", "sigma 8"])
def test_a_drift_of_3_sigma_or_a_step_of_2_5_sigma_is_detected_in_the_right_direction_at_least_80_percent(partners):
    assert rates(partners, "engine")["detected"] >= 0.80


@pytest.mark.parametrize("partners", [STEADY, VOLATILE], ids=["sigma 3", "sigma 8"])
def test_the_verdict_beats_the_naive_5_point_rule_on_false_alarms_and_on_detections(partners):
    engine, naive = rates(partners, "engine"), rates(partners, "naive")
    assert engine["stable when flat"] > naive["stable when flat"]
    assert engine["detected"] > naive["detected"]


def test_one_outlier_month_raises_the_noise_estimate_by_less_than_15_percent():
    rng = np.random.default_rng(SEED)
    clean = 70.0 + rng.normal(0.0, 3.0, size=(SERIES, MONTHS))
    spiked = clean.copy()
    spiked[np.arange(SERIES), rng.integers(0, MONTHS, size=SERIES)] += rng.choice([-13.5, 13.5], size=SERIES)
    clean_noise = np.median([noise_shown(v) for v in trend_verdicts(clean)])
    spiked_noise = np.median([noise_shown(v) for v in trend_verdicts(spiked)])
    assert spiked_noise / clean_noise < 1.15


# The same wiggle around 70 at two noise levels, then 6 points lower for the last 4 months.
WIGGLE = np.random.default_rng(7).normal(0.0, 1.0, size=MONTHS)
DROP = np.where(np.arange(MONTHS) >= MONTHS - 4, -6.0, 0.0)


def test_a_volatile_partner_needs_a_larger_move_to_be_called_a_change():
    quiet = trend_verdict((70.0 + 1.5 * WIGGLE + DROP).tolist())
    volatile = trend_verdict((70.0 + 8.0 * WIGGLE + DROP).tolist())
    assert (quiet.verdict, volatile.verdict) == ("declining", "stable")
    assert noise_shown(volatile) > 4 * noise_shown(quiet)


def test_a_steady_decline_is_explained_with_the_move_the_bar_and_the_usual_movement():
    # a perfect line: the noise is the 1-point floor, and the bar is t(10 df, 3 %) x 1 x 11 / sqrt(143) = 2.3
    result = trend_verdict([80.0 - month for month in range(12)])
    assert result == TrendVerdict(
        "declining",
        "Down 11.0 points over 12 months, more than the 2.3 that this partner's usual month-to-month movement "
        "of ±1.0 can explain.",
    )


def test_a_recent_shift_is_explained_with_the_two_averages():
    # 61 on average for 8 months, then 68: within-group noise sqrt(12 / 10) = 1.1, bar 2.527 x 1.1 x sqrt(3/8) = 1.7
    result = trend_verdict([60.0, 62.0] * 4 + [67.0, 69.0] * 2)
    assert result == TrendVerdict(
        "improving",
        "Up 7.0 points (the last 4 months average 68.0, against 61.0 before), more than the 1.7 that this partner's "
        "usual month-to-month movement of ±1.1 can explain.",
    )


def test_a_flat_partner_is_stable_and_the_sentence_says_how_far_the_move_is_from_the_bar():
    result = trend_verdict([70.0, 72.0, 69.0, 71.0, 70.0, 68.0, 71.0, 70.0, 72.0, 69.0, 70.0, 71.0])
    assert result.verdict == "stable"
    assert result.explanation.startswith("No clear change: ")
    assert "less than the " in result.explanation


def test_a_partner_with_the_same_score_every_month_is_stable_at_the_noise_floor():
    assert trend_verdict([85.0] * 12) == TrendVerdict(
        "stable",
        "No clear change: 0.0 points over 12 months, less than the 2.3 that this partner's usual month-to-month "
        "movement of ±1.0 can explain.",
    )


def test_one_month_far_out_of_line_is_set_aside_and_said_so():
    result = trend_verdict([70.0, 71.0, 69.0, 70.0, 71.0, 69.0, 70.0, 71.0, 69.0, 70.0, 71.0, 45.0])
    assert result.verdict == "stable"
    assert result.explanation.endswith(", with one month far out of line set aside.")


def test_a_single_odd_month_in_a_short_history_is_kept():
    result = trend_verdict([70.0, 71.0, 69.0, 70.0, 71.0, 45.0])
    assert "set aside" not in result.explanation


def test_unscored_months_are_gaps_in_time_not_skipped():
    result = trend_verdict([80.0, None, 78.0, None, 76.0, 75.0, 74.0, None, 72.0, 71.0, 70.0, 69.0])
    assert result.verdict == "declining"
    assert result.explanation.startswith("Down 11.0 points over 12 months, ")


@pytest.mark.parametrize(
    ("scores", "period", "sentence"),
    [
        ([70.0, 71.0, None, 72.0, 73.0, 74.0], "month", "5 months scored in the last 12, and a trend needs at least 6"),
        ([None] * 20 + [70.0] * 5, "month", "5 months scored in the last 12, and a trend needs at least 6"),
        ([], "month", "0 months scored in the last 12, and a trend needs at least 6"),
        ([60.0, None, 70.0, 80.0], "quarter", "3 quarters scored in the last 8, and a trend needs at least 4"),
    ],
    ids=["five months", "old scores do not count", "no scores", "three quarters"],
)
def test_too_short_a_history_is_not_enough(scores, period, sentence):
    assert trend_verdict(scores, period=period) == TrendVerdict("not_enough", f"Not enough history: {sentence}.")


def test_exactly_six_scored_months_are_enough():
    assert trend_verdict([None] * 6 + [70.0, 69.0, 71.0, 70.0, 69.0, 71.0]).verdict == "stable"


def test_only_the_last_12_months_count():
    history = [40.0] * 12 + [70.0, 71.0, 69.0, 70.0, 71.0, 69.0, 70.0, 71.0, 69.0, 70.0, 71.0, 70.0]
    assert trend_verdict(history).verdict == "stable"


def test_quarters_use_the_last_8_quarters_and_say_quarter():
    result = trend_verdict([30.0] * 4 + [60.0, 62.0, 64.0, 66.0, 68.0, 70.0, 72.0, 74.0], period="quarter")
    assert result.verdict == "improving"
    assert result.explanation.startswith("Up 14.0 points over 8 quarters, ")
    assert "quarter-to-quarter movement" in result.explanation


def test_an_unknown_period_is_refused():
    with pytest.raises(ValueError, match="Unknown period"):
        trend_verdict([70.0] * 12, period="week")


def test_a_matrix_that_is_not_two_dimensional_is_refused():
    with pytest.raises(ValueError, match="partners x periods"):
        trend_verdicts(np.zeros(12))


def test_no_partners_give_no_verdicts():
    assert trend_verdicts(np.zeros((0, 12))) == []


@pytest.mark.parametrize("period", ["month", "quarter"])
def test_the_vectorised_verdicts_equal_the_verdicts_row_by_row(period):
    rng = np.random.default_rng(SEED)
    rows, periods = 3_000, 15
    noise = rng.choice([0.0, 0.5, 3.0, 8.0], size=(rows, 1))
    slope = rng.choice([0.0, 0.0, -1.5, 1.0], size=(rows, 1))
    scores = rng.uniform(30.0, 90.0, size=(rows, 1)) + slope * np.arange(periods) + rng.normal(size=(rows, periods))
    scores = np.round(np.clip(scores * np.maximum(noise, 1.0) / 3.0 + noise, 0.0, 100.0), 4)
    scores[rng.random((rows, periods)) < rng.uniform(0.0, 0.6, size=(rows, 1))] = np.nan
    scores[rng.random((rows, periods)) < 0.02] += 30.0
    one_by_one = [trend_verdict([None if np.isnan(s) else s for s in row.tolist()], period=period) for row in scores]
    assert trend_verdicts(scores, period=period) == one_by_one
    assert {v.verdict for v in one_by_one} == {"improving", "stable", "declining", "not_enough"}


def test_twenty_thousand_partners_of_12_months_take_under_a_second():
    scores = 65.0 + np.random.default_rng(SEED).normal(0.0, 4.0, size=(20_000, 12))
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        trend_verdicts(scores)
        timings.append(time.perf_counter() - started)
    assert min(timings) < 1.0
