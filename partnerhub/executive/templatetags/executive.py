"""How the executive pages write numbers: with their unit, a sign on changes, and a dash for "nothing to show"."""

from __future__ import annotations

from django import template

from partnerhub.core.domain.numbers import format_number

register = template.Library()

DASH = "—"


def _grouped(value: float, decimals: int) -> str:
    return format_number(round(value, decimals), decimals)


@register.filter
def figure(value: float | None, unit: str = "count") -> str:
    """``1 234`` (count), ``67.2`` (score), ``54.3 %`` (percent), ``1 234 567`` (currency: the code follows
    separately), ``12.5 days``; a dash for None."""
    if value is None:
        return DASH
    if unit == "count":
        return _grouped(value, 0)
    if unit == "percent":
        return f"{value:.1f} %"
    if unit == "points":
        return f"{value:.1f}"
    if unit == "score":
        return f"{value:.2f}"
    if unit == "currency":
        return _grouped(value, 0)
    if unit == "days":
        return f"{value:.1f} days"
    if unit == "hours":
        return f"{value:.1f} h"
    return _grouped(value, 1)


@register.filter
def signed(value: float | None, unit: str = "count") -> str:
    """A change with its sign (a true minus sign): ``+3``, ``+1.5 points``, ``+2.0 pp`` (percentage points); a dash for
    None."""
    if value is None:
        return DASH
    sign = "+" if value > 0 else ("\u2212" if value < 0 else "±")
    magnitude = abs(value)
    if unit == "count":
        return f"{sign}{_grouped(magnitude, 0)}"
    if unit == "percent":
        return f"{sign}{magnitude:.1f} pp"
    if unit == "points":
        return f"{sign}{magnitude:.1f} points"
    if unit == "score":
        return f"{sign}{magnitude:.2f}"
    if unit == "currency":
        return f"{sign}{_grouped(magnitude, 0)}"
    if unit == "days":
        return f"{sign}{magnitude:.1f} days"
    return f"{sign}{_grouped(magnitude, 1)}"


@register.filter
def unit_suffix(unit: str, currency: str = "") -> str:
    """The unit written after a currency figure (its code); nothing for units the figure already carries."""
    return currency if unit == "currency" else ""
