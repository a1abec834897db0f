"""The framework review's checklist, written from figures the selectors read: which metrics, targets and cadences
deserve a look. Pure: thresholds and sentences, no ORM."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

POOR_COVERAGE: Final = 0.7  # a metric with data for fewer than this share of scored partners
NEARLY_ALL: Final = 0.9  # a target met by at least this share is met by nearly everyone
NEARLY_NONE: Final = 0.1  # ... and by at most this share, by nearly nobody
NEVER_CHANGES: Final = 0.8  # a metric whose value never moved for at least this share of partners
MANY_CANCELLED: Final = 0.2  # a cadence with at least this share of its reviews cancelled


@dataclass(frozen=True)
class MetricFigures:
    name: str
    scored: int  # partners scored in the period
    reporting: int  # of which with the metric's actual and target
    met: int  # of which at or above target
    flat: int  # partners whose value did not change over the last months (of those with enough months)
    tracked: int  # partners with enough months to tell


@dataclass(frozen=True)
class CadenceFigures:
    name: str
    reviews: int
    cancelled: int


def checklist(metrics: list[MetricFigures], cadences: list[CadenceFigures]) -> list[dict[str, Any]]:
    """The items to look at, most telling first within each kind; an empty list says the data raises nothing."""
    items: list[dict[str, Any]] = []
    for m in metrics:
        if m.scored and m.reporting / m.scored < POOR_COVERAGE:
            items.append(
                {
                    "kind": "coverage",
                    "text": f"{m.name} has data for only {100 * m.reporting / m.scored:.0f} % of scored partners: is "
                    "its source reliable, or should it weigh less?",
                }
            )
        if m.reporting >= 5 and m.met / m.reporting >= NEARLY_ALL:
            items.append(
                {
                    "kind": "target",
                    "text": f"{m.name}: {100 * m.met / m.reporting:.0f} % of partners meet the target: it may be too "
                    "low to tell them apart.",
                }
            )
        elif m.reporting >= 5 and m.met / m.reporting <= NEARLY_NONE:
            items.append(
                {
                    "kind": "target",
                    "text": f"{m.name}: only {100 * m.met / m.reporting:.0f} % of partners meet the target: it may be "
                    "out of reach.",
                }
            )
        if m.tracked >= 5 and m.flat / m.tracked >= NEVER_CHANGES:
            items.append(
                {
                    "kind": "flat",
                    "text": f"{m.name} never changed for {100 * m.flat / m.tracked:.0f} % of partners over the last "
                    "months: does it still measure anything?",
                }
            )
    items += [
        {
            "kind": "cadence",
            "text": f"{c.name}: {c.cancelled} of {c.reviews} reviews in the last year were cancelled: is the cadence "
            "too frequent for the team or the partners?",
        }
        for c in cadences
        if c.reviews >= 5 and c.cancelled / c.reviews >= MANY_CANCELLED
    ]
    return [{"key": f"{item['kind']}-{n + 1}", **item} for n, item in enumerate(items)]
