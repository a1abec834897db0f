"""The pure engine, without a database: rounding, attainment rules, quarters, versions, percentiles, stored form."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pandas as pd
import pytest

from partnerhub.core.domain.periods import month_number
from scorecards.domain.scoring import (
    ScoringInput,
    divide_half_up,
    fingerprints,
    render_items,
    round_fixed,
    score_snapshots,
)

JAN = month_number(date(2025, 1, 1))


def _input(
    observations,
    *,
    metrics=(("m1", "higher", "sum"),),
    items=(("m1", 100, False, {("", ""): 100}),),
    partners=(("reseller", "growth", "silver", 1.0),),
    versions=None,
    peers=None,
    reference=None,
    findings=None,
):
    metric_ids = {key: 10 + i for i, (key, _, _) in enumerate(metrics)}
    versions = versions or [(1, date(2025, 1, 1), "active", items, {})]
    version_rows, item_rows, target_rows = [], [], []
    for number, effective, status, version_items, thresholds in versions:
        version_id = 100 + number
        version_rows.append(
            {
                "id": version_id,
                "template_id": 1,
                "number": number,
                "status": status,
                "effective_from": effective,
                "cap": 150.0,
                "green_at": 100.0,
                "amber_at": 80.0,
                "score_green_at": 80.0,
                "score_amber_at": 60.0,
                **thresholds,
            }
        )
        for key, weight, normalise, targets in version_items:
            item_id = 1000 + len(item_rows)
            item_rows.append(
                {
                    "id": item_id,
                    "version_id": version_id,
                    "metric_id": metric_ids[key],
                    "weight": float(weight),
                    "normalise": normalise,
                }
            )
            target_rows += [
                {"item_id": item_id, "tier": tier, "stage": stage, "monthly_target": float(value)}
                for (tier, stage), value in targets.items()
            ]
    monthly = pd.DataFrame(
        [(p, metric_ids[key], JAN + m, float(v)) for p, key, m, v in observations],
        columns=["partner_id", "metric_id", "month", "value"],
    )
    return ScoringInput(
        partners=pd.DataFrame(
            [
                {"id": i + 1, "partner_type": t, "stage": s, "tier": tier, "size_factor": size, "baseline_month": None}
                for i, (t, s, tier, size) in enumerate(partners)
            ]
        ),
        templates=pd.DataFrame([{"id": 1, "partner_type": "", "stage": "", "is_default": True}]),
        versions=pd.DataFrame(version_rows),
        items=pd.DataFrame(item_rows),
        targets=pd.DataFrame(target_rows),
        metrics=pd.DataFrame(
            [
                {"id": metric_ids[k], "name": k, "direction": d, "aggregation": a, "derived_from_deals": False}
                for k, d, a in metrics
            ]
        ),
        monthly=monthly,
        quarterly=monthly.iloc[:0],
        findings=findings or {},
        reference_month=reference if reference is not None else int(monthly["month"].max()),
        peers=peers,
    )


def _frame(result):
    frame = result.frame()
    frame["period_start"] = [d.isoformat() for d in frame["period_start"]]
    return frame.set_index(["partner_id", "period", "period_start"])


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1.23455, 12346), (-1.23455, -12346), (12.34565, 123457), (0.00004, 0), (2.5e-05, 0), (99.99995, 1000000)],
)
def test_rounding_is_half_away_from_zero_at_4_decimals(value, expected):
    assert round_fixed(np.array([value]))[0] == expected


def test_integer_division_rounds_half_away_from_zero():
    assert divide_half_up(np.array([5, -5, 4, 7]), 2).tolist() == [3, -3, 2, 4]


@pytest.mark.parametrize(
    ("direction", "actual", "attainment"),
    [
        ("higher", 80, 80.0),
        ("higher", 250, 150.0),  # capped
        ("higher", -5, 0.0),  # a negative actual
        ("lower", 50, 150.0),  # 100 * 100 / 50 = 200, capped
        ("lower", 125, 80.0),
        ("lower", 0, 150.0),  # the cap when the actual is 0
    ],
)
def test_attainment_follows_the_direction_and_the_cap(direction, actual, attainment):
    result = score_snapshots(_input([(1, "m1", 0, actual)], metrics=(("m1", direction, "sum"),)))

    item = result.item_dicts(0)[0]
    assert item["attainment"] == attainment
    assert item["points"] == 100 * min(attainment, 100) / 100
    assert result.frame()["score"][0] == min(attainment, 100)


def test_rag_thresholds_apply_to_the_rounded_attainment():
    # 100 * 99.99996 / 100 rounds to 100.0000: green, not amber
    result = score_snapshots(_input([(1, "m1", 0, 99.99996)]))

    assert (result.item_dicts(0)[0]["attainment"], result.item_dicts(0)[0]["rag"]) == (100.0, "green")


def test_quarter_actuals_and_targets_follow_the_aggregation():
    metrics = (("total", "higher", "sum"), ("mean", "higher", "average"), ("latest", "higher", "last"))
    items = (("total", 33.33, False, {("", ""): 10}), ("mean", 33.33, False, {("", ""): 10}))
    items += (("latest", 33.34, False, {("", ""): 10}),)
    observations = [(1, "total", 0, 10), (1, "total", 2, 11), (1, "mean", 0, 8), (1, "mean", 1, 11)]
    observations += [(1, "latest", 0, 7), (1, "latest", 1, 9)]  # no March value: February stands for the quarter

    result = score_snapshots(_input(observations, metrics=metrics, items=items))

    quarter = int(np.flatnonzero(result.is_quarter)[0])
    by_metric = {item["metric_id"]: item for item in result.item_dicts(quarter)}
    assert [(i["actual"], i["target"]) for i in by_metric.values()] == [(21.0, 30.0), (9.5, 10.0), (9.0, 10.0)]


def test_a_score_needs_items_weighing_at_least_50():
    metrics = (("a", "higher", "sum"), ("b", "higher", "sum"))
    items = (("a", 49.99, False, {("", ""): 100}), ("b", 50.01, False, {("", ""): 100}))

    result = score_snapshots(_input([(1, "a", 0, 100), (1, "b", 1, 100)], metrics=metrics, items=items))

    frame = _frame(result)
    assert np.isnan(frame.loc[(1, "month", "2025-01-01"), "score"])
    assert frame.loc[(1, "month", "2025-01-01"), "dq_reasons"][0].startswith(
        "Insufficient data: the metrics with data weigh 49.99 of 100"
    )
    assert frame.loc[(1, "month", "2025-02-01"), "score"] == 100.0


def test_the_version_in_effect_on_the_last_day_of_the_period_is_used():
    versions = [
        (1, date(2025, 1, 1), "retired", (("m1", 100, False, {("", ""): 100}),), {}),
        (2, date(2025, 2, 15), "active", (("m1", 100, False, {("", ""): 50}),), {}),
        (3, date(2025, 3, 1), "draft", (("m1", 100, False, {("", ""): 1}),), {}),
    ]
    result = score_snapshots(_input([(1, "m1", m, 50) for m in range(3)], versions=versions))

    frame = _frame(result)
    assert frame["version_id"].to_dict() == {
        (1, "month", "2025-01-01"): 101,
        (1, "month", "2025-02-01"): 102,  # in effect from the 15th, so on the 28th
        (1, "month", "2025-03-01"): 102,  # a draft is never used
        (1, "quarter", "2025-01-01"): 102,
    }


def test_percentile_counts_half_of_the_ties_including_the_partner_itself():
    partners = [("reseller", "growth", "silver", 1.0)] * 4 + [("si", "growth", "silver", 1.0)]
    observations = [(p, "m1", 0, v) for p, v in ((1, 50), (2, 70), (3, 70), (4, 90), (5, 10))]

    result = score_snapshots(_input(observations, partners=partners))

    months = _frame(result).xs("month", level="period")
    assert months["percentile"].tolist() == [12.5, 50.0, 50.0, 87.5, 50.0]


def test_stored_scores_of_peers_rank_the_partners_being_scored():
    peers = pd.DataFrame(
        {
            "partner_id": [7, 8],
            "partner_type": ["reseller", "reseller"],
            "stage": ["growth", "growth"],
            "period": ["month", "month"],
            "month": [JAN, JAN],
            "score": [400_000, 900_000],
        }
    )

    result = score_snapshots(_input([(1, "m1", 0, 50)], peers=peers))

    assert result.frame()["percentile"][0] == 50.0
    assert result.peer_percentile.tolist() == [166_667, 833_333]


def test_normalised_items_divide_the_actual_by_the_size_factor():
    items = (("m1", 100, True, {("", ""): 10}),)
    result = score_snapshots(_input([(1, "m1", 0, 30)], items=items, partners=(("reseller", "growth", "gold", 4.0),)))

    item = result.item_dicts(0)[0]
    assert (item["actual"], item["normalised"], item["attainment"]) == (30.0, 7.5, 75.0)


def test_the_most_specific_target_rule_applies():
    rules = {("", ""): 100, ("gold", ""): 80, ("", "growth"): 90, ("gold", "growth"): 40}
    partners = (
        ("reseller", "growth", "gold", 1),
        ("reseller", "growth", "silver", 1),
        ("reseller", "mature", "gold", 1),
    )
    partners += (("reseller", "mature", "silver", 1),)

    result = score_snapshots(
        _input([(p, "m1", 0, 40) for p in range(1, 5)], items=(("m1", 100, False, rules),), partners=partners)
    )

    months = np.flatnonzero(~result.is_quarter)
    assert [result.item_dicts(int(i))[0]["target"] for i in months] == [40.0, 90.0, 80.0, 100.0]


def test_findings_flag_their_month_and_quarter():
    findings = {(1, JAN + 1): ["Late export."]}
    result = score_snapshots(_input([(1, "m1", m, 100) for m in range(3)], findings=findings))

    flagged = {k: v for k, v in _frame(result)["dq_reasons"].items() if v}
    assert flagged == {(1, "month", "2025-02-01"): ["Late export."], (1, "quarter", "2025-01-01"): ["Late export."]}


def test_items_render_as_json_with_every_field():
    result = score_snapshots(_input([(1, "m1", 0, 123.45678)]))

    items = json.loads(render_items(result, np.array([0]))[0])
    assert items == [
        {
            "metric_id": 10,
            "weight": 100.0,
            "target": 100.0,
            "actual": 123.4568,
            "normalised": None,
            "attainment": 123.4568,
            "points": 100.0,
            "rag": "green",
            "missing": False,
        }
    ]


def test_fingerprints_are_stable_and_change_with_any_stored_value():
    first = fingerprints(score_snapshots(_input([(1, "m1", 0, 80), (1, "m1", 1, 90)])))
    same = fingerprints(score_snapshots(_input([(1, "m1", 0, 80), (1, "m1", 1, 90)])))
    other = fingerprints(score_snapshots(_input([(1, "m1", 0, 80), (1, "m1", 1, 90.0001)])))

    assert first.tolist() == same.tolist()
    assert [a == b for a, b in zip(first, other, strict=True)] == [True, False, False]  # February and the quarter


def test_no_reference_month_means_no_snapshot():
    result = score_snapshots(_input([(1, "m1", 0, 80)], reference=JAN - 1))

    assert len(result) == 0
    assert result.score.tolist() == []
