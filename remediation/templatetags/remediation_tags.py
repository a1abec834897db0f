"""Template filters of remediation pages: a category's name, a figure with its unit."""

from __future__ import annotations

from typing import Any

from django import template

from remediation.domain.categories import category_label

register = template.Library()

UNITS = {"percent": " %", "days": " days", "hours": " h", "points": " points", "score": " points"}


@register.filter
def category_name(key: str, labels: dict[str, str] | None = None) -> str:
    """The name of a cause category key ("Not diagnosed yet" for none)."""
    return category_label(key or "", labels or {})


@register.filter
def with_unit(value: Any, unit: str = "") -> str:
    """A stored figure with its unit: "34 points", "21.5 %", "120,000" (currency: the caller adds the code)."""
    if value is None or value == "":
        return "—"
    number = float(value)
    text = f"{number:,.0f}" if number == int(number) else f"{number:,.2f}".rstrip("0").rstrip(".")
    return f"{text}{UNITS.get(unit, '')}"
