"""Award candidate rules: which partners a category proposes for a quarter, each with the figures behind it.
Pure functions over one quarter's snapshot rows; no ORM, no clock.

Recognition rewards value delivered, not activity, and sustained change, not one noisy month:

- **top score in segment**: the best complete-quarter score of each segment (partner type x lifecycle stage), the
  segments' leaders ranked by score;
- **most improved**: partners whose quarterly trend verdict is *improving* (the engine's test against their own
  noise), ranked by the points gained over the last four complete quarters;
- **best CSAT**: the quarter's customer satisfaction among partners with at least ``min_responses`` survey responses;
- **top metric**: the best quarter value of a chosen metric (highest, or lowest for a lower-is-better metric).

Ties are broken by partner name, then id, so the same data always proposes the same candidates.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from recognition.domain.tiers import format_score, format_value

TOP_SCORE_IN_SEGMENT: Final = "top_score_in_segment"
MOST_IMPROVED: Final = "most_improved"
BEST_CSAT: Final = "best_csat"
TOP_METRIC: Final = "top_metric"
NOMINATIONS_ONLY: Final = "none"
IMPROVING: Final = "improving"


@dataclass(frozen=True)
class CandidateRow:
    """One partner's quarter, as the rules read it; ``history`` is its complete-quarter scores, oldest first
    (None where there was none), ending with this quarter."""

    partner_id: int
    name: str
    segment: str  # "Reseller · Mature": the partner type and lifecycle stage, as pages name them
    score: float | None
    percentile: float | None = None
    trend: str = ""
    trend_explanation: str = ""
    history: tuple[float | None, ...] = ()
    history_labels: tuple[str, ...] = ()
    value: float | None = None  # the rule's metric (CSAT or the chosen one) for the quarter
    responses: int | None = None


@dataclass(frozen=True)
class Candidate:
    partner_id: int
    name: str
    rank: int
    headline: str
    figures: dict[str, Any] = field(default_factory=dict)


def _present(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def _ranked(rows: Sequence[tuple[float, CandidateRow]], descending: bool = True) -> list[tuple[float, CandidateRow]]:
    sign = -1 if descending else 1
    return sorted(rows, key=lambda pair: (sign * pair[0], pair[1].name, pair[1].partner_id))


def top_score_in_segment(rows: Sequence[CandidateRow], count: int, quarter_label: str) -> list[Candidate]:
    """The leader of each segment, ranked by score; the figures name the segment's size and its runner-up."""
    segments: dict[str, list[tuple[float, CandidateRow]]] = {}
    for row in rows:
        if _present(row.score):
            segments.setdefault(row.segment, []).append((float(row.score or 0), row))
    leaders = []
    for segment, members in segments.items():
        ordered = _ranked(members)
        score, leader = ordered[0]
        runner_up = ordered[1][0] if len(ordered) > 1 else None
        leaders.append((score, leader, segment, len(ordered), runner_up))
    leaders.sort(key=lambda entry: (-entry[0], entry[1].name, entry[1].partner_id))
    out = []
    for rank, (score, row, segment, size, runner_up) in enumerate(leaders[:count], start=1):
        if runner_up is None:
            headline = f"Score {format_score(score)} in {quarter_label}, the only partner scored in {segment}."
        else:
            headline = (
                f"Score {format_score(score)} in {quarter_label}: first of {size} in {segment}, "
                f"{format_score(score - runner_up)} points ahead of the next."
            )
        out.append(
            Candidate(
                partner_id=row.partner_id,
                name=row.name,
                rank=rank,
                headline=headline,
                figures={
                    "rule": TOP_SCORE_IN_SEGMENT,
                    "quarter": quarter_label,
                    "score": round(score, 2),
                    "segment": segment,
                    "segment_size": size,
                    "runner_up": None if runner_up is None else round(runner_up, 2),
                    "percentile": None if row.percentile is None else round(row.percentile, 1),
                },
            )
        )
    return out


def improvement(row: CandidateRow) -> tuple[float, float, str] | None:
    """Points gained from the earliest scored quarter of the history to this one: (gain, from score, from label)."""
    if not _present(row.score):
        return None
    for value, label in zip(row.history[:-1], row.history_labels[:-1], strict=False):
        if _present(value):
            return float(row.score or 0) - float(value or 0), float(value or 0), label
    return None


def most_improved(rows: Sequence[CandidateRow], count: int, quarter_label: str) -> list[Candidate]:
    """Partners the trend verdict calls improving, by points gained over the history (one good month is not enough)."""
    gains = []
    for row in rows:
        if row.trend != IMPROVING:
            continue
        found = improvement(row)
        if found is not None and found[0] > 0:
            gains.append((found[0], row, found[1], found[2]))
    gains.sort(key=lambda entry: (-entry[0], entry[1].name, entry[1].partner_id))
    out = []
    for rank, (gain, row, start, label) in enumerate(gains[:count], start=1):
        out.append(
            Candidate(
                partner_id=row.partner_id,
                name=row.name,
                rank=rank,
                headline=(
                    f"Up {format_score(gain)} points from {label} to {quarter_label} "
                    f"({format_score(start)} → {format_score(row.score)}); trend: improving."
                ),
                figures={
                    "rule": MOST_IMPROVED,
                    "quarter": quarter_label,
                    "score": round(float(row.score or 0), 2),
                    "from_score": round(start, 2),
                    "from_quarter": label,
                    "gain": round(gain, 2),
                    "trend": row.trend,
                    "trend_explanation": row.trend_explanation,
                    "history": [
                        {"quarter": q, "score": None if not _present(s) else round(float(s or 0), 2)}
                        for q, s in zip(row.history_labels, row.history, strict=False)
                    ],
                },
            )
        )
    return out


def best_csat(
    rows: Sequence[CandidateRow], count: int, quarter_label: str, min_responses: int, scale: float = 5
) -> list[Candidate]:
    """The quarter's best CSAT among partners with at least ``min_responses`` responses (more responses break ties)."""
    eligible = [
        (float(row.value or 0), row)
        for row in rows
        if _present(row.value) and row.responses is not None and row.responses >= min_responses
    ]
    eligible.sort(key=lambda pair: (-pair[0], -(pair[1].responses or 0), pair[1].name, pair[1].partner_id))
    return [
        Candidate(
            partner_id=row.partner_id,
            name=row.name,
            rank=rank,
            headline=f"CSAT {format_value(value, 'score')} of {format_value(scale, 'score')} from {row.responses} "
            f"responses in {quarter_label}.",
            figures={
                "rule": BEST_CSAT,
                "quarter": quarter_label,
                "csat": round(value, 2),
                "responses": row.responses,
                "min_responses": min_responses,
            },
        )
        for rank, (value, row) in enumerate(eligible[:count], start=1)
    ]


def top_metric(
    rows: Sequence[CandidateRow],
    count: int,
    quarter_label: str,
    metric_name: str,
    unit: str,
    lower_is_better: bool = False,
) -> list[Candidate]:
    """The best quarter value of one metric (the highest, or the lowest when lower is better)."""
    present = [(float(row.value or 0), row) for row in rows if _present(row.value)]
    ordered = _ranked(present, descending=not lower_is_better)
    return [
        Candidate(
            partner_id=row.partner_id,
            name=row.name,
            rank=rank,
            headline=f"{metric_name}: {format_value(value, unit)} in {quarter_label}.",
            figures={"rule": TOP_METRIC, "quarter": quarter_label, "metric": metric_name, "value": value, "unit": unit},
        )
        for rank, (value, row) in enumerate(ordered[:count], start=1)
    ]
