"""Numbers as people read them, one way across the product: thousands grouped and the decimal mark as the active
locale writes them (Django's l10n), no trailing zeros ("12,500 USD", "12,500.5 USD" is "12,500.50 USD": money keeps
its cents when it has any), and the unit beside the figure ("42.5 %", "31 days", "61.3 points")."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.formats import number_format

DASH = "—"
UNIT_SUFFIX = {"percent": " %", "days": " days", "hours": " h", "points": " points", "score": " points"}


def as_decimal(value: Any) -> Decimal | None:
    """The value as a Decimal, or None when it is empty or not a number."""
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _places(number: Decimal, max_decimals: int) -> int:
    rounded = round(number, max_decimals)
    exponent = rounded.normalize().as_tuple().exponent
    return max(0, min(max_decimals, -int(exponent))) if isinstance(exponent, int) else 0


def format_number(value: Any, max_decimals: int = 2) -> str:
    """``120,000``, ``42.5``, ``0.25``: grouped, rounded to ``max_decimals`` and without trailing zeros; a dash for
    nothing."""
    number = as_decimal(value)
    if number is None:
        return DASH if value is None or value == "" else str(value)
    places = _places(number, max_decimals)
    return number_format(round(number, places), decimal_pos=places, use_l10n=True, force_grouping=True)


def format_money(value: Any, currency: str = "") -> str:
    """``12,500 USD``; cents only when there are some (``12,500.50 USD``); a dash for nothing."""
    number = as_decimal(value)
    if number is None:
        return DASH if value is None or value == "" else str(value)
    places = 0 if round(number, 2) == round(number, 0) else 2
    text = number_format(round(number, places), decimal_pos=places, use_l10n=True, force_grouping=True)
    return f"{text} {currency}".rstrip()


def format_with_unit(value: Any, unit: str = "", currency: str = "", max_decimals: int = 2) -> str:
    """A figure with its unit: ``42.5 %``, ``31 days``, ``61.3 points``, ``120,000 USD`` (currency: the code
    given)."""
    if unit == "currency":
        return format_money(value, currency)
    if as_decimal(value) is None:
        return format_number(value)
    return f"{format_number(value, max_decimals)}{UNIT_SUFFIX.get(unit, '')}"
