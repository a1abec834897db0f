"""Which targets a metric can reach, by its unit: a target out of reach turns every partner red whatever they do.

The rule is the unit's, not any one metric's: no unit's value is ever negative (a count, an amount, days, hours, a
score, a percent), so a target must be above 0 (a target of 0 would make "lower is better" attainment 0 for any
activity and "higher is better" attainment meaningless); a percent cannot exceed 100, so neither can its target.
Units without a ceiling (counts, amounts, days, hours, and scores, whose scale is the metric's own: 1-5, 0-10) are
bounded below only.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

# The most a metric of the unit can reach; units left out have no ceiling.
UNIT_CEILINGS: Final[dict[str, Decimal]] = {"percent": Decimal(100)}
UNIT_NAMES: Final[dict[str, str]] = {
    "count": "a count",
    "percent": "a percent",
    "currency": "an amount",
    "days": "a number of days",
    "score": "a score",
    "hours": "a number of hours",
}


def target_ceiling(unit: str) -> Decimal | None:
    """The highest target a metric of ``unit`` can reach, or None when the unit has no ceiling."""
    return UNIT_CEILINGS.get(unit)


def target_out_of_reach(*, unit: str, target: Decimal) -> str | None:
    """Why ``target`` is out of reach for a metric of ``unit`` (a clause naming the limit), or None when it is not."""
    unit_name = UNIT_NAMES.get(unit, "this metric")
    if target <= 0:
        return f"must be above 0: {unit_name} is never negative"
    ceiling = target_ceiling(unit)
    if ceiling is not None and target > ceiling:
        return f"is above {ceiling}, the most {unit_name} can reach"
    return None
