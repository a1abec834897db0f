"""A plan's charts: each checkpoint's measure over time from the partner's snapshots, against its target, as a
plotly figure dict (drawn by plotly.js from our static files, like the scorecard's)."""

from __future__ import annotations

from datetime import date
from typing import Any

from remediation.models import Checkpoint

COLOURS = {"met": "#1f7a44", "missed": "#b3261e", "not_evaluable": "#8f5300", "pending": "#5b6577", "waived": "#5b6577"}


def checkpoint_figure(
    checkpoint: Checkpoint, series: list[tuple[date, float | None]], currency: str = ""
) -> dict[str, Any]:
    """The measure's line, the target as a dashed line, and the checkpoint's period marked in its status colour; the
    value axis is titled with the unit (points, %, the program's currency, days...)."""
    points = [(start.isoformat(), value) for start, value in series if value is not None]
    target = float(checkpoint.target) if checkpoint.target is not None else None
    due = checkpoint.due_period_start.isoformat()
    xs = [x for x, _ in points] + [due]
    data: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "x": [x for x, _ in points],
            "y": [y for _, y in points],
            "name": "Actual",
            "line": {"color": "#2451b3", "width": 2},
            "hovertemplate": "%{x|%b %Y}: %{y:,.2f}<extra></extra>",
        }
    ]
    if target is not None:
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": [min(xs), max(xs)],
                "y": [target, target],
                "name": "Target",
                "line": {"color": COLOURS.get(checkpoint.status, "#5b6577"), "width": 2, "dash": "dash"},
                "hovertemplate": f"Target: {target:,.2f}<extra></extra>",
            }
        )
    if checkpoint.actual is not None:
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "x": [due],
                "y": [float(checkpoint.actual)],
                "name": checkpoint.get_status_display(),
                "marker": {"color": COLOURS.get(checkpoint.status, "#5b6577"), "size": 12, "symbol": "diamond"},
                "hovertemplate": f"{checkpoint.get_status_display()}: %{{y:,.2f}}<extra></extra>",
            }
        )
    return {
        "data": data,
        "layout": {
            "height": 220,
            "margin": {"l": 56, "r": 10, "t": 10, "b": 36},
            "xaxis": {"type": "date", "fixedrange": True},
            "yaxis": {"fixedrange": True, "rangemode": "tozero", "title": {"text": _unit(checkpoint, currency)}},
            "shapes": [
                {
                    "type": "line",
                    "xref": "x",
                    "yref": "paper",
                    "x0": due,
                    "x1": due,
                    "y0": 0,
                    "y1": 1,
                    "line": {"color": "#dde2ea", "width": 1},
                }
            ],
            "showlegend": False,
            "paper_bgcolor": "#ffffff",
            "plot_bgcolor": "#ffffff",
            "font": {"family": "system-ui, sans-serif", "size": 12},
        },
    }


def _unit(checkpoint: Checkpoint, currency: str) -> str:
    if checkpoint.measure == Checkpoint.Measure.SCORE or checkpoint.metric is None:
        return "points"
    unit = checkpoint.metric.unit
    return {"currency": currency, "percent": "%", "score": "points"}.get(unit, unit)
