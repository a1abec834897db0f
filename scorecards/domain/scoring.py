"""The scorecard engine: ``SCORING.md`` as vectorised numpy over one tenant's data, with no database access.

``score_snapshots(ScoringInput) -> ScoringResult`` scores every partner given, for every month and quarter from its
first month with data to the reference month; ``scorecards.selectors.snapshot_inputs`` reads the inputs and
``scorecards.services.snapshots`` writes the results.
The rules, as implemented (SCORING.md is the contract; the choices it leaves open are marked *choice*):

- **Periods.** Month numbers (``year * 12 + month - 1``) throughout. A partner has a month snapshot for every month
  from its first month with any actual (of a metric some template uses) to the reference month (the service passes
  the last month with data in the tenant, never a month still under way), and a quarter snapshot for every quarter
  from the one of that first month to the one of the reference month. A period with no template version in effect
  has no snapshot. Nothing dated after the reference month is given (the service cuts every input at the first
  day of the month under way: complete months only).
- **Quarter to date.** A quarter's ``months_covered`` is the number of its months inside the partner's span (its
  first month with data to the reference month; a month without data inside the span counts: the partner existed).
  3 is a complete quarter; fewer is a "quarter to date (k of 3 months)": the program's or the partner's first
  quarter when it started mid-quarter, and the quarter under way. Month snapshots have 1.
- **Template version.** The partner's segment template is the most specific of type + stage, type only, stage only,
  any type and stage (blank type and stage mean "any"); the version used is the segment template's latest active or
  retired version with ``effective_from`` on or before the period's last day (latest date, then highest number),
  else the default template's one.
- **Target.** Most specific rule of the item for the partner's tier and stage: tier + stage, tier, stage, default.
  A quarter's target is k x the monthly target for sum metrics (k = its months covered: 3 when complete), the
  monthly target otherwise. An item with no
  target for the partner is treated as missing, and the data-quality reasons say so (*choice*).
- **Actual.** Monthly actuals are given (observations, and the deal-derived values for the metrics derived from
  deals). A quarter's actual is aggregated from its months by the metric's aggregation (sum of the months with data;
  average of the months with data; last month with data), except for metrics derived from deals, whose quarter
  values are computed from the quarter's deals and given separately. Normalised items divide the actual by the
  partner's size factor; ``normalised`` is stored only for those items.
- **Attainment** ``a``: higher is better ``100 * actual / target`` (0 when actual < 0); lower is better
  ``100 * target / actual`` (the cap when actual = 0, and, *choice*, also when actual < 0, which the contract leaves
  open and which is better than any positive value); then ``min(a, cap)``, then rounded to 4 decimals. Metric RAG and
  points use the rounded attainment, so that the stored numbers can be followed by hand, and a float that lands a
  hair under a threshold (99.99999999 for 100) cannot turn a green amber.
- **Points** ``p = weight * min(a, 100) / 100``; **score** ``100 * sum(p) / sum(weights present)``, empty when the
  weights present are under 50. The sums are exact: attainment, weights, points and scores are fixed-point integers
  (ten-thousandths; weights in hundredths), so the score is the same whatever order it is added in.
- **Rounding** to 4 decimals is half away from zero (Decimal's ROUND_HALF_UP), everywhere.
- **RAG** from the rounded values: metric green at ``a >= green_at``, amber at ``a >= amber_at``; score green at
  ``score >= score_green_at``, amber at ``>= score_amber_at``; thresholds and cap from the version used.
- **Percentile in segment** (current type x stage of the partner) among the partners with a score in that period:
  ``100 * (below + 0.5 * equal) / n``; ``peers`` brings the stored scores of partners not being scored now, so a
  refresh of one partner ranks it against the rest of its segment (and their percentiles are returned too).
- **Change vs previous period**: score minus the previous calendar month's (quarter's) score; empty if either is.
  Quarters compare complete quarters only: a quarter to date has no change, and is never the previous period.
- **Baseline, per granularity.** Months: the score of the partner's ``baseline_month`` when set (empty while that
  month has no score: an admin's choice is not silently replaced, *choice*), else the mean of its first three scored
  months. Quarters: the score of the complete quarter containing ``baseline_month`` (empty while it has no score),
  else (no baseline month, or no complete quarter contains it, *choice*) the mean of the first two complete scored
  quarters. Change vs baseline = score - baseline, empty for the periods before the one that establishes the
  baseline (the baseline month's period, or the third scored month / second complete scored quarter).
- **Trend**: ``scorecards.domain.trend.trend_verdicts`` over each partner's scores up to the period (months and quarters
  separately); the method is documented there. Quarters to date are no point of it: a quarter to date shows the
  verdict of the complete quarters before it.
- **Data quality**: flagged when an item is missing or an open finding on one of the metrics of the snapshot's
  scorecard (its version's items), or on no metric in particular, touches the partner and period (a quarter merges
  its three months); a finding on a metric the scorecard does not use does not flag it. The reasons say which, in
  sentences, with "insufficient data" first when it applies.

The result keeps fixed-point integers (``NULL`` for empty values) and per-item ``[snapshot, slot]`` matrices; slot
``k`` of a snapshot is the ``k``-th item (by id) of its version, and what depends only on the version (metric,
weight, normalisation, target) is kept once per version. ``fingerprints`` hashes everything stored but the
percentile, and ``render_items`` writes the ``items`` JSON. ``score_snapshots(..., complete=False)`` leaves the trend
verdicts and data-quality reasons (a sentence per snapshot: the slow part) to ``complete_snapshots``, which a caller
runs block by block. A what-if run scores a draft version by passing it as active, with an effective date.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from partnerhub.core.domain.periods import month_number, month_start, quarter_of
from scorecards.domain import trend as trend_module

MONTH: Final = "month"
QUARTER: Final = "quarter"
ACTIVE_STATUSES: Final = ("active", "retired")
SUM, AVERAGE, LAST = "sum", "average", "last"
LOWER: Final = "lower"

NULL: Final = int(np.iinfo(np.int64).min)  # an empty fixed-point value (snapshot level)
NULL32: Final = int(np.iinfo(np.int32).min)  # an empty fixed-point value (item level)
SCALE: Final = 10_000  # fixed point: ten-thousandths (4 decimals)
WEIGHT_SCALE: Final = 100  # weights are stored with 2 decimals
MIN_WEIGHT: Final = 50 * WEIGHT_SCALE
HUNDRED: Final = 100 * SCALE
RAG_NAMES: Final = ("", "green", "amber", "red")  # codes 0..3; 0 = no RAG (missing item, empty score)
GREEN, AMBER, RED = 1, 2, 3
CHUNK: Final = 65_536  # snapshots scored at a time: bounds the temporaries
FINGERPRINT_VERSION: Final = 2  # bump when the stored form changes: every row is rewritten once

IntArray = npt.NDArray[np.int64]
Int32Array = npt.NDArray[np.int32]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


# --- small helpers ---


def round_fixed(values: FloatArray) -> FloatArray:
    """Values times 10,000, rounded half away from zero (as floats; NaN stays NaN).

    The tiny nudge makes a decimal tie that float arithmetic left a hair short (12.34565 computed as
    12.345649999999999) round the way Decimal would; it is far below any difference the inputs (4 decimals) can make.
    """
    scaled = np.abs(values) * SCALE
    return np.sign(values) * np.floor(scaled + 0.5 + 1e-7 + scaled * 1e-13)


def divide_half_up(numerator: npt.NDArray[Any], denominator: npt.NDArray[Any] | int) -> IntArray:
    """``numerator / denominator`` rounded half away from zero, exactly, in integers (denominator > 0)."""
    magnitude = (2 * np.abs(numerator) + denominator) // (2 * np.asarray(denominator))
    quotient: IntArray = np.sign(numerator) * magnitude
    return quotient


def fixed_to_float(values: npt.NDArray[Any]) -> FloatArray:
    """Fixed-point integers back to floats, NaN for ``NULL`` (or ``NULL32``)."""
    empty = NULL32 if values.dtype == np.int32 else NULL
    out = values.astype(np.float64) / SCALE
    out[values == empty] = np.nan
    return out


# --- inputs and outputs ---


@dataclass(frozen=True)
class ScoringInput:
    """What the engine needs, as DataFrames (one row each):

    - ``partners``: ``id``, ``partner_type``, ``stage``, ``tier``, ``size_factor`` (float > 0), ``baseline_month``
      (a date or None);
    - ``templates``: ``id``, ``partner_type``, ``stage`` ("" = any), ``is_default``;
    - ``versions``: ``id``, ``template_id``, ``number``, ``status``, ``effective_from`` (date or None), ``cap``,
      ``green_at``, ``amber_at``, ``score_green_at``, ``score_amber_at`` (floats);
    - ``items``: ``id``, ``version_id``, ``metric_id``, ``weight`` (float), ``normalise`` (bool);
    - ``targets``: ``item_id``, ``tier``, ``stage`` ("" = any), ``monthly_target`` (float);
    - ``metrics``: ``id``, ``name``, ``direction`` ("higher"/"lower"), ``aggregation`` ("sum"/"average"/"last"),
      ``derived_from_deals`` (bool);
    - ``monthly``: ``partner_id``, ``metric_id``, ``month`` (month number), ``value`` (float): observations and the
      deal-derived values, at most one row per key (a DataFrame, or a mapping of column name to array);
    - ``quarterly``: the same with ``month`` = the quarter's first month, for the metrics derived from deals;
    - ``findings``: (partner id, month number) -> the open data-quality findings, each ``(metric id, sentence)``
      (metric id None: a finding about the partner's data as a whole) or a bare sentence (the same as None);
    - ``reference_month``: the last month to score (month number), None when there is no data;
    - ``peers``: stored scores of partners of the same segments that are not scored now (``partner_id``,
      ``partner_type``, ``stage``, ``period``, ``month``, ``score`` as a fixed-point integer), or None.
    """

    partners: pd.DataFrame
    templates: pd.DataFrame
    versions: pd.DataFrame
    items: pd.DataFrame
    targets: pd.DataFrame
    metrics: pd.DataFrame
    monthly: pd.DataFrame | Mapping[str, npt.NDArray[Any]]
    quarterly: pd.DataFrame | Mapping[str, npt.NDArray[Any]]
    findings: Mapping[tuple[int, int], Sequence[str | tuple[int | None, str]]] = field(default_factory=dict)
    reference_month: int | None = None
    peers: pd.DataFrame | None = None


@dataclass(frozen=True)
class VersionTable:
    """The usable versions (row = position in ``ids``): thresholds as fixed point, and their items as slots.

    Slot ``k`` of a version is its ``k``-th item by id; ``[version, slot]`` arrays, ``targets`` per partner
    (tier, stage) combination as well (NaN: no rule applies).
    """

    ids: IntArray
    cap: IntArray
    green_at: IntArray
    amber_at: IntArray
    score_green_at: IntArray
    score_amber_at: IntArray
    slots: int
    valid: BoolArray
    item_metric: IntArray
    layer: IntArray  # index of the metric in the actuals cube
    weight: IntArray  # hundredths
    normalise: BoolArray
    lower: BoolArray
    summed: BoolArray
    targets: FloatArray  # [version, slot, combo]

    def target(self, version_row: IntArray, combo: IntArray, months: IntArray) -> FloatArray:
        """``[snapshot, slot]`` targets: the monthly target, times the months the period covers for sum metrics
        (1 for a month, 3 for a complete quarter, k for a quarter to date of k months)."""
        monthly = self.targets[version_row, :, combo]  # advanced indices around a slice go first: [snapshot, slot]
        return np.where(self.summed[version_row], monthly * months[:, None], monthly)


@dataclass
class _Context:
    """What ``complete_snapshots`` needs: metric names, open findings by partner and month, score histories."""

    names: dict[int, str] = field(default_factory=dict)
    findings: dict[int, dict[int, list[tuple[int | None, str]]]] = field(default_factory=dict)
    histories: dict[str, FloatArray] = field(default_factory=dict)  # period -> [partner row, period index]


@dataclass
class ScoringResult:
    """One entry per snapshot (months first, then quarters) in each 1-D array; items as ``[snapshot, slot]`` arrays.

    Fixed-point integers (ten-thousandths) hold the 4-decimal values, ``NULL`` (items: ``NULL32``) where empty. What
    depends only on the version, the partner's tier and stage and the period kind (the item's metric, weight,
    normalisation, target) is kept once per version in ``versions`` and looked up. ``peer_percentile`` is aligned
    with ``ScoringInput.peers``.
    """

    partner_id: IntArray
    is_quarter: BoolArray
    period_start: IntArray  # month number of the period's first month
    months_covered: IntArray  # 1 for a month; for a quarter its months that count (3 = complete, else to date)
    version_row: IntArray  # row in ``versions``
    combo: IntArray  # index into ``combos``: the partner's (tier, stage)
    score: IntArray
    rag: npt.NDArray[np.int8]
    percentile: IntArray
    change_previous: IntArray
    change_baseline: IntArray
    baseline: FloatArray  # the partner's baseline score (NaN when none), for reference
    trend: npt.NDArray[np.object_]
    trend_explanation: npt.NDArray[np.object_]
    dq_reasons: list[list[str] | None]  # None until ``complete_snapshots``
    actual: FloatArray  # [snapshot, slot], rounded to 4 decimals, NaN when missing
    normalised: FloatArray  # NaN unless the item is normalised and present
    attainment: Int32Array
    item_rag: npt.NDArray[np.int8]
    points: Int32Array
    missing: BoolArray
    versions: VersionTable
    combos: list[tuple[str, str]]
    peer_percentile: IntArray
    # bookkeeping: the partner's row in the input (sorted by id), the period's index on the engine's time axis, and
    # the weight of the items present (hundredths)
    row: IntArray
    column: IntArray
    present_weight: IntArray
    context: _Context = field(default_factory=_Context)

    def __len__(self) -> int:
        return len(self.partner_id)

    @property
    def version_id(self) -> IntArray:
        """The template version used, per snapshot."""
        return self.versions.ids[self.version_row]

    @property
    def valid(self) -> BoolArray:
        """``[snapshot, slot]``: whether the slot holds an item of the snapshot's version."""
        return self.versions.valid[self.version_row]

    @property
    def item_metric(self) -> IntArray:
        return self.versions.item_metric[self.version_row]

    @property
    def item_weight(self) -> IntArray:
        return self.versions.weight[self.version_row]

    @property
    def target(self) -> FloatArray:
        """``[snapshot, slot]`` targets for the period, rounded to 4 decimals."""
        return round_fixed(self.versions.target(self.version_row, self.combo, self.months_covered)) / SCALE

    @property
    def to_date(self) -> BoolArray:
        """Whether each snapshot is a quarter to date (fewer than its three months count)."""
        return self.is_quarter & (self.months_covered < 3)

    @property
    def dq_flag(self) -> BoolArray:
        """Whether each snapshot carries data-quality reasons."""
        return np.fromiter((bool(r) for r in self.dq_reasons), dtype=bool, count=len(self.dq_reasons))

    @property
    def period(self) -> npt.NDArray[np.object_]:
        """``month`` or ``quarter`` per snapshot."""
        return np.where(self.is_quarter, QUARTER, MONTH).astype(object)

    def item_dicts(self, index: int) -> list[dict[str, Any]]:
        """The per-metric rows of one snapshot, as ``render_items`` stores them (and JSON reads them back)."""
        return list(json.loads(render_items(self, np.array([index]))[0]))

    def frame(self) -> pd.DataFrame:
        """The snapshot-level fields as a DataFrame of plain floats (NaN = empty); for tests and what-if pages."""
        return pd.DataFrame(
            {
                "partner_id": self.partner_id,
                "period": self.period,
                "period_start": [month_start(int(m)) for m in self.period_start],
                "months_covered": self.months_covered,
                "version_id": self.version_id,
                "score": fixed_to_float(self.score),
                "rag": np.asarray(RAG_NAMES, dtype=object)[self.rag],
                "percentile": fixed_to_float(self.percentile),
                "change_previous": fixed_to_float(self.change_previous),
                "change_baseline": fixed_to_float(self.change_baseline),
                "trend": self.trend,
                "trend_explanation": self.trend_explanation,
                "dq_flag": self.dq_flag,
                "dq_reasons": self.dq_reasons,
            }
        )


# --- the engine ---


def score_snapshots(data: ScoringInput, *, complete: bool = True) -> ScoringResult:
    """Score every partner of ``data`` for every month and quarter with data (see the module docstring).

    With ``complete=False`` the trend verdicts and data-quality reasons are left for ``complete_snapshots``.
    """
    partners = data.partners.sort_values("id", kind="stable").reset_index(drop=True)
    partner_ids = partners["id"].to_numpy(dtype=np.int64)
    combos, combo_of = _combos(partners)
    versions, layer_ids = _versions(data, combos)
    metrics = data.metrics.set_index("id")
    ref = data.reference_month
    if ref is None or not len(versions.ids) or not len(partner_ids):
        return _empty_result(versions, combos, partners, data.peers)
    monthly = _known_rows(data.monthly, partner_ids, layer_ids, ref)
    if not len(monthly[0]):
        return _empty_result(versions, combos, partners, data.peers)
    p_of, layer_of, month_of, value_of = monthly

    first_month = np.full(len(partner_ids), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first_month, p_of, month_of)
    has_data = first_month <= ref
    lo = quarter_of(int(first_month[has_data].min()))
    n_months = 3 * ((quarter_of(ref) - lo) // 3 + 1)
    known = metrics.reindex(layer_ids)
    derived = known["derived_from_deals"].eq(True).to_numpy(dtype=bool)
    aggregation = known["aggregation"].where(known["aggregation"].notna(), SUM).to_numpy(dtype=object)

    cube = np.full((len(partner_ids), n_months, len(layer_ids)), np.nan)
    cube[p_of, month_of - lo, layer_of] = value_of
    del monthly, p_of, layer_of, month_of, value_of
    quarter_cube = _quarter_actuals(cube, aggregation, derived)
    qp, ql, qm, qv = _known_rows(data.quarterly, partner_ids, layer_ids, quarter_of(ref))
    keep = derived[ql] & (qm >= lo)
    quarter_cube[qp[keep], (qm[keep] - lo) // 3, ql[keep]] = qv[keep]

    version_at = _version_at(data, partners, versions, lo, n_months)  # [partner, month index] -> version row, -1
    sizes = partners["size_factor"].to_numpy(dtype=np.float64)
    pieces = []
    for is_quarter in (False, True):
        step = 3 if is_quarter else 1
        first = (np.where(has_data, first_month, ref) - lo) // step
        counts = np.where(has_data, (ref - lo) // step - first + 1, 0)
        p = np.repeat(np.arange(len(partner_ids)), counts)
        t = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts) + np.repeat(first, counts)
        v = version_at[p, t * step + step - 1]  # the version in effect on the period's last day
        keep = v >= 0
        p, t, v = p[keep], t[keep], v[keep]
        covered = np.ones(len(p), dtype=np.int64)
        if is_quarter:  # the quarter's months inside the partner's span (its first month with data .. ref)
            start = lo + 3 * t
            covered = np.minimum(start + 2, ref) - np.maximum(start, first_month[p]) + 1
        pieces.append(
            _score_period(is_quarter, p, t, v, covered, versions, combo_of, sizes, quarter_cube if is_quarter else cube)
        )
    del cube, quarter_cube
    result = _assemble(pieces, partner_ids, lo, versions, combo_of, combos)
    result.context = _Context(names=metrics["name"].astype(str).to_dict(), findings=_findings_by_partner(data.findings))
    _history(result, partners, len(partner_ids), lo, n_months)
    result.percentile, result.peer_percentile = _percentiles(result, partners, data.peers)
    if complete:
        complete_snapshots(result)
    return result


def complete_snapshots(result: ScoringResult, rows: IntArray | None = None) -> None:
    """Fill in the trend verdicts, their sentences and the data-quality reasons of these snapshots (default: all).

    ``score_snapshots(..., complete=False)`` leaves them out, so that a caller can fill them block by block while
    it writes the previous block (they are the engine's slowest Python: a sentence per snapshot).
    """
    rows = np.arange(len(result)) if rows is None else rows
    if not len(rows):
        return
    kinds = result.is_quarter[rows]
    columns = result.column[rows]
    key = (columns * 2 + kinds) * 2 + result.to_date[rows]
    for group in np.unique(key).tolist():
        at = rows[key == group]
        rest, to_date = divmod(group, 2)
        column, quarter = divmod(rest, 2)
        period = QUARTER if quarter else MONTH
        # A quarter to date is no point of the trend: it shows the verdict of the complete quarters before it.
        end = max(column, 1) if to_date else column + 1  # (column 0 of a quarter to date: one empty column)
        verdicts = trend_module.trend_verdicts(result.context.histories[period][result.row[at], :end], period=period)
        result.trend[at] = [verdict.verdict for verdict in verdicts]
        result.trend_explanation[at] = [verdict.explanation[:300] for verdict in verdicts]
    for i, reasons in zip(rows.tolist(), _dq_reasons(result, rows), strict=True):
        result.dq_reasons[i] = reasons


def _findings_by_partner(
    findings: Mapping[tuple[int, int], Sequence[str | tuple[int | None, str]]],
) -> dict[int, dict[int, list[tuple[int | None, str]]]]:
    by_partner: dict[int, dict[int, list[tuple[int | None, str]]]] = {}
    for (partner_id, month), entries in findings.items():
        by_partner.setdefault(int(partner_id), {})[int(month)] = [
            (None, entry) if isinstance(entry, str) else (None if entry[0] is None else int(entry[0]), entry[1])
            for entry in entries
        ]
    return by_partner


def _combos(partners: pd.DataFrame) -> tuple[list[tuple[str, str]], IntArray]:
    keys = partners["tier"].astype(str) + "|" + partners["stage"].astype(str)
    codes, uniques = pd.factorize(keys)
    pairs = [str(u).split("|", 1) for u in uniques]
    return [(tier, stage) for tier, stage in pairs], codes.astype(np.int64)


def _fixed_scalar(values: pd.Series) -> IntArray:
    fixed: IntArray = np.rint(values.to_numpy(dtype=np.float64) * SCALE).astype(np.int64)
    return fixed


def _versions(data: ScoringInput, combos: list[tuple[str, str]]) -> tuple[VersionTable, IntArray]:
    """The usable versions (active or retired, with an effective date), their items as slots and their targets.

    Also returns the scored metric ids, sorted: a metric's layer in the actuals cube is its position there.
    """
    versions = data.versions[
        data.versions["status"].isin(ACTIVE_STATUSES) & data.versions["effective_from"].notna()
    ].reset_index(drop=True)
    row_of = {int(vid): i for i, vid in enumerate(versions["id"])}
    items = data.items[data.items["version_id"].isin(row_of)].sort_values(["version_id", "id"], kind="stable")
    layer_ids = np.array(sorted({int(m) for m in items["metric_id"]}), dtype=np.int64)
    layer_of = {int(m): i for i, m in enumerate(layer_ids)}
    metrics = data.metrics.set_index("id")
    slots = int(items.groupby("version_id").size().max()) if len(items) else 0
    shape = (len(versions), slots)
    valid = np.zeros(shape, dtype=bool)
    item_metric = np.zeros(shape, dtype=np.int64)
    layer = np.zeros(shape, dtype=np.int64)
    weight = np.zeros(shape, dtype=np.int64)
    normalise = np.zeros(shape, dtype=bool)
    lower = np.zeros(shape, dtype=bool)
    summed = np.zeros(shape, dtype=bool)
    targets = np.full((*shape, len(combos)), np.nan)
    rules: dict[int, list[tuple[str, str, float]]] = {}
    for item_id, tier, stage, value in data.targets[["item_id", "tier", "stage", "monthly_target"]].itertuples(
        index=False, name=None
    ):
        rules.setdefault(int(item_id), []).append((tier or "", stage or "", float(value)))
    next_slot: dict[int, int] = {}
    for item_id, version_id, metric_id, item_weight, item_normalise in items[
        ["id", "version_id", "metric_id", "weight", "normalise"]
    ].itertuples(index=False, name=None):
        row = row_of[int(version_id)]
        k = next_slot.get(row, 0)
        next_slot[row] = k + 1
        valid[row, k] = True
        item_metric[row, k] = int(metric_id)
        layer[row, k] = layer_of[int(metric_id)]
        weight[row, k] = round(float(item_weight) * WEIGHT_SCALE)
        normalise[row, k] = bool(item_normalise)
        meta = metrics.loc[int(metric_id)] if int(metric_id) in metrics.index else None
        lower[row, k] = meta is not None and meta["direction"] == LOWER
        summed[row, k] = meta is None or meta["aggregation"] == SUM
        for c, (tier, stage) in enumerate(combos):
            targets[row, k, c] = _target_for(rules.get(int(item_id), []), tier, stage)
    table = VersionTable(
        ids=versions["id"].to_numpy(dtype=np.int64),
        cap=_fixed_scalar(versions["cap"]),
        green_at=_fixed_scalar(versions["green_at"]),
        amber_at=_fixed_scalar(versions["amber_at"]),
        score_green_at=_fixed_scalar(versions["score_green_at"]),
        score_amber_at=_fixed_scalar(versions["score_amber_at"]),
        slots=slots,
        valid=valid,
        item_metric=item_metric,
        layer=layer,
        weight=weight,
        normalise=normalise,
        lower=lower,
        summed=summed,
        targets=targets,
    )
    return table, layer_ids


def _target_for(rules: list[tuple[str, str, float]], tier: str, stage: str) -> float:
    """The most specific rule: tier + stage, then tier, then stage, then the default; NaN when none applies."""
    best, best_rank = np.nan, -1
    for rule_tier, rule_stage, value in rules:
        if rule_tier not in ("", tier) or rule_stage not in ("", stage):
            continue
        rank = 2 * (rule_tier != "") + (rule_stage != "")
        if rank > best_rank:
            best, best_rank = value, rank
    return best


def _known_rows(
    frame: pd.DataFrame | Mapping[str, npt.NDArray[Any]], partner_ids: IntArray, layer_ids: IntArray, last: int
) -> tuple[Int32Array, Int32Array, IntArray, FloatArray]:
    """Rows of known partners and scored metrics up to month ``last``: partner row, metric layer, month, value."""
    if not len(frame["partner_id"]) or not len(layer_ids) or not len(partner_ids):
        return np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0, np.int64), np.zeros(0)
    pid = np.asarray(frame["partner_id"], dtype=np.int64)
    p = np.minimum(np.searchsorted(partner_ids, pid), len(partner_ids) - 1)
    keep = partner_ids[p] == pid
    del pid
    mid = np.asarray(frame["metric_id"], dtype=np.int64)
    layer = np.minimum(np.searchsorted(layer_ids, mid), len(layer_ids) - 1)
    keep &= layer_ids[layer] == mid
    del mid
    month = np.asarray(frame["month"], dtype=np.int64)
    value = np.asarray(frame["value"], dtype=np.float64)
    keep &= (month <= last) & ~np.isnan(value)
    if keep.all():
        return p.astype(np.int32), layer.astype(np.int32), month, value
    return p[keep].astype(np.int32), layer[keep].astype(np.int32), month[keep], value[keep]


def _quarter_actuals(cube: FloatArray, aggregation: npt.NDArray[np.object_], derived: BoolArray) -> FloatArray:
    """Quarter actuals from the months: sum or average of the months with data, or the last month with data."""
    p, t, m = cube.shape
    months = cube.reshape(p, t // 3, 3, m)
    present = ~np.isnan(months)
    count = present.sum(axis=2)
    total = np.where(present, months, 0.0).sum(axis=2)
    last = months[:, :, 0, :].copy()
    for j in (1, 2):
        last = np.where(present[:, :, j, :], months[:, :, j, :], last)
    with np.errstate(invalid="ignore", divide="ignore"):
        average = total / count
    out = np.where((aggregation == SUM)[None, None, :], total, np.where((aggregation == AVERAGE), average, last))
    out[count == 0] = np.nan
    out[:, :, derived] = np.nan  # quarter values of deal metrics come from the quarter's deals
    return out


def _segment_templates(data: ScoringInput, partners: pd.DataFrame) -> tuple[IntArray, int]:
    """Each partner's segment template id (-1: none) and the default template id (-1: none)."""
    templates = data.templates
    by_segment = {
        (str(t or ""), str(s or "")): int(i)
        for i, t, s in templates[["id", "partner_type", "stage"]].itertuples(index=False, name=None)
    }
    defaults = templates.loc[templates["is_default"].astype(bool), "id"]
    default = int(defaults.iloc[0]) if len(defaults) else -1
    segments = partners["partner_type"].astype(str) + "|" + partners["stage"].astype(str)
    codes, uniques = pd.factorize(segments)
    chosen = []
    for segment in uniques:
        kind, stage = segment.split("|", 1)
        found = -1
        for key in ((kind, stage), (kind, ""), ("", stage), ("", "")):
            if key in by_segment:
                found = by_segment[key]
                break
        chosen.append(found)
    return np.array(chosen, dtype=np.int64)[codes], default


def _version_at(data: ScoringInput, partners: pd.DataFrame, versions: VersionTable, lo: int, n_months: int) -> IntArray:
    """[partner, month index] -> the row of the version in effect on the month's last day (segment, else default)."""
    row_of = {int(vid): i for i, vid in enumerate(versions.ids)}
    usable = data.versions[data.versions["id"].isin(row_of)]
    template_ids = sorted({int(t) for t in data.templates["id"]})
    steps = np.full((len(template_ids) + 1, n_months), -1, dtype=np.int64)  # last row: no template
    position = {tid: i for i, tid in enumerate(template_ids)}
    ordered = usable.assign(eff=[month_number(d) for d in usable["effective_from"]]).sort_values(
        ["effective_from", "number"], kind="stable"
    )
    for template_id, eff, vid in ordered[["template_id", "eff", "id"]].itertuples(index=False, name=None):
        if int(template_id) in position:
            steps[position[int(template_id)], max(int(eff) - lo, 0) :] = row_of[int(vid)]
    segment, default = _segment_templates(data, partners)
    none = len(template_ids)
    lookup = {int(t): position.get(int(t), none) for t in np.unique(segment)}
    seg_rows = np.array([lookup[int(t)] for t in segment], dtype=np.int64) if len(segment) else np.zeros(0, np.int64)
    own = steps[seg_rows]
    return np.where(own >= 0, own, steps[position.get(default, none)][None, :])


@dataclass
class _Piece:
    is_quarter: bool
    p: IntArray
    t: IntArray
    v: IntArray
    covered: IntArray
    actual: FloatArray
    normalised: FloatArray
    attainment: Int32Array
    item_rag: npt.NDArray[np.int8]
    points: Int32Array
    missing: BoolArray
    score: IntArray
    rag: npt.NDArray[np.int8]
    present_weight: IntArray


def _score_period(
    is_quarter: bool,
    p: IntArray,
    t: IntArray,
    v: IntArray,
    covered: IntArray,
    versions: VersionTable,
    combo_of: IntArray,
    sizes: FloatArray,
    cube: FloatArray,
) -> _Piece:
    """Per-metric attainment, RAG and points, and the score, for the snapshots (p, t) scored with versions v."""
    n, k = len(p), versions.slots
    piece = _Piece(
        is_quarter=is_quarter,
        p=p,
        t=t,
        v=v,
        covered=covered,
        actual=np.empty((n, k)),
        normalised=np.empty((n, k)),
        attainment=np.empty((n, k), dtype=np.int32),
        item_rag=np.empty((n, k), dtype=np.int8),
        points=np.empty((n, k), dtype=np.int32),
        missing=np.empty((n, k), dtype=bool),
        score=np.empty(n, dtype=np.int64),
        rag=np.empty(n, dtype=np.int8),
        present_weight=np.empty(n, dtype=np.int64),
    )
    for start in range(0, n, CHUNK):
        part = slice(start, min(start + CHUNK, n))
        pp, tt, vv = p[part], t[part], v[part]
        valid = versions.valid[vv]
        actual = cube[pp[:, None], tt[:, None], versions.layer[vv]]
        actual[~valid] = np.nan
        target = versions.target(vv, combo_of[pp], covered[part])
        normalise = versions.normalise[vv]
        value = np.where(normalise, actual / sizes[pp][:, None], actual)
        present = valid & ~np.isnan(value) & ~np.isnan(target)
        lower = versions.lower[vv]
        cap = versions.cap[vv][:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            raw = np.where(lower, 100.0 * target / value, np.where(value < 0, 0.0, 100.0 * value / target))
        attainment = np.where(present, np.nan_to_num(round_fixed(raw), nan=0.0, posinf=0.0), 0).astype(np.int64)
        attainment = np.minimum(np.where(present & lower & (value <= 0), cap, attainment), cap)
        item_rag = np.where(
            attainment >= versions.green_at[vv][:, None],
            GREEN,
            np.where(attainment >= versions.amber_at[vv][:, None], AMBER, RED),
        ).astype(np.int8)
        item_rag[~present] = 0
        weight = versions.weight[vv]
        points_exact = np.where(present, weight * np.minimum(attainment, HUNDRED), 0)  # x 1e-8 = points
        present_weight = np.where(present, weight, 0).sum(axis=1)
        scored = present_weight >= MIN_WEIGHT
        score = np.where(scored, divide_half_up(points_exact.sum(axis=1), np.maximum(present_weight, 1)), NULL)
        rag = np.where(
            score >= versions.score_green_at[vv], GREEN, np.where(score >= versions.score_amber_at[vv], AMBER, RED)
        ).astype(np.int8)
        rag[~scored] = 0
        piece.actual[part] = round_fixed(actual) / SCALE
        piece.normalised[part] = np.where(normalise & present, round_fixed(value) / SCALE, np.nan)
        piece.attainment[part] = np.where(present, attainment, NULL32)
        piece.item_rag[part] = item_rag
        piece.points[part] = np.where(present, divide_half_up(points_exact, SCALE), NULL32)
        piece.missing[part] = valid & ~present
        piece.score[part] = score
        piece.rag[part] = rag
        piece.present_weight[part] = present_weight
    return piece


def _assemble(
    pieces: list[_Piece],
    partner_ids: IntArray,
    lo: int,
    versions: VersionTable,
    combo_of: IntArray,
    combos: list[tuple[str, str]],
) -> ScoringResult:
    def cat(name: str) -> Any:
        joined = np.concatenate([getattr(piece, name) for piece in pieces])
        for piece in pieces:
            setattr(piece, name, None)  # free each part once joined
        return joined

    is_quarter = np.concatenate([np.full(len(piece.p), piece.is_quarter) for piece in pieces])
    p, t, v, covered = cat("p"), cat("t"), cat("v"), cat("covered")
    n = len(p)
    return ScoringResult(
        partner_id=partner_ids[p],
        is_quarter=is_quarter,
        period_start=lo + np.where(is_quarter, 3 * t, t),
        months_covered=covered,
        version_row=v,
        combo=combo_of[p],
        score=cat("score"),
        rag=cat("rag"),
        percentile=np.full(n, NULL, dtype=np.int64),
        change_previous=np.full(n, NULL, dtype=np.int64),
        change_baseline=np.full(n, NULL, dtype=np.int64),
        baseline=np.full(n, np.nan),
        trend=np.empty(n, dtype=object),
        trend_explanation=np.empty(n, dtype=object),
        dq_reasons=[None] * n,
        actual=cat("actual"),
        normalised=cat("normalised"),
        attainment=cat("attainment"),
        item_rag=cat("item_rag"),
        points=cat("points"),
        missing=cat("missing"),
        versions=versions,
        combos=combos,
        peer_percentile=np.zeros(0, dtype=np.int64),
        row=p,
        column=t,
        present_weight=cat("present_weight"),
    )


def _history(result: ScoringResult, partners: pd.DataFrame, n_partners: int, lo: int, n_months: int) -> None:
    """Change vs previous period, baseline and change vs it, and each partner's score history (for the trends).

    Months and quarters separately. A quarter to date is left out of the quarters' history: it is never the
    previous period of a change, never a point of a trend, never a baseline, and has no change vs previous itself.
    """
    p, t = result.row, result.column
    chosen = partners["baseline_month"].to_numpy(dtype=object)
    chosen_rows = np.flatnonzero(pd.notna(chosen))
    chosen_months = np.array([month_number(chosen[row]) - lo for row in chosen_rows.tolist()], dtype=np.int64)
    for is_quarter, width, period in ((False, n_months, MONTH), (True, n_months // 3, QUARTER)):
        rows = np.flatnonzero(result.is_quarter == is_quarter)
        pp, tt = p[rows], t[rows]
        complete = ~result.to_date[rows]
        score = result.score[rows]
        scores = np.full((n_partners, width), NULL, dtype=np.int64)  # complete periods only
        scores[pp[complete], tt[complete]] = score[complete]
        exists = np.zeros((n_partners, width), dtype=bool)
        exists[pp[complete], tt[complete]] = True

        previous = np.where(tt > 0, scores[pp, np.maximum(tt - 1, 0)], NULL)
        both = complete & (score != NULL) & (previous != NULL)
        result.change_previous[rows] = np.where(both, score - previous, NULL)
        result.context.histories[period] = fixed_to_float(scores)

        # Baseline: the mean of the first `need` scored (complete) periods, from the period that completes it; or the
        # admin-set month's period (for quarters: the complete quarter containing it; none: the mean rule).
        need = 2 if is_quarter else 3
        scored = scores != NULL
        rank = np.cumsum(scored, axis=1)
        base_num = np.where(rank[:, -1] >= need, np.where(scored & (rank <= need), scores, 0).sum(axis=1), NULL)
        base_den = np.full(n_partners, need, dtype=np.int64)
        since = np.where(rank[:, -1] >= need, np.argmax(rank >= need, axis=1), width)
        for row, month in zip(chosen_rows.tolist(), chosen_months.tolist(), strict=True):
            index = month // 3 if is_quarter else month
            inside = 0 <= index < width
            if is_quarter and not (inside and exists[row, index]):
                continue  # no complete quarter contains the baseline month: the mean of the first two stands
            base_num[row] = scores[row, index] if inside else NULL
            base_den[row] = 1
            since[row] = index if inside else width
        num, den = base_num[pp], base_den[pp]
        both = (score != NULL) & (num != NULL) & (tt >= since[pp])
        difference = np.where(both, score, 0) * den - np.where(both, num, 0)
        result.change_baseline[rows] = np.where(both, divide_half_up(difference, den), NULL)
        result.baseline[rows] = np.where(num != NULL, num / den / SCALE, np.nan)


def _percentiles(
    result: ScoringResult, partners: pd.DataFrame, peers: pd.DataFrame | None
) -> tuple[IntArray, IntArray]:
    """``100 * (below + 0.5 * equal) / n`` among the scored partners of the segment in each period, own and peers'."""
    own = (partners["partner_type"].astype(str) + "|" + partners["stage"].astype(str)).to_numpy(dtype=object)
    peers = peers if peers is not None else pd.DataFrame(columns=["partner_type", "stage", "period", "month", "score"])
    peer_segment = (peers["partner_type"].astype(str) + "|" + peers["stage"].astype(str)).to_numpy(dtype=object)
    codes = pd.factorize(pd.Series(np.concatenate([own, peer_segment]), dtype=object))[0]
    segment = np.concatenate([codes[: len(own)][result.row], codes[len(own) :]]).astype(np.int64)
    quarter = np.concatenate([result.is_quarter, (peers["period"] == QUARTER).to_numpy(dtype=bool)])
    month = np.concatenate([result.period_start, peers["month"].to_numpy(dtype=np.int64)])
    score = np.concatenate([result.score, peers["score"].to_numpy(dtype=np.int64)])
    group = (segment * 2 + quarter) * 1_000_000 + month
    out = np.full(len(score), NULL, dtype=np.int64)
    scored = np.flatnonzero(score != NULL)
    if len(scored):
        g, s = group[scored], score[scored]
        order = np.lexsort((s, g))
        g, s = g[order], s[order]
        n = len(order)
        new_group = np.r_[True, g[1:] != g[:-1]]
        new_run = new_group | np.r_[True, s[1:] != s[:-1]]
        group_start = np.maximum.accumulate(np.where(new_group, np.arange(n), 0))
        run_start = np.maximum.accumulate(np.where(new_run, np.arange(n), 0))
        group_id = np.cumsum(new_group) - 1
        run_id = np.cumsum(new_run) - 1
        group_size = np.bincount(group_id)[group_id]
        run_size = np.bincount(run_id)[run_id]
        below = run_start - group_start
        out[scored[order]] = divide_half_up(100 * SCALE * (2 * below + run_size), 2 * group_size)
    return out[: len(result)], out[len(result) :]


def _weight_text(hundredths: int) -> str:
    return f"{hundredths / WEIGHT_SCALE:g}"


def _dq_reasons(result: ScoringResult, rows: IntArray) -> list[list[str]]:
    """Why each of these snapshots is flagged, in sentences: insufficient data, missing items, then open findings.

    A finding counts only when it is on one of the metrics of the snapshot's scorecard (its version's items), or on
    no metric in particular (the partner's data as a whole, such as a stale source); a finding on a metric the
    scorecard does not use does not flag it.
    """
    names, by_partner = result.context.names, result.context.findings
    flagged = result.missing[rows].any(axis=1)
    touched = np.zeros(len(rows), dtype=bool)
    found: dict[int, list[str]] = {}  # position -> the sentences of the findings on the scorecard's metrics
    if by_partner:
        keys = np.array([pid * 2**20 + month for pid, months in by_partner.items() for month in months])
        candidate = np.zeros(len(rows), dtype=bool)
        for j in range(3):
            hit = np.isin(result.partner_id[rows] * 2**20 + result.period_start[rows] + j, keys)
            candidate |= hit & ((j == 0) | result.is_quarter[rows])
        versions = result.versions
        for position in np.flatnonzero(candidate).tolist():  # few: open findings are rare
            i = int(rows[position])
            version_row = int(result.version_row[i])
            on_card = set(versions.item_metric[version_row, versions.valid[version_row]].tolist())
            months = by_partner[int(result.partner_id[i])]
            start = int(result.period_start[i])
            sentences: list[str] = []
            for j in range(3 if result.is_quarter[i] else 1):
                sentences += [
                    sentence
                    for metric, sentence in months.get(start + j, [])
                    if (metric is None or metric in on_card) and sentence not in sentences
                ]
            if sentences:
                touched[position] = True
                found[position] = sentences
        flagged |= touched
    reasons: list[list[str]] = [[] for _ in range(len(rows))]
    chosen = np.flatnonzero(flagged)
    if not len(chosen):
        return reasons
    snapshots = rows[chosen]
    versions = result.versions
    total = np.where(versions.valid, versions.weight, 0).sum(axis=1)[result.version_row[snapshots]]
    pair_row, pair_slot = np.nonzero(result.missing[snapshots])
    pair_version = result.version_row[snapshots][pair_row]
    pair_combo = result.combo[snapshots][pair_row]
    no_target = np.isnan(versions.targets[pair_version, pair_slot, pair_combo])
    texts: dict[tuple[int, int], str] = {}
    sentences = []
    for metric, combo, untargeted in zip(
        versions.item_metric[pair_version, pair_slot].tolist(), pair_combo.tolist(), no_target.tolist(), strict=True
    ):
        key = (metric, combo if untargeted else -1)
        if key not in texts:
            name = names.get(metric, f"metric {metric}")
            if untargeted:
                tier, stage = result.combos[combo]
                texts[key] = f"No target for {name} at tier {tier or '-'} and stage {stage.replace('_', ' ') or '-'}."
            else:
                texts[key] = f"No data for {name}."
        sentences.append(texts[key])
    bounds = np.searchsorted(pair_row, np.arange(len(snapshots) + 1)).tolist()
    for n, (position, i, weight) in enumerate(zip(chosen.tolist(), snapshots.tolist(), total.tolist(), strict=True)):
        out = reasons[position]
        if result.score[i] == NULL:
            out.append(
                f"Insufficient data: the metrics with data weigh {_weight_text(int(result.present_weight[i]))} of "
                f"{_weight_text(weight)}, under the 50 a score needs."
            )
        out += sentences[bounds[n] : bounds[n + 1]]
        if touched[position]:
            out += [sentence for sentence in found[position] if sentence not in out]
    return reasons


def _empty_result(
    versions: VersionTable, combos: list[tuple[str, str]], partners: pd.DataFrame, peers: pd.DataFrame | None
) -> ScoringResult:
    """No snapshot of these partners; the peers are still ranked among themselves (a refresh that recomputes no
    partner checks the stored percentiles with them)."""
    empty = np.zeros(0, dtype=np.int64)
    slots = versions.slots
    result = ScoringResult(
        partner_id=empty,
        is_quarter=np.zeros(0, dtype=bool),
        period_start=empty,
        months_covered=empty,
        version_row=empty,
        combo=empty,
        score=empty,
        rag=np.zeros(0, dtype=np.int8),
        percentile=empty,
        change_previous=empty,
        change_baseline=empty,
        baseline=np.zeros(0),
        trend=np.zeros(0, dtype=object),
        trend_explanation=np.zeros(0, dtype=object),
        dq_reasons=[],
        actual=np.zeros((0, slots)),
        normalised=np.zeros((0, slots)),
        attainment=np.zeros((0, slots), dtype=np.int32),
        item_rag=np.zeros((0, slots), dtype=np.int8),
        points=np.zeros((0, slots), dtype=np.int32),
        missing=np.zeros((0, slots), dtype=bool),
        versions=versions,
        combos=combos,
        peer_percentile=np.full(0 if peers is None else len(peers), NULL, dtype=np.int64),
        row=empty,
        column=empty,
        present_weight=empty,
    )
    if peers is not None and len(peers):
        _, result.peer_percentile = _percentiles(result, partners, peers)
    return result


# --- the stored form: fingerprints and the items JSON ---

_MIX_1: Final = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2: Final = np.uint64(0x94D049BB133111EB)


def mix64(x: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """splitmix64's finaliser: every input bit moves every output bit (numpy uint64 arithmetic wraps)."""
    x = (x ^ (x >> np.uint64(30))) * _MIX_1
    x = (x ^ (x >> np.uint64(27))) * _MIX_2
    return x ^ (x >> np.uint64(31))


def _bits(values: npt.NDArray[Any]) -> npt.NDArray[np.uint64]:
    if values.dtype.kind == "f":
        canonical = np.where(np.isnan(values), np.nan, values + 0.0)  # one NaN, no negative zero
        return canonical.astype(np.float64).view(np.uint64)
    return values.astype(np.int64).view(np.uint64)


def _text_hash(texts: Sequence[str] | npt.NDArray[np.object_]) -> npt.NDArray[np.uint64]:
    hashed: npt.NDArray[np.uint64] = pd.util.hash_array(np.asarray(texts, dtype=object)).astype(np.uint64)
    return hashed


def _group_keys(result: ScoringResult, rows: IntArray) -> tuple[IntArray, IntArray]:
    """Snapshots sharing a version, tier and stage, period kind and months covered share every constant of their
    items (kind code: 0 for a month, the months covered for a quarter)."""
    kind = np.where(result.is_quarter[rows], result.months_covered[rows], 0)
    keys = (result.version_row[rows] * max(len(result.combos), 1) + result.combo[rows]) * 4 + kind
    uniques, inverse = np.unique(keys, return_inverse=True)
    return uniques, inverse.reshape(-1)


def _constants(result: ScoringResult, key: int) -> tuple[IntArray, IntArray, IntArray, BoolArray, FloatArray]:
    """For one group key: the valid slots, and their metric ids, weights, normalisation flags and targets."""
    versions = result.versions
    version_row, rest = divmod(key, 4 * max(len(result.combos), 1))
    combo, kind = divmod(rest, 4)
    slots = np.flatnonzero(versions.valid[version_row])
    target = versions.targets[version_row, slots, combo]
    if kind > 1:  # a quarter of k months: k monthly targets for sum metrics
        target = np.where(versions.summed[version_row, slots], target * kind, target)
    return (
        slots,
        versions.item_metric[version_row, slots],
        versions.weight[version_row, slots],
        versions.normalise[version_row, slots],
        round_fixed(target) / SCALE,
    )


def fingerprints(result: ScoringResult, rows: IntArray | None = None) -> IntArray:
    """A 64-bit hash per snapshot of every stored field but the percentile (and the computation time).

    Equal fingerprints mean equal stored rows (up to a 2^-64 collision), so a refresh compares fingerprints and
    rewrites only the rows whose fingerprint changed. Returned as signed integers (a bigint column).
    """
    rows = np.arange(len(result)) if rows is None else rows
    with np.errstate(over="ignore"):
        h = np.full(len(rows), np.uint64(FINGERPRINT_VERSION), dtype=np.uint64)
        uniques, inverse = _group_keys(result, rows)
        # the constants of each group's items (metric, weight, normalisation, target), hashed from their text
        constant = _text_hash([repr([part.tolist() for part in _constants(result, key)]) for key in uniques.tolist()])
        columns: list[npt.NDArray[Any]] = [
            result.partner_id[rows],
            result.is_quarter[rows],
            result.period_start[rows],
            result.months_covered[rows],
            result.version_id[rows],
            result.score[rows],
            result.rag[rows],
            result.change_previous[rows],
            result.change_baseline[rows],
        ]
        for salt, column in enumerate(columns, start=1):
            h = mix64(h ^ mix64(_bits(column) + np.uint64(salt)))
        h = mix64(h ^ constant[inverse])
        reasons = [json.dumps(result.dq_reasons[i]) if result.dq_reasons[i] else "" for i in rows.tolist()]
        texts: list[Sequence[str] | npt.NDArray[np.object_]] = [
            result.trend[rows],
            result.trend_explanation[rows],
            reasons,
        ]
        for salt, text in enumerate(texts, start=20):
            h = mix64(h ^ mix64(_text_hash(text) + np.uint64(salt)))
        slots = result.actual.shape[1]
        salts = (np.arange(slots, dtype=np.uint64) * np.uint64(64))[None, :]
        cells = np.zeros((len(rows), slots), dtype=np.uint64)
        matrices: list[npt.NDArray[Any]] = [
            result.actual,
            result.normalised,
            result.attainment,
            result.item_rag,
            result.points,
            result.missing,
        ]
        for salt, matrix in enumerate(matrices, start=40):
            cells = mix64(cells ^ mix64(_bits(matrix[rows]) + salts + np.uint64(salt)))
        h = mix64(h ^ mix64(cells.sum(axis=1, dtype=np.uint64)))
    return h.view(np.int64)


_STATES: Final = np.array(
    [
        '"rag":"","missing":true}',
        '"rag":"green","missing":false}',
        '"rag":"amber","missing":false}',
        '"rag":"red","missing":false}',
    ],
    dtype=object,
)


def _number(value: float) -> str:
    return "null" if np.isnan(value) else repr(float(value))


def _item_template(metric_id: int, weight: int, target: float) -> str:
    """One item's JSON with its constant fields filled in and ``%s`` for the five that vary per snapshot.

    Rendering turns ``nan`` into ``null``: no key or constant may contain those letters.
    """
    constant = f'{{"metric_id":{metric_id},"weight":{weight / WEIGHT_SCALE!r},"target":{_number(target)},'
    return constant + '"actual":%s,"normalised":%s,"attainment":%s,"points":%s,%s'


def render_items(result: ScoringResult, rows: IntArray) -> list[str]:
    """The ``items`` JSON of the given snapshots: one object per item of the version, in slot order.

    Keys: ``metric_id``, ``weight``, ``target``, ``actual``, ``normalised`` (only for normalised items),
    ``attainment`` (percent), ``points``, ``rag`` ("" when missing) and ``missing``; numbers have at most 4 decimals,
    null when empty. Built with one %-format per snapshot from a text prepared per version, tier/stage and period
    kind (the constant parts), which is several times faster than json.dumps over dicts.
    """
    out: list[str] = [""] * len(rows)
    if not len(rows):
        return out
    uniques, inverse = _group_keys(result, rows)
    order = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[order], np.arange(len(uniques) + 1))
    for g, key in enumerate(uniques.tolist()):
        positions = order[bounds[g] : bounds[g + 1]]
        chosen = rows[positions]
        slots, metric_ids, weights, _, targets = _constants(result, key)
        template = (
            "["
            + ",".join(
                _item_template(int(m), int(w), float(t))
                for m, w, t in zip(metric_ids.tolist(), weights.tolist(), targets.tolist(), strict=True)
            )
            + "]"
        )
        values = np.empty((len(chosen), 5 * len(slots)), dtype=object)
        values[:, 0::5] = result.actual[chosen][:, slots]
        values[:, 1::5] = result.normalised[chosen][:, slots]
        values[:, 2::5] = fixed_to_float(result.attainment[chosen][:, slots])
        values[:, 3::5] = fixed_to_float(result.points[chosen][:, slots])
        values[:, 4::5] = _STATES[result.item_rag[chosen][:, slots]]
        for position, row in zip(positions.tolist(), values, strict=True):
            out[position] = (template % tuple(row)).replace("nan", "null")
    return out


def iter_chunks(indices: IntArray, size: int) -> Iterator[IntArray]:
    """``indices`` in consecutive chunks of at most ``size``."""
    for start in range(0, len(indices), size):
        yield indices[start : start + size]
