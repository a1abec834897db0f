"""Data-quality checks: pure functions over DataFrames, no database (the service reads and writes).

Inputs, each a DataFrame:

- ``observations``: ``partner_id``, ``metric_id``, ``month`` (any day of the month), ``value`` (float);
- ``metrics``: ``metric_id``, ``key``, ``name``, ``unit``, ``freshness_days``, ``derived_from_deals``;
- ``derived``: the output of ``deal_metrics.deal_metrics`` (``partner_id``, ``month``, ``metric``, ``value``).

Every check returns findings with ``FINDING_COLUMNS``: ``partner_id``, ``metric_id``, ``kind`` (a
``DataQualityFinding.Kind`` value), ``month`` (month number, see ``partnerhub.core.domain.periods``) and
``detail``, one sentence in numbers. The natural key of a finding is (partner, metric, kind, month).

The reference month is the latest month the program has observations for, not after the last complete month
before today: a month still under way is never judged. The checks (thresholds below, as constants):

- **Stale source** (reported metrics only, not the ones derived from deals): the partner reported the metric
  before, but its latest value is for a month that ended more than the metric's ``freshness_days`` ago. The
  finding's month is the first month without a value, so it stays one finding until data arrives.
- **Missing metric**: a metric the partner was expected to report has no value for a month up to the reference
  month. Until scorecard templates exist (issue 5), a partner is expected to report a non-derived metric in a
  month when it reported it in at least 2 of the 3 months before. ``expected_from_history`` builds that
  expectation; ``missing_metrics`` takes any expectation frame, so a template's metric list (one row per partner,
  metric and month, with a reason) replaces it without touching the check.
- **Outlier**: a value far from the partner's own history of that metric: the median and the median absolute
  deviation (MAD) of the values of the previous 12 months (at least 6 needed), flagged when
  ``|value - median| > 3.5 * 1.4826 * MAD``. When the MAD is 0 (more than half the history is one value), the
  mean absolute deviation (* 1.2533) stands in for it, and the scale is never below 5 % of the median, so a
  flat history does not turn every small move into an outlier; a history that is all zeros flags nothing.
  Two more conditions keep real changes out: the value must lie outside the range of those 12 months (a burst
  the partner has had before is its normal), and it must also be more than the same distance from the month
  before and the month after, when known (a trend or a new level sits close to its neighbours; a typo or a
  one-off does not). A new level is therefore flagged in its first month and cleared once the next month
  confirms it. On the demo data these two cut the outlier findings of the last 3 months from 129 to 23 (of the
  last 6, from 239 to 49, the planted typo still among them). Only the last 3 months up to the reference month
  are judged: older values had their turn.
- **Reconciliation**: a partner-reported ``pipeline_created`` against the pipeline created computed from its
  deals for the same month; flagged when they differ by more than 20 % of the reported figure and by at least
  1,000 (tiny amounts are never flagged). Months where the partner has no deal data are not compared.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from partnerhub.core.domain.periods import month_label, month_number, month_numbers, months_to_timestamps
from scorecards.domain.deal_metrics import PIPELINE_CREATED
from scorecards.models import DataQualityFinding

Kind = DataQualityFinding.Kind
FINDING_COLUMNS = ["partner_id", "metric_id", "kind", "month", "detail"]

MISSING_LOOKBACK_MONTHS = 3
MISSING_MIN_REPORTED = 2
OUTLIER_HISTORY_MONTHS = 12
OUTLIER_MIN_HISTORY = 6
OUTLIER_THRESHOLD = 3.5
OUTLIER_RECENT_MONTHS = 3
MAD_TO_SIGMA = 1.4826
MEAN_ABS_DEV_TO_SIGMA = 1.2533
OUTLIER_MIN_RELATIVE_SCALE = 0.05
RECONCILIATION_TOLERANCE = 0.20
RECONCILIATION_MIN_GAP = 1000.0

MINUS = "\u2212"


# --- formatting numbers for the detail sentences ---


def format_number(value: float) -> str:
    """``120,000`` for large values, ``42.5`` for small ones, never a trailing ``.0``."""
    if abs(value) >= 1000:
        text = f"{value:,.0f}"
    elif float(value).is_integer():
        text = f"{value:.0f}"
    else:
        text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text.replace("-", MINUS)


def format_value(value: float, unit: str) -> str:
    """A value with its unit, as a partner manager would write it: ``42.5 %``, ``31 days``, ``120,000``."""
    suffix = {"percent": " %", "days": " days", "hours": " h"}.get(unit, "")
    return f"{format_number(value)}{suffix}"


def format_change(ratio: float) -> str:
    """A relative change as ``+42 %`` or ``-30 %`` (with a true minus sign, U+2212)."""
    return f"{ratio * 100:+.0f} %".replace("-", MINUS)


# --- inputs ---


def _empty_findings() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "partner_id": pd.Series(dtype="int64"),
            "metric_id": pd.Series(dtype="int64"),
            "kind": pd.Series(dtype="object"),
            "month": pd.Series(dtype="int64"),
            "detail": pd.Series(dtype="object"),
        }
    )


def _findings(frame: pd.DataFrame, kind: str, details: list[str]) -> pd.DataFrame:
    if frame.empty:
        return _empty_findings()
    return pd.DataFrame(
        {
            "partner_id": frame["partner_id"].astype("int64").to_numpy(),
            "metric_id": frame["metric_id"].astype("int64").to_numpy(),
            "kind": str(kind),
            "month": frame["m"].astype("int64").to_numpy(),
            "detail": details,
        }
    )


def prepare_observations(observations: pd.DataFrame) -> pd.DataFrame:
    """Observations with a month number ``m`` and float values; one row per partner, metric and month.

    Already prepared frames (with ``m``) pass through, so ``run_checks`` converts the months once.
    """
    if "m" in observations.columns:
        return observations
    if observations.empty:
        return pd.DataFrame(
            {
                "partner_id": pd.Series(dtype="int64"),
                "metric_id": pd.Series(dtype="int64"),
                "m": pd.Series(dtype="int64"),
                "value": pd.Series(dtype="float64"),
            }
        )
    return pd.DataFrame(
        {
            "partner_id": observations["partner_id"].astype("int64"),
            "metric_id": observations["metric_id"].astype("int64"),
            "m": month_numbers(observations["month"]).astype("int64"),
            "value": pd.to_numeric(observations["value"], errors="coerce").astype("float64"),
        }
    ).drop_duplicates(["partner_id", "metric_id", "m"], keep="last")


def reference_month(observations: pd.DataFrame, today: date) -> int | None:
    """The latest month with observations that is not after the last complete month before ``today``."""
    obs = prepare_observations(observations)
    done = obs.loc[obs["m"] < month_number(today), "m"]
    return None if done.empty else int(done.max())


def _present(obs: pd.DataFrame) -> pd.MultiIndex:
    return pd.MultiIndex.from_frame(obs[["partner_id", "metric_id", "m"]])


def _with_names(frame: pd.DataFrame, metrics: pd.DataFrame) -> pd.DataFrame:
    return frame.merge(metrics[["metric_id", "name", "unit"]], on="metric_id", how="inner")


# --- stale sources ---


def stale_sources(observations: pd.DataFrame, metrics: pd.DataFrame, today: date) -> pd.DataFrame:
    """Reported metrics whose latest value is for a month that ended more than ``freshness_days`` before today."""
    obs = prepare_observations(observations)
    reported = metrics.loc[~metrics["derived_from_deals"].astype(bool), ["metric_id", "name", "freshness_days"]]
    last = obs.groupby(["partner_id", "metric_id"], as_index=False)["m"].max().merge(reported, on="metric_id")
    if last.empty:
        return _empty_findings()
    month_ended = months_to_timestamps(last["m"] + 1) - pd.Timedelta(days=1)
    age_days = (pd.Timestamp(today) - month_ended).dt.days
    stale = last[age_days.to_numpy() > last["freshness_days"].astype("int64").to_numpy()].copy()
    stale["last"] = stale["m"]
    stale["m"] = stale["m"] + 1
    details = [
        f"No {row.name} reported after {month_label(row.last)}; the metric expects new data within "
        f"{row.freshness_days} days."
        for row in stale.itertuples()
    ]
    return _findings(stale, Kind.STALE, details)


# --- missing metrics ---


def expected_from_history(observations: pd.DataFrame, metrics: pd.DataFrame, *, through: int) -> pd.DataFrame:
    """Which partner should have reported which metric in which month, judged from its own reporting habit.

    A non-derived metric is expected in a month (up to month number ``through``) when the partner reported it in
    at least ``MISSING_MIN_REPORTED`` of the ``MISSING_LOOKBACK_MONTHS`` months before. Returns ``partner_id``,
    ``metric_id``, ``m`` and ``reason``. Scorecard templates (issue 5) will return the same shape from their
    metric lists.
    """
    obs = prepare_observations(observations)
    reported_ids = metrics.loc[~metrics["derived_from_deals"].astype(bool), "metric_id"]
    obs = obs[obs["metric_id"].isin(reported_ids)]
    keys = ["partner_id", "metric_id", "m"]
    candidates = pd.concat(
        [obs[keys].assign(m=obs["m"] + k) for k in range(1, MISSING_LOOKBACK_MONTHS + 1)], ignore_index=True
    ).drop_duplicates()
    candidates = candidates[candidates["m"] <= through]
    present = _present(obs)
    count = sum(
        pd.MultiIndex.from_arrays([candidates["partner_id"], candidates["metric_id"], candidates["m"] - k]).isin(
            present
        )
        for k in range(1, MISSING_LOOKBACK_MONTHS + 1)
    )
    expected = candidates.assign(count=np.asarray(count, dtype="int64"))
    expected = expected[expected["count"] >= MISSING_MIN_REPORTED]
    return expected.assign(
        reason=[f"it was reported in {n} of the {MISSING_LOOKBACK_MONTHS} months before" for n in expected["count"]]
    )[["partner_id", "metric_id", "m", "reason"]]


def missing_metrics(observations: pd.DataFrame, expected: pd.DataFrame, metrics: pd.DataFrame) -> pd.DataFrame:
    """Expected (partner, metric, month) rows without an observation; ``expected`` may come from any source."""
    obs = prepare_observations(observations)
    keys = pd.MultiIndex.from_frame(expected[["partner_id", "metric_id", "m"]].astype("int64"))
    missing = _with_names(expected[~keys.isin(_present(obs))], metrics)
    details = [f"No {row.name} for {month_label(row.m)}; {row.reason}." for row in missing.itertuples()]
    return _findings(missing, Kind.MISSING, details)


# --- outliers against the partner's own history ---


def outliers(observations: pd.DataFrame, metrics: pd.DataFrame, *, months: list[int]) -> pd.DataFrame:
    """Values of ``months`` far from the partner's own previous 12 months of the same metric (robust z-score).

    Flagged: beyond 3.5 robust deviations from the 12-month median, outside the 12-month range, and as far from
    the month before and the month after (when they exist). See the module docstring for the guards.
    """
    obs = prepare_observations(observations)
    targets = obs[obs["m"].isin(months)].reset_index(drop=True)
    if targets.empty:
        return _empty_findings()
    series = obs.set_index(["partner_id", "metric_id", "m"])["value"]
    history = np.column_stack(
        [
            series.reindex(
                pd.MultiIndex.from_arrays([targets["partner_id"], targets["metric_id"], targets["m"] - k])
            ).to_numpy(dtype="float64")
            for k in range(1, OUTLIER_HISTORY_MONTHS + 1)
        ]
    )
    counts = np.sum(~np.isnan(history), axis=1)
    enough = counts >= OUTLIER_MIN_HISTORY
    targets, history, counts = targets[enough].reset_index(drop=True), history[enough], counts[enough]
    if targets.empty:
        return _empty_findings()
    median = np.nanmedian(history, axis=1)
    deviations = np.abs(history - median[:, None])
    mad = np.nanmedian(deviations, axis=1)
    sigma = np.where(mad > 0, MAD_TO_SIGMA * mad, MEAN_ABS_DEV_TO_SIGMA * np.nanmean(deviations, axis=1))
    scale = np.maximum(sigma, OUTLIER_MIN_RELATIVE_SCALE * np.abs(median))
    values = targets["value"].to_numpy()
    limit = OUTLIER_THRESHOLD * scale
    flagged = (scale > 0) & (np.abs(values - median) > limit)
    # Bursts the partner has had before are its normal: only a value beyond the range of the history is flagged.
    flagged &= (values > np.nanmax(history, axis=1)) | (values < np.nanmin(history, axis=1))
    # A real change is not an outlier: the value must also stand apart from the month before and the month after
    # (when they are known). A drift or a new level sits close to its neighbours; a typo or a one-off does not.
    for step in (-1, 1):
        neighbour = series.reindex(
            pd.MultiIndex.from_arrays([targets["partner_id"], targets["metric_id"], targets["m"] + step])
        ).to_numpy(dtype="float64")
        flagged &= np.isnan(neighbour) | (np.abs(values - neighbour) > limit)
    found = targets[flagged].assign(median=median[flagged], scale=scale[flagged], n=counts[flagged])
    found = _with_names(found, metrics)
    details = [
        f"{row.name} {format_value(row.value, row.unit)} in {month_label(row.m)} against a median of "
        f"{format_value(row.median, row.unit)} over the previous {row.n} months (usual deviation "
        f"±{format_number(row.scale)}; flagged beyond ±{format_number(OUTLIER_THRESHOLD * row.scale)})."
        for row in found.itertuples()
    ]
    return _findings(found, Kind.OUTLIER, details)


# --- reconciliation of reported against deal-derived figures ---


def reconciliation(
    observations: pd.DataFrame,
    derived: pd.DataFrame,
    metrics: pd.DataFrame,
    *,
    through: int,
    tolerance: float = RECONCILIATION_TOLERANCE,
    min_gap: float = RECONCILIATION_MIN_GAP,
) -> pd.DataFrame:
    """Reported ``pipeline_created`` against the pipeline created from deals, month by month up to ``through``."""
    metric = metrics[metrics["key"] == PIPELINE_CREATED]
    if metric.empty or derived.empty:
        return _empty_findings()
    metric_id = int(metric["metric_id"].iloc[0])
    obs = prepare_observations(observations)
    reported = obs[(obs["metric_id"] == metric_id) & (obs["m"] <= through)]
    from_deals = derived[derived["metric"] == PIPELINE_CREATED]
    from_deals = pd.DataFrame(
        {
            "partner_id": from_deals["partner_id"].astype("int64"),
            "m": month_numbers(from_deals["month"]).astype("int64"),
            "deals": from_deals["value"].astype("float64"),
        }
    )
    pairs = reported.merge(from_deals, on=["partner_id", "m"], how="inner")
    gap = pairs["deals"] - pairs["value"]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = gap / pairs["value"].abs()
    beyond = (pairs["value"] == 0) | (ratio.abs() > tolerance)
    found = pairs[beyond & (gap.abs() >= min_gap)].assign(ratio=ratio[beyond & (gap.abs() >= min_gap)])
    details = [
        f"Reported pipeline {format_number(row.value)} vs {format_number(row.deals)} from deals"
        + (f" ({format_change(row.ratio)})" if row.value != 0 else "")
        + f" in {month_label(row.m)}."
        for row in found.itertuples()
    ]
    return _findings(found, Kind.RECONCILIATION, details)


# --- all four ---


@dataclass(frozen=True)
class CheckOutcome:
    """The findings of one run, and what was judged: outliers only for ``outlier_months``."""

    findings: pd.DataFrame
    reference_month: int | None
    outlier_months: list[int]


def run_checks(
    observations: pd.DataFrame,
    metrics: pd.DataFrame,
    derived: pd.DataFrame,
    *,
    today: date,
    expected: pd.DataFrame | None = None,
) -> CheckOutcome:
    """Run the four checks; ``expected`` replaces the history-based expectation of the missing-metric check."""
    obs = prepare_observations(observations)
    reference = reference_month(obs, today)
    parts = [stale_sources(obs, metrics, today)]
    outlier_months: list[int] = []
    if reference is not None:
        if expected is None:
            expected = expected_from_history(obs, metrics, through=reference)
        outlier_months = list(range(reference - OUTLIER_RECENT_MONTHS + 1, reference + 1))
        parts += [
            missing_metrics(obs, expected, metrics),
            outliers(obs, metrics, months=outlier_months),
            reconciliation(obs, derived, metrics, through=reference),
        ]
    found = [p for p in parts if not p.empty]
    findings = pd.concat(found, ignore_index=True) if found else _empty_findings()
    return CheckOutcome(findings=findings, reference_month=reference, outlier_months=outlier_months)
