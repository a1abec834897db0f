"""Template filters of remediation pages: a category's name, a figure with its unit."""

from __future__ import annotations

from typing import Any

from django import template

from partnerhub.core.domain.numbers import format_with_unit
from remediation.domain.categories import category_label

register = template.Library()


@register.filter
def category_name(key: str, labels: dict[str, str] | None = None) -> str:
    """The name of a cause category key ("Not diagnosed yet" for none)."""
    return category_label(key or "", labels or {})


@register.filter
def with_unit(value: Any, unit: str = "") -> str:
    """A stored figure with its unit: "34 points", "21.5 %", "120,000" (currency: the caller adds the code)."""
    return format_with_unit(value, "" if unit == "currency" else unit)
