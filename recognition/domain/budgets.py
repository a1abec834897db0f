"""Fiscal periods and the allocation rule: pure arithmetic, no database, no clock.

Fiscal years are named by the calendar year in which they end (a program whose year starts in February has FY2026
from 1 February 2025 to 31 January 2026); with a January start, FY2026 is calendar 2026. Quarters count from the
first month of the fiscal year.

The allocation rule proposes each partner's share of an amount:

1. weight = the tier's weight (``DEFAULT_TIER_WEIGHTS`` unless the program sets others; 0 leaves a tier out)
   x the performance factor, ``1 + strength x (m - 1)`` with ``m = (0.5 + score / 100)`` (0 -> 0.5, 100 -> 1.5),
   then x 1.1 for an improving trend or x 0.9 for a declining one; a partner without a score has m = 1;
2. shares proportional to the weights, no partner above the cap: a capped partner is fixed at the cap and the rest
   is shared again among the others (water-filling), until no share is above the cap; what no one can take (every
   partner capped) stays unallocated;
3. amounts in cents, rounded down, the cents left over handed out one by one by largest remainder (never above the
   cap), so the proposal adds up to the amount exactly, or to what the caps allow.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

DEFAULT_TIER_WEIGHTS: dict[str, Decimal] = {
    "platinum": Decimal(4),
    "gold": Decimal(3),
    "silver": Decimal(2),
    "registered": Decimal(1),
}
TREND_FACTORS: dict[str, Decimal] = {"improving": Decimal("1.1"), "declining": Decimal("0.9")}
CENT = Decimal("0.01")


# --- fiscal periods ---


def _month_start(year: int, month: int) -> date:
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    return date(year, month, 1)


def fiscal_year_bounds(fiscal_year: int, start_month: int) -> tuple[date, date]:
    """First and last day of the fiscal year ``fiscal_year`` (named by the calendar year in which it ends)."""
    first_year = fiscal_year if start_month == 1 else fiscal_year - 1
    start = date(first_year, start_month, 1)
    return start, _month_start(first_year, start_month + 12) - timedelta(days=1)


def fiscal_period_bounds(fiscal_year: int, quarter: int | None, start_month: int) -> tuple[date, date]:
    """First and last day of a fiscal year, or of its quarter 1-4."""
    start, end = fiscal_year_bounds(fiscal_year, start_month)
    if quarter is None:
        return start, end
    if not 1 <= quarter <= 4:
        raise ValueError("a fiscal quarter is 1 to 4")
    first = _month_start(start.year, start.month + 3 * (quarter - 1))
    return first, _month_start(first.year, first.month + 3) - timedelta(days=1)


def fiscal_period_of(day: date, start_month: int) -> tuple[int, int]:
    """The fiscal year and quarter holding ``day``."""
    months_in = (day.month - start_month) % 12
    first_year = day.year if day.month >= start_month else day.year - 1
    fiscal_year = first_year if start_month == 1 else first_year + 1
    return fiscal_year, months_in // 3 + 1


def fiscal_label(fiscal_year: int, quarter: int | None = None) -> str:
    return f"FY{fiscal_year}" + (f" Q{quarter}" if quarter else "")


# --- the allocation rule ---


@dataclass(frozen=True)
class Candidate:
    """A partner the rule may allocate to: its tier, latest score (0-100 or None) and trend."""

    partner_id: int
    name: str
    tier: str
    score: float | None = None
    trend: str = ""


@dataclass(frozen=True)
class Proposed:
    partner_id: int
    name: str
    tier: str
    score: float | None
    trend: str
    weight: Decimal
    amount: Decimal
    capped: bool
    explanation: str


@dataclass(frozen=True)
class Proposal:
    amount: Decimal
    lines: list[Proposed]
    unallocated: Decimal

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal(0))


def performance_factor(score: float | None, trend: str, strength: Decimal) -> Decimal:
    """The weight multiplier for performance (1 when ``strength`` is 0 or the partner has no score)."""
    base = Decimal(1) if score is None else Decimal("0.5") + Decimal(str(round(score, 4))) / 100
    base *= TREND_FACTORS.get(trend, Decimal(1))
    return Decimal(1) + strength * (base - 1)


def propose_allocation(
    *,
    amount: Decimal,
    candidates: Iterable[Candidate],
    tier_weights: Mapping[str, Decimal] | None = None,
    performance_strength: Decimal = Decimal(1),
    cap: Decimal | None = None,
) -> Proposal:
    """Share ``amount`` among ``candidates`` by tier and performance, at most ``cap`` each (the module docstring)."""
    weights_by_tier = dict(DEFAULT_TIER_WEIGHTS if tier_weights is None else tier_weights)
    people = sorted(candidates, key=lambda c: (c.name, c.partner_id))
    weights: dict[int, Decimal] = {}
    for person in people:
        tier_weight = weights_by_tier.get(person.tier, Decimal(0))
        if tier_weight > 0:
            weights[person.partner_id] = tier_weight * performance_factor(
                person.score, person.trend, performance_strength
            )
    shares, leftover = _water_fill(amount, weights, cap)
    cents = _to_cents(shares, amount - leftover, cap)
    lines = []
    for person in people:
        if person.partner_id not in weights:
            continue
        share = cents[person.partner_id]
        capped = cap is not None and share >= cap
        lines.append(
            Proposed(
                partner_id=person.partner_id,
                name=person.name,
                tier=person.tier,
                score=person.score,
                trend=person.trend,
                weight=weights[person.partner_id].quantize(Decimal("0.0001")),
                amount=share,
                capped=capped,
                explanation=_explain(person, weights_by_tier, weights[person.partner_id], capped),
            )
        )
    total = sum((line.amount for line in lines), Decimal(0))
    return Proposal(amount=amount, lines=lines, unallocated=amount - total)


def _water_fill(
    amount: Decimal, weights: Mapping[int, Decimal], cap: Decimal | None
) -> tuple[dict[int, Decimal], Decimal]:
    """Shares proportional to the weights, none above the cap; and what no one could take."""
    shares: dict[int, Decimal] = {}
    open_ids = [pid for pid, w in weights.items() if w > 0]
    remaining = amount
    while open_ids:
        total = sum((weights[pid] for pid in open_ids), Decimal(0))
        tentative = {pid: remaining * weights[pid] / total for pid in open_ids}
        over = [pid for pid in open_ids if cap is not None and tentative[pid] > cap]
        if not over:
            shares.update(tentative)
            remaining = Decimal(0)
            break
        for pid in over:
            shares[pid] = cap if cap is not None else tentative[pid]
            remaining -= shares[pid]
        open_ids = [pid for pid in open_ids if pid not in over]
    for pid in weights:
        shares.setdefault(pid, Decimal(0))
    return shares, max(remaining, Decimal(0)) if weights else amount


def _to_cents(shares: Mapping[int, Decimal], target: Decimal, cap: Decimal | None) -> dict[int, Decimal]:
    """Shares in cents rounded down, then the cents missing from ``target`` one by one by largest remainder."""
    floored = {pid: share.quantize(CENT, rounding=ROUND_DOWN) for pid, share in shares.items()}
    target = target.quantize(CENT, rounding=ROUND_DOWN)
    left = int((target - sum(floored.values(), Decimal(0))) / CENT)
    order = sorted(shares, key=lambda pid: (-(shares[pid] - floored[pid]), pid))
    for pid in order:
        if left <= 0:
            break
        if cap is not None and floored[pid] + CENT > cap:
            continue
        floored[pid] += CENT
        left -= 1
    return floored


def _explain(person: Candidate, tier_weights: Mapping[str, Decimal], weight: Decimal, capped: bool) -> str:
    parts = [f"{person.tier} tier weight {tier_weights.get(person.tier, 0)}"]
    if person.score is None:
        parts.append("no score yet (neutral)")
    else:
        parts.append(f"score {person.score:.1f}")
    if person.trend in TREND_FACTORS:
        parts.append(f"{person.trend} trend")
    text = ", ".join(parts) + f": weight {weight:.2f}"
    return text + (", held at the cap" if capped else "")
