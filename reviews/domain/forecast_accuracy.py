"""Forecast accuracy: pure functions that score a partner's quarterly pipeline forecast against what closed.

No database here: the scoring service (``reviews.services.forecasts``) reads the lines and the won deals and calls
``score``; quarters are calendar quarters (``partnerhub.core.domain.periods``). The measures, with a
worked example, are documented in docs/reviews-portal.md:

- forecast amount F = sum of amount x probability / 100 over the lines expected to close in the quarter;
- actual amount A = sum of the amounts of the partner's deals won with a close date in the quarter (forecast or not);
- accuracy = 100 x (1 - |F - A| / max(F, A)), i.e. the smaller of F and A as a share of the larger (100 when both
  are 0). It is the ``forecast_accuracy`` metric.
- WAPE (line level) = sum |p_i a_i - o_i a_i| / sum o_i a_i, where o_i is 1 when the line's deal (matched by its CRM
  id) was won in the quarter and 0 otherwise. When no forecast line was won the denominator is 0: WAPE is then 1
  (everything forecast missed) if anything was forecast, 0 if the forecast lines were all worth 0.
- Brier score (calibration) = mean (p_i - o_i)^2 over the lines: 0 is perfect, 0.25 is what saying 50 % for every
  line would score.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from partnerhub.core.domain.periods import next_quarter_start

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
TEN_THOUSANDTH = Decimal("0.0001")
# The largest WAPE the Forecast.wape column holds (max_digits=9, decimal_places=4); larger errors are stored as this.
WAPE_CAP = Decimal("99999.9999")
# Brier scores up to this are "well calibrated"; up to 0.25 (a coin toss) "roughly calibrated"; above, worse.
BRIER_GOOD = Decimal("0.10")
BRIER_COIN = Decimal("0.25")
# A quarter is scored this many days after its last day, so that CRM updates of its last days are imported first.
SCORING_GRACE_DAYS = 7


# --- quarters ---


def scoring_day(start: date) -> date:
    """The first day a forecast for the quarter starting at (or containing) ``start`` is scored."""
    return next_quarter_start(start) + timedelta(days=SCORING_GRACE_DAYS)


# --- scoring ---


@dataclass(frozen=True)
class LineOutcome:
    """One forecast line as scored: its amount, its probability (0 to 100) and whether its deal was won."""

    amount: Decimal
    probability: int
    won: bool

    @property
    def p(self) -> Decimal:
        return Decimal(self.probability) / HUNDRED

    @property
    def o(self) -> Decimal:
        return Decimal(1) if self.won else Decimal(0)


@dataclass(frozen=True)
class ForecastScore:
    forecast_amount: Decimal
    actual_amount: Decimal
    accuracy: Decimal
    wape: Decimal | None
    brier: Decimal | None


def forecast_amount(lines: Iterable[LineOutcome]) -> Decimal:
    """The probability-weighted forecast: sum of amount x probability / 100."""
    return sum((line.amount * line.p for line in lines), Decimal(0))


def accuracy_percent(forecast: Decimal, actual: Decimal) -> Decimal:
    """100 x (1 - |F - A| / max(F, A)): 100 when both are 0, 0 when exactly one of them is."""
    if forecast < 0 or actual < 0:
        raise ValueError("forecast and actual amounts cannot be negative")
    larger = max(forecast, actual)
    if larger == 0:
        return HUNDRED
    return max(Decimal(0), HUNDRED * (1 - abs(forecast - actual) / larger))


def wape(lines: Sequence[LineOutcome]) -> Decimal | None:
    """Weighted absolute percentage error of the lines; None without lines (see the module docstring for zeros)."""
    if not lines:
        return None
    error = sum((abs(line.p * line.amount - line.o * line.amount) for line in lines), Decimal(0))
    won = sum((line.o * line.amount for line in lines), Decimal(0))
    if won == 0:
        return Decimal(1) if error > 0 else Decimal(0)
    return error / won


def brier(lines: Sequence[LineOutcome]) -> Decimal | None:
    """Mean squared difference between each line's probability and its outcome; None without lines."""
    if not lines:
        return None
    return sum(((line.p - line.o) ** 2 for line in lines), Decimal(0)) / len(lines)


def score(lines: Sequence[LineOutcome], actual_amount: Decimal) -> ForecastScore:
    """Score the in-quarter lines of a forecast against the amount the partner won in the quarter, rounded to the
    precision the Forecast columns store."""
    forecast = forecast_amount(lines)
    line_wape, line_brier = wape(lines), brier(lines)
    return ForecastScore(
        forecast_amount=_round(forecast, CENT),
        actual_amount=_round(actual_amount, CENT),
        accuracy=_round(accuracy_percent(forecast, actual_amount), CENT),
        wape=None if line_wape is None else min(_round(line_wape, TEN_THOUSANDTH), WAPE_CAP),
        brier=None if line_brier is None else _round(line_brier, TEN_THOUSANDTH),
    )


def _round(value: Decimal, step: Decimal) -> Decimal:
    return value.quantize(step, rounding=ROUND_HALF_UP)


# --- plain words ---


def calibration_words(brier_score: Decimal | None) -> str:
    """The Brier score in a sentence a partner understands."""
    if brier_score is None:
        return "No lines to judge the probabilities by."
    if brier_score <= BRIER_GOOD:
        return "Your probabilities were well calibrated: likely deals mostly closed, unlikely ones mostly did not."
    if brier_score <= BRIER_COIN:
        return (
            "Your probabilities were roughly calibrated: better than calling every deal 50/50, with room to "
            "sharpen them."
        )
    return "Your probabilities were no better than calling every deal 50/50: deals you rated likely often slipped."


def direction_words(forecast: Decimal, actual: Decimal) -> str:
    """Whether the forecast was above or below what closed, and by how much of what closed."""
    if forecast == actual:
        return "Your forecast matched what closed exactly."
    if actual == 0:
        return "Nothing you forecast closed won in the quarter."
    share = _round(abs(forecast - actual) / actual * HUNDRED, Decimal(1))
    if forecast > actual:
        return f"You over-forecast by {share}% of what closed."
    return f"You under-forecast by {share}% of what closed."
