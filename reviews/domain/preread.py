"""The pre-read's rules, pure: facts about one partner in, a JSON-ready pre-read out (no database, no clock).

``preread_build`` turns a ``PrereadInput`` (gathered by ``reviews.selectors.reviews.preread_inputs``) into the payload
stored in ``Review.preread``:

- ``summary``: the executive summary in sentences (score, RAG, change versus the previous period, the trend verdict
  with the scorecard engine's own explanation, the quarter for QBRs, and a one-line count of the risks);
- ``risks``: the risk indicators, each ``{"kind", "title", "detail", "items"}``;
- ``recommendations``: the recommended actions, each ``{"rule", "text"}``, one rule per kind of risk;
- ``metrics``: the scorecard's metric rows as they stood, so the frozen pre-read can show them later.

docs/reviews-life.md explains the same rules in plain words; keep the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Final

from partnerhub.core.domain.numbers import format_money
from partnerhub.core.domain.periods import period_label, shift_period, to_date_label

PAYLOAD_VERSION: Final = 1
MAX_LISTED: Final = 5  # red metrics and data-quality reasons beyond this are counted, not listed one by one

RAG_WORDS: Final = {"green": "green", "amber": "amber", "red": "red", "": "no RAG"}


@dataclass(frozen=True)
class MetricLine:
    metric_id: int
    name: str
    unit: str
    actual: float | None
    target: float | None
    attainment: float | None
    rag: str
    missing: bool


@dataclass(frozen=True)
class SnapshotFacts:
    period: str  # "month" | "quarter"
    period_start: date
    score: float | None
    rag: str
    change_previous: float | None
    trend: str
    trend_explanation: str
    dq_flag: bool
    dq_reasons: tuple[str, ...] = ()
    metrics: tuple[MetricLine, ...] = ()
    months_covered: int = 3  # a quarter's months that count; fewer than 3: a quarter to date


def facts_label(facts: SnapshotFacts) -> str:
    """'Q4 2026', or for a quarter to date 'Q4 2026, to date (2 of 3 months)' (SCORING.md: it is shown labelled, in the
    words the scorecard pages use: ``to_date_label``)."""
    label = period_label(facts.period, facts.period_start)
    if facts.period == "quarter" and facts.months_covered < 3:
        return to_date_label(label, facts.months_covered)
    return label


@dataclass(frozen=True)
class DataQualityIssue:
    reason: str
    owner: str  # who should fix it (a person's name), or "" when nobody is named


@dataclass(frozen=True)
class OverdueAction:
    description: str
    owner: str
    due_date: date


@dataclass(frozen=True)
class WaitingDeal:
    reference: str
    account: str
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class PrereadInput:
    partner_id: int
    partner_name: str
    data_steward: str
    kind: str
    kind_label: str
    as_of: date
    month: SnapshotFacts | None
    quarter: SnapshotFacts | None = None
    dq_issues: tuple[DataQualityIssue, ...] = ()
    overdue_actions: tuple[OverdueAction, ...] = ()
    waiting_deals: tuple[WaitingDeal, ...] = ()


# --- wording helpers ---


def previous_period_label(period: str, start: date) -> str:
    """The period before ``start``: its month name (with the year only when the year changes), or its quarter."""
    before = shift_period(period, start, -1)
    if period == "quarter":
        return period_label(period, before)
    return f"{before:%B}" if before.year == start.year else f"{before:%B %Y}"


def format_value(value: float | None, unit: str) -> str:
    """A metric value in its unit, for sentences (``None`` reads "no data")."""
    if value is None:
        return "no data"
    number = float(value)
    if unit == "percent":
        return f"{number:.1f} %"
    if unit == "currency":
        return f"{number:,.0f}"
    if unit == "days":
        return f"{number:.0f} days"
    if unit == "hours":
        return f"{number:.1f} h"
    if unit == "count" and number == int(number):
        return f"{number:,.0f}"
    return f"{number:,.1f}"


MAX_ITEMS = 10  # a risk lists at most this many items, then says how many more there are


def _listed(items: list[str], noun: str, order: str) -> list[str]:
    """The first ``MAX_ITEMS`` of ``items`` and, when there are more, a last line saying how many are not listed."""
    if len(items) <= MAX_ITEMS:
        return items
    hidden = len(items) - MAX_ITEMS
    return [*items[:MAX_ITEMS], f"…and {_plural(hidden, 'more ' + noun)} (the {MAX_ITEMS} {order} are listed)."]


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text.endswith((".", "!", "?")) else text + "."


# --- the rules ---


def _summary(inp: PrereadInput, risk_count_line: str) -> list[str]:
    month = inp.month
    lines: list[str] = []
    if month is None:
        lines.append(f"There is no scorecard yet for {inp.partner_name}: its data has not been loaded or scored.")
    else:
        label = period_label("month", month.period_start)
        if month.score is None:
            lines.append(f"{inp.partner_name} could not be scored for {label}: there is not enough data.")
        else:
            head = f"{inp.partner_name} scored {month.score:.1f} ({RAG_WORDS.get(month.rag, month.rag)}) in {label}"
            if month.change_previous is not None:
                before = previous_period_label("month", month.period_start)
                change = round(month.change_previous, 1)
                if change > 0:
                    head += f", up {change:.1f} points from {before}"
                elif change < 0:
                    head += f", down {-change:.1f} points from {before}"
                else:
                    head += f", unchanged from {before}"
            lines.append(head + ".")
        if month.trend in ("improving", "stable", "declining"):
            explanation = _sentence(month.trend_explanation)
            lines.append(
                f"The trend is {month.trend}: {explanation}" if explanation else f"The trend is {month.trend}."
            )
        else:
            lines.append(
                "There is not enough history yet to call a trend"
                + (f": {_sentence(month.trend_explanation)}" if month.trend_explanation else ".")
            )
    quarter = inp.quarter
    if quarter is not None and quarter.score is not None:
        label = facts_label(quarter) + ("," if quarter.months_covered < 3 else "")  # "For Q4 2026, to date (…), the"
        lines.append(
            f"For {label} the score was {quarter.score:.1f} "
            f"({RAG_WORDS.get(quarter.rag, quarter.rag)})"
            + (
                f", {'up' if quarter.change_previous >= 0 else 'down'} {abs(quarter.change_previous):.1f} points "
                f"from {previous_period_label('quarter', quarter.period_start)}."
                if quarter.change_previous is not None
                else "."
            )
        )
    lines.append(risk_count_line)
    return lines


def _red_metrics(month: SnapshotFacts | None) -> list[MetricLine]:
    if month is None:
        return []
    return [m for m in month.metrics if m.rag == "red" and not m.missing]


def preread_build(inp: PrereadInput) -> dict[str, Any]:
    """The pre-read payload for ``inp`` (JSON-ready: dates as ISO strings, numbers as floats)."""
    risks: list[dict[str, Any]] = []
    recommendations: list[dict[str, str]] = []
    month = inp.month
    steward = inp.data_steward or "the partner's data steward"

    if month is None:
        risks.append(
            {
                "kind": "no_scorecard",
                "title": "No scorecard",
                "detail": "There is no scorecard to discuss; the review relies on the partner's own account.",
                "items": [],
            }
        )
        recommendations.append(
            {
                "rule": "no_scorecard",
                "text": f"Ask {steward} to load {inp.partner_name}'s data, so that the next pre-read has a scorecard.",
            }
        )

    red = _red_metrics(month)
    for metric in red[:MAX_LISTED]:
        actual, target = format_value(metric.actual, metric.unit), format_value(metric.target, metric.unit)
        attainment = "" if metric.attainment is None else f" ({metric.attainment:.0f} % of target)"
        risks.append(
            {
                "kind": "red_metric",
                "title": f"{metric.name} is red",
                "detail": f"{actual} against a target of {target}{attainment}.",
                "items": [],
                "metric_id": metric.metric_id,
            }
        )
        recommendations.append(
            {
                "rule": "red_metric",
                "text": f"Agree a recovery target for {metric.name} (now {actual} against {target}), "
                "with a date and an owner.",
            }
        )
    if len(red) > MAX_LISTED:
        more = len(red) - MAX_LISTED
        risks.append(
            {
                "kind": "red_metric",
                "title": f"{_plural(more, 'more red metric')}",
                "detail": ", ".join(m.name for m in red[MAX_LISTED:]) + ".",
                "items": [],
            }
        )
        recommendations.append(
            {"rule": "red_metric", "text": f"Agree recovery targets for the {_plural(more, 'other red metric')} too."}
        )

    if month is not None and month.trend == "declining":
        explanation = _sentence(month.trend_explanation) or "The score is falling beyond its usual movement."
        risks.append({"kind": "declining", "title": "Declining trend", "detail": explanation, "items": []})
        recommendations.append(
            {
                "rule": "declining",
                "text": "Open a remediation finding and plan a deep dive into the decline, "
                "so that its cause is named and owned.",
            }
        )

    if month is not None and month.dq_flag:
        issues = list(inp.dq_issues) or [DataQualityIssue(reason=r, owner="") for r in month.dq_reasons]
        if not issues:
            issues = [DataQualityIssue(reason="The scorecard is flagged for data quality.", owner="")]
        risks.append(
            {
                "kind": "data_quality",
                "title": "Data-quality flag",
                "detail": "The scorecard is built on data with known problems; read it with care.",
                "items": [_sentence(i.reason) for i in issues],
            }
        )
        for issue in issues[:MAX_LISTED]:
            owner = issue.owner or steward
            recommendations.append(
                {
                    "rule": "data_quality",
                    "text": f"Ask {owner} to fix this before the review: {_sentence(issue.reason)}",
                }
            )
        if len(issues) > MAX_LISTED:
            recommendations.append(
                {
                    "rule": "data_quality",
                    "text": f"Ask {steward} to fix the "
                    f"{_plural(len(issues) - MAX_LISTED, 'other data-quality issue')}.",
                }
            )

    overdue = sorted(inp.overdue_actions, key=lambda a: a.due_date)
    if overdue:
        risks.append(
            {
                "kind": "overdue_actions",
                "title": f"{_plural(len(overdue), 'overdue action item')}",
                "detail": "Commitments from earlier reviews that are past their due date and still open.",
                "items": _listed(
                    [f"{a.description} ({a.owner or 'no owner'}, due {a.due_date:%d %b %Y})" for a in overdue],
                    "overdue action item",
                    "oldest",
                ),
            }
        )
        recommendations.append(
            {
                "rule": "overdue_actions",
                "text": f"Close or re-plan {_plural(len(overdue), 'overdue action item')} "
                f"(the oldest was due {overdue[0].due_date:%d %b %Y}).",
            }
        )

    deals = sorted(inp.waiting_deals, key=lambda d: (-d.amount, d.reference))
    if deals:
        largest = deals[0]
        largest_text = f"{largest.reference}{f' ({largest.account})' if largest.account else ''}, " + (
            f"{format_money(largest.amount, largest.currency)}"
        )
        risks.append(
            {
                "kind": "deals_waiting",
                "title": f"{_plural(len(deals), 'deal')} waiting for joint review",
                "detail": "Large deals scored on the deal-quality rubric and not yet reviewed with the partner.",
                "items": _listed(
                    [
                        f"{d.reference}{f' ({d.account})' if d.account else ''}: {format_money(d.amount, d.currency)}"
                        for d in deals
                    ],
                    "deal",
                    "largest",
                ),
            }
        )
        recommendations.append(
            {
                "rule": "deals_waiting",
                "text": f"Hold the joint deal review for {_plural(len(deals), 'deal')} (largest: {largest_text}).",
            }
        )

    if risks:
        kinds = [r["kind"] for r in risks]
        parts = []
        if "no_scorecard" in kinds:
            parts.append("no scorecard")
        if red:
            parts.append(_plural(len(red), "red metric"))
        if "declining" in kinds:
            parts.append("a declining trend")
        if "data_quality" in kinds:
            parts.append("a data-quality flag")
        if overdue:
            parts.append(_plural(len(overdue), "overdue action item"))
        if deals:
            parts.append(_plural(len(deals), "deal") + " waiting for joint review")
        count_line = "Risk indicators: " + _join(parts) + "."
    else:
        count_line = (
            "No risk indicators: no red metrics, no declining trend, no data-quality flag, "
            "no overdue action items and no deals waiting for joint review."
        )
        recommendations.append(
            {
                "rule": "none",
                "text": "No risk needs action: use the review to confirm targets and plan the next period's joint "
                "growth.",
            }
        )

    return {
        "version": PAYLOAD_VERSION,
        "as_of": inp.as_of.isoformat(),
        "partner": {"id": inp.partner_id, "name": inp.partner_name},
        "kind": inp.kind,
        "kind_label": inp.kind_label,
        "month": _facts_json(month),
        "quarter": _facts_json(inp.quarter),
        "summary": _summary(inp, count_line),
        "risks": risks,
        "no_risks": not risks,
        "recommendations": recommendations,
        "metrics": [_metric_json(m) for m in month.metrics] if month is not None else [],
    }


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _float(value: float | Decimal | None) -> float | None:
    return None if value is None else round(float(value), 4)


def _facts_json(facts: SnapshotFacts | None) -> dict[str, Any] | None:
    if facts is None:
        return None
    return {
        "period": facts.period,
        "period_start": facts.period_start.isoformat(),
        "label": facts_label(facts),
        "score": _float(facts.score),
        "rag": facts.rag,
        "change_previous": _float(facts.change_previous),
        "trend": facts.trend,
        "trend_explanation": facts.trend_explanation,
        "dq_flag": facts.dq_flag,
        "dq_reasons": list(facts.dq_reasons),
    }


def _metric_json(metric: MetricLine) -> dict[str, Any]:
    return {
        "metric_id": metric.metric_id,
        "name": metric.name,
        "unit": metric.unit,
        "actual": _float(metric.actual),
        "actual_text": "missing" if metric.missing else format_value(metric.actual, metric.unit),
        "target": _float(metric.target),
        "target_text": format_value(metric.target, metric.unit),
        "attainment": _float(metric.attainment),
        "rag": metric.rag,
        "missing": metric.missing,
    }
