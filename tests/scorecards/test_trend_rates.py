# The trend verdict's rates per kind of generated series, over several seeds (not the one test_trend.py uses), printed
# so that a run with -s shows them (docs/trend.md quotes them). Asserts SCORING.md's contract on every seed.
from __future__ import annotations

import numpy as np
import pytest

from tests.scorecards.test_trend import SCENARIOS, STEADY, VOLATILE, Partners, engine_directions, generate

SEEDS = (101, 202, 303)


def rates_per_kind(partners: Partners, seed: int) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    measured = {}
    for scenario in SCENARIOS:
        scores, sign = generate(partners, scenario, rng)
        directions = engine_directions(scores)
        if scenario in ("flat", "outlier"):
            measured[f"{scenario}: false alarms"] = float(np.mean(directions != 0))
        else:
            measured[f"{scenario}: detected"] = float(np.mean(directions == sign))
    return measured


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("partners", [STEADY, VOLATILE], ids=["sigma 3", "sigma 8"])
def test_rates_per_kind_meet_the_contract_on_several_seeds(partners, seed):
    measured = rates_per_kind(partners, seed)
    print(f"seed {seed}, sigma {partners.noise}: " + ", ".join(f"{k} {100 * v:.1f} %" for k, v in measured.items()))
    assert (measured["flat: false alarms"] + measured["outlier: false alarms"]) / 2 <= 0.10
    assert (measured["drift: detected"] + measured["step: detected"]) / 2 >= 0.80
