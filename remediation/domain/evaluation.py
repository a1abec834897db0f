"""Checking a checkpoint against the partner's stored snapshot: met, missed, or not yet evaluable, and why.

Pure: the caller reads the snapshot figures (``SnapshotFigures``, in bulk) and writes the outcome. The rules:

- a checkpoint is **due** once its period is complete (the snapshot engine scores complete months only): a month
  checkpoint for March is due from 1 April, a quarter checkpoint for Q1 from 1 April;
- it is **not yet evaluable** when the snapshot cannot answer, and says which: no snapshot of that period yet
  (``no_snapshot``); a quarter still to date, short of months (``to_date``); the snapshot is flagged by data quality
  (``flagged``, with the flag's reasons); the metric is not on the scorecard that period used (``not_on_scorecard``)
  or has no actual that period (``missing``: said before the flag its gap raises); the score is empty for
  insufficient data (``no_score``); the trend has not enough history (``not_enough``);
- otherwise it is **met** or **missed**, with the figures compared: a metric's actual (the normalised actual when the
  scorecard normalises it, which is what its target is stated in), the overall score, or the trend verdict
  ("not declining": improving or stable).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Final

from partnerhub.core.domain.periods import month_number, month_start, period_bounds, period_label

PENDING: Final = "pending"
MET: Final = "met"
MISSED: Final = "missed"
NOT_EVALUABLE: Final = "not_evaluable"
DECLINING: Final = "declining"
NOT_ENOUGH: Final = "not_enough"

UNIT_SUFFIX: Final[dict[str, str]] = {"percent": " %", "days": " days", "hours": " h", "score": " points"}


@dataclass(frozen=True)
class CheckpointSpec:
    """What a checkpoint asks: ``measure`` (metric, score, trend), ``comparator`` (gte, lte, not_declining)."""

    measure: str
    comparator: str
    target: Decimal | None
    period: str  # "month" | "quarter"
    due_period_start: date
    metric_id: int | None = None
    metric_name: str = ""
    unit: str = ""
    currency: str = ""


@dataclass(frozen=True)
class SnapshotFigures:
    """The parts of one stored snapshot a checkpoint reads; ``item`` is the checkpoint metric's entry of ``items``
    (None: the metric is not on that scorecard)."""

    months_covered: int
    score: Decimal | None
    trend: str
    dq_flag: bool
    dq_reasons: list[str] = field(default_factory=list)
    item: dict[str, Any] | None = None


@dataclass(frozen=True)
class Evaluation:
    status: str
    explanation: str
    actual: Decimal | None = None
    actual_trend: str = ""
    reason: str = ""  # why not evaluable


@functools.lru_cache(maxsize=4096)
def is_due(period: str, due_period_start: date, today: date) -> bool:
    """Whether the period is complete on ``today`` (its last day is before the month under way)."""
    return period_bounds(period, due_period_start)[1] < month_start(month_number(today))


@functools.lru_cache(maxsize=4096)
def _when(period: str, start: date) -> str:
    return period_label(period, start)


def label(spec: CheckpointSpec) -> str:
    """The criterion in words: "Win rate at least 25 % in March 2026", "Score at least 60 in Q2 2026"."""
    when = period_label(spec.period, spec.due_period_start)
    if spec.measure == "trend":
        return f"Trend not declining in {when}"
    name = spec.metric_name if spec.measure == "metric" else "Score"
    word = "at least" if spec.comparator == "gte" else "at most"
    return f"{name} {word} {figure(spec.target, spec)} in {when}"


def figure(value: Decimal | float | None, spec: CheckpointSpec) -> str:
    """A number with its unit: "25 %", "61.3 points", "120,000 USD", "42 days"."""
    if value is None:
        return "—"
    number = Decimal(str(value))
    text = f"{number:,.2f}".rstrip("0").rstrip(".") if number != number.to_integral() else f"{number:,.0f}"
    if spec.measure == "score":
        return f"{text} points"
    if spec.unit == "currency":
        return f"{text} {spec.currency}".rstrip()
    return f"{text}{UNIT_SUFFIX.get(spec.unit, '')}"


def evaluate(spec: CheckpointSpec, figures: SnapshotFigures | None, today: date) -> Evaluation:
    """The checkpoint's status against the snapshot of its period (``figures``; None when there is none)."""
    when = _when(spec.period, spec.due_period_start)
    if not is_due(spec.period, spec.due_period_start, today):
        return Evaluation(PENDING, f"Checked once {when} is complete and its snapshot is computed.")
    if figures is None:
        return Evaluation(NOT_EVALUABLE, f"No snapshot for {when} yet.", reason="no_snapshot")
    if spec.period == "quarter" and figures.months_covered < 3:
        return Evaluation(
            NOT_EVALUABLE,
            f"{when} has data for {figures.months_covered} of 3 months only: the quarter is not complete.",
            reason="to_date",
        )
    item = figures.item
    if spec.measure == "metric":
        # The metric's own gap is the more precise answer than the flag it causes.
        if item is None:
            return Evaluation(
                NOT_EVALUABLE, f"{spec.metric_name} is not on the scorecard used for {when}.", reason="not_on_scorecard"
            )
        value = item.get("normalised") if item.get("normalised") is not None else item.get("actual")
        if item.get("missing") or value is None:
            return Evaluation(NOT_EVALUABLE, f"{spec.metric_name} has no data for {when}.", reason="missing")
    if figures.dq_flag:
        reasons = " ".join(r.rstrip(".") + "." for r in figures.dq_reasons) or "See the scorecard."
        return Evaluation(
            NOT_EVALUABLE, f"The {when} snapshot is flagged for data quality: {reasons}", reason="flagged"
        )
    if spec.measure == "trend":
        return _trend(spec, figures, when)
    if spec.measure == "score":
        if figures.score is None:
            return Evaluation(NOT_EVALUABLE, f"No score in {when}: insufficient data.", reason="no_score")
        return _compare(spec, Decimal(figures.score), "Score", when)
    return _compare(spec, Decimal(str(value)), spec.metric_name, when)


def _compare(spec: CheckpointSpec, actual: Decimal, name: str, when: str) -> Evaluation:
    target = spec.target if spec.target is not None else Decimal(0)
    met = actual >= target if spec.comparator == "gte" else actual <= target
    word = "at least" if spec.comparator == "gte" else "at most"
    verdict = "met" if met else "missed"
    text = f"{name} was {figure(actual, spec)} in {when}, against {word} {figure(target, spec)}: {verdict}."
    return Evaluation(MET if met else MISSED, text, actual=actual.quantize(Decimal("0.0001")))


def _trend(spec: CheckpointSpec, figures: SnapshotFigures, when: str) -> Evaluation:
    if figures.trend in ("", NOT_ENOUGH):
        return Evaluation(NOT_EVALUABLE, f"Not enough history for a trend verdict in {when}.", reason="not_enough")
    met = figures.trend != DECLINING
    text = f"The trend was {figures.trend} in {when}, against not declining: {'met' if met else 'missed'}."
    return Evaluation(MET if met else MISSED, text, actual_trend=figures.trend)
