"""Generated panels for the impact tests, where the true effect is known and strong partners are likelier funded.

Each partner has a level (higher in some segments), a trend that grows with its level (strong partners are growing),
the market's common movement (growth and a season) and month-to-month noise. The chance of being funded rises with
the level, so the funded partners would have improved anyway: a naive before/after credits the investment with
their trend and the market's. Funded partners get ``effect`` points from the investment's month on.
"""

from __future__ import annotations

import numpy as np

from recognition.domain.impact import Panel, Treatment

FIRST_MONTH = 2024 * 12


def generated_panel(
    seed: int,
    *,
    partners: int = 400,
    months: int = 30,
    effect: float = 4.0,
    funded_share: float = 0.12,
    noise: float = 3.0,
    funded_extra_trend: float = 0.0,
) -> tuple[Panel, list[Treatment]]:
    """A panel and its investments; ``funded_extra_trend`` gives the funded partners a trend of their own (points a
    month, from the start) that no unfunded partner has: the parallel-trends assumption then fails."""
    rng = np.random.default_rng(seed)
    segment = rng.integers(0, 4, partners)
    level = 60 + 10 * rng.standard_normal(partners) + 3 * segment
    tier = np.digitize(level, [52, 60, 68])
    trend = 0.08 * (level - 60) / 10 + 0.05 * rng.standard_normal(partners)
    t = np.arange(months)
    market = 0.3 * t + 1.5 * np.sin(2 * np.pi * t / 12)
    values = (
        level[:, None] + trend[:, None] * t[None, :] + market[None, :] + noise * rng.standard_normal((partners, months))
    )
    chance = 1 / (1 + np.exp(-(level - 66) / 4))
    chance *= funded_share / chance.mean()
    funded = np.flatnonzero(rng.random(partners) < chance)
    starts = rng.integers(10, months - 5, len(funded))
    for row, start in zip(funded, starts, strict=True):
        values[row] += funded_extra_trend * t
        values[row, start:] += effect
    panel = Panel(
        partner_ids=np.arange(1, partners + 1, dtype=np.int64),
        first_month=FIRST_MONTH,
        values=values,
        segment=segment.astype(np.int64),
        tier=tier.astype(np.int64),
    )
    treatments = [
        Treatment(key=f"investment:{row}", row=int(row), start_month=FIRST_MONTH + int(start), kind="mdf")
        for row, start in zip(funded, starts, strict=True)
    ]
    return panel, treatments
