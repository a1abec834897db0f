"""Where one score stands in a group of partners (its segment, its tier), said so that it means something.

- **Rank**: 1 + the number of scores in the group strictly higher (ties share a rank), out of the group's scored
  partners, the partner's own included.
- **Percentile**: ``100 * (below + 0.5 * equal) / n``, the scoring engine's rule (``scoring._percentiles``). Shown
  only from ``MIN_PERCENTILE_GROUP`` partners: in a group of six, "83rd percentile" is one place of six in a costume,
  so a smaller group is said as "rank 2 of 6".
- **Median**: shown only from ``MIN_MEDIAN_GROUP`` partners. With two, the median is the mean of the partner's own
  score and the one other's, which would give the other partner's score away.

Pure: no query, no clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median

MIN_PERCENTILE_GROUP = 10
MIN_MEDIAN_GROUP = 3


@dataclass(frozen=True)
class GroupStanding:
    """One score in one group: the group's size, the score's rank, and the percentile and median when the group is
    large enough for them to be meaningful (None otherwise)."""

    size: int
    rank: int
    percentile: float | None
    median: float | None

    @property
    def says_rank(self) -> bool:
        """Too few partners for a percentile: the page says "rank k of n"."""
        return self.percentile is None


def standing_in_group(score: float, others: Sequence[float]) -> GroupStanding:
    """``score``'s standing among ``others`` (the group's other scored partners, not the partner itself)."""
    everyone = [*others, score]
    size = len(everyone)
    higher = sum(1 for value in others if value > score)
    below = sum(1 for value in others if value < score)
    equal = size - higher - below  # the partner itself included
    return GroupStanding(
        size=size,
        rank=higher + 1,
        percentile=round(100 * (below + 0.5 * equal) / size, 1) if size >= MIN_PERCENTILE_GROUP else None,
        median=float(median(everyone)) if size >= MIN_MEDIAN_GROUP else None,
    )


def addressed_to_partner(sentence: str) -> str:
    """A stored sentence about a partner ("... that this partner's usual month-to-month movement can explain"), said
    to the partner reading it in the portal ("... that your usual ...")."""
    return sentence.replace("this partner's", "your").replace("This partner's", "Your")
