"""Likely duplicate deals across sources: the same deal exported by two CRMs under two ids.

Two deals are likely one when they have the same partner, the same account (ignoring case and spacing), the same
amount in the same currency, and close dates (or, when either has none, created dates) at most
``WINDOW_DAYS`` apart, and they come from different sources (one CRM never exports one deal twice under two ids;
two deals of one source with those facts are two deals). Each deal is paired at most once, nearest dates first.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from partnerhub.core.domain.numbers import format_money

WINDOW_DAYS = 7


@dataclass(frozen=True)
class DealFacts:
    """What duplicates are judged on; ``ref`` is a file row's position or a stored deal's id."""

    ref: int
    external_id: str
    partner_id: int
    account: str
    amount: Decimal
    currency: str
    close_date: date | None
    created_on: date | None
    source: str


def account_key(text: str) -> str:
    return " ".join((text or "").split()).casefold()


def _group(deal: DealFacts) -> tuple[int, str, Decimal, str] | None:
    account = account_key(deal.account)
    if not account:
        return None  # no account: nothing says two deals are the same customer's
    return (deal.partner_id, account, deal.amount, deal.currency)


def _days_apart(a: DealFacts, b: DealFacts) -> int | None:
    if a.close_date is not None and b.close_date is not None:
        return abs((a.close_date - b.close_date).days)
    if a.created_on is not None and b.created_on is not None:
        return abs((a.created_on - b.created_on).days)
    return None


def _pair(candidates: list[tuple[int, DealFacts, DealFacts]]) -> list[tuple[DealFacts, DealFacts]]:
    """One pair per deal, nearest dates first (then file and id order, so the result never depends on luck)."""
    candidates.sort(key=lambda c: (c[0], c[1].ref, c[2].ref))
    used_left: set[int] = set()
    used_right: set[int] = set()
    pairs = []
    for _days, left, right in candidates:
        if left.ref in used_left or right.ref in used_right:
            continue
        used_left.add(left.ref)
        used_right.add(right.ref)
        pairs.append((left, right))
    return sorted(pairs, key=lambda p: p[0].ref)


def likely_duplicates(
    new: list[DealFacts], stored: list[DealFacts], *, window_days: int = WINDOW_DAYS
) -> list[tuple[DealFacts, DealFacts]]:
    """Pairs (a file's new deal, a stored deal) that are likely one deal (see the module docstring)."""
    by_group: dict[tuple[int, str, Decimal, str], list[DealFacts]] = defaultdict(list)
    for deal in stored:
        if (group := _group(deal)) is not None:
            by_group[group].append(deal)
    candidates = []
    for deal in new:
        group = _group(deal)
        for other in by_group.get(group, []) if group is not None else []:
            days = _days_apart(deal, other)
            if days is not None and days <= window_days and other.source != deal.source:
                candidates.append((days, deal, other))
    return _pair(candidates)


def duplicates_among(deals: list[DealFacts], *, window_days: int = WINDOW_DAYS) -> list[tuple[DealFacts, DealFacts]]:
    """Pairs (earlier deal, later deal) of stored deals that are likely one (the earlier has the lower id)."""
    by_group: dict[tuple[int, str, Decimal, str], list[DealFacts]] = defaultdict(list)
    for deal in deals:
        if (group := _group(deal)) is not None:
            by_group[group].append(deal)
    candidates = []
    for members in by_group.values():
        members.sort(key=lambda d: d.ref)
        for i, first in enumerate(members):
            for second in members[i + 1 :]:
                days = _days_apart(first, second)
                if days is not None and days <= window_days and first.source != second.source:
                    candidates.append((days, first, second))
    return _pair(candidates)


def finding_detail(pairs: list[tuple[DealFacts, DealFacts]]) -> str:
    """One sentence for a data-quality finding about ``pairs`` (one partner, one month)."""

    def one(first: DealFacts, second: DealFacts) -> str:
        dates = [d for d in (first.close_date, second.close_date) if d is not None]
        when = (
            f"closing {first.close_date:%Y-%m-%d} and {second.close_date:%Y-%m-%d}"
            if len(dates) == 2 and first.close_date and second.close_date
            else "created within a few days"
        )
        return (
            f"{first.external_id} ({first.source or 'no source'}) and {second.external_id} "
            f"({second.source or 'no source'}): {first.account}, {format_money(first.amount, first.currency)}, {when}"
        )

    if len(pairs) == 1:
        return f"Deals {one(*pairs[0])}: likely one deal imported twice."
    return f"{len(pairs)} pairs of deals that are likely one deal each: " + "; ".join(one(*p) for p in pairs) + "."


def pair_month(pair: tuple[DealFacts, DealFacts]) -> date:
    """The month a pair's finding is filed under: the later deal's close (else created) month, first day."""
    second = pair[1]
    day = second.close_date or second.created_on or pair[0].close_date or pair[0].created_on
    assert day is not None  # noqa: S101 (a pair is only made from dated deals)
    return day.replace(day=1)
