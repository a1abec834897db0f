"""``{{ row.health_rag|rag_label }}``, ``{{ row.health_trend|trend_label }}``: a snapshot's stored RAG and trend in
words, for rows that carry the raw values (the partner list's annotated columns)."""

from __future__ import annotations

from django import template

from scorecards.models import ScorecardSnapshot

register = template.Library()

_RAG = dict(ScorecardSnapshot.Rag.choices)
_TREND = dict(ScorecardSnapshot.Trend.choices)


@register.filter
def rag_label(value: str | None) -> str:
    """ "Green", "Amber", "Red"; "No score" for none."""
    return str(_RAG.get(value or "", _RAG[""]))


@register.filter
def trend_label(value: str | None) -> str:
    """ "Improving", "Stable", "Declining", "Not enough history"; "" for a partner without a snapshot."""
    return str(_TREND.get(value, "")) if value else ""
