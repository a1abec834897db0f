"""The deal-quality rubric: five criteria scored 1 (weak) to 5 (sound) from a deal's own fields, vectorised.

- **Pricing integrity** — the amount against the partner's median deal size: within 0.5x-2x scores 5; up to 3x
  (or down to 0.33x) 4; up to 5x 3; up to 10x 2; beyond 1. An outsized deal is where pricing goes wrong.
- **Discount discipline** — the discount: up to 5 % scores 5, up to 10 % 4, up to 15 % 3, up to 25 % 2, more 1.
- **Contract terms** — the term: 36 months or more 5, 24+ 4, 12+ 3, any shorter term 2, no term stated 1.
- **Renewal risk** — a renewal scores 5; new business with an approved registration 4, pending 3, none 2,
  rejected (or expired) 1.
- **Technical risk** — read from the probability the partner reports: 70 % or more 5, 50+ 4, 30+ 3, 10+ 2, else 1.
  Won deals score 5 (delivered), lost deals 1.

The deal's quality is the mean of the five. A partner's "deal_quality" metric is the mean quality of its reviewed
deals created in the month.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DEAL_QUALITY = "deal_quality"  # the glossary key of the metric this rubric feeds

CRITERIA = ("pricing_integrity", "discount_discipline", "contract_terms", "renewal_risk", "technical_risk")


def _steps(values: pd.Series, edges: list[float], scores: list[int], default: int) -> pd.Series:
    """Score by the first edge a value is at most (ascending edges); NaN gets ``default``."""
    result = np.full(len(values), default, dtype=np.int64)
    array = values.to_numpy(dtype=float)
    assigned = np.isnan(array)
    for edge, score in zip(edges, scores, strict=True):
        hit = ~assigned & (array <= edge)
        result[hit] = score
        assigned |= hit
    result[~assigned] = scores[-1] if len(scores) > len(edges) else 1
    return pd.Series(result, index=values.index)


def score_deals(deals: pd.DataFrame) -> pd.DataFrame:
    """Rubric scores for ``deals`` (columns: partner_id, amount, discount_pct, term_months, is_renewal,
    registration_status, probability, status, median_amount) — returns the five criteria and ``quality``."""
    out = pd.DataFrame(index=deals.index)
    ratio = deals["amount"].astype(float) / deals["median_amount"].astype(float).replace(0, np.nan)
    spread = np.maximum(ratio, 1 / ratio.where(ratio > 0))
    out["pricing_integrity"] = _steps(spread, [2, 3, 5, 10], [5, 4, 3, 2], default=3)
    out["discount_discipline"] = _steps(deals["discount_pct"].astype(float), [5, 10, 15, 25], [5, 4, 3, 2], default=3)
    term = deals["term_months"].astype(float)
    out["contract_terms"] = np.select([term >= 36, term >= 24, term >= 12, term > 0], [5, 4, 3, 2], default=1)
    registration = deals["registration_status"].fillna("")
    out["renewal_risk"] = np.select(
        [
            deals["is_renewal"].astype(bool),
            registration == "approved",
            registration == "pending",
            registration == "rejected",
        ],
        [5, 4, 3, 1],
        default=2,
    )
    probability = deals["probability"].astype(float)
    out["technical_risk"] = np.select(
        [
            deals["status"] == "won",
            deals["status"] == "lost",
            probability >= 70,
            probability >= 50,
            probability >= 30,
            probability >= 10,
        ],
        [5, 1, 5, 4, 3, 2],
        default=1,
    )
    out["quality"] = out[list(CRITERIA)].mean(axis=1).round(2)
    return out
