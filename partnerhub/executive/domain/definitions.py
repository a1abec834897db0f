"""The dashboard's own figures in plain words: what each one counts, exactly as the cube computes it. The
definitions page lists them, and every figure on the dashboard links to its entry (metrics link to the glossary)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class Definition:
    key: str
    label: str
    text: str


DEFINITIONS: Final = (
    Definition(
        "partners",
        "Partners scored",
        "Partners with a scorecard for the period that carry a score (a scorecard without any metric data has none).",
    ),
    Definition(
        "mean_score",
        "Average score",
        "The mean of the partners' overall scores (0 to 100) for the period. Its change is the difference in points "
        "from the period it is compared with.",
    ),
    Definition(
        "distribution",
        "Score distribution",
        "How many partners score 0 to 10, 10 to 20, … 90 to 100 in the period (a score on a boundary counts in the "
        "upper band; 100 in the last).",
    ),
    Definition(
        "rag",
        "Red, amber, green",
        "Partners by the RAG status of their overall score, with the thresholds of the scorecard version in force for "
        "the period. “No score” counts scorecards without data.",
    ),
    Definition(
        "movement",
        "RAG movement",
        "Partners by their RAG status in the previous period (rows) and in this one (columns). A quarter to date is "
        "neither moved from nor moved to: its change is shown once the quarter is complete.",
    ),
    Definition(
        "trend",
        "Improving and declining",
        "Partners by the trend verdict of their scorecard: a change beyond the partner's own month-to-month noise, "
        "sustained over several periods — not one noisy month. “Not enough history” has too few periods to judge.",
    ),
    Definition(
        "metric",
        "Metric totals against target",
        "For partners whose scorecard weighs the metric and who have both an actual and a target for it: the sum of "
        "the actuals against the sum of the targets (metrics in currency or counts), or the mean of each (rates, "
        "scores, days). Attainment is actual ÷ target.",
    ),
    Definition(
        "forecast_accuracy",
        "Forecast accuracy, last quarter",
        "The mean accuracy (percent) of the pipeline forecasts partners submitted for the last quarter with scored "
        "forecasts, each scored against the deals actually won.",
    ),
    Definition(
        "coverage",
        "Data-quality coverage",
        "The share of the scorecards' metric items that have data for the period, and the number of scorecards "
        "flagged by a data-quality finding (their numbers may not be trusted).",
    ),
    Definition(
        "reviews",
        "Reviews held against scheduled",
        "Reviews planned for the period, and of those the ones held or signed off (and cancelled).",
    ),
    Definition(
        "overdue",
        "Overdue action items",
        "Action items still open or in progress after their due date, as of the day the dashboard was computed.",
    ),
    Definition(
        "remediation",
        "Remediation plans and checkpoints",
        "Open improvement plans and the checkpoints they missed (from the remediation app).",
    ),
    Definition(
        "tiers",
        "Tier moves awaiting approval",
        "Tier recommendations (promote or demote) waiting for an executive's decision (from the recognition app).",
    ),
    Definition(
        "investments",
        "Investment spend and impact",
        "Funds spent on partners in the period, and the change they made against matched partners that got none "
        "(from the investments work of the recognition app).",
    ),
    Definition(
        "freshness",
        "When the figures were computed",
        "The dashboard is precomputed after every snapshot refresh and nightly; the page reads the stored figures "
        "and says when they were computed.",
    ),
)
DEFINITION_KEYS: Final = frozenset(d.key for d in DEFINITIONS)
