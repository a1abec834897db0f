"""The four data-quality checks as pure functions over hand-made DataFrames (no database)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from partnerhub.core.domain.periods import month_numbers
from scorecards.domain import data_quality as quality

REVENUE, CERTIFIED, PIPELINE, SLOW = 1, 2, 3, 4
METRICS = pd.DataFrame.from_records(
    [
        (REVENUE, "revenue", "Revenue", "currency", 45, False),
        (CERTIFIED, "certified_staff", "Certified staff", "count", 45, False),
        (PIPELINE, "pipeline_created", "Pipeline created", "currency", 35, True),
        (SLOW, "csat", "CSAT", "score", 120, False),
    ],
    columns=["metric_id", "key", "name", "unit", "freshness_days", "derived_from_deals"],
)
TODAY = date(2026, 10, 20)  # the last complete month is 2026-09


def month(text: str) -> int:
    return int(month_numbers([pd.Timestamp(f"{text}-01")]).iloc[0])


def obs(*rows: tuple[int, int, str, float]) -> pd.DataFrame:
    return pd.DataFrame.from_records(
        [(p, m, pd.Timestamp(f"{when}-01"), v) for p, m, when, v in rows],
        columns=["partner_id", "metric_id", "month", "value"],
    )


def history(partner: int, metric: int, first: str, values: list[float]) -> list[tuple[int, int, str, float]]:
    start = month(first)
    return [(partner, metric, quality.month_label(start + i), v) for i, v in enumerate(values)]


def keys(findings: pd.DataFrame) -> set[tuple[int, int, str, str]]:
    return {(r.partner_id, r.metric_id, r.kind, quality.month_label(r.month)) for r in findings.itertuples()}


def derived(*rows: tuple[int, str, float]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "partner_id": [p for p, _, _ in rows],
            "month": [pd.Timestamp(f"{when}-01") for _, when, _ in rows],
            "metric": "pipeline_created",
            "value": [v for _, _, v in rows],
        }
    )


# --- the reference month ---


def test_the_reference_month_is_the_latest_complete_month_with_data():
    data = obs((1, REVENUE, "2026-08", 1), (1, REVENUE, "2026-10", 1))
    assert quality.reference_month(data, TODAY) == month("2026-08")


# --- stale sources ---


def test_a_metric_not_reported_for_longer_than_its_freshness_is_stale_from_the_first_missing_month():
    found = quality.stale_sources(obs((7, REVENUE, "2026-07", 5), (7, REVENUE, "2026-08", 5)), METRICS, TODAY)
    assert keys(found) == {(7, REVENUE, "stale", "2026-09")}
    assert list(found["detail"]) == ["No Revenue reported after 2026-08; the metric expects new data within 45 days."]


def test_a_metric_reported_within_its_freshness_is_not_stale():
    assert quality.stale_sources(obs((7, REVENUE, "2026-09", 5)), METRICS, TODAY).empty


def test_each_metric_has_its_own_freshness():
    assert quality.stale_sources(obs((7, SLOW, "2026-07", 4)), METRICS, TODAY).empty


def test_a_metric_derived_from_deals_is_never_stale():
    assert quality.stale_sources(obs((7, PIPELINE, "2025-01", 5)), METRICS, TODAY).empty


# --- missing metrics ---


def test_a_metric_reported_in_two_of_the_three_months_before_is_missing_when_absent():
    data = obs(*history(7, REVENUE, "2026-06", [5, 5, 5]), (7, CERTIFIED, "2026-09", 3))
    expected = quality.expected_from_history(data, METRICS, through=month("2026-09"))
    found = quality.missing_metrics(data, expected, METRICS)
    assert keys(found) == {(7, REVENUE, "missing", "2026-09")}
    assert list(found["detail"]) == ["No Revenue for 2026-09; it was reported in 3 of the 3 months before."]


def test_a_metric_reported_in_only_one_of_the_three_months_before_is_not_expected():
    data = obs((7, REVENUE, "2026-07", 5), (7, CERTIFIED, "2026-09", 3))
    expected = quality.expected_from_history(data, METRICS, through=month("2026-09"))
    assert quality.missing_metrics(data, expected, METRICS).empty


def test_a_metric_reported_every_month_is_never_missing():
    data = obs(*history(7, REVENUE, "2026-01", [5] * 9))
    expected = quality.expected_from_history(data, METRICS, through=month("2026-09"))
    assert quality.missing_metrics(data, expected, METRICS).empty


def test_no_month_after_the_reference_month_is_judged_missing():
    data = obs(*history(7, REVENUE, "2026-07", [5, 5, 5]))
    expected = quality.expected_from_history(data, METRICS, through=month("2026-09"))
    assert quality.missing_metrics(data, expected, METRICS).empty


def test_metrics_derived_from_deals_are_not_expected_from_reports():
    data = obs(*history(7, PIPELINE, "2026-06", [5, 5, 5]))
    assert quality.expected_from_history(data, METRICS, through=month("2026-09")).empty


def test_a_template_expectation_replaces_the_reporting_habit():
    expected = pd.DataFrame(
        {"partner_id": [7], "metric_id": [CERTIFIED], "m": [month("2026-09")], "reason": ["its template includes it"]}
    )
    found = quality.missing_metrics(obs((7, REVENUE, "2026-09", 1)), expected, METRICS)
    assert list(found["detail"]) == ["No Certified staff for 2026-09; its template includes it."]


# --- outliers against the partner's own history ---

STEADY = [100.0, 101.0, 99.0, 100.0, 102.0, 98.0, 100.0, 101.0, 99.0, 100.0, 102.0, 98.0]
VOLATILE = [60.0, 140.0, 80.0, 120.0, 50.0, 150.0, 70.0, 130.0, 90.0, 110.0, 55.0, 145.0]


def outliers_for(values: list[float], latest: float) -> pd.DataFrame:
    data = obs(*history(7, REVENUE, "2025-09", values), (7, REVENUE, "2026-09", latest))
    return quality.outliers(data, METRICS, months=[month("2026-09")])


def test_a_value_far_outside_a_steady_partners_history_is_an_outlier():
    found = outliers_for(STEADY, 180.0)
    assert keys(found) == {(7, REVENUE, "outlier", "2026-09")}
    assert list(found["detail"]) == [
        "Revenue 180 in 2026-09 against a median of 100 over the previous 12 months "
        "(usual deviation ±5; flagged beyond ±17.5)."
    ]


def test_a_value_within_a_steady_partners_noise_is_not_an_outlier():
    assert outliers_for(STEADY, 104.0).empty


def test_a_volatile_partner_is_not_flagged_for_a_move_within_its_own_noise():
    assert outliers_for(VOLATILE, 180.0).empty


def test_a_volatile_partner_is_still_flagged_for_a_move_far_beyond_its_noise():
    assert not outliers_for(VOLATILE, 600.0).empty


def test_a_flat_history_with_a_mad_of_zero_does_not_flag_a_small_move():
    assert outliers_for([100.0] * 12, 110.0).empty


def test_a_flat_history_with_a_mad_of_zero_still_flags_a_large_move():
    assert not outliers_for([100.0] * 12, 150.0).empty


def test_a_mostly_flat_history_measures_its_noise_by_the_mean_absolute_deviation():
    assert outliers_for([100.0] * 11 + [160.0], 80.0).empty
    assert not outliers_for([100.0] * 11 + [160.0], 70.0).empty


def test_a_level_the_partner_reached_in_its_history_is_not_an_outlier():
    assert outliers_for([10.0] * 10 + [60.0, 10.0], 55.0).empty
    assert not outliers_for([10.0] * 10 + [60.0, 10.0], 90.0).empty


def test_a_steep_but_steady_decline_is_a_trend_not_an_outlier():
    assert outliers_for([100.0, 101.0, 99.0, 100.0, 102.0, 98.0, 100.0, 101.0, 90.0, 80.0, 70.0, 60.0], 50.0).empty


def test_a_new_level_that_the_next_month_confirms_is_not_an_outlier():
    data = obs(*history(7, REVENUE, "2025-09", STEADY), (7, REVENUE, "2026-09", 180.0), (7, REVENUE, "2026-10", 178.0))
    assert quality.outliers(data, METRICS, months=[month("2026-09")]).empty


def test_a_history_of_zeros_flags_nothing():
    assert outliers_for([0.0] * 12, 3.0).empty


def test_fewer_than_six_months_of_history_judge_nothing():
    data = obs(*history(7, REVENUE, "2026-04", [100.0] * 5), (7, REVENUE, "2026-09", 1000.0))
    assert quality.outliers(data, METRICS, months=[month("2026-09")]).empty


def test_only_the_months_asked_for_are_judged():
    data = obs(*history(7, REVENUE, "2025-01", STEADY), (7, REVENUE, "2026-01", 500.0))
    assert quality.outliers(data, METRICS, months=[month("2026-09")]).empty


# --- reconciliation of reported against deal-derived pipeline ---


def test_reported_pipeline_far_from_the_pipeline_from_deals_is_flagged_with_both_numbers():
    found = quality.reconciliation(
        obs((7, PIPELINE, "2026-09", 120000)), derived((7, "2026-09", 84500)), METRICS, through=month("2026-09")
    )
    assert keys(found) == {(7, PIPELINE, "reconciliation", "2026-09")}
    assert list(found["detail"]) == ["Reported pipeline 120,000 vs 84,500 from deals (\u221230 %) in 2026-09."]


def test_reported_pipeline_within_the_tolerance_is_not_flagged():
    found = quality.reconciliation(
        obs((7, PIPELINE, "2026-09", 100000)), derived((7, "2026-09", 85000)), METRICS, through=month("2026-09")
    )
    assert found.empty


def test_a_large_relative_gap_between_tiny_amounts_is_ignored():
    found = quality.reconciliation(
        obs((7, PIPELINE, "2026-09", 500)), derived((7, "2026-09", 100)), METRICS, through=month("2026-09")
    )
    assert found.empty


def test_a_reported_zero_against_real_pipeline_is_flagged_without_a_percentage():
    found = quality.reconciliation(
        obs((7, PIPELINE, "2026-09", 0)), derived((7, "2026-09", 5000)), METRICS, through=month("2026-09")
    )
    assert list(found["detail"]) == ["Reported pipeline 0 vs 5,000 from deals in 2026-09."]


def test_a_partner_without_deal_data_for_the_month_is_not_reconciled():
    found = quality.reconciliation(
        obs((7, PIPELINE, "2026-09", 120000)), derived((8, "2026-09", 1000)), METRICS, through=month("2026-09")
    )
    assert found.empty


# --- all four together ---


def test_run_checks_judges_outliers_for_the_last_three_months_up_to_the_reference_month():
    outcome = quality.run_checks(obs((7, REVENUE, "2026-09", 1)), METRICS, derived(), today=TODAY)
    assert outcome.reference_month == month("2026-09")
    assert outcome.outlier_months == [month("2026-07"), month("2026-08"), month("2026-09")]


def test_run_checks_on_no_data_finds_nothing():
    outcome = quality.run_checks(obs(), METRICS, derived(), today=TODAY)
    assert outcome.findings.empty
    assert list(outcome.findings.columns) == quality.FINDING_COLUMNS
