"""Filters for the recognition pages: numbers as the evidence states them, with units."""

from __future__ import annotations

from typing import Any

from django import template

from recognition.domain.tiers import format_score, format_value, label_of_quarter, part_label

register = template.Library()

MOVE_LABELS = {"promote": "Promote", "hold": "Hold", "grace": "Grace period", "demote": "Demote"}


@register.filter
def score(value: Any) -> str:
    """A score as the evidence shows it (one decimal at most); "no score" when there is none."""
    return format_score(None if value is None else float(value))


@register.filter
def metric_value(value: Any, unit: str = "") -> str:
    """A metric value with its unit (``45 days``, ``12 %``); "no value" when there is none."""
    return format_value(None if value is None else float(value), unit or "")


@register.filter
def move_label(move: str) -> str:
    return MOVE_LABELS.get(move, move)


@register.filter
def criterion_label(part: Any) -> str:
    """A criterion of the evidence in plain words."""
    return part_label(part) if isinstance(part, dict) and "kind" in part else ""


@register.filter
def quarter_name(day: Any) -> str:
    """``Q3 2026`` for ``2026-07-01`` (a date or its ISO text)."""
    if not day:
        return ""
    return label_of_quarter(day.isoformat() if hasattr(day, "isoformat") else str(day))
