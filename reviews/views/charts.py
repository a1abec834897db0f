"""Charts of the review pages, as plotly figure dicts (drawn by plotly.js from our static files; see
docs/architecture.md, "Charts under the Content Security Policy")."""

from __future__ import annotations

from typing import Any

from reviews.selectors.preparation import WeekLoad


def review_load_figure(load: list[WeekLoad]) -> dict[str, Any]:
    """Reviews still ahead per week, one bar a week (labelled by its Monday), the count written on each bar."""
    return {
        "data": [
            {
                "type": "bar",
                "x": [f"{week.week:%-d}<br>{week.week:%b}" for week in load],
                "y": [week.reviews for week in load],
                "text": [str(week.reviews) for week in load],
                "textposition": "outside",
                "cliponaxis": False,
                "marker": {"color": "#2451b3"},
                "customdata": [f"{week.week:%-d %b}" for week in load],
                "hovertemplate": "Week of %{customdata}: %{y} reviews<extra></extra>",
            }
        ],
        "layout": {
            "height": 170,
            "margin": {"l": 36, "r": 8, "t": 18, "b": 36},
            "yaxis": {"fixedrange": True, "rangemode": "tozero", "title": {"text": "reviews"}},
            "xaxis": {"fixedrange": True, "type": "category", "tickangle": 0, "tickfont": {"size": 11}},
            "showlegend": False,
            "bargap": 0.35,
            "paper_bgcolor": "#ffffff",
            "plot_bgcolor": "#ffffff",
            "font": {"family": "system-ui, sans-serif", "size": 12},
        },
    }
