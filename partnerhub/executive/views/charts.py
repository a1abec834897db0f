"""Charts of the executive dashboard, as plotly figure dicts (drawn by plotly.js from our static files; the figure
travels as JSON in a data attribute, so our CSP needs no inline script). Every chart has a table beside it that
carries the same numbers, with links, for keyboards and screen readers."""

from __future__ import annotations

from typing import Any

from partnerhub.executive.selectors.dashboard import Dashboard

GREEN, AMBER, RED, GREY, BRAND, PALE = "#1f7a44", "#a86200", "#b3261e", "#9aa3af", "#2451b3", "#b9c6e4"
LAYOUT: dict[str, Any] = {
    "margin": {"l": 44, "r": 12, "t": 12, "b": 40},
    "paper_bgcolor": "#ffffff",
    "plot_bgcolor": "#ffffff",
    "font": {"family": "system-ui, sans-serif", "size": 12},
    "legend": {"orientation": "h", "y": -0.2},
}


def _layout(**extra: Any) -> dict[str, Any]:
    return {**LAYOUT, "height": 260, **extra}


def distribution_figure(board: Dashboard) -> dict[str, Any]:
    """Partners per score band, this period beside the compared one."""
    bands = [band for band, _, _ in board.distribution]
    data: list[dict[str, Any]] = []
    if board.compared is not None and not board.compared.empty:
        data.append(
            {
                "type": "bar",
                "name": board.compared.label,
                "x": bands,
                "y": [then for _, _, then in board.distribution],
                "marker": {"color": PALE},
                "hovertemplate": "%{x}: %{y} partners<extra>%{fullData.name}</extra>",
            }
        )
    data.append(
        {
            "type": "bar",
            "name": board.period.label if board.period else "",
            "x": bands,
            "y": [now for _, now, _ in board.distribution],
            "marker": {"color": BRAND},
            "hovertemplate": "%{x}: %{y} partners<extra>%{fullData.name}</extra>",
        }
    )
    return {
        "data": data,
        "layout": _layout(
            barmode="group",
            xaxis={"title": {"text": "Score"}, "fixedrange": True},
            yaxis={"title": {"text": "Partners"}, "fixedrange": True, "rangemode": "tozero"},
        ),
    }


def history_figure(board: Dashboard) -> dict[str, Any]:
    """RAG shares of the partners per period (stacked bars) and the average score (a line), oldest first."""
    labels = [h["label"] for h in board.history]
    bars = [
        {
            "type": "bar",
            "name": name,
            "x": labels,
            "y": [h[f"share_{key}"] for h in board.history],
            "marker": {"color": color},
            "hovertemplate": "%{x}: %{y:.0f} % " + name.lower() + "<extra></extra>",
        }
        for key, name, color in (
            ("green", "Green", GREEN),
            ("amber", "Amber", AMBER),
            ("red", "Red", RED),
            ("none", "No score", GREY),
        )
    ]
    line = {
        "type": "scatter",
        "mode": "lines+markers",
        "name": "Average score",
        "x": labels,
        "y": [h["mean"] for h in board.history],
        "line": {"color": "#111827", "width": 2},
        "hovertemplate": "%{x}: average %{y:.1f}<extra></extra>",
    }
    return {
        "data": [*bars, line],
        "layout": _layout(
            barmode="stack",
            yaxis={"range": [0, 100], "fixedrange": True, "title": {"text": "% of partners, score"}},
            xaxis={"type": "category", "fixedrange": True},
        ),
    }


def outcome_metrics_figure(board: Dashboard) -> dict[str, Any]:
    """Attainment (actual ÷ target, %) of the outcome metrics over the last periods, with 100 % marked."""
    labels = [h["label"] for h in board.history]
    palette = [BRAND, GREEN, AMBER, "#6b21a8", "#0e7490"]
    data = []
    for i, metric in enumerate(board.outcome_metrics[:5]):
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": metric.name,
                "x": labels,
                "y": metric.attainment_history,
                "line": {"color": palette[i % len(palette)], "width": 2},
                "hovertemplate": "%{x}: %{y:,.1f}<extra>" + metric.name + "</extra>",
            }
        )
    return {
        "data": data,
        "layout": _layout(
            xaxis={"type": "category", "fixedrange": True}, yaxis={"fixedrange": True, "rangemode": "tozero"}
        ),
    }


def movers_figure(board: Dashboard) -> dict[str, Any]:
    """The top five risers and fallers of the period, by change in score points."""
    movers = [*board.risers, *reversed(board.fallers)]
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": [m.name for m in movers],
                "x": [m.change for m in movers],
                "marker": {"color": [GREEN if m.change > 0 else RED for m in movers]},
                "hovertemplate": "%{y}: %{x:+.1f} points<extra></extra>",
            }
        ],
        "layout": _layout(
            height=max(160, 28 * len(movers) + 60),
            yaxis={"autorange": "reversed", "fixedrange": True, "automargin": True},
            xaxis={"title": {"text": "Change in score (points)"}, "fixedrange": True, "zeroline": True},
            showlegend=False,
        ),
    }


def leading_metrics_figure(board: Dashboard) -> dict[str, Any]:
    """Attainment (%) of each leading indicator in this period and the compared one."""
    rows = [m for m in board.leading_metrics if m.attainment is not None]
    names = [m.name for m in rows]
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": names,
                "x": [m.attainment for m in rows],
                "marker": {
                    "color": [
                        GREEN if (m.attainment or 0) >= 100 else AMBER if (m.attainment or 0) >= 80 else RED
                        for m in rows
                    ]
                },
                "hovertemplate": "%{y}: %{x:.0f} % of target<extra></extra>",
            }
        ],
        "layout": _layout(
            height=max(160, 30 * len(rows) + 60),
            yaxis={"autorange": "reversed", "fixedrange": True, "automargin": True},
            xaxis={"title": {"text": "% of target"}, "fixedrange": True, "rangemode": "tozero"},
            shapes=[
                {
                    "type": "line",
                    "x0": 100,
                    "x1": 100,
                    "yref": "paper",
                    "y0": 0,
                    "y1": 1,
                    "line": {"color": "#6b7280", "dash": "dot"},
                }
            ],
            showlegend=False,
        ),
    }
