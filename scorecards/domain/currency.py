"""Money in several currencies: dated exchange rates, and amounts converted at the rate of their own date.

Pure: rates come in as plain rows, amounts as arrays; no database, no clock. The rule, for an amount in currency
``c`` dated ``d``, converted to ``target``:

- ``c == target``: the amount itself, rate 1;
- else the rate of the pair ``c -> target`` in force on ``d`` (the latest one dated on or before ``d``);
- else, when only the inverse pair ``target -> c`` has a rate in force, one over that rate;
- else no value (NaN): the amount is left out of totals and the caller says so. It is never added as if it were in
  the target currency, and never converted at a rate from after its date.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import numpy as np
import numpy.typing as npt
import pandas as pd

CURRENCY_CODE = r"^[A-Z]{3}$"


@dataclass(frozen=True)
class RateRow:
    from_currency: str
    to_currency: str
    date: date
    rate: Decimal | float


@dataclass(frozen=True)
class Converted:
    """Converted amounts (NaN where no rate was in force) and the rate used for each (NaN likewise)."""

    amounts: npt.NDArray[np.float64]
    rates: npt.NDArray[np.float64]

    @property
    def missing(self) -> npt.NDArray[np.bool_]:
        return np.isnan(self.rates)


@dataclass
class RateTable:
    """Every dated rate of a program, by pair: day numbers (sorted) and rates, ready for vectorised look-ups."""

    pairs: dict[tuple[str, str], tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, rows: Iterable[RateRow | tuple[str, str, date, Decimal | float]]) -> RateTable:
        grouped: dict[tuple[str, str], list[tuple[int, float]]] = {}
        for row in rows:
            src, dst, day, rate = (
                (row.from_currency, row.to_currency, row.date, row.rate) if isinstance(row, RateRow) else row
            )
            grouped.setdefault((src, dst), []).append((_day(day), float(rate)))
        table = cls()
        for pair, points in grouped.items():
            points.sort()
            table.pairs[pair] = (
                np.array([p[0] for p in points], dtype=np.int64),
                np.array([p[1] for p in points], dtype=np.float64),
            )
        return table

    def rate_on(self, src: str, dst: str, day: date) -> float | None:
        """The rate converting ``src`` into ``dst`` on ``day`` (1 for the same currency), or None."""
        rates = self._rates(src, dst, np.array([_day(day)], dtype=np.int64))
        return None if np.isnan(rates[0]) else float(rates[0])

    def _rates(self, src: str, dst: str, days: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
        if src == dst:
            return np.ones(len(days), dtype=np.float64)
        out = np.full(len(days), np.nan, dtype=np.float64)
        direct = self.pairs.get((src, dst))
        if direct is not None:
            out = _in_force(direct, days)
        inverse = self.pairs.get((dst, src))
        if inverse is not None:
            gaps = np.isnan(out)
            if gaps.any():
                out[gaps] = 1.0 / _in_force(inverse, days[gaps])
        return out

    def convert(
        self,
        amounts: npt.ArrayLike,
        currencies: npt.ArrayLike,
        days: npt.ArrayLike,
        *,
        to: str,
    ) -> Converted:
        """``amounts`` (in ``currencies``, dated ``days``) in currency ``to``, each at the rate of its own date."""
        values = np.asarray(amounts, dtype=np.float64)
        codes = np.asarray(currencies, dtype=object)
        day_numbers = _days(days)
        rates = np.ones(len(values), dtype=np.float64)
        foreign = codes != to
        if foreign.any():
            for code in pd.unique(codes[foreign]):
                where = codes == code
                rates[where] = self._rates(str(code), to, day_numbers[where])
        return Converted(amounts=values * rates, rates=rates)


def _in_force(
    points: tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]], days: npt.NDArray[np.int64]
) -> npt.NDArray[np.float64]:
    """The rate in force on each day: the latest dated on or before it (NaN before the first one)."""
    starts, values = points
    index = np.searchsorted(starts, days, side="right") - 1
    out = np.where(index >= 0, values[np.clip(index, 0, None)], np.nan)
    return out.astype(np.float64)


_EPOCH = date(1970, 1, 1)


def _day(day: date) -> int:
    return (day - _EPOCH).days


def _days(days: npt.ArrayLike) -> npt.NDArray[np.int64]:
    stamps = pd.to_datetime(pd.Series(np.asarray(days, dtype=object)), errors="coerce")
    out: npt.NDArray[np.int64] = stamps.to_numpy(dtype="datetime64[D]").astype(np.int64)
    return out
