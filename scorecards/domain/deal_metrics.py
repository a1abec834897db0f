"""Metrics derived from deals, per partner per month (or quarter), computed in bulk with pandas.

``deal_metrics`` is pure: a DataFrame of deals in, a long DataFrame of values out, no database. The selector
``scorecards.selectors.deal_metrics.deal_metrics_for_tenant`` reads a tenant's deals in one query and calls it.

Rules (a "month" is a calendar month; a deal belongs to the month of the date named in each rule):

- ``pipeline_created``: the sum of ``amount`` of every deal *created* in the month, whatever its status now. A month
  with no new deal counts 0, from the month of the partner's first deal on; before it there is no value.
- ``win_rate``: among deals *closed* in the month (status won or lost, by ``close_date``), 100 * won / (won + lost).
- ``avg_deal_size``: the mean ``amount`` of the deals won in the month (by ``close_date``).
- ``sales_cycle_days``: the mean of ``close_date - created_on`` in days over the deals won in the month (by
  ``close_date``); a deal closed before its creation date (a data error) counts as 0 days. Won deals only, as sales
  velocity is usually measured: a lost deal's "cycle" ends whenever someone gives up on it (often a late CRM
  clean-up), and counting it would reward losing deals quickly; losses already count in ``win_rate``.
- ``discount_discipline``: the percentage of the deals won in the month whose ``discount_pct`` is at most the
  program's threshold (``DEFAULT_DISCOUNT_THRESHOLD`` = 15 % unless the caller passes another).
- ``renewal_rate``: among *renewal* deals closed in the month (won or lost), the percentage won.

A ratio or mean with nothing to divide by (no deal closed, won, or renewal closed that month) has no value: no row,
never a 0. The catalog's definitions (``scorecards.domain.glossary_defaults``) say these rules in a partner's words,
and ``tests/scorecards/test_derived_definitions.py`` holds each metric to its definition.
Open deals, and won or lost deals without a close date, count only towards ``pipeline_created``.

Money: ``amount`` is already in the program's reporting currency, converted at the rate of the deal's creation date
(``scorecards.domain.currency``: the selectors convert before calling); an optional ``amount_closed`` column is the
same amount converted at the rate of its close date, which ``avg_deal_size`` uses. An amount that could not be
converted (no rate in force on its date) is NaN, and the partner-period sum or mean it belongs to has no value
(no row) rather than a total that silently leaves it out or adds it unconverted.

Quarters (``period="quarter"``) follow the same rules over the three months of the quarter, labelled by its
first day; a quarter's win rate is therefore the quarter's wins over the quarter's closed deals, not a mean of
monthly rates.

The output has one row per partner, period and metric: ``partner_id`` (int), ``month`` (datetime64, the first day
of the period), ``metric`` (the metric's catalog key) and ``value`` (float).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Literal

import numpy as np
import pandas as pd

from partnerhub.core.domain.periods import month_numbers, months_to_timestamps

PIPELINE_CREATED = "pipeline_created"
WIN_RATE = "win_rate"
AVG_DEAL_SIZE = "avg_deal_size"
SALES_CYCLE_DAYS = "sales_cycle_days"
DISCOUNT_DISCIPLINE = "discount_discipline"
RENEWAL_RATE = "renewal_rate"
DEAL_METRIC_KEYS = (PIPELINE_CREATED, WIN_RATE, AVG_DEAL_SIZE, SALES_CYCLE_DAYS, DISCOUNT_DISCIPLINE, RENEWAL_RATE)

DEFAULT_DISCOUNT_THRESHOLD = 15.0
DEAL_COLUMNS = ("partner_id", "amount", "created_on", "close_date", "status", "discount_pct", "is_renewal")
OUTPUT_COLUMNS = ["partner_id", "month", "metric", "value"]

Period = Literal["month", "quarter"]


def _period_start(numbers: pd.Series, period: Period) -> pd.Series:
    if period == "quarter":
        return numbers - (numbers % 12) % 3
    return numbers


# --- the pure computation ---


def _empty() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "partner_id": pd.Series(dtype="int64"),
            "month": pd.Series(dtype="datetime64[ns]"),
            "metric": pd.Series(dtype="object"),
            "value": pd.Series(dtype="float64"),
        }
    )


def _long(series: pd.Series, key: str) -> pd.DataFrame:
    frame = series.rename("value").reset_index()
    frame.columns = ["partner_id", "period", "value"]
    return frame.assign(metric=key)


def deal_metrics(
    deals: pd.DataFrame,
    months: Iterable[date] | None = None,
    *,
    discount_threshold: float = DEFAULT_DISCOUNT_THRESHOLD,
    period: Period = "month",
) -> pd.DataFrame:
    """Compute the deal-derived metrics per partner per period from ``deals`` (the module docstring has the rules).

    ``deals`` has the columns of ``DEAL_COLUMNS``. ``months`` lists the periods to report (any day inside a period
    names it); ``None`` reports every period the deals span. Returns ``OUTPUT_COLUMNS``, sorted by partner, period
    and metric.
    """
    if deals.empty:
        return _empty()
    frame = pd.DataFrame(
        {
            "partner_id": deals["partner_id"].astype("int64"),
            "amount": pd.to_numeric(deals["amount"], errors="coerce").astype("float64"),
            "amount_closed": pd.to_numeric(
                deals["amount_closed"] if "amount_closed" in deals.columns else deals["amount"], errors="coerce"
            ).astype("float64"),
            "created": pd.to_datetime(deals["created_on"]),
            "closed": pd.to_datetime(deals["close_date"], errors="coerce"),
            "won": deals["status"].astype(str).eq("won"),
            "lost": deals["status"].astype(str).eq("lost"),
            "discount": pd.to_numeric(deals["discount_pct"], errors="coerce").astype("float64"),
            "renewal": deals["is_renewal"].fillna(False).astype(bool),
        }
    )
    frame["created_period"] = _period_start(month_numbers(frame["created"]), period)
    frame["closed_period"] = _period_start(month_numbers(frame["closed"]), period)
    if months is None:
        spanned = pd.concat([frame["created_period"], frame["closed_period"]]).dropna().astype("int64")
        wanted = np.arange(int(spanned.min()), int(spanned.max()) + 1)
        wanted = wanted[wanted == _period_start(pd.Series(wanted), period).to_numpy()]
    else:
        wanted = np.unique(_period_start(month_numbers(months).dropna().astype("int64"), period).to_numpy())

    pieces = [_pipeline_created(frame, wanted)]
    closed = frame[(frame["won"] | frame["lost"]) & frame["closed_period"].notna()].copy()
    closed["closed_period"] = closed["closed_period"].astype("int64")
    by_close = ["partner_id", "closed_period"]
    if not closed.empty:
        pieces.append(_long(closed.groupby(by_close)["won"].mean() * 100.0, WIN_RATE))
        won = closed[closed["won"]].assign(
            cycle=(closed["closed"] - closed["created"]).dt.days.clip(lower=0).astype("float64"),
            disciplined=closed["discount"].le(discount_threshold),
        )
        grouped = won.groupby(by_close)
        pieces += [
            _long(_strict(won, by_close, "amount_closed", "mean"), AVG_DEAL_SIZE),
            _long(grouped["cycle"].mean(), SALES_CYCLE_DAYS),
            _long(grouped["disciplined"].mean() * 100.0, DISCOUNT_DISCIPLINE),
        ]
        renewals = closed[closed["renewal"]]
        pieces.append(_long(renewals.groupby(by_close)["won"].mean() * 100.0, RENEWAL_RATE))

    result = pd.concat([p for p in pieces if not p.empty], ignore_index=True)
    result = result[result["period"].isin(wanted) & result["value"].notna()]
    if result.empty:
        return _empty()
    result = result.sort_values(["partner_id", "period", "metric"], ignore_index=True)
    return pd.DataFrame(
        {
            "partner_id": result["partner_id"].astype("int64"),
            "month": months_to_timestamps(result["period"]),
            "metric": result["metric"].astype(object),
            "value": result["value"].astype("float64"),
        }
    )


def _pipeline_created(frame: pd.DataFrame, wanted: np.ndarray) -> pd.DataFrame:
    """Sum of amounts by creation period, 0 for the wanted periods after a partner's first deal with none."""
    created = frame.dropna(subset=["created_period"]).astype({"created_period": "int64"})
    if created.empty or len(wanted) == 0:
        return pd.DataFrame(columns=["partner_id", "period", "value", "metric"])
    sums = _strict(created, ["partner_id", "created_period"], "amount", "sum")
    first = created.groupby("partner_id")["created_period"].min()
    grid = pd.MultiIndex.from_product([first.index, wanted], names=["partner_id", "created_period"]).to_frame(
        index=False
    )
    grid = grid[grid["created_period"].to_numpy() >= first.reindex(grid["partner_id"]).to_numpy()]
    # A period with no deal is 0; a period holding an amount that could not be converted has no value (dropped).
    values = sums.reindex(pd.MultiIndex.from_frame(grid), fill_value=0.0).dropna()
    return _long(values, PIPELINE_CREATED)


def _strict(frame: pd.DataFrame, keys: list[str], column: str, how: str) -> pd.Series:
    """``sum`` or ``mean`` of ``column`` per group, NaN for a group holding any NaN (pandas would skip it)."""
    values = frame.groupby(keys)[column].agg(how)
    missing = frame[column].isna()
    if missing.any():
        unknown = missing.groupby([frame[k] for k in keys]).any()
        values = values.mask(unknown.reindex(values.index, fill_value=False))
    return values
