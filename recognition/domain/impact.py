"""The impact of investments, measured against matched partners that got none: difference-in-differences with a
bootstrap interval, a placebo check on the pre-period, and a verdict that says how sure it is.

Pure: a panel of monthly values (partners x months, NaN where missing) and the investments in; estimates out. No
database, no clock; the randomness of the bootstrap comes from a seed, so the same inputs give the same estimates.
``docs/investments.md`` explains the method with a worked example; in short, for one investment of partner ``p``
starting in month ``t0``:

1. **Windows.** The pre-period is the ``PRE`` months before ``t0`` in which ``p`` has a value (at least
   ``MIN_PRE``); the post-period is ``t0`` and the ``POST - 1`` months after, in which it has one (at least one).
2. **Controls.** Partners of the same segment and tier (``Panel.segment``, ``Panel.tier``: the service passes the
   scorecard a partner is scored on and its tier) with no comparable investment (the same kind)
   starting anywhere from ``PRE`` months before ``t0`` to the end of the post-period, and with values in at least
   ``MIN_PRE`` of the pre months and one post month. Of those, the ``K`` nearest: the smallest root-mean-square
   difference from ``p`` over the pre months both have (level and trend alike).
3. **Effect.** ``(treated after - treated before) - mean over controls of (control after - control before)``, each
   "before" and "after" a mean over the months of the windows. A group of investments (all MDF of a quarter, one
   activity type, one enablement programme) is the mean of its investments' effects, each with its own controls.
4. **Interval** (90 %): a bootstrap over partners. Each of ``BOOTSTRAP`` replicates weighs every control partner
   by a draw from the exponential distribution (the Bayesian bootstrap; a partner shared by several investments
   keeps one weight in the replicate), recomputes each investment's control mean with those weights, and draws one
   of its controls at random to stand for the treated partner's own luck (its deviation from the control mean,
   widened for a small number of controls: ``_small_sample_scale``). The spread of the replicated effects around
   zero is the estimate's uncertainty: the interval is ``effect - q95`` to ``effect - q05``.
5. **Placebo.** The same difference-in-differences inside the pre-period alone (its later half against its earlier
   half), with the same bootstrap. Before the investment nothing happened, so a placebo interval that excludes 0
   means the treated and the controls were not moving in parallel.
6. **Verdict.** "Causal estimate" when the placebo interval includes 0 and every investment has at least
   ``MIN_CONTROLS`` controls, ``MIN_PLACEBO_PRE`` pre months and ``MIN_CAUSAL_POST`` post months; otherwise
   "directional", with every reason that failed; "not estimated" when no investment has a pre-period, a
   post-period and a control.

A naive before/after (the treated partners' change alone) is never an effect: it credits the investment with
everything else that moved every partner's numbers, and strong partners, the likelier to be funded, move more.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

PRE = 6
POST = 6
MIN_PRE = 3
MIN_PLACEBO_PRE = 4
MIN_CAUSAL_POST = 3
K = 30
MIN_CONTROLS = 5
MIN_UNIT_CONTROLS = 2  # below it no interval can be drawn (a single control shows no spread)
BOOTSTRAP = 1000
LEVEL = 0.90
Z_EDGE = 1.6448536269514722  # the standard normal's 95th percentile: the edge of a 90 % interval

CAUSAL = "causal"
DIRECTIONAL = "directional"
NOT_ESTIMATED = "not_estimated"

Array = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Panel:
    """Monthly values: ``values[i, j]`` is partner ``i``'s value in month ``first_month + j`` (NaN: none).

    ``segment`` and ``tier`` hold an integer code per partner (equal codes: same segment, same tier).
    """

    partner_ids: npt.NDArray[np.int64]
    first_month: int
    values: Array
    segment: npt.NDArray[np.int64]
    tier: npt.NDArray[np.int64]

    @property
    def months(self) -> int:
        return int(self.values.shape[1])


@dataclass(frozen=True)
class Treatment:
    """One investment: its key, its partner (row of the panel), its first month (a month number) and its kind."""

    key: str
    row: int
    start_month: int
    kind: str


@dataclass
class UnitEstimate:
    """One investment's difference-in-differences and what the bootstrap needs to replicate it."""

    key: str
    row: int
    start: int  # column of the first post month
    pre_cols: npt.NDArray[np.int64]
    post_cols: npt.NDArray[np.int64]
    controls: npt.NDArray[np.int64]  # rows of the matched controls
    treated_change: float
    control_changes: Array
    treated_placebo: float
    control_placebos: Array
    effect: float
    placebo: float

    @property
    def placebo_possible(self) -> bool:
        return len(self.pre_cols) >= MIN_PLACEBO_PRE


@dataclass
class Estimate:
    """The estimate for one investment or one group of them (``units`` are the investments it rests on)."""

    effect: float | None
    ci_low: float | None
    ci_high: float | None
    placebo: float | None
    placebo_low: float | None
    placebo_high: float | None
    n_treated: int
    n_controls: int
    pre_periods: int
    post_periods: int
    verdict: str
    reason: str
    units: list[UnitEstimate] = field(default_factory=list)


def _nanmean_rows(block: Array) -> Array:
    """Row means ignoring NaN (NaN for a row with no value), without numpy's empty-slice warning."""
    counts = np.sum(~np.isnan(block), axis=1)
    sums = np.nansum(block, axis=1)
    out = np.full(block.shape[0], np.nan)
    np.divide(sums, counts, out=out, where=counts > 0)
    return out


@dataclass(frozen=True)
class _Starts:
    """Per kind of investment, its start months (sorted) and partner rows: who had a comparable one, and when."""

    by_kind: dict[str, tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]]

    @classmethod
    def of(cls, treatments: Sequence[Treatment]) -> _Starts:
        grouped: dict[str, list[tuple[int, int]]] = {}
        for t in treatments:
            grouped.setdefault(t.kind, []).append((t.start_month, t.row))
        by_kind = {}
        for kind, pairs in grouped.items():
            pairs.sort()
            by_kind[kind] = (
                np.array([p[0] for p in pairs], dtype=np.int64),
                np.array([p[1] for p in pairs], dtype=np.int64),
            )
        return cls(by_kind)

    def rows_starting(self, kind: str, low: int, high: int) -> npt.NDArray[np.int64]:
        starts, rows = self.by_kind.get(kind, (np.zeros(0, np.int64), np.zeros(0, np.int64)))
        return rows[np.searchsorted(starts, low, side="left") : np.searchsorted(starts, high, side="right")]


def estimate_unit(
    panel: Panel, treatment: Treatment, treatments: Sequence[Treatment] | _Starts, *, k: int = K
) -> UnitEstimate | str:
    """The difference-in-differences of one investment, or the reason it cannot be estimated."""
    starts = treatments if isinstance(treatments, _Starts) else _Starts.of(treatments)
    start = treatment.start_month - panel.first_month
    y = panel.values
    row = y[treatment.row]
    pre_cols = np.array([c for c in range(start - PRE, start) if 0 <= c < panel.months and not np.isnan(row[c])])
    post_cols = np.array(
        [c for c in range(start, start + POST) if 0 <= c < panel.months and not np.isnan(row[c])], dtype=np.int64
    )
    if len(pre_cols) < MIN_PRE:
        return f"fewer than {MIN_PRE} months of values before the investment ({len(pre_cols)})"
    if len(post_cols) == 0:
        return "no month of values after the investment yet"
    # Partners with a comparable investment (the same kind) starting inside the window are never controls.
    excluded = starts.rows_starting(treatment.kind, treatment.start_month - PRE, treatment.start_month + POST - 1)
    same = (panel.segment == panel.segment[treatment.row]) & (panel.tier == panel.tier[treatment.row])
    same[excluded] = False
    same[treatment.row] = False
    candidates = np.flatnonzero(same).astype(np.int64)
    if len(candidates) == 0:
        return "no partner of the same segment and tier without a comparable investment"
    pre_block = y[np.ix_(candidates, pre_cols)]
    post_block = y[np.ix_(candidates, post_cols)]
    enough = (np.sum(~np.isnan(pre_block), axis=1) >= MIN_PRE) & (np.sum(~np.isnan(post_block), axis=1) >= 1)
    candidates, pre_block, post_block = candidates[enough], pre_block[enough], post_block[enough]
    if len(candidates) == 0:
        return "no comparable partner has values in the same months"
    gaps = pre_block - row[pre_cols]
    distance = np.sqrt(np.nanmean(gaps**2, axis=1))
    order = np.lexsort((panel.partner_ids[candidates], distance))[:k]  # ties broken by partner id
    if len(order) < MIN_UNIT_CONTROLS:
        return "only one comparable partner: no interval can be drawn from a single control"
    controls = candidates[order]
    pre_block, post_block = pre_block[order], post_block[order]

    treated_change = float(np.mean(row[post_cols]) - np.mean(row[pre_cols]))
    control_changes = _nanmean_rows(post_block) - _nanmean_rows(pre_block)
    half = len(pre_cols) // 2
    early, late = pre_cols[:half], pre_cols[half:]
    treated_placebo = float(np.mean(row[late]) - np.mean(row[early])) if half else float("nan")
    control_placebos = (
        _nanmean_rows(y[np.ix_(controls, late)]) - _nanmean_rows(y[np.ix_(controls, early)])
        if half
        else np.full(len(controls), np.nan)
    )
    control_placebos = np.where(np.isnan(control_placebos), np.nanmean(control_placebos), control_placebos)
    return UnitEstimate(
        key=treatment.key,
        row=treatment.row,
        start=start,
        pre_cols=pre_cols.astype(np.int64),
        post_cols=post_cols,
        controls=controls,
        treated_change=treated_change,
        control_changes=control_changes,
        treated_placebo=treated_placebo,
        control_placebos=control_placebos,
        effect=treated_change - float(np.mean(control_changes)),
        placebo=treated_placebo - float(np.nanmean(control_placebos)) if half else float("nan"),
    )


def _null_draws(units: Sequence[UnitEstimate], which: str, rng: np.random.Generator, draws: int) -> Array:
    """Replicates of the mean effect under no effect (see the module docstring, step 4): one per bootstrap draw."""
    if len(units) == 1:  # one investment: weights for its own controls only
        changes = units[0].control_changes if which == "effect" else units[0].control_placebos
        return _unit_draws(changes, rng.standard_exponential(size=(draws, len(changes))), rng, draws)
    rows = np.unique(np.concatenate([u.controls for u in units]))
    weights = rng.standard_exponential(size=(draws, len(rows)))
    total = np.zeros(draws)
    for unit in units:
        changes = unit.control_changes if which == "effect" else unit.control_placebos
        total += _unit_draws(changes, weights[:, np.searchsorted(rows, unit.controls)], rng, draws)
    return total / len(units)


def _unit_draws(changes: Array, weights: Array, rng: np.random.Generator, draws: int) -> Array:
    """One investment's replicated error: its luck (a control's deviation, widened) minus the shift of the
    weighted control mean from the plain one."""
    k = len(changes)
    mean = float(changes.mean())
    weighted: Array = (weights @ changes) / weights.sum(axis=1)
    luck: Array = (changes - mean)[rng.integers(0, k, size=draws)] * _small_sample_scale(k)
    return luck - (weighted - mean)


def _small_sample_scale(k: int) -> float:
    """How much to widen a deviation drawn from ``k`` controls: sqrt(k / (k - 1)) for the variance of a deviation
    from a mean of ``k``, times the ratio of Student's t (k - 1 degrees of freedom) to the normal at the interval's
    edge (a Cornish-Fisher expansion), for the tails a handful of controls cannot show."""
    if k < 2:
        return 1.0
    z, nu = Z_EDGE, k - 1
    t = z + (z**3 + z) / (4 * nu) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * nu**2)
    return float(np.sqrt(k / (k - 1)) * t / z)


def _interval(center: float, null: Array) -> tuple[float, float]:
    low_q, high_q = np.quantile(null, [(1 - LEVEL) / 2, 1 - (1 - LEVEL) / 2])
    return center - float(high_q), center - float(low_q)


def combine(units: Sequence[UnitEstimate], failures: Sequence[str], *, seed: int = 0) -> Estimate:
    """The estimate of a group of investments (or of one): mean effect, interval, placebo and verdict."""
    if not units:
        reason = failures[0] if len(set(failures)) == 1 else "; ".join(sorted(set(failures)))
        return Estimate(None, None, None, None, None, None, 0, 0, 0, 0, NOT_ESTIMATED, f"Not estimated: {reason}.")
    rng = np.random.default_rng(seed)
    effect = float(np.mean([u.effect for u in units]))
    ci_low, ci_high = _interval(effect, _null_draws(units, "effect", rng, BOOTSTRAP))
    with_placebo = [u for u in units if u.placebo_possible]
    placebo = placebo_low = placebo_high = None
    if with_placebo:
        placebo = float(np.mean([u.placebo for u in with_placebo]))
        placebo_low, placebo_high = _interval(placebo, _null_draws(with_placebo, "placebo", rng, BOOTSTRAP))
    n_controls = len(np.unique(np.concatenate([u.controls for u in units])))
    fewest_controls = min(len(u.controls) for u in units)
    pre = min(len(u.pre_cols) for u in units)
    post = min(len(u.post_cols) for u in units)
    reasons = []
    if fewest_controls < MIN_CONTROLS:
        reasons.append(
            f"only {fewest_controls} comparable partner{'s' if fewest_controls != 1 else ''} without a comparable "
            f"investment (at least {MIN_CONTROLS} needed)"
        )
    if pre < MIN_PLACEBO_PRE:
        reasons.append(f"only {pre} months before the investment: too few to check the trends were parallel")
    if post < MIN_CAUSAL_POST:
        reasons.append(f"only {post} month{'s' if post != 1 else ''} after the investment so far")
    if (
        placebo is not None
        and placebo_low is not None
        and placebo_high is not None
        and not (placebo_low <= 0 <= placebo_high)
    ):
        reasons.append(
            f"the trends were not parallel before it: the treated moved {placebo:+.1f} against their matched "
            f"partners before the investment (placebo 90 % interval {placebo_low:+.1f} to {placebo_high:+.1f})"
        )
    left_out = (
        f"{len(failures)} investment{'s' if len(failures) != 1 else ''} of the group could not be estimated"
        if failures
        else ""
    )
    verdict = DIRECTIONAL if reasons else CAUSAL
    if verdict == CAUSAL:
        reason = (
            f"Causal estimate: {len(units)} investment{'s' if len(units) != 1 else ''} against {n_controls} matched "
            f"partners of the same segment and tier; the trends were parallel before it (placebo "
            f"{placebo:+.1f}, 90 % interval {placebo_low:+.1f} to {placebo_high:+.1f})."
            if placebo is not None and placebo_low is not None and placebo_high is not None
            else "Causal estimate."
        )
        if left_out:
            reason += f" {left_out.capitalize()}."
    else:
        reason = "Directional only: " + "; ".join([*reasons, *([left_out] if left_out else [])]) + "."
    return Estimate(
        effect=effect,
        ci_low=ci_low,
        ci_high=ci_high,
        placebo=placebo,
        placebo_low=placebo_low,
        placebo_high=placebo_high,
        n_treated=len(units),
        n_controls=n_controls,
        pre_periods=pre,
        post_periods=post,
        verdict=verdict,
        reason=reason,
        units=list(units),
    )


def estimate_all(panel: Panel, treatments: Sequence[Treatment], *, k: int = K) -> dict[str, UnitEstimate | str]:
    """Every investment's unit estimate (or the reason it has none), keyed by its key."""
    starts = _Starts.of(treatments)
    return {t.key: estimate_unit(panel, t, starts, k=k) for t in treatments}


def estimate_group(units: dict[str, UnitEstimate | str], keys: Sequence[str], *, seed: int = 0) -> Estimate:
    """The estimate of the investments named by ``keys`` (one key: that investment's own estimate).

    In a group, investments with fewer than ``MIN_CONTROLS`` controls are left out (and said so) when the others
    can carry the estimate, so that a thinly matched one does not make the whole group directional; alone, such an
    investment is directional.
    """
    found = [units[k] for k in keys if k in units]
    estimated = [u for u in found if isinstance(u, UnitEstimate)]
    failures = [u for u in found if isinstance(u, str)]
    if len(keys) > 1:
        well = [u for u in estimated if len(u.controls) >= MIN_CONTROLS]
        if well and len(well) < len(estimated):
            thin = len(estimated) - len(well)
            failures += [f"fewer than {MIN_CONTROLS} comparable partners"] * thin
            estimated = well
    return combine(estimated, failures, seed=seed)


def naive_before_after(panel: Panel, units: Sequence[UnitEstimate]) -> float:
    """The treated partners' own change (after - before), averaged: what a naive report calls the effect. Used by
    the tests and the documentation to show how wrong it is; never stored or shown as an effect."""
    return float(np.mean([u.treated_change for u in units]))


def series_offsets() -> list[int]:
    """The months of the chart, relative to the investment's first month."""
    return list(range(-PRE, POST))


def series(panel: Panel, units: Sequence[UnitEstimate]) -> dict[str, list[float | None]]:
    """For the chart: by month relative to the investment (-PRE .. POST-1), the treated partners' mean value, their
    matched partners' mean, and that mean shifted to the treated partners' pre-period level (the counterfactual)."""
    offsets = series_offsets()
    treated = np.full((len(units), len(offsets)), np.nan)
    controls = np.full((len(units), len(offsets)), np.nan)
    shifted = np.full((len(units), len(offsets)), np.nan)
    for i, unit in enumerate(units):
        cols = np.array([unit.start + o for o in offsets])
        inside = (cols >= 0) & (cols < panel.months)
        treated[i, inside] = panel.values[unit.row, cols[inside]]
        block = panel.values[np.ix_(unit.controls, cols[inside])]
        counts = np.sum(~np.isnan(block), axis=0)
        means = np.where(counts > 0, np.nansum(block, axis=0) / np.maximum(counts, 1), np.nan)
        controls[i, inside] = means
        gap = np.mean(panel.values[unit.row, unit.pre_cols]) - np.nanmean(
            _nanmean_rows(panel.values[np.ix_(unit.controls, unit.pre_cols)])
        )
        shifted[i, inside] = means + gap

    def column_means(block: Array) -> list[float | None]:
        counts = np.sum(~np.isnan(block), axis=0)
        sums = np.nansum(block, axis=0)
        return [round(float(s / c), 3) if c else None for s, c in zip(sums, counts, strict=True)]

    return {
        "offsets": [float(o) for o in offsets],
        "treated": column_means(treated),
        "controls": column_means(controls),
        "counterfactual": column_means(shifted),
    }
