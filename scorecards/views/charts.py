"""Charts of the scorecard pages, as plotly figure dicts (drawn by plotly.js from our static files)."""

from __future__ import annotations

from typing import Any

from scorecards.selectors.snapshots import PartnerScorecard


def score_figure(card: PartnerScorecard) -> dict[str, Any]:
    """A plotly figure (as a dict) of the score over time with the RAG bands of the version in force.

    A quarter to date is no point of the line (it is not a point of the quarterly trend either): it is drawn apart,
    as a hollow marker named for what it is.
    """
    points = [
        (s.period_start.isoformat(), float(s.score)) for s in card.snapshots if s.score is not None and not s.is_to_date
    ]
    to_date = [s for s in card.snapshots if s.score is not None and s.is_to_date]
    version = card.current.template_version if card.current else None
    amber = float(version.score_amber_at) if version else 60.0
    green = float(version.score_green_at) if version else 80.0
    bands = [
        (0, amber, "rgba(179,38,30,0.08)"),
        (amber, green, "rgba(168,98,0,0.10)"),
        (green, 100, "rgba(31,122,68,0.10)"),
    ]
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "lines+markers",
                "x": [p[0] for p in points],
                "y": [p[1] for p in points],
                "name": "Score",
                "line": {"color": "#2451b3", "width": 2},
                "hovertemplate": "%{x|%b %Y}: %{y:.1f}<extra></extra>",
            },
            *(
                [
                    {
                        "type": "scatter",
                        "mode": "lines",
                        "x": [day.isoformat() for day in sorted(card.median_series)],
                        "y": [card.median_series[day] for day in sorted(card.median_series)],
                        "name": "Median of your segment",
                        "line": {"color": "#5b6577", "width": 1.5, "dash": "dash"},
                        "hovertemplate": "%{x|%b %Y}: segment median %{y:.1f}<extra></extra>",
                    }
                ]
                if card.median_series
                else []
            ),
            *(
                [
                    {
                        "type": "scatter",
                        "mode": "markers",
                        "x": [s.period_start.isoformat() for s in to_date],
                        "y": [float(s.score) for s in to_date if s.score is not None],
                        "text": [s.period_label for s in to_date],
                        "name": "Quarter to date",
                        "marker": {"color": "#2451b3", "size": 9, "symbol": "circle-open"},
                        "hovertemplate": "%{text}: %{y:.1f}<extra></extra>",
                    }
                ]
                if to_date
                else []
            ),
        ],
        "layout": {
            "height": 280,
            "margin": {"l": 40, "r": 10, "t": 10, "b": 40},
            "yaxis": {"range": [0, 100], "fixedrange": True},
            "xaxis": {"type": "date", "fixedrange": True},
            "shapes": [
                {
                    "type": "rect",
                    "xref": "paper",
                    "x0": 0,
                    "x1": 1,
                    "y0": lo,
                    "y1": hi,
                    "fillcolor": color,
                    "line": {"width": 0},
                    "layer": "below",
                }
                for lo, hi, color in bands
            ],
            "showlegend": False,
            "paper_bgcolor": "#ffffff",
            "plot_bgcolor": "#ffffff",
            "font": {"family": "system-ui, sans-serif", "size": 12},
        },
    }


RAG_COLOURS = {"green": "#1f7a44", "amber": "#c47a00", "red": "#b3261e", "": "#8a93a3"}
RAG_LABELS = {"green": "Green", "amber": "Amber", "red": "Red", "": "No score"}


def rag_distribution_figure(counts: dict[str, int]) -> dict[str, Any]:
    """A plotly figure (as a dict) of how many partners are green, amber, red and unscored: one bar each, in that
    order, its count written on it."""
    rags = list(counts)
    values = [counts[rag] for rag in rags]
    return {
        "data": [
            {
                "type": "bar",
                "x": [RAG_LABELS[rag] for rag in rags],
                "y": values,
                "text": [f"{value}" for value in values],
                "textposition": "outside",
                "cliponaxis": False,
                "marker": {"color": [RAG_COLOURS[rag] for rag in rags]},
                "hovertemplate": "%{x}: %{y} partners<extra></extra>",
            }
        ],
        "layout": {
            "height": 190,
            "margin": {"l": 36, "r": 8, "t": 18, "b": 28},
            "yaxis": {"fixedrange": True, "rangemode": "tozero", "title": {"text": "partners"}},
            "xaxis": {"fixedrange": True},
            "showlegend": False,
            "bargap": 0.35,
            "paper_bgcolor": "#ffffff",
            "plot_bgcolor": "#ffffff",
            "font": {"family": "system-ui, sans-serif", "size": 12},
        },
    }
