"""The impact method on generated panels where the true effect is known and strong partners are likelier funded:
the 90 % interval covers the truth at least 85 % of the time, the naive before/after misses it, and the verdict
says "directional" with its reason when the method's assumptions fail. Seeds 0-19, every one counted."""

from __future__ import annotations

import numpy as np
import pytest

from recognition.domain.impact import (
    CAUSAL,
    DIRECTIONAL,
    NOT_ESTIMATED,
    Panel,
    Treatment,
    UnitEstimate,
    estimate_all,
    estimate_group,
    naive_before_after,
)
from tests.recognition.impact_panels import FIRST_MONTH, generated_panel

SEEDS = range(20)
EFFECT = 4.0


def _run(seed, **kwargs):
    panel, treatments = generated_panel(seed, effect=kwargs.pop("effect", EFFECT), **kwargs)
    units = estimate_all(panel, treatments)
    singles = [estimate_group(units, [t.key], seed=seed) for t in treatments]
    group = estimate_group(units, [t.key for t in treatments], seed=seed)
    naive = naive_before_after(panel, [u for u in units.values() if isinstance(u, UnitEstimate)])
    return singles, group, naive


@pytest.fixture(scope="module")
def runs():
    return [_run(seed) for seed in SEEDS]


def test_each_investments_90_percent_interval_covers_the_true_effect_at_least_85_percent_of_the_time(runs):
    singles = [e for run in runs for e in run[0] if e.effect is not None]
    covered = np.mean([e.ci_low <= EFFECT <= e.ci_high for e in singles])

    assert len(singles) > 800
    assert covered >= 0.85, f"coverage {covered:.3f}"


def test_the_groups_90_percent_interval_covers_the_true_effect_at_least_85_percent_of_the_time(runs):
    covered = np.mean([group.ci_low <= EFFECT <= group.ci_high for _, group, _ in runs])

    assert covered >= 0.85, f"coverage {covered:.2f}"


def test_the_naive_before_after_misses_the_true_effect_where_the_estimate_finds_it(runs):
    naive_errors = [naive - EFFECT for _, _, naive in runs]
    did_errors = [group.effect - EFFECT for _, group, _ in runs]

    assert min(naive_errors) > 1.5  # funded partners were growing anyway, and so was the market
    assert abs(np.mean(did_errors)) < 0.3
    assert all(not (group.ci_low <= naive <= group.ci_high) for _, group, naive in runs)


def test_with_no_true_effect_the_interval_covers_zero_and_the_naive_still_shows_a_gain():
    runs = [_run(seed, effect=0.0) for seed in range(6)]

    assert sum(group.ci_low <= 0 <= group.ci_high for _, group, _ in runs) >= 5
    assert all(naive > 1.5 for _, _, naive in runs)


def test_a_well_matched_estimate_is_called_causal_with_its_controls_and_placebo_in_the_reason(runs):
    groups = [group for _, group, _ in runs]

    assert sum(g.verdict == CAUSAL for g in groups) >= 16
    assert "matched partners of the same segment and tier" in groups[0].reason
    assert groups[0].n_controls > 100


def test_funded_partners_on_a_trend_no_one_else_has_fail_the_placebo_and_are_only_directional():
    _, group, _ = _run(3, funded_extra_trend=0.5)

    assert group.verdict == DIRECTIONAL
    assert "not parallel" in group.reason
    assert not (group.placebo_low <= 0 <= group.placebo_high)


def _tiny_panel(values, segment=None, tier=None):
    values = np.asarray(values, dtype=float)
    n = values.shape[0]
    return Panel(
        partner_ids=np.arange(1, n + 1, dtype=np.int64),
        first_month=FIRST_MONTH,
        values=values,
        segment=np.zeros(n, dtype=np.int64) if segment is None else np.asarray(segment, dtype=np.int64),
        tier=np.zeros(n, dtype=np.int64) if tier is None else np.asarray(tier, dtype=np.int64),
    )


def test_too_few_comparable_partners_give_a_directional_estimate_that_says_so():
    rng = np.random.default_rng(1)
    panel = _tiny_panel(60 + rng.standard_normal((4, 14)))
    treatment = Treatment("investment:1", 0, FIRST_MONTH + 7, "mdf")

    estimate = estimate_group(estimate_all(panel, [treatment]), ["investment:1"])

    assert estimate.verdict == DIRECTIONAL
    assert "only 3 comparable partners" in estimate.reason
    assert estimate.n_controls == 3


def test_partners_of_another_segment_or_tier_or_with_a_comparable_investment_are_never_controls():
    rng = np.random.default_rng(2)
    panel = _tiny_panel(60 + rng.standard_normal((6, 14)), segment=[0, 1, 0, 0, 0, 0], tier=[0, 0, 2, 0, 0, 0])
    treatments = [Treatment("a", 0, FIRST_MONTH + 7, "mdf"), Treatment("b", 3, FIRST_MONTH + 9, "mdf")]

    unit = estimate_all(panel, treatments)["a"]

    assert isinstance(unit, UnitEstimate)
    assert sorted(unit.controls.tolist()) == [4, 5]


def test_a_single_comparable_partner_gives_no_interval_and_no_estimate():
    rng = np.random.default_rng(3)
    panel = _tiny_panel(60 + rng.standard_normal((2, 14)))
    treatment = Treatment("investment:1", 0, FIRST_MONTH + 7, "mdf")

    estimate = estimate_group(estimate_all(panel, [treatment]), ["investment:1"])

    assert estimate.verdict == NOT_ESTIMATED
    assert "only one comparable partner" in estimate.reason


def test_in_a_group_a_thinly_matched_investment_is_left_out_and_said_so():
    panel, treatments = generated_panel(4)
    lonely = Panel(
        partner_ids=np.append(panel.partner_ids, [9001, 9002, 9003]),
        first_month=panel.first_month,
        values=np.vstack([panel.values, panel.values[:3] + 1]),
        segment=np.append(panel.segment, [99, 99, 99]),
        tier=np.append(panel.tier, [0, 0, 0]),
    )
    extra = Treatment("investment:lonely", len(panel.partner_ids), FIRST_MONTH + 12, "mdf")
    units = estimate_all(lonely, [*treatments, extra])

    group = estimate_group(units, [t.key for t in [*treatments, extra]])

    assert group.n_treated == len(treatments)
    assert "1 investment of the group could not be estimated" in group.reason


def test_an_investment_without_three_months_before_it_is_not_estimated_and_says_why():
    panel = _tiny_panel(np.full((8, 12), 60.0))
    treatment = Treatment("investment:1", 0, FIRST_MONTH + 2, "mdf")

    estimate = estimate_group(estimate_all(panel, [treatment]), ["investment:1"])

    assert estimate.verdict == NOT_ESTIMATED
    assert estimate.effect is None
    assert "fewer than 3 months of values before the investment" in estimate.reason


def test_the_same_inputs_give_the_same_estimate():
    first, second = _run(5), _run(5)

    assert (first[1].effect, first[1].ci_low, first[1].ci_high) == (
        second[1].effect,
        second[1].ci_low,
        second[1].ci_high,
    )
