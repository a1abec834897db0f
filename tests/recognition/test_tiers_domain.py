"""The tier evaluation as a pure function: sustained score thresholds (K of the last N quarters), required metrics,
tenure, grace periods and demotions, the evidence (each criterion x period x value x met) and its plain words, and
every kind of bad framework refused with its reason."""

from __future__ import annotations

import numpy as np
import pytest

from recognition.domain.tiers import (
    Criteria,
    Framework,
    MetricRule,
    PortfolioFacts,
    TierSpec,
    evaluate,
    explain,
    framework_problems,
    gaps,
    part_label,
    partner_evidence,
    tier_evidence,
)

NAN = float("nan")
Q3_2026 = 2026 * 12 + 6  # July 2026, as a month number
ENTRY, SILVER, GOLD = (
    TierSpec(1, "registered", "Registered", 1),
    TierSpec(2, "silver", "Silver", 2),
    TierSpec(3, "gold", "Gold", 3),
)
CERTIFIED = MetricRule(9, "certified_staff", "Certified staff", "count", "gte", 4)
CYCLE = MetricRule(8, "sales_cycle_days", "Sales cycle", "days", "lte", 60)


def framework(*, gold=None, silver=None, grace=1, tiers=(ENTRY, SILVER, GOLD)):
    criteria = {SILVER.id: silver or Criteria(SILVER.id, min_score=60, quarters_required=2, quarters_window=4)}
    criteria[GOLD.id] = gold or Criteria(GOLD.id, min_score=75, quarters_required=3, quarters_window=4)
    return Framework(version_id=1, number=1, grace_quarters=grace, tiers=tiers, criteria=criteria)


def facts(rows, *, quarters=5, metrics=None, first_month=None):
    """rows: (name, tier key, scores oldest first, padded at the front with NaN to ``quarters``)."""
    scores = np.array([[NAN] * (quarters - len(s)) + list(s) for _, _, s in rows], dtype=float)
    return PortfolioFacts(
        partner_ids=np.arange(1, len(rows) + 1, dtype=np.int64),
        names=[r[0] for r in rows],
        tier_keys=[r[1] for r in rows],
        quarters=[Q3_2026 - 3 * (quarters - 1 - i) for i in range(quarters)],
        scores=scores,
        metrics={k: np.array(v, dtype=float) for k, v in (metrics or {}).items()},
        first_month=None if first_month is None else np.array(first_month, dtype=float),
    )


def one(fw, rows, **kw):
    result = evaluate(fw, facts(rows, **kw))
    return result, [(m, int(t)) for m, t in zip(result.move, result.target, strict=True)]


@pytest.mark.parametrize(
    ("scores", "move"),
    [
        ([80, 76, 74, 78], "promote"),  # 3 of the last 4 at 75 or more
        ([80, 74, 74, 78], "hold"),  # only 2
        ([90, 90, 90, 74], "promote"),  # the latest may miss: 3 of 4 still
        ([76, 76, 76], "promote"),  # three quarters of history are enough for 3 of 4
        ([76, 76], "hold"),  # two are not
        ([76, NAN, 76, 76], "promote"),  # a quarter with no score counts as not met
        ([75, 75, 75, 10], "promote"),  # at the threshold counts
    ],
)
def test_a_score_sustained_in_k_of_the_last_n_quarters_earns_the_tier(scores, move):
    _, decided = one(framework(), [("Acme", "silver", scores)])
    assert decided[0][0] == move


def test_moves_are_one_tier_at_a_time_even_when_a_higher_tier_is_earned():
    _, decided = one(framework(grace=0), [("Acme", "registered", [80, 80, 80, 80]), ("Bolt", "gold", [10, 10, 10, 10])])
    assert decided == [("promote", 1), ("demote", 1)]


def test_quarters_before_the_partner_entered_its_tier_are_not_quarters_it_missed():
    rows = [("Promoted", "gold", [80, 80, 70, 70, 70]), ("Long", "gold", [80, 80, 70, 70, 70])]
    since = np.array([Q3_2026, Q3_2026 - 24], dtype=float)
    result = evaluate(framework(grace=1), _with_since(facts(rows), since))
    assert result.move == ["grace", "demote"]


def _with_since(f, since):
    f.tier_since = since
    return f


def test_a_required_metric_below_its_minimum_keeps_the_partner_out_of_the_tier():
    gold = Criteria(GOLD.id, min_score=75, quarters_required=3, quarters_window=4, metrics=(CERTIFIED,))
    certified = {9: [[NAN, 5, 5, 5, 5], [NAN, 5, 5, 5, 3], [NAN] * 5]}
    result, decided = one(
        framework(gold=gold),
        [("Full", "silver", [80] * 4), ("Short", "silver", [80] * 4), ("Unknown", "silver", [80] * 4)],
        metrics=certified,
    )
    assert [m for m, _ in decided] == ["promote", "hold", "hold"]
    short = tier_evidence(result, 1, 2, "next")
    assert short["criteria"][1] == {
        "kind": "metric",
        "metric_id": 9,
        "metric": "certified_staff",
        "name": "Certified staff",
        "unit": "count",
        "comparison": "gte",
        "threshold": 4,
        "periods": [{"quarter": "2026-07-01", "value": 3.0, "met": False}],
        "met": False,
        "gap": {"short_by": 1.0},
    }
    assert tier_evidence(result, 2, 2, "next")["criteria"][1]["periods"][0]["value"] is None


def test_a_lower_is_better_metric_is_met_at_or_under_its_maximum():
    gold = Criteria(GOLD.id, min_score=75, quarters_required=1, quarters_window=1, metrics=(CYCLE,))
    silver = Criteria(SILVER.id, min_score=60, quarters_required=1, quarters_window=1)
    _, decided = one(
        framework(gold=gold, silver=silver),
        [("Fast", "silver", [80]), ("Slow", "silver", [80])],
        metrics={8: [[NAN] * 4 + [60], [NAN] * 4 + [61]]},
    )
    assert [m for m, _ in decided] == ["promote", "hold"]


def test_tenure_counts_the_months_from_the_first_scored_month_to_the_end_of_the_quarter():
    gold = Criteria(GOLD.id, min_score=75, quarters_required=1, quarters_window=1, min_tenure_months=12)
    silver = Criteria(SILVER.id, min_score=60, quarters_required=1, quarters_window=1)
    first = [Q3_2026 + 3 - 12, Q3_2026 + 3 - 11, NAN]
    result, decided = one(
        framework(gold=gold, silver=silver),
        [("Long", "silver", [80]), ("New", "silver", [80]), ("Never", "silver", [80])],
        first_month=first,
    )
    assert [m for m, _ in decided] == ["promote", "hold", "hold"]
    tenure = tier_evidence(result, 1, 2, "next")["criteria"][1]
    assert (tenure["periods"][0]["value"], tenure["met"], tenure["gap"]) == (11, False, {"months_short": 1})


def test_missing_the_tier_starts_a_grace_period_then_a_demotion_past_it():
    fw = framework(grace=1)
    result, decided = one(
        fw,
        [
            ("Steady", "gold", [80, 80, 80, 80, 80]),
            ("First miss", "gold", [80, 80, 80, 70, 70]),  # Q3: 2 of 4 -> missed once (Q2 had 3 of 4)
            ("Second miss", "gold", [80, 80, 70, 70, 70]),  # missed in Q2 and Q3: past one quarter of grace
        ],
    )
    assert decided == [("hold", 2), ("grace", 2), ("demote", 1)]
    assert result.grace_quarter.tolist() == [0, 1, 0]


def test_without_grace_a_miss_is_a_demotion_at_once_and_with_two_quarters_the_second_miss_is_still_grace():
    rows = [("Second miss", "gold", [80, 80, 80, 70, 70, 70])]
    assert one(framework(grace=0), [("First miss", "gold", [80, 80, 80, 70, 70])])[1] == [("demote", 1)]
    result, decided = one(framework(grace=2), rows, quarters=6)
    assert decided == [("grace", 2)]
    assert result.grace_quarter.tolist() == [2]


def test_a_demotion_never_goes_below_the_entry_tier():
    _, decided = one(framework(grace=0), [("Fallen", "silver", [10, 10, 10, 10])])
    assert decided == [("demote", 0)]


def test_an_entry_tier_partner_missing_its_criteria_is_held_there_and_an_unknown_tier_is_held():
    entry_criteria = Criteria(ENTRY.id, min_score=20)
    fw = Framework(1, 1, 1, (ENTRY, SILVER, GOLD), {ENTRY.id: entry_criteria, **framework().criteria})
    _, decided = one(fw, [("Low", "registered", [10]), ("Odd", "diamond", [90, 90, 90, 90])])
    assert decided == [("hold", 0), ("hold", -1)]


def test_the_evidence_lists_each_criterion_with_each_periods_value_and_whether_it_was_met():
    result, _ = one(framework(), [("Acme", "silver", [80, 74, 76, 78])])
    evidence = partner_evidence(result, 0)
    assert (evidence["move"], evidence["label"], evidence["from"]["key"], evidence["to"]["key"]) == (
        "promote",
        "Q3 2026",
        "silver",
        "gold",
    )
    gold = next(t for t in evidence["tiers"] if t["role"] == "target")
    score = gold["criteria"][0]
    assert [(p["quarter"], p["value"], p["met"]) for p in score["periods"]] == [
        ("2025-10-01", 80.0, True),
        ("2026-01-01", 74.0, False),
        ("2026-04-01", 76.0, True),
        ("2026-07-01", 78.0, True),
    ]
    assert part_label(score) == "A score of at least 75 in at least 3 of the last 4 quarters"
    assert (score["count"], score["required"], score["window"], score["met"]) == (3, 3, 4, True)


def test_a_window_longer_than_the_history_lists_the_missing_quarters_as_no_value():
    result, _ = one(framework(), [("New", "silver", [80, 80])], quarters=2)
    periods = tier_evidence(result, 0, 2, "next")["criteria"][0]["periods"]
    assert [(p["quarter"], p["value"]) for p in periods] == [
        ("2025-10-01", None),
        ("2026-01-01", None),
        ("2026-04-01", 80.0),
        ("2026-07-01", 80.0),
    ]


def test_the_explanation_is_built_from_the_numbers():
    result, _ = one(
        framework(grace=1),
        [
            ("Acme", "silver", [80, 74, 76, 78]),
            ("Bolt", "gold", [80, 80, 80, 70, 72]),
            ("Cove", "silver", [61, 70, 72, 71]),
        ],
    )
    promote, grace, hold = (explain(n, partner_evidence(result, i)) for i, n in enumerate(("Acme", "Bolt", "Cove")))
    assert promote.startswith("In Q3 2026 Acme met every criterion of Gold: a score of at least 75 in 3 of the last 4")
    assert "promote it to Gold" in promote
    assert (
        "Bolt missed its Gold criteria: a score of at least 75 in 3 of the last 4 quarters (2 so far: 80, 80, 70, 72)"
        in grace
    )
    assert "the latest is 3 points short" in grace
    assert "first quarter in a row" in grace
    assert "grace of 1 quarter" in grace
    assert "move to Silver" in grace
    assert "For Gold it still needs a score of at least 75 in 3 of the last 4 quarters (0 so far" in hold
    assert hold.endswith("hold it at Silver.")


def test_the_gaps_of_the_next_tier_are_in_numbers():
    gold = Criteria(GOLD.id, min_score=75, quarters_required=3, quarters_window=4, metrics=(CERTIFIED,))
    result, _ = one(framework(gold=gold), [("Acme", "silver", [80, 74, 70, 72])], metrics={9: [[NAN, 2, 2, 2, 2]]})
    assert gaps(tier_evidence(result, 0, 2, "next")) == [
        "a score of at least 75 in 3 of the last 4 quarters (1 so far: 80, 74, 70, 72); the latest is 3 points short",
        "certified staff at least 4 (2 now, 2 more needed)",
    ]


def test_the_decision_is_the_same_for_a_partner_alone_or_in_a_portfolio():
    rows = [("A", "silver", [80, 80, 80, 80]), ("B", "gold", [80, 80, 80, 60, 60]), ("C", "registered", [65, 65])]
    together = one(framework(), rows)[1]
    alone = [one(framework(), [row])[1][0] for row in rows]
    assert together == alone


# --- bad frameworks ---


def problems(fw, units=None):
    return [p.message for p in framework_problems(fw, units)]


@pytest.mark.parametrize(
    ("gold", "silver", "expected"),
    [
        (Criteria(3, min_score=101), None, "a score threshold is between 0 and 100, not 101"),
        (Criteria(3, min_score=-1), None, "a score threshold is between 0 and 100, not -1"),
        (
            Criteria(3, min_score=80, quarters_required=5, quarters_window=4),
            None,
            "must be met in 1 to 4 of the last 4",
        ),
        (Criteria(3, min_score=80, quarters_required=1, quarters_window=9), None, "look back over 1 to 8 quarters"),
        (
            Criteria(3, min_score=55, quarters_required=2, quarters_window=4),
            None,
            "Gold asks for a score of at least 55, below Silver's 60: a lower tier may not demand more than a higher",
        ),
        (
            Criteria(3, min_score=60, quarters_required=2, quarters_window=4),
            None,
            "Gold asks for exactly what Silver asks for",
        ),
        (Criteria(3, min_score=80, quarters_required=1, quarters_window=4), None, "fewer than Silver's 2"),
        (
            Criteria(3, min_score=80, quarters_required=2, quarters_window=8),
            None,
            "lets a partner miss its score in 6 of its last 8 quarters, more than the 2 Silver allows",
        ),
        (
            Criteria(3, min_score=80, quarters_required=3, quarters_window=4),
            Criteria(2, min_score=60, quarters_required=2, quarters_window=4, metrics=(CERTIFIED,)),
            "Silver requires Certified staff at least 4 but Gold does not require Certified staff at all.",
        ),
        (
            Criteria(
                3,
                min_score=80,
                quarters_required=3,
                quarters_window=4,
                metrics=(CERTIFIED.__class__(9, "certified_staff", "Certified staff", "count", "gte", 2),),
            ),
            Criteria(2, min_score=60, quarters_required=2, quarters_window=4, metrics=(CERTIFIED,)),
            "Gold requires Certified staff at least 2, less than Silver's 4",
        ),
        (
            Criteria(3, min_score=80, quarters_required=3, quarters_window=4, metrics=(CERTIFIED, CERTIFIED)),
            None,
            "Gold: Certified staff is required twice",
        ),
        (
            Criteria(3, min_score=80, quarters_required=3, quarters_window=4),
            Criteria(2, min_score=60, quarters_required=2, quarters_window=4, min_tenure_months=12),
            "Gold asks for 0 months in the program, fewer than Silver's 12.",
        ),
    ],
)
def test_a_contradictory_overlapping_or_out_of_range_framework_is_refused_with_its_reason(gold, silver, expected):
    found = problems(framework(gold=gold, silver=silver))
    assert any(expected in p for p in found), found


def test_a_percentage_above_100_and_a_grace_period_above_four_are_refused():
    rate = MetricRule(7, "win_rate", "Win rate", "percent", "gte", 120)
    gold = Criteria(3, min_score=80, quarters_required=3, quarters_window=4, metrics=(rate,))
    assert "Gold: Win rate is a percentage: 0 to 100, not 120." in problems(framework(gold=gold), {7: "percent"})
    assert "Grace is 0 to 4 quarters, not 5." in problems(framework(grace=5))


def test_a_sound_framework_has_no_problem():
    gold = Criteria(3, min_score=75, quarters_required=3, quarters_window=4, metrics=(CERTIFIED,), min_tenure_months=12)
    assert problems(framework(gold=gold)) == []
