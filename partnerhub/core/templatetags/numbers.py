"""``{% load numbers %}``: money, numbers and figures with units, written one way everywhere
(partnerhub.core.domain.numbers)."""

from __future__ import annotations

from typing import Any

from django import template

from partnerhub.core.domain.numbers import format_money, format_number, format_with_unit

register = template.Library()


@register.filter
def money(value: Any, currency: str = "") -> str:
    """``12,500 USD``, ``12,500.50 EUR``; a dash for nothing."""
    return format_money(value, currency)


@register.filter
def number(value: Any, max_decimals: int = 2) -> str:
    """``56,816.18`` for a stored ``56816.1800``; a dash for nothing."""
    return format_number(value, int(max_decimals))


@register.filter
def with_unit(value: Any, unit: str = "") -> str:
    """``42.5 %``, ``31 days``, ``61.3 points`` (currency figures take ``money`` and their code)."""
    return format_with_unit(value, unit)


@register.simple_tag
def figure(value: Any, unit: str = "", currency: str = "") -> str:
    """``{% figure value metric.unit tenant.currency %}``: ``126,511.01 USD``, ``13.33 %``, ``6``; a dash for nothing.
    A metric measured as a score (a survey's 4.78) carries no unit here: its scale is the metric's own."""
    return format_with_unit(value, "" if unit == "score" else unit or "", currency=currency)
