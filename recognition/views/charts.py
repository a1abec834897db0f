"""The impact chart: the treated partner(s) against their matched partners over time, as a plotly figure dict."""

from __future__ import annotations

from typing import Any

from recognition.models import ImpactEstimate


def impact_figure(estimate: ImpactEstimate) -> dict[str, Any] | None:
    """Treated vs matched controls by month (dates for one investment, months from it for a group), with the
    controls shifted to the treated level before the investment (what would have happened without it)."""
    data = estimate.series or {}
    if not data.get("treated"):
        return None
    # Months after the last with a value (the after-window still to come) are left off the axis.
    last = max((i for i, v in enumerate(data["treated"]) if v is not None), default=len(data["treated"]) - 1)
    data = {key: value[: last + 1] if isinstance(value, list) else value for key, value in data.items()}
    x = data.get("months") or [f"{int(o):+d}" for o in data["offsets"]]
    is_dates = bool(data.get("months"))
    start_x = x[list(data["offsets"]).index(0.0)] if 0.0 in data["offsets"] else None
    traces = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "x": x,
            "y": data["treated"],
            "name": "Invested in" if estimate.n_treated == 1 else f"Invested in ({estimate.n_treated})",
            "line": {"color": "#2451b3", "width": 3},
        },
        {
            "type": "scatter",
            "mode": "lines",
            "x": x,
            "y": data["controls"],
            "name": f"Matched partners ({estimate.n_controls})",
            "line": {"color": "#5b6577", "width": 2},
        },
        {
            "type": "scatter",
            "mode": "lines",
            "x": x,
            "y": data["counterfactual"],
            "name": "Matched, at the treated level before",
            "line": {"color": "#8f5300", "width": 2, "dash": "dash"},
        },
    ]
    shapes = []
    if start_x is not None:
        shapes.append(
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": start_x,
                "x1": start_x,
                "y0": 0,
                "y1": 1,
                "line": {"color": "#1f7a44", "width": 2, "dash": "dot"},
            }
        )
    return {
        "data": traces,
        "layout": {
            "height": 300,
            "margin": {"l": 44, "r": 10, "t": 36, "b": 56},
            "xaxis": {
                "type": "date" if is_dates else "category",
                "tickformat": "%b %Y" if is_dates else "",
                "nticks": 6,
                "fixedrange": True,
                "title": {"text": "" if is_dates else "Months from the investment"},
            },
            "yaxis": {"fixedrange": True, "title": {"text": "Score"}},
            "shapes": shapes,
            "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
            "paper_bgcolor": "#ffffff",
            "plot_bgcolor": "#ffffff",
            "font": {"family": "system-ui, sans-serif", "size": 12},
        },
    }
