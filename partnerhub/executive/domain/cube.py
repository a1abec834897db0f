"""The executive dashboard's cube: every measure the dashboard shows, for every period (month and quarter) and every
slice of the program a user can pick with up to two filters, computed in bulk from fact arrays.

Pure numpy: no ORM, no clock, no I/O. The selectors read the facts (one row per snapshot; one row per partner and
month of review activity; one row per scored forecast), this module adds them up, the service stores the cells.

A *slice* is the whole program, one dimension's value (``market = Germany``) or two dimensions' values (``market =
Germany`` and ``product line = Security``), always with the lower dimension code first. A partner with several product
lines counts once in each of its product lines' slices (and once everywhere else). A cell is one slice in one period;
its measures are one vector whose layout (``measure_layout``) is stored with the computation, so that a reader knows
what each position means without guessing.

How the sums are taken: ``np.bincount`` over a group index (period x value of dimension A x value of dimension B) with
the measure as weights — one pass over the rows per measure per grouping set, in C, with no sort. A categorical
measure (score bin, RAG, trend, RAG move) is one pass too: the category is folded into the group index.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Final

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

# Dimension codes (0 = no dimension). The order is the order of the filters on the page.
DIMENSIONS: Final = ("partner_type", "tier", "stage", "region", "market", "product_line", "owner")
PRODUCT_LINE: Final = DIMENSIONS.index("product_line") + 1
PARTNER_DIMENSIONS: Final = tuple(d for d in DIMENSIONS if d != "product_line")  # one value per partner

RAGS: Final = ("green", "amber", "red", "none")  # stored RAG "" is "none"
TRENDS: Final = ("improving", "stable", "declining", "not_enough")
SCORE_BINS: Final = 10  # 0-9.99, 10-19.99, ..., 90-100
MOVE_RAGS: Final = ("green", "amber", "red")  # a move is from one of these to one of these

SNAPSHOT_MEASURES: Final = (
    "partners",  # snapshots in the cell (one per partner and period)
    "scored",  # of which with a score
    "score_sum",
    *(f"score_bin_{i}" for i in range(SCORE_BINS)),
    *(f"rag_{r}" for r in RAGS),
    *(f"trend_{t}" for t in TRENDS),
    "change_n",  # scored in this and the previous period (a change is stored)
    "change_sum",
    "dq_flagged",
    "to_date",  # quarter snapshots of which fewer than three months count yet
    "items_total",  # metric items of the scorecards (a data-quality coverage denominator)
    "items_present",  # of which with data
    *(f"move_{a}_{b}" for a in MOVE_RAGS for b in MOVE_RAGS),
)
ACTIVITY_MEASURES: Final = (
    "reviews_scheduled",  # reviews planned in the period (cancelled ones included)
    "reviews_held",  # held or signed off
    "reviews_cancelled",
    "actions_due",  # action items due in the period (cancelled ones excluded)
    "actions_overdue",  # of which still open after their due date
)
FORECAST_MEASURES: Final = ("forecast_n", "forecast_accuracy_sum")
METRIC_PARTS: Final = ("n", "actual", "target")  # items with both an actual and a target, their sums


def metric_measures(metric_id: int) -> tuple[str, ...]:
    return tuple(f"metric_{metric_id}_{part}" for part in METRIC_PARTS)


def measure_layout(metric_ids: Sequence[int]) -> list[str]:
    """The names of a cell's measures, in vector order, for a cube that carries these metrics."""
    return [
        *SNAPSHOT_MEASURES,
        *ACTIVITY_MEASURES,
        *FORECAST_MEASURES,
        *(name for metric_id in metric_ids for name in metric_measures(metric_id)),
    ]


def grouping_sets() -> list[tuple[int, int]]:
    """(dimension A, dimension B) of every slice kind: the program, each dimension, each pair (A < B; 0 = none)."""
    codes = range(1, len(DIMENSIONS) + 1)
    return [(0, 0), *((code, 0) for code in codes), *combinations(codes, 2)]


# --- facts ---


@dataclass(frozen=True)
class PartnerDims:
    """Each partner's value code per dimension (partners are rows 0..P-1 of every fact array's ``partner``).

    ``codes`` has one column per dimension of ``PARTNER_DIMENSIONS``; ``sizes`` is the number of values per dimension
    (``DIMENSIONS`` order, product lines included); a partner's product lines are pairs (``pl_partner``, ``pl_code``).
    """

    codes: IntArray  # P x len(PARTNER_DIMENSIONS)
    sizes: tuple[int, ...]  # values per dimension, DIMENSIONS order
    pl_partner: IntArray
    pl_code: IntArray

    @property
    def count(self) -> int:
        return int(self.codes.shape[0])


@dataclass(frozen=True)
class SnapshotFacts:
    """One row per stored snapshot. ``score``/``change`` are NaN when empty; ``actual``/``target`` are R x K (NaN:
    missing) for the K metrics of the layout; ``rag`` and ``trend`` are positions in ``RAGS`` and ``TRENDS``."""

    partner: IntArray
    quarter: BoolArray
    month: IntArray  # month number of the period's first month
    months_covered: IntArray
    score: FloatArray
    rag: IntArray
    trend: IntArray
    dq: BoolArray
    change: FloatArray
    items_total: IntArray
    items_present: IntArray
    actual: FloatArray
    target: FloatArray


@dataclass(frozen=True)
class ActivityFacts:
    """Review activity, one row per partner and month (reviews by the month they were planned for, action items by
    the month they were due)."""

    partner: IntArray
    month: IntArray
    values: IntArray  # R x len(ACTIVITY_MEASURES)


@dataclass(frozen=True)
class ForecastFacts:
    """One row per scored forecast: the partner, its quarter (month number of the first month), its accuracy (%)."""

    partner: IntArray
    quarter_month: IntArray
    accuracy: FloatArray


@dataclass(frozen=True)
class CubeCells:
    """The cube: one row per non-empty (period, slice) cell."""

    quarter: BoolArray
    month: IntArray
    dim_a: IntArray
    value_a: IntArray
    dim_b: IntArray
    value_b: IntArray
    measures: FloatArray  # C x len(layout)
    layout: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return int(self.measures.shape[0])


# --- the computation ---


@dataclass(frozen=True)
class _Spec:
    """One measure (or a block of ``categories`` measures) of a stream: bincount weights and, for a block, codes."""

    start: int
    weights: FloatArray | None
    codes: IntArray | None = None
    categories: int = 1


@dataclass(frozen=True)
class _Stream:
    partner: IntArray
    period: IntArray  # index into the cube's period table
    specs: list[_Spec]


def previous_rag(facts: SnapshotFacts) -> IntArray:
    """Each snapshot's RAG code in the partner's previous complete period of the same kind (-1: none).

    A quarter to date is never a previous period, and has none itself (as on the scorecard pages).
    """
    n = len(facts.partner)
    out = np.full(n, -1, dtype=np.int64)
    if not n:
        return out
    complete = ~facts.quarter | (facts.months_covered >= 3)
    step = np.where(facts.quarter, 3, 1)
    keys = _snapshot_keys(facts.partner, facts.quarter, facts.month)
    wanted = _snapshot_keys(facts.partner, facts.quarter, facts.month - step)
    order = np.argsort(keys, kind="stable")
    found = np.minimum(np.searchsorted(keys, wanted, sorter=order), n - 1)
    match = order[found]
    hit = (keys[match] == wanted) & complete[match] & complete
    out[hit] = facts.rag[match[hit]]
    return out


def _snapshot_keys(partner: IntArray, quarter: BoolArray, month: IntArray) -> IntArray:
    return (partner.astype(np.int64) << 22) | (quarter.astype(np.int64) << 21) | month.astype(np.int64)


def _period_keys(quarter: BoolArray | bool, month: IntArray) -> IntArray:
    return month.astype(np.int64) * 2 + np.asarray(quarter, dtype=np.int64)


def _snapshot_specs(facts: SnapshotFacts, index: dict[str, int], metric_count: int) -> list[_Spec]:
    has_score = ~np.isnan(facts.score)
    score = np.where(has_score, facts.score, 0.0)
    bins = np.clip(np.floor(score / (100 / SCORE_BINS)), 0, SCORE_BINS - 1).astype(np.int64)
    has_change = ~np.isnan(facts.change)
    before = previous_rag(facts)
    moved = (before >= 0) & (before < 3) & (facts.rag < 3)
    move_code = np.where(moved, before * 3 + np.minimum(facts.rag, 2), 0)
    specs = [
        _Spec(index["partners"], None),
        _Spec(index["scored"], has_score.astype(np.float64)),
        _Spec(index["score_sum"], score),
        _Spec(index["score_bin_0"], has_score.astype(np.float64), bins, SCORE_BINS),
        _Spec(index["rag_green"], None, facts.rag, len(RAGS)),
        _Spec(index["trend_improving"], None, facts.trend, len(TRENDS)),
        _Spec(index["change_n"], has_change.astype(np.float64)),
        _Spec(index["change_sum"], np.where(has_change, facts.change, 0.0)),
        _Spec(index["dq_flagged"], facts.dq.astype(np.float64)),
        _Spec(index["to_date"], (facts.quarter & (facts.months_covered < 3)).astype(np.float64)),
        _Spec(index["items_total"], facts.items_total.astype(np.float64)),
        _Spec(index["items_present"], facts.items_present.astype(np.float64)),
        _Spec(index["move_green_green"], moved.astype(np.float64), move_code, len(MOVE_RAGS) ** 2),
    ]
    metric_starts = [i for i, name in enumerate(index) if name.startswith("metric_") and name.endswith("_n")]
    for k in range(metric_count):
        both = ~np.isnan(facts.actual[:, k]) & ~np.isnan(facts.target[:, k])
        start = metric_starts[k]
        specs += [
            _Spec(start, both.astype(np.float64)),
            _Spec(start + 1, np.where(both, facts.actual[:, k], 0.0)),
            _Spec(start + 2, np.where(both, facts.target[:, k], 0.0)),
        ]
    return specs


def _streams(
    snapshots: SnapshotFacts, activity: ActivityFacts, forecasts: ForecastFacts, index: dict[str, int], k: int
) -> tuple[IntArray, list[_Stream]]:
    """The period table (sorted period keys) and the streams of facts, each row mapped to its period."""
    # Review activity counts in its month and in the quarter holding it.
    act_quarter_month = activity.month - activity.month % 3
    period_sets = [
        _period_keys(snapshots.quarter, snapshots.month),
        _period_keys(False, activity.month),
        _period_keys(True, act_quarter_month),
        _period_keys(True, forecasts.quarter_month),
    ]
    table = np.unique(np.concatenate(period_sets)) if any(len(p) for p in period_sets) else np.zeros(0, np.int64)

    def position(keys: IntArray) -> IntArray:
        return np.searchsorted(table, keys).astype(np.int64)

    streams = [
        _Stream(snapshots.partner, position(period_sets[0]), _snapshot_specs(snapshots, index, k)),
    ]
    if len(activity.partner):
        act_specs = [
            _Spec(index[name], activity.values[:, i].astype(np.float64)) for i, name in enumerate(ACTIVITY_MEASURES)
        ]
        streams.append(_Stream(activity.partner, position(period_sets[1]), act_specs))
        streams.append(_Stream(activity.partner, position(period_sets[2]), act_specs))
    if len(forecasts.partner):
        has = ~np.isnan(forecasts.accuracy)
        streams.append(
            _Stream(
                forecasts.partner,
                position(period_sets[3]),
                [
                    _Spec(index["forecast_n"], has.astype(np.float64)),
                    _Spec(index["forecast_accuracy_sum"], np.where(has, forecasts.accuracy, 0.0)),
                ],
            )
        )
    return table, streams


def _codes_for(dims: PartnerDims, dim: int, partner: IntArray) -> IntArray:
    column = PARTNER_DIMENSIONS.index(DIMENSIONS[dim - 1])
    codes: IntArray = dims.codes[partner, column]
    return codes


def _add(out: FloatArray, group: IntArray, groups: int, specs: list[_Spec], take: IntArray | None) -> None:
    """Add one stream's measures into ``out`` (measures x groups: each measure's row is contiguous) for rows grouped
    by ``group``; ``take`` picks (and repeats) rows, for passes over the partners' product lines."""
    for spec in specs:
        weights = spec.weights if spec.weights is None or take is None else spec.weights[take]
        if spec.codes is None:
            out[spec.start] += np.bincount(group, weights=weights, minlength=groups)
            continue
        codes = spec.codes if take is None else spec.codes[take]
        # Category-major: each category's groups land contiguous, so the block is a plain reshape.
        block = np.bincount(codes * groups + group, weights=weights, minlength=groups * spec.categories)
        out[spec.start : spec.start + spec.categories] += block.reshape(spec.categories, groups)


def _product_line_rows(dims: PartnerDims, partner: IntArray) -> tuple[IntArray, IntArray]:
    """For rows of ``partner``: (row index, product-line code), one pair per product line of the row's partner."""
    if not len(dims.pl_partner) or not len(partner):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    order = np.argsort(dims.pl_partner, kind="stable")
    pl_partner, pl_code = dims.pl_partner[order], dims.pl_code[order]
    starts = np.searchsorted(pl_partner, np.arange(dims.count))
    counts = np.bincount(pl_partner, minlength=dims.count)
    per_row = counts[partner]
    rows = np.repeat(np.arange(len(partner), dtype=np.int64), per_row)
    # Position of each expanded row among its partner's product lines: 0, 1, ... within each repeat.
    offsets = np.arange(len(rows), dtype=np.int64) - np.repeat(np.cumsum(per_row) - per_row, per_row)
    codes = pl_code[starts[partner[rows]] + offsets]
    return rows, codes


PASS_BUDGET_BYTES: Final = (
    64 << 20
)  # the largest dense block one pass adds up into (larger blocks cost more to clear and sum than they save)


def plan_passes(sizes: Sequence[int], periods: int, measures: int, rows: int) -> list[tuple[int, ...]]:
    """Group the two-dimension slices into passes over the rows: each pass adds the rows up by several dimensions
    at once (a dense block of measures x periods x their values, within ``PASS_BUDGET_BYTES``), and every slice
    whose dimensions a pass holds is then a sum over that block's other axes.

    A pass holding the product line counts a partner once per product line, so slices without it never come from
    such a pass: product-line slices get passes of their own. Few passes over the rows instead of one per slice kind
    is what makes the cube cheap: with 7 dimensions there are 29 slice kinds; a program with 5 types, 4 tiers,
    4 stages, 4 regions, 30 markets, 6 product lines and 100 owners, and 20,000 partners with two years of
    snapshots, needs 6 passes.
    """
    # A block larger than a few times the rows is mostly zeros to allocate and scan: small programs take more, smaller
    # passes (each cheap), large ones as few as the memory budget allows.
    budget = min(PASS_BUDGET_BYTES // (8 * max(measures, 1)), max(rows, 4096))
    limit = max(budget // max(periods, 1), 1)

    def cells(dims: Sequence[int]) -> int:
        total = 1
        for dim in dims:
            total *= sizes[dim - 1]
        return total

    passes: list[list[int]] = []
    for a, b in grouping_sets():
        if not a or not b or any({a, b} <= set(p) for p in passes):
            continue
        lines = PRODUCT_LINE in (a, b)
        for chosen in passes:
            merged = sorted({*chosen, a, b})
            if (PRODUCT_LINE in chosen) == lines and cells(merged) <= limit:
                chosen[:] = merged
                break
        else:
            passes.append([a, b])
    return [tuple(p) for p in passes]


def _pass_for(passes: list[tuple[int, ...]], wanted: tuple[int, ...], sizes: Sequence[int]) -> tuple[int, ...]:
    """The smallest pass holding every dimension of ``wanted``, and the product line only when it is wanted."""
    lines = PRODUCT_LINE in wanted
    holding = [p for p in passes if set(wanted) <= set(p) and (PRODUCT_LINE in p) == lines]

    def size(p: tuple[int, ...]) -> int:
        total = 1
        for dim in p:
            total *= sizes[dim - 1]
        return total

    return min(holding, key=size)


class _Marginals:
    """A pass's dense block (measures x periods x values of each of its dimensions) and its sums over some of its
    dimensions, each computed once from the smallest one already computed that still holds the dimensions kept."""

    def __init__(self, block: FloatArray, dims: tuple[int, ...]) -> None:
        self.done: dict[frozenset[int], tuple[tuple[int, ...], FloatArray]] = {frozenset(dims): (dims, block)}

    def keep(self, wanted: tuple[int, ...]) -> FloatArray:
        key = frozenset(wanted)
        if key not in self.done:
            source = min((k for k in self.done if key <= k), key=lambda k: self.done[k][1].size)
            dims, block = self.done[source]
            # Drop one dimension at a time (the largest first: it shrinks the block most), remembering each step.
            for dim in sorted(source - key, key=lambda d: -block.shape[2 + dims.index(d)]):
                axis = 2 + dims.index(dim)
                block = block.sum(axis=axis)
                dims = tuple(d for d in dims if d != dim)
                self.done.setdefault(frozenset(dims), (dims, block))
        return self.done[key][1]


def iter_grouping_cells(
    dims: PartnerDims, table: IntArray, streams: list[_Stream], measures: int
) -> Iterator[tuple[int, int, IntArray, IntArray, IntArray, FloatArray]]:
    """Per grouping set: (dim A, dim B, period index, value A, value B, measures) of its non-empty cells."""
    periods = len(table)
    sizes = dims.sizes
    passes = plan_passes(sizes, periods, measures, max((len(s.partner) for s in streams), default=0))
    by_pass: dict[tuple[int, ...], list[tuple[int, int]]] = {}
    for a, b in grouping_sets():
        wanted = tuple(d for d in (a, b) if d)
        by_pass.setdefault(_pass_for(passes, wanted, sizes), []).append((a, b))
    expanded: list[tuple[IntArray, IntArray]] | None = None
    for dims_of_pass, slice_kinds in by_pass.items():
        uses_lines = PRODUCT_LINE in dims_of_pass
        if uses_lines and expanded is None:
            expanded = [_product_line_rows(dims, s.partner) for s in streams]
        shape = (periods, *(sizes[d - 1] for d in dims_of_pass))
        groups = int(np.prod(shape))
        block = np.zeros((measures, groups), dtype=np.float64)
        for i, stream in enumerate(streams):
            take, lines = expanded[i] if uses_lines and expanded is not None else (None, np.zeros(0, np.int64))
            partner = stream.partner if take is None else stream.partner[take]
            group = stream.period if take is None else stream.period[take]
            for dim in dims_of_pass:
                group = group * sizes[dim - 1] + _dimension_codes(dims, dim, partner, lines)
            _add(block, group, groups, stream.specs, take)
        marginals = _Marginals(block.reshape(measures, *shape), dims_of_pass)
        del block
        for a, b in slice_kinds:
            reduced = marginals.keep(tuple(d for d in (a, b) if d))  # measures x periods x [A] x [B]
            flat = reduced.reshape(measures, -1)
            keep = np.flatnonzero(np.any(flat != 0, axis=0))
            size_a = sizes[a - 1] if a else 1
            size_b = sizes[b - 1] if b else 1
            period_index, rest = np.divmod(keep, size_a * size_b)
            value_a, value_b = np.divmod(rest, size_b)
            yield a, b, period_index, value_a, value_b, np.ascontiguousarray(flat[:, keep].T)


def _dimension_codes(dims: PartnerDims, dim: int, partner: IntArray, pl_codes: IntArray) -> IntArray:
    if dim == PRODUCT_LINE:
        return pl_codes
    return _codes_for(dims, dim, partner)


def compute_cube(
    dims: PartnerDims,
    snapshots: SnapshotFacts,
    activity: ActivityFacts,
    forecasts: ForecastFacts,
    metric_ids: Sequence[int],
) -> CubeCells:
    """Every non-empty cell of the cube, for every grouping set of ``grouping_sets``."""
    layout = measure_layout(metric_ids)
    index = {name: i for i, name in enumerate(layout)}
    table, streams = _streams(snapshots, activity, forecasts, index, len(metric_ids))
    parts: list[tuple[int, int, IntArray, IntArray, IntArray, FloatArray]] = list(
        iter_grouping_cells(dims, table, streams, len(layout))
    )
    periods = np.concatenate([table[p[2]] for p in parts]) if parts else np.zeros(0, np.int64)
    return CubeCells(
        quarter=(periods % 2).astype(bool),
        month=periods // 2,
        dim_a=np.concatenate([np.full(len(p[2]), p[0], dtype=np.int64) for p in parts]),
        value_a=np.concatenate([p[3] for p in parts]),
        dim_b=np.concatenate([np.full(len(p[2]), p[1], dtype=np.int64) for p in parts]),
        value_b=np.concatenate([p[4] for p in parts]),
        measures=np.concatenate([p[5] for p in parts]) if parts else np.zeros((0, len(layout))),
        layout=layout,
    )
