"""Automatic drafts: which partners a refresh's snapshots put on a plan, and the checkpoints proposed for them.

Triggers (each can be switched off by the admin):

- **red two periods running**: the partner's two latest complete periods of one granularity are consecutive and
  both red (months; or complete quarters, a quarter to date never counts);
- **declining**: the latest complete period's trend verdict is "declining" (the engine separates noise from a real
  change, so this is not a single bad month);
- **tier grace**: sent by the tier framework (``partnerhub.core.signals.tier_grace_started``), not read here.

A partner fires at most one trigger per run (red first, then declining, months before quarters); the period of the
evidence is kept on the finding, so a trigger drafts once per partner and period however often it runs.

Proposals: the partner's weakest metrics in its latest monthly snapshot (lowest attainment below 100 %, at most
``MAX_METRIC_PROPOSALS``) each get "reach the monthly target by <horizon>"; the score gets "at least the amber
threshold"; a declining trend also gets "trend not declining".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Final

from partnerhub.core.domain.periods import month_number, period_label

RED_TWO_PERIODS: Final = "red_two_periods"
DECLINING: Final = "declining"
TIER_GRACE: Final = "tier_grace"
MAX_METRIC_PROPOSALS: Final = 2
STEP: Final = {"month": 1, "quarter": 3}


@dataclass(frozen=True)
class PeriodSignal:
    """One stored snapshot, as the triggers read it."""

    period: str
    start: date
    rag: str
    trend: str
    months_covered: int
    score: Decimal | None


@dataclass(frozen=True)
class Fired:
    trigger: str
    period: str
    period_start: date
    explanation: str


def fired_trigger(signals: Sequence[PeriodSignal], *, red: bool = True, declining: bool = True) -> Fired | None:
    """The trigger a partner's recent snapshots fire (newest first, any granularities mixed), or None."""
    for period in ("month", "quarter"):
        complete = sorted(
            (s for s in signals if s.period == period and (period == "month" or s.months_covered == 3)),
            key=lambda s: s.start,
            reverse=True,
        )
        if red and len(complete) >= 2:
            last, before = complete[0], complete[1]
            consecutive = month_number(last.start) - month_number(before.start) == STEP[period]
            if consecutive and last.rag == "red" and before.rag == "red":
                return Fired(
                    RED_TWO_PERIODS,
                    period,
                    last.start,
                    f"Red in {period_label(period, before.start)} and {period_label(period, last.start)}"
                    f" (score {_score(before.score)}, then {_score(last.score)}).",
                )
    for period in ("month", "quarter"):
        latest = next(
            (
                s
                for s in sorted(signals, key=lambda s: s.start, reverse=True)
                if s.period == period and (period == "month" or s.months_covered == 3)
            ),
            None,
        )
        if declining and latest is not None and latest.trend == DECLINING:
            return Fired(
                DECLINING,
                period,
                latest.start,
                f"The trend verdict for {period_label(period, latest.start)} is declining.",
            )
    return None


def _score(value: Decimal | None) -> str:
    return "—" if value is None else f"{Decimal(value):.1f}"


@dataclass(frozen=True)
class Proposal:
    measure: str
    comparator: str
    target: Decimal | None
    metric_id: int | None = None


def propose_checkpoints(
    items: Sequence[dict[str, Any]],
    directions: dict[int, str],
    *,
    score_amber_at: Decimal,
    trigger: str,
) -> list[Proposal]:
    """Checkpoints for a drafted plan, from the latest monthly snapshot's ``items`` and each metric's direction
    ("higher" or "lower" is better)."""
    present = [
        i
        for i in items
        if not i.get("missing")
        and i.get("attainment") is not None
        and i.get("target") is not None
        and float(i["attainment"]) < 100
    ]
    weakest = sorted(present, key=lambda i: (float(i["attainment"]), int(i["metric_id"])))[:MAX_METRIC_PROPOSALS]
    proposals = [
        Proposal(
            "metric",
            "lte" if directions.get(int(i["metric_id"])) == "lower" else "gte",
            Decimal(str(i["target"])).quantize(Decimal("0.0001")),
            int(i["metric_id"]),
        )
        for i in weakest
    ]
    proposals.append(Proposal("score", "gte", Decimal(score_amber_at).quantize(Decimal("0.0001"))))
    if trigger == DECLINING:
        proposals.append(Proposal("trend", "not_declining", None))
    return proposals
