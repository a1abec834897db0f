"""What a new program starts with: the four tiers the partner tier field always had (now records with a rank and
benefits), a suggested first framework draft, and the default award categories. Plain data, no ORM."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Final


@dataclass(frozen=True)
class TierDefault:
    key: str
    name: str
    rank: int
    mdf_share_pct: Decimal
    discount_pct: Decimal
    enablement: str
    support: str
    beta_access: bool
    executive_sponsor: bool


DEFAULT_TIERS: Final = (
    TierDefault(
        "registered",
        "Registered",
        1,
        Decimal(0),
        Decimal(10),
        "Self-paced online training",
        "Community and e-mail support",
        False,
        False,
    ),
    TierDefault(
        "silver",
        "Silver",
        2,
        Decimal(2),
        Decimal(20),
        "Instructor-led training, two seats a quarter",
        "Business-hours partner support",
        False,
        False,
    ),
    TierDefault(
        "gold",
        "Gold",
        3,
        Decimal(4),
        Decimal(30),
        "Instructor-led training and certification vouchers",
        "Priority support, named engineer",
        True,
        False,
    ),
    TierDefault(
        "platinum",
        "Platinum",
        4,
        Decimal(6),
        Decimal(40),
        "A dedicated enablement plan and solution architect",
        "24x7 priority support",
        True,
        True,
    ),
)


@dataclass(frozen=True)
class CriteriaDefault:
    """A suggestion for the first draft, by rank from the top (the entry tier is left open)."""

    min_score: Decimal
    quarters_required: int
    quarters_window: int
    min_tenure_months: int | None = None


# The highest tier first; the entry tier (the last one) gets no criteria.
SUGGESTED_CRITERIA: Final = (
    CriteriaDefault(Decimal(80), 3, 4, 12),
    CriteriaDefault(Decimal(70), 3, 4),
    CriteriaDefault(Decimal(60), 2, 4),
)


@dataclass(frozen=True)
class AwardDefault:
    name: str
    description: str
    rule: str
    metric_key: str | None = None


DEFAULT_AWARDS: Final = (
    AwardDefault(
        "Partner of the quarter", "The highest scorecard in its segment for the quarter.", "top_score_in_segment"
    ),
    AwardDefault(
        "Most improved",
        "The largest sustained improvement: a quarterly trend verdict of improving, not one good month.",
        "most_improved",
    ),
    AwardDefault(
        "Best joint initiative",
        "The most joint engagement activities (webinars, co-sell campaigns, integrations) in the quarter.",
        "top_metric",
        "joint_activities",
    ),
    AwardDefault(
        "Highest customer satisfaction",
        "The best customer satisfaction of the quarter, among partners with enough survey responses.",
        "best_csat",
    ),
)
