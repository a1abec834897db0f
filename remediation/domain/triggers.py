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
from typing import Any, Final, Protocol

from partnerhub.core.domain.periods import month_number, period_label

RED_TWO_PERIODS: Final = "red_two_periods"
DECLINING: Final = "declining"
TIER_GRACE: Final = "tier_grace"
MAX_METRIC_PROPOSALS: Final = 2
STEP: Final = {"month": 1, "quarter": 3}


class PeriodSignal(Protocol):
    """One stored snapshot, as the triggers read it (``scorecards.selectors.snapshots.SnapshotSignal`` is one)."""

    @property
    def period(self) -> str: ...
    @property
    def period_start(self) -> date: ...
    @property
    def rag(self) -> str: ...
    @property
    def trend(self) -> str: ...
    @property
    def months_covered(self) -> int: ...
    @property
    def score(self) -> Decimal | None: ...


@dataclass(frozen=True)
class Fired:
    trigger: str
    period: str
    period_start: date
    explanation: str


def fired_trigger(signals: Sequence[PeriodSignal], *, red: bool = True, declining: bool = True) -> Fired | None:
    """The trigger a partner's recent snapshots fire (newest first within each granularity), or None.

    One pass, no sorting: the callers hand the snapshots newest first (a quarter to date never counts)."""
    complete: dict[str, list[PeriodSignal]] = {"month": [], "quarter": []}
    for s in signals:
        if s.period == "month" or (s.period == "quarter" and s.months_covered == 3):
            complete[s.period].append(s)
    if red:
        for period in ("month", "quarter"):
            rows = complete[period]
            if len(rows) < 2:
                continue
            last, before = rows[0], rows[1]
            consecutive = month_number(last.period_start) - month_number(before.period_start) == STEP[period]
            if consecutive and last.rag == "red" and before.rag == "red":
                return Fired(
                    RED_TWO_PERIODS,
                    period,
                    last.period_start,
                    f"Red in {period_label(period, before.period_start)} and "
                    f"{period_label(period, last.period_start)} (score {_score(before.score)}, then "
                    f"{_score(last.score)}).",
                )
    if declining:
        for period in ("month", "quarter"):
            rows = complete[period]
            if rows and rows[0].trend == DECLINING:
                return Fired(
                    DECLINING,
                    period,
                    rows[0].period_start,
                    f"The trend verdict for {period_label(period, rows[0].period_start)} is declining.",
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
