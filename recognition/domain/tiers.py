"""The tier framework's rules and the quarterly evaluation: pure functions, no ORM, no clock, no I/O.

A **framework** orders the program's tiers by rank (1 = the entry tier) and gives each tier its criteria, every part
of which must be met to hold the tier in a quarter:

- a score sustained over time: "a score of at least X in at least K of the last N complete quarters" (a quarter with
  no score, or only a quarter to date, counts as not met);
- required metrics with their threshold, on the evaluated quarter's value as the scorecard shows it (at least the
  threshold for a higher-is-better metric, at most it for a lower-is-better one; no value: not met);
- a minimum tenure: months from the partner's first scored month to the end of the evaluated quarter.

A tier without any part is open to every partner (the entry tier usually is). A higher tier must demand at least as
much as every lower one, in every part (``framework_problems``), so "the highest tier whose criteria are met" is the
tier a partner has earned.

**The evaluation** of a quarter, per partner, from its current tier *r* and the tier it earned *e*:

- *e* above *r*: **promote** one tier up;
- *e* equal to *r*: **hold**;
- *e* below *r*: the partner misses its tier's criteria. Counting the quarters in a row it has missed them (this one
  included, the same criteria applied to each earlier quarter, but none before the partner entered its tier), while
  that count is within the framework's grace quarters the recommendation is **grace** (with a compliance-risk warning
  naming the criteria at risk and the gap in numbers); past it, **demote** one tier down. A partner at the entry tier
  is held there.

Moves are one tier at a time, up or down: scorecard targets may depend on the tier (a Gold partner is held to Gold
targets), so a score earned against one tier's targets says little about a tier two steps away; the next quarter's
evaluation, against the new tier's targets, decides whether the partner moves again. For the same reason the quarters
before a partner entered its tier (its latest tier change) never count as missing that tier.

The decision is computed column-wise with numpy for the whole portfolio (``evaluate``); each partner's evidence (every
criterion, each period's value, met or not) is read from the same arrays, so the evidence and the decision cannot
disagree, and ``explain`` writes the plain-words paragraph from the evidence alone.

Quarters are named by the month number of their first month (``partnerhub.core.domain.periods.month_number``).
"""

from __future__ import annotations

import functools
import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import orjson

from partnerhub.core.domain.periods import month_start, quarter_label

MAX_WINDOW: Final = 8  # quarters a score criterion may look back
MAX_GRACE: Final = 4  # quarters of grace a framework may allow
MAX_TENURE_MONTHS: Final = 240
GTE, LTE = "gte", "lte"
PROMOTE, HOLD, GRACE, DEMOTE = "promote", "hold", "grace", "demote"
MOVES: Final = (PROMOTE, HOLD, GRACE, DEMOTE)

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


# --- the framework ---


@dataclass(frozen=True)
class TierSpec:
    id: int
    key: str
    name: str
    rank: int


@dataclass(frozen=True)
class MetricRule:
    """A required metric: ``comparison`` is ``gte`` (at least ``threshold``) or ``lte`` (at most)."""

    metric_id: int
    key: str
    name: str
    unit: str
    comparison: str
    threshold: float

    @property
    def label(self) -> str:
        words = "at least" if self.comparison == GTE else "at most"
        return f"{self.name} {words} {format_value(self.threshold, self.unit)}"


@dataclass(frozen=True)
class Criteria:
    """What holding one tier takes; every part given must be met. No part at all: open to every partner."""

    tier_id: int
    min_score: float | None = None
    quarters_required: int = 1
    quarters_window: int = 1
    min_tenure_months: int | None = None
    metrics: tuple[MetricRule, ...] = ()

    @property
    def is_open(self) -> bool:
        return self.min_score is None and not self.min_tenure_months and not self.metrics

    @property
    def score_label(self) -> str:
        if self.min_score is None:
            return ""
        if self.quarters_window == 1:
            return f"A score of at least {format_score(self.min_score)} in the quarter"
        return (
            f"A score of at least {format_score(self.min_score)} in at least {self.quarters_required} of the last "
            f"{self.quarters_window} quarters"
        )

    @property
    def tenure_label(self) -> str:
        return f"At least {self.min_tenure_months} months in the program" if self.min_tenure_months else ""

    def labels(self) -> list[str]:
        """Each part in plain words, in the order the evidence lists them."""
        parts = [self.score_label] if self.min_score is not None else []
        parts += [rule.label for rule in self.metrics]
        if self.min_tenure_months:
            parts.append(self.tenure_label)
        return parts


@dataclass(frozen=True)
class Framework:
    """A framework version: its tiers in ascending rank, the criteria of each (by tier id; missing = open)."""

    version_id: int
    number: int
    grace_quarters: int
    tiers: tuple[TierSpec, ...]
    criteria: Mapping[int, Criteria] = field(default_factory=dict)

    def criteria_of(self, tier: TierSpec) -> Criteria:
        return self.criteria.get(tier.id) or Criteria(tier_id=tier.id)

    @property
    def window(self) -> int:
        """The most quarters any score criterion looks back (at least 1)."""
        return max([c.quarters_window for c in self.criteria.values() if c.min_score is not None] or [1])

    @property
    def history_quarters(self) -> int:
        """Quarters of history an evaluation reads: the longest window, and each quarter of grace before it."""
        return self.window + self.grace_quarters

    @property
    def metric_ids(self) -> list[int]:
        return sorted({rule.metric_id for c in self.criteria.values() for rule in c.metrics})

    @property
    def uses_tenure(self) -> bool:
        return any(c.min_tenure_months for c in self.criteria.values())


# --- bad input ---


@dataclass(frozen=True)
class Problem:
    field: str
    message: str


def _pair_problems(lower: TierSpec, low: Criteria, higher: TierSpec, high: Criteria) -> list[Problem]:
    """What makes ``higher`` demand less than ``lower`` in some part (contradictory) or exactly the same (overlap)."""
    problems: list[Problem] = []
    stricter = False  # does ``higher`` demand more than ``lower`` anywhere?
    if low.min_score is not None:
        if high.min_score is None:
            problems.append(
                Problem(
                    "min_score",
                    f"{higher.name} asks for no score while {lower.name} asks for at least "
                    f"{format_score(low.min_score)}: a higher tier must demand at least as much as a lower one.",
                )
            )
        else:
            if high.min_score < low.min_score:
                problems.append(
                    Problem(
                        "min_score",
                        f"{higher.name} asks for a score of at least {format_score(high.min_score)}, below "
                        f"{lower.name}'s {format_score(low.min_score)}: a lower tier may not demand more than a "
                        "higher one.",
                    )
                )
            if high.quarters_required < low.quarters_required:
                problems.append(
                    Problem(
                        "quarters_required",
                        f"{higher.name} needs its score in {high.quarters_required} quarter(s), fewer than "
                        f"{lower.name}'s {low.quarters_required}.",
                    )
                )
            high_misses = high.quarters_window - high.quarters_required
            low_misses = low.quarters_window - low.quarters_required
            if high_misses > low_misses:
                problems.append(
                    Problem(
                        "quarters_window",
                        f"{higher.name} lets a partner miss its score in {high_misses} of its last "
                        f"{high.quarters_window} quarters, more than the {low_misses} {lower.name} allows.",
                    )
                )
            stricter = stricter or (
                high.min_score > low.min_score
                or high.quarters_required > low.quarters_required
                or high_misses < low_misses
            )
    elif high.min_score is not None:
        stricter = True
    if low.min_tenure_months:
        if (high.min_tenure_months or 0) < low.min_tenure_months:
            problems.append(
                Problem(
                    "min_tenure_months",
                    f"{higher.name} asks for {high.min_tenure_months or 0} months in the program, fewer than "
                    f"{lower.name}'s {low.min_tenure_months}.",
                )
            )
        stricter = stricter or (high.min_tenure_months or 0) > low.min_tenure_months
    elif high.min_tenure_months:
        stricter = True
    high_rules = {rule.metric_id: rule for rule in high.metrics}
    for rule in low.metrics:
        match = high_rules.get(rule.metric_id)
        if match is None:
            problems.append(
                Problem(
                    "metrics",
                    f"{lower.name} requires {rule.label} but {higher.name} does not require {rule.name} at all.",
                )
            )
            continue
        if match.comparison != rule.comparison:
            problems.append(
                Problem("metrics", f"{rule.name} is compared one way in {lower.name} and the other in {higher.name}.")
            )
            continue
        weaker = match.threshold < rule.threshold if rule.comparison == GTE else match.threshold > rule.threshold
        if weaker:
            problems.append(
                Problem(
                    "metrics",
                    f"{higher.name} requires {match.label}, less than {lower.name}'s "
                    f"{format_value(rule.threshold, rule.unit)}: a lower tier may not demand more than a higher one.",
                )
            )
        stricter = stricter or match.threshold != rule.threshold
    stricter = stricter or len(high_rules.keys() - {rule.metric_id for rule in low.metrics}) > 0
    if not problems and not stricter:
        problems.append(
            Problem(
                "criteria",
                f"{higher.name} asks for exactly what {lower.name} asks for: every partner that holds one would hold "
                f"the other. Make {higher.name} demand more.",
            )
        )
    return problems


def criteria_problems(criteria: Criteria, tier: TierSpec, units: Mapping[int, str]) -> list[Problem]:
    """Problems of one tier's criteria on their own: ranges, K of N, a metric named twice, a threshold out of reach."""
    problems: list[Problem] = []
    name = tier.name
    if criteria.min_score is not None and not 0 <= criteria.min_score <= 100:
        problems.append(
            Problem("min_score", f"{name}: a score threshold is between 0 and 100, not {criteria.min_score:g}.")
        )
    if criteria.min_score is not None:
        if not 1 <= criteria.quarters_window <= MAX_WINDOW:
            problems.append(
                Problem(
                    "quarters_window",
                    f"{name}: look back over 1 to {MAX_WINDOW} quarters, not {criteria.quarters_window}.",
                )
            )
        if not 1 <= criteria.quarters_required <= criteria.quarters_window:
            problems.append(
                Problem(
                    "quarters_required",
                    f"{name}: the score must be met in 1 to {criteria.quarters_window} of the last "
                    f"{criteria.quarters_window} quarters, not {criteria.quarters_required}.",
                )
            )
    if criteria.min_tenure_months is not None and not 0 <= criteria.min_tenure_months <= MAX_TENURE_MONTHS:
        problems.append(
            Problem(
                "min_tenure_months",
                f"{name}: tenure is 0 to {MAX_TENURE_MONTHS} months, not {criteria.min_tenure_months}.",
            )
        )
    seen: set[int] = set()
    for rule in criteria.metrics:
        if rule.metric_id in seen:
            problems.append(Problem("metrics", f"{name}: {rule.name} is required twice; keep one threshold."))
        seen.add(rule.metric_id)
        if not math.isfinite(rule.threshold) or rule.threshold < 0:
            problems.append(Problem("metrics", f"{name}: {rule.name}'s threshold must be 0 or more."))
        elif units.get(rule.metric_id, rule.unit) == "percent" and rule.threshold > 100:
            problems.append(
                Problem("metrics", f"{name}: {rule.name} is a percentage: 0 to 100, not {rule.threshold:g}.")
            )
        if rule.comparison not in (GTE, LTE):
            problems.append(Problem("metrics", f"{name}: {rule.name} is compared with 'at least' or 'at most'."))
    return problems


def framework_problems(framework: Framework, units: Mapping[int, str] | None = None) -> list[Problem]:
    """Every problem of a framework: each tier's criteria alone, then each tier against the one below it (a higher
    tier demanding less is contradictory; demanding exactly the same overlaps), and the grace period's range."""
    units = units or {}
    problems: list[Problem] = []
    if not 0 <= framework.grace_quarters <= MAX_GRACE:
        problems.append(
            Problem("grace_quarters", f"Grace is 0 to {MAX_GRACE} quarters, not {framework.grace_quarters}.")
        )
    if not framework.tiers:
        problems.append(Problem("criteria", "The program has no tiers yet."))
    tier_ids = {tier.id for tier in framework.tiers}
    if set(framework.criteria) - tier_ids:
        problems.append(Problem("criteria", "Criteria name a tier this program does not have."))
    for tier in framework.tiers:
        problems += criteria_problems(framework.criteria_of(tier), tier, units)
    if problems:
        return problems  # comparing tiers whose own criteria are broken would only repeat the same problems
    for lower, higher in zip(framework.tiers, framework.tiers[1:], strict=False):
        problems += _pair_problems(lower, framework.criteria_of(lower), higher, framework.criteria_of(higher))
    return problems


# --- the evaluation ---


@dataclass
class PortfolioFacts:
    """What the evaluation reads, one row per partner; ``quarters`` ascend and end at the evaluated quarter.

    ``scores`` and each ``metrics`` array are (partners x quarters), NaN where there is no value (no snapshot, no
    score, a quarter to date, a metric not on the partner's scorecard); ``first_month`` is the month number of each
    partner's first scored month (NaN: none).
    """

    partner_ids: IntArray
    names: list[str]
    tier_keys: list[str]
    quarters: list[int]
    scores: FloatArray
    metrics: dict[int, FloatArray] = field(default_factory=dict)
    first_month: FloatArray | None = None
    tier_since: FloatArray | None = None  # month number of the quarter each partner entered its tier (NaN: unknown)

    def __len__(self) -> int:
        return len(self.partner_ids)


@dataclass
class _Checks:
    """Per tier t and quarter offset g (0 = the evaluated quarter): each part of the criteria, for every partner."""

    score_count: IntArray  # (T, G+1, P) quarters at or above the threshold within the window
    score_met: BoolArray  # (T, G+1, P); True where the tier has no score part
    metric_met: dict[tuple[int, int], BoolArray]  # (t, metric id) -> (G+1, P)
    tenure: FloatArray  # (G+1, P) months in the program at the end of each quarter (NaN: never scored)
    tenure_met: BoolArray  # (T, G+1, P)
    qualifies: BoolArray  # (T, G+1, P)


@dataclass
class Evaluation:
    """The whole portfolio's decision for one quarter (arrays by partner row) and what it was computed from."""

    framework: Framework
    facts: PortfolioFacts
    checks: _Checks
    current: IntArray  # index of the current tier in framework.tiers, -1 when the partner's tier is not one of them
    earned: IntArray  # index of the highest tier qualified for in the evaluated quarter, -1 when none
    move: list[str]
    target: IntArray  # index of the tier recommended (-1: none)
    grace_quarter: IntArray  # for grace: which quarter of grace (1 = the first)
    missed_in_a_row: IntArray  # quarters in a row the current tier's criteria were missed (capped at grace + 1)

    def __len__(self) -> int:
        return len(self.move)

    @property
    def counts(self) -> dict[str, int]:
        return {move: self.move.count(move) for move in MOVES}


def _at_least(values: FloatArray, threshold: float) -> BoolArray:
    with np.errstate(invalid="ignore"):
        return np.asarray(values >= threshold, dtype=np.bool_)  # NaN compares False: no value is not met


def _at_most(values: FloatArray, threshold: float) -> BoolArray:
    with np.errstate(invalid="ignore"):
        return np.asarray(values <= threshold, dtype=np.bool_)


def _checks(framework: Framework, facts: PortfolioFacts) -> _Checks:
    tiers, grace = framework.tiers, framework.grace_quarters
    n_tiers, n_offsets, n_partners, n_quarters = len(tiers), grace + 1, len(facts), len(facts.quarters)
    score_count = np.zeros((n_tiers, n_offsets, n_partners), dtype=np.int64)
    score_met = np.ones((n_tiers, n_offsets, n_partners), dtype=np.bool_)
    tenure_met = np.ones((n_tiers, n_offsets, n_partners), dtype=np.bool_)
    metric_met: dict[tuple[int, int], BoolArray] = {}
    columns = [n_quarters - 1 - g for g in range(n_offsets)]
    tenure = np.full((n_offsets, n_partners), np.nan)
    if facts.first_month is not None:
        for g, column in enumerate(columns):
            if column >= 0:
                tenure[g] = facts.quarters[column] + 3 - facts.first_month
    for t, tier in enumerate(tiers):
        criteria = framework.criteria_of(tier)
        if criteria.min_score is not None:
            hits = _at_least(facts.scores, criteria.min_score).astype(np.int64)
            running = np.concatenate([np.zeros((n_partners, 1), dtype=np.int64), np.cumsum(hits, axis=1)], axis=1)
            for g, column in enumerate(columns):
                if column < 0:
                    score_met[t, g] = False
                    continue
                low = max(column + 1 - criteria.quarters_window, 0)
                score_count[t, g] = running[:, column + 1] - running[:, low]
                score_met[t, g] = score_count[t, g] >= criteria.quarters_required
        for rule in criteria.metrics:
            values = facts.metrics.get(rule.metric_id)
            met = np.zeros((n_offsets, n_partners), dtype=np.bool_)
            if values is not None:
                compare = _at_least if rule.comparison == GTE else _at_most
                for g, column in enumerate(columns):
                    if column >= 0:
                        met[g] = compare(values[:, column], rule.threshold)
            metric_met[(t, rule.metric_id)] = met
        if criteria.min_tenure_months:
            tenure_met[t] = _at_least(tenure, float(criteria.min_tenure_months))
    qualifies = score_met & tenure_met
    for (t, _), met in metric_met.items():
        qualifies[t] &= met
    return _Checks(score_count, score_met, metric_met, tenure, tenure_met, qualifies)


def evaluate(framework: Framework, facts: PortfolioFacts) -> Evaluation:
    """Every partner's recommendation for the last quarter of ``facts.quarters`` under ``framework``."""
    checks = _checks(framework, facts)
    n_partners, grace = len(facts), framework.grace_quarters
    index = {tier.key: i for i, tier in enumerate(framework.tiers)}
    current = np.array([index.get(key, -1) for key in facts.tier_keys], dtype=np.int64)
    earned = np.full(n_partners, -1, dtype=np.int64)
    for t in range(len(framework.tiers)):
        earned = np.where(checks.qualifies[t, 0], t, earned)
    rows = np.arange(n_partners)
    known = current >= 0
    holds_current = np.zeros((grace + 1, n_partners), dtype=np.bool_)
    if len(framework.tiers):
        holds_current = checks.qualifies[np.maximum(current, 0)[None, :], np.arange(grace + 1)[:, None], rows[None, :]]
    if facts.tier_since is not None:
        # A quarter before the partner entered its tier is not a quarter it missed that tier.
        for g in range(grace + 1):
            column = len(facts.quarters) - 1 - g
            if column >= 0:
                with np.errstate(invalid="ignore"):
                    before = facts.quarters[column] < facts.tier_since
                holds_current[g] |= np.asarray(before, dtype=np.bool_)
    missing = np.ones(n_partners, dtype=np.bool_)
    in_a_row = np.zeros(n_partners, dtype=np.int64)
    for g in range(grace + 1):
        missing &= ~holds_current[g]
        in_a_row += missing
    move = np.full(n_partners, HOLD, dtype=object)
    target = current.copy()
    grace_quarter = np.zeros(n_partners, dtype=np.int64)
    promote = known & (earned > current)
    below = known & (earned < current) & (current > 0)
    in_grace = below & (in_a_row <= grace)
    demote = below & (in_a_row > grace)
    move[promote], target[promote] = PROMOTE, current[promote] + 1
    move[in_grace], grace_quarter[in_grace] = GRACE, in_a_row[in_grace]
    move[demote], target[demote] = DEMOTE, current[demote] - 1
    return Evaluation(
        framework=framework,
        facts=facts,
        checks=checks,
        current=current,
        earned=earned,
        move=[str(m) for m in move.tolist()],
        target=target,
        grace_quarter=grace_quarter,
        missed_in_a_row=np.where(known, in_a_row, 0),
    )


# --- one partner's evidence ---


def _number(value: float) -> float | None:
    return None if value is None or not math.isfinite(value) else round(float(value), 4)


def _tier_ref(tier: TierSpec | None) -> dict[str, Any] | None:
    return None if tier is None else {"key": tier.key, "name": tier.name}


def _quarter_ref(quarter: int) -> dict[str, str]:
    return {"quarter": month_start(quarter).isoformat()}


@functools.cache
def label_of_quarter(iso: str) -> str:
    """``Q3 2026`` for a quarter named by its first day (``2026-07-01``), as the evidence names it."""
    return quarter_label(date.fromisoformat(iso))


def part_label(part: Mapping[str, Any]) -> str:
    """A criterion of the evidence in plain words (the evidence stores its numbers, not its sentence)."""
    kind = part["kind"]
    if kind == "score":
        threshold = format_score(part["threshold"])
        if part["window"] == 1:
            return f"A score of at least {threshold} in the quarter"
        return f"A score of at least {threshold} in at least {part['required']} of the last {part['window']} quarters"
    if kind == "metric":
        words = "at least" if part["comparison"] == GTE else "at most"
        return f"{part['name']} {words} {format_value(part['threshold'], part['unit'])}"
    return f"At least {part['required']} months in the program"


class _Lists:
    """An evaluation's arrays as Python values, built once: building 20,000 partners' evidence reads plain lists
    (numbers rounded to 4 decimals, None for no value) instead of numpy scalars one at a time."""

    def __init__(self, evaluation: Evaluation) -> None:
        facts, checks = evaluation.facts, evaluation.checks
        self.refs = [_quarter_ref(q) for q in facts.quarters]
        self.scores = _plain(facts.scores)
        self.metrics = {m: _plain(values) for m, values in facts.metrics.items()}
        self.qualifies = checks.qualifies.tolist()
        self.score_count = checks.score_count.tolist()
        self.score_met = checks.score_met.tolist()
        self.tenure = checks.tenure.tolist()
        self.tenure_met = checks.tenure_met.tolist()
        self.metric_met = {key: met.tolist() for key, met in checks.metric_met.items()}


def _plain(values: FloatArray) -> list[list[float | None]]:
    """Rows of values rounded to 4 decimals, None for NaN (no value)."""
    return [[None if v != v else v for v in row] for row in np.round(values, 4).tolist()]


def _lists(evaluation: Evaluation) -> _Lists:
    cached = evaluation.__dict__.get("_lists")
    if cached is None:
        cached = evaluation.__dict__["_lists"] = _Lists(evaluation)
    return cached


def tier_evidence(evaluation: Evaluation, row: int, t: int, role: str, offset: int = 0) -> dict[str, Any]:
    """Tier ``t``'s criteria for partner ``row`` in the quarter ``offset`` quarters before the evaluated one: each
    part, the partner's value for each period considered, met or not, and the gap in numbers where it fell short."""
    framework, facts, lists = evaluation.framework, evaluation.facts, _lists(evaluation)
    tier = framework.tiers[t]
    criteria = framework.criteria_of(tier)
    column = len(facts.quarters) - 1 - offset
    refs = lists.refs
    parts: list[dict[str, Any]] = []
    if criteria.min_score is not None:
        threshold = criteria.min_score
        low = max(column + 1 - criteria.quarters_window, 0)
        scores = lists.scores[row]
        # Quarters before the first one read (no history): listed as no value, so the window always shows N periods.
        periods: list[dict[str, Any]] = [
            {**_quarter_ref(facts.quarters[0] - 3 * (low - c)), "value": None, "met": False}
            for c in range(column + 1 - criteria.quarters_window, low)
        ]
        for c in range(low, column + 1):
            value = scores[c]
            periods.append({**refs[c], "value": value, "met": value is not None and value >= threshold})
        count = lists.score_count[t][offset][row]
        part: dict[str, Any] = {
            "kind": "score",
            "threshold": threshold,
            "required": criteria.quarters_required,
            "window": criteria.quarters_window,
            "periods": periods,
            "count": count,
            "met": lists.score_met[t][offset][row],
        }
        if not part["met"]:
            latest = scores[column] if column >= 0 else None
            part["gap"] = {
                "quarters_short": criteria.quarters_required - count,
                "latest": latest,
                "points_short": None if latest is None else round(max(threshold - latest, 0.0), 4),
            }
        parts.append(part)
    for rule in criteria.metrics:
        values = lists.metrics.get(rule.metric_id)
        value = values[row][column] if values is not None else None
        met = lists.metric_met[(t, rule.metric_id)][offset][row]
        part = {
            "kind": "metric",
            "metric_id": rule.metric_id,
            "metric": rule.key,
            "name": rule.name,
            "unit": rule.unit,
            "comparison": rule.comparison,
            "threshold": rule.threshold,
            "periods": [{**refs[column], "value": value, "met": met}],
            "met": met,
        }
        if not met:
            part["gap"] = {
                "short_by": None
                if value is None
                else round(rule.threshold - value if rule.comparison == GTE else value - rule.threshold, 4)
            }
        parts.append(part)
    if criteria.min_tenure_months:
        months = lists.tenure[offset][row]
        met = lists.tenure_met[t][offset][row]
        known = months == months  # NaN: never scored
        part = {
            "kind": "tenure",
            "required": criteria.min_tenure_months,
            "periods": [{**refs[column], "value": int(months) if known else None, "met": met}],
            "met": met,
        }
        if not met:
            part["gap"] = {"months_short": int(criteria.min_tenure_months - (months if known else 0))}
        parts.append(part)
    return {
        "key": tier.key,
        "name": tier.name,
        "role": role,
        "met": lists.qualifies[t][offset][row],
        "criteria": parts,
    }


def partner_evidence(evaluation: Evaluation, row: int) -> dict[str, Any]:
    """The evidence of partner ``row``'s recommendation: the quarter, the version, the move, and the tiers it rests on
    (the current tier; the target of a promotion or demotion; the next tier up for a hold or grace)."""
    framework, facts = evaluation.framework, evaluation.facts
    tiers = framework.tiers
    move, current, target = evaluation.move[row], int(evaluation.current[row]), int(evaluation.target[row])
    quarter = facts.quarters[-1]
    shown: list[dict[str, Any]] = []
    if current >= 0:
        shown.append(tier_evidence(evaluation, row, current, "current"))
    if move in (PROMOTE, DEMOTE) and target >= 0 and target != current:
        shown.append(tier_evidence(evaluation, row, target, "target"))
    if move in (HOLD, GRACE) and 0 <= current < len(tiers) - 1:
        shown.append(tier_evidence(evaluation, row, current + 1, "next"))
    if current < 0 and len(tiers):
        shown.append(tier_evidence(evaluation, row, max(int(evaluation.earned[row]), 0), "earned"))
    evidence: dict[str, Any] = {
        **_quarter_ref(quarter),
        "label": quarter_label(month_start(quarter)),
        "version": framework.number,
        "move": move,
        "tier_key": facts.tier_keys[row],
        "from": _tier_ref(tiers[current]) if current >= 0 else None,
        "to": _tier_ref(tiers[target]) if target >= 0 else None,
        "tiers": shown,
    }
    if current >= 0 and int(evaluation.missed_in_a_row[row]) > 0 and current > 0:
        missed = int(evaluation.missed_in_a_row[row])
        evidence["grace"] = {
            "allowed": framework.grace_quarters,
            "missed_in_a_row": missed,
            "missed": [quarter_label(month_start(quarter - 3 * g)) for g in range(missed)][::-1],
            "demotion_to": _tier_ref(tiers[current - 1]),
        }
    return evidence


def input_digests(evaluation: Evaluation) -> list[int]:
    """Per partner, a signed 64-bit digest of everything its recommendation is computed from: the framework (version,
    tiers with their names, criteria), the partner's name and tier, and its numbers (scores, metric values, tenure,
    when it entered its tier). Equal digests mean an equal recommendation, so a rerun compares digests and builds
    evidence only for the partners whose inputs changed."""
    framework, facts = evaluation.framework, evaluation.facts
    prefix = repr(
        (framework.version_id, framework.grace_quarters, framework.tiers, sorted(framework.criteria.items()))
    ).encode()
    n = len(facts)
    columns = [facts.scores, *(facts.metrics[m] for m in sorted(facts.metrics))]
    columns += [
        (extra if extra is not None else np.full(n, np.nan)).reshape(n, 1)
        for extra in (facts.first_month, facts.tier_since)
    ]
    numbers = np.nan_to_num(np.hstack(columns).astype(np.float64), nan=-1.0e300) if n else np.zeros((0, 0))
    width = numbers.shape[1] * 8 if n else 0
    raw = numbers.tobytes()
    out = []
    for row in range(n):
        text = b"|".join(
            (prefix, facts.names[row].encode(), facts.tier_keys[row].encode(), raw[row * width : (row + 1) * width])
        )
        out.append(int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big", signed=True))
    return out


def evidence_json(evidence: Mapping[str, Any]) -> str:
    """The evidence as JSON text (orjson: 20,000 documents in a tenth of the time the standard library takes)."""
    return orjson.dumps(evidence).decode()


# --- plain words ---


def format_score(value: float | None) -> str:
    if value is None:
        return "no score"
    return f"{value:.1f}".rstrip("0").rstrip(".") if value == round(value, 1) else f"{value:.1f}"


def format_value(value: float | None, unit: str) -> str:
    """A metric value with its unit, as pages show it: ``4.2``, ``12 %``, ``45 days``, ``1,250,000``."""
    if value is None:
        return "no value"
    whole = float(value) == round(float(value))
    number = f"{value:,.0f}" if whole else f"{value:,.2f}".rstrip("0").rstrip(".")
    suffix = {"percent": " %", "days": " days", "hours": " hours"}.get(unit, "")
    if unit == "days" and whole and int(value) == 1:
        suffix = " day"
    return f"{number}{suffix}"


def _missed_part(part: Mapping[str, Any]) -> str:
    """One unmet part and its gap in numbers."""
    kind = part["kind"]
    if kind == "score":
        values = [p["value"] for p in part["periods"]]
        shown = ", ".join(format_score(v) for v in values)
        gap = part.get("gap") or {}
        text = (
            f"a score of at least {format_score(part['threshold'])} in {part['required']} of the last "
            f"{part['window']} quarters ({part['count']} so far: {shown})"
            if part["window"] > 1
            else f"a score of at least {format_score(part['threshold'])} (the quarter's: {shown})"
        )
        if gap.get("points_short"):
            text += f"; the latest is {format_score(gap['points_short'])} points short"
        return text
    if kind == "metric":
        value = part["periods"][0]["value"]
        label = part_label(part).lower()
        if value is None:
            return f"{label} (no value for {label_of_quarter(part['periods'][0]['quarter'])})"
        short = (part.get("gap") or {}).get("short_by")
        words = "more" if part["comparison"] == GTE else "less"
        text = f"{label} ({format_value(value, part['unit'])} now"
        if short:
            text += f", {format_value(short, part['unit'])} {words} needed"
        return text + ")"
    value = part["periods"][0]["value"]
    return f"{part_label(part).lower()} ({value if value is not None else 0} months so far)"


def _met_summary(tier: Mapping[str, Any]) -> str:
    parts = tier["criteria"]
    if not parts:
        return f"{tier['name']} has no criteria (every partner holds it)"
    described = []
    for part in parts:
        if part["kind"] == "score":
            threshold = format_score(part["threshold"])
            described.append(
                f"a score of at least {threshold} in {part['count']} of the last {part['window']} "
                f"quarters ({part['required']} needed)"
                if part["window"] > 1
                else f"a score of {format_score(part['periods'][-1]['value'])} (at least {threshold})"
            )
        elif part["kind"] == "metric":
            value = format_value(part["periods"][0]["value"], part["unit"])
            described.append(f"{part['name']} {value} ({part_label(part)})")
        else:
            described.append(f"{part['periods'][0]['value']} months in the program (at least {part['required']})")
    return "; ".join(described)


def _join(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def explain(partner_name: str, evidence: Mapping[str, Any]) -> str:
    """One paragraph in plain words, built from the evidence's numbers alone."""
    move, label = evidence["move"], evidence["label"]
    by_role = {tier["role"]: tier for tier in evidence.get("tiers", [])}
    current, other = by_role.get("current"), by_role.get("target") or by_role.get("next")
    if current is None:
        key = evidence.get("tier_key") or "none"
        return (
            f"{partner_name}'s tier ({key}) is not one of the program's tiers, so no move is proposed. Set its tier to "
            "one of them."
        )
    name = current["name"]
    if move == PROMOTE and other is not None:
        return (
            f"In {label} {partner_name} met every criterion of {other['name']}: {_met_summary(other)}. It is {name} "
            f"today, so the recommendation is to promote it to {other['name']}."
        )
    if move == HOLD:
        if not current["met"]:
            missed = [_missed_part(p) for p in current["criteria"] if not p["met"]]
            return (
                f"In {label} {partner_name} missed {name}'s criteria ({_join(missed)}), but {name} is the entry tier: "
                f"it stays {name}."
            )
        text = f"In {label} {partner_name} met its {name} criteria"
        text += f": {_met_summary(current)}" if current["criteria"] else ""
        if other is not None:
            missed = [_missed_part(p) for p in other["criteria"] if not p["met"]]
            text += f". For {other['name']} it still needs {_join(missed)}" if missed else ""
        return text + f". The recommendation is to hold it at {name}."
    grace = evidence.get("grace") or {}
    missed = [_missed_part(p) for p in current["criteria"] if not p["met"]]
    in_a_row = grace.get("missed_in_a_row", 1)
    allowed = grace.get("allowed", 0)
    lower = (grace.get("demotion_to") or {}).get("name", "the tier below")
    if move == GRACE:
        ordinal = "first" if in_a_row == 1 else f"{_ordinal(in_a_row)}"
        return (
            f"In {label} {partner_name} missed its {name} criteria: {_join(missed)}. This is the {ordinal} quarter in "
            f"a row it misses them, within the program's grace of {allowed} quarter{'s' if allowed != 1 else ''}, so "
            f"no demotion is proposed yet: a compliance-risk warning instead. If the criteria are still missed after "
            f"the grace period, a move to {lower} will be proposed."
        )
    target = other["name"] if other is not None else lower
    meets = (
        f"It meets {target}'s criteria, so the recommendation is to move it to {target}."
        if other is not None and other["met"]
        else f"Moves are one tier at a time: the recommendation is to move it down to {target}."
    )
    return (
        f"{partner_name} has missed its {name} criteria for {in_a_row} quarter{'s' if in_a_row != 1 else ''} in a row "
        f"({_join(grace.get('missed', [label]))}), beyond the program's grace of {allowed} "
        f"quarter{'s' if allowed != 1 else ''}. In {label}: {_join(missed)}. {meets}"
    )


def _ordinal(n: int) -> str:
    return {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth"}.get(n, f"{n}th")


def gaps(tier: Mapping[str, Any]) -> list[str]:
    """The unmet parts of one tier's evidence, each with its gap in numbers (what a portal card lists)."""
    return [_missed_part(part) for part in tier.get("criteria", []) if not part["met"]]
