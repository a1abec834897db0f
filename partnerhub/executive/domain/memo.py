"""The quarterly memo, written from the numbers: fixed sentence templates filled with the quarter's figures (no
language model). Pure: the facts come in, sections of lines go out; no ORM, no clock.

Every line names its owner (a person, or the program lead for program-wide lines) and its timeline, and links to its
evidence. A line is *public* when it carries program-level figures only (no partner named): those alone make the
partner-facing version.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any, Final

SECTIONS: Final = (
    ("summary", "The quarter in brief"),
    ("highlights", "Highlights"),
    ("risks", "Risks"),
    ("reviews", "Review outcomes"),
    ("remediation", "Remediation plans"),
    ("recognition", "Tier moves and awards"),
    ("investments", "Investment decisions and their impact"),
    ("decisions", "Decisions needed"),
)
FORECAST_MISS_BELOW: Final = 60.0  # forecast accuracy (%) under which a forecast is a miss
DECISION_DAYS: Final = 30  # decisions needed are due this many days after the quarter closes


@dataclass(frozen=True)
class Evidence:
    label: str
    url: str


@dataclass(frozen=True)
class PartnerFigure:
    """A partner named in the memo, with the number that put it there and who owns it."""

    name: str
    value: float  # a score change in points, a score, a forecast accuracy in %
    owner: str
    url: str
    score: float | None = None


@dataclass(frozen=True)
class SeamLine:
    """A figure from an app built apart from this layer: its sentence when it is there, else None."""

    section: str
    label: str
    sentence: str | None


@dataclass(frozen=True)
class MemoFacts:
    quarter_label: str
    quarter_end: date
    previous_label: str
    program_lead: str
    partners_scored: int
    mean_score: float | None
    mean_change: float | None  # points against the previous quarter
    green: int
    amber: int
    red: int
    to_red: int  # partners that turned red this quarter
    from_red: int  # partners that left red
    improving: int
    declining: int
    reviews_scheduled: int
    reviews_held: int
    reviews_cancelled: int
    decisions_taken: int
    actions_overdue: int
    forecast_accuracy: float | None
    forecasts: int
    flagged: int  # scorecards flagged by data quality
    coverage: float | None  # % of metric items with data
    risers: list[PartnerFigure] = field(default_factory=list)
    fallers: list[PartnerFigure] = field(default_factory=list)
    forecast_misses: list[PartnerFigure] = field(default_factory=list)
    red_twice: list[PartnerFigure] = field(default_factory=list)  # red this quarter and the one before
    seams: list[SeamLine] = field(default_factory=list)
    links: dict[str, str] = field(default_factory=dict)  # evidence pages: dashboard, red, declining, reviews, ...


@dataclass
class Line:
    id: str
    section: str
    text: str
    owner: str
    timeline: str
    evidence: list[Evidence] = field(default_factory=list)
    public: bool = False
    removed: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _n(count: int, one: str, many: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def _points(value: float) -> str:
    sign = "+" if value > 0 else "\u2212" if value < 0 else "±"
    return f"{sign}{abs(value):.1f} points"


def _names(partners: list[PartnerFigure], how: str) -> str:
    """``A (+17.0 points), B (+16.7 points) and C (29 %)``: ``how`` is "points" or "percent"."""
    parts = [f"{p.name} ({_points(p.value) if how == 'points' else f'{p.value:.0f} %'})" for p in partners]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def memo_lines(facts: MemoFacts) -> list[Line]:
    """The memo's lines, section by section, written from ``facts``."""
    lines: list[Line] = []
    quarter = facts.quarter_label
    decide_by = f"by {facts.quarter_end + timedelta(days=DECISION_DAYS):%-d %B %Y}"
    link = facts.links.get

    def add(
        section: str, text: str, owner: str, timeline: str, evidence: list[Evidence], *, public: bool = False
    ) -> None:
        lines.append(
            Line(
                f"{section}-{sum(1 for x in lines if x.section == section) + 1}",
                section,
                text,
                owner,
                timeline,
                evidence,
                public,
            )
        )

    dashboard = [Evidence("Dashboard", link("dashboard", ""))]
    # The quarter in brief: program-level figures only (public).
    if facts.mean_score is not None:
        change = (
            f", {_points(facts.mean_change)} against {facts.previous_label}" if facts.mean_change is not None else ""
        )
        add(
            "summary",
            f"{_n(facts.partners_scored, 'partner')} were scored in {quarter}; the average score was "
            f"{facts.mean_score:.1f}{change}.",
            facts.program_lead,
            quarter,
            dashboard,
            public=True,
        )
    else:
        add("summary", f"No partner was scored in {quarter}.", facts.program_lead, quarter, dashboard, public=True)
    total = facts.green + facts.amber + facts.red
    if total:
        add(
            "summary",
            f"{facts.green:,} green ({100 * facts.green / total:.0f} %), {facts.amber:,} amber and {facts.red:,} red; "
            f"{_n(facts.improving, 'partner')} improving and {facts.declining:,} declining by their trend.",
            facts.program_lead,
            quarter,
            [Evidence("Red partners", link("red", "")), Evidence("Declining partners", link("declining", ""))],
            public=True,
        )
    # Highlights.
    if facts.risers:
        add(
            "highlights",
            f"Most improved: {_names(facts.risers, 'points')}.",
            ", ".join(sorted({p.owner for p in facts.risers})),
            quarter,
            [Evidence(p.name, p.url) for p in facts.risers],
        )
    if facts.from_red:
        add(
            "highlights",
            f"{_n(facts.from_red, 'partner')} left red since {facts.previous_label}.",
            facts.program_lead,
            quarter,
            [Evidence("RAG movement", link("dashboard", ""))],
            public=True,
        )
    # Risks.
    if facts.declining:
        named = f" The steepest falls: {_names(facts.fallers, 'points')}." if facts.fallers else ""
        add(
            "risks",
            f"{_n(facts.declining, 'partner is', 'partners are')} declining by their trend.{named}",
            ", ".join(sorted({p.owner for p in facts.fallers})) or facts.program_lead,
            decide_by,
            [Evidence("Declining partners", link("declining", "")), *(Evidence(p.name, p.url) for p in facts.fallers)],
        )
    if facts.to_red:
        add(
            "risks",
            f"{_n(facts.to_red, 'partner')} turned red this quarter.",
            facts.program_lead,
            decide_by,
            [Evidence("RAG movement", link("dashboard", ""))],
        )
    if facts.forecast_misses:
        add(
            "risks",
            f"Forecasts missed (accuracy under {FORECAST_MISS_BELOW:.0f} %): "
            f"{_names(facts.forecast_misses, 'percent')}.",
            ", ".join(sorted({p.owner for p in facts.forecast_misses})),
            decide_by,
            [Evidence(p.name, p.url) for p in facts.forecast_misses],
        )
    if facts.flagged or (facts.coverage is not None and facts.coverage < 95):
        coverage = f"; {facts.coverage:.0f} % of metric items have data" if facts.coverage is not None else ""
        add(
            "risks",
            f"Data quality: {_n(facts.flagged, 'scorecard')} flagged by a data-quality finding{coverage}.",
            facts.program_lead,
            decide_by,
            [Evidence("Flagged scorecards", link("dq", "")), Evidence("Data quality", link("quality", ""))],
        )
    # Review outcomes.
    if facts.reviews_scheduled:
        add(
            "reviews",
            f"{facts.reviews_held:,} of {_n(facts.reviews_scheduled, 'review')} planned for {quarter} were held"
            f"{f' ({facts.reviews_cancelled:,} cancelled)' if facts.reviews_cancelled else ''}; "
            f"{_n(facts.decisions_taken, 'decision was', 'decisions were')} recorded.",
            facts.program_lead,
            quarter,
            [Evidence("Reviews", link("reviews", ""))],
            public=True,
        )
    if facts.actions_overdue:
        add(
            "reviews",
            f"{_n(facts.actions_overdue, 'action item')} due in {quarter} "
            f"{'is' if facts.actions_overdue == 1 else 'are'} still open.",
            facts.program_lead,
            decide_by,
            [Evidence("Overdue action items", link("overdue", ""))],
        )
    if facts.forecast_accuracy is not None:
        add(
            "reviews",
            f"Partner forecasts for {quarter} were {facts.forecast_accuracy:.0f} % accurate on average "
            f"({_n(facts.forecasts, 'forecast')} scored).",
            facts.program_lead,
            quarter,
            dashboard,
            public=True,
        )
    # The apps built apart from this layer.
    for seam in facts.seams:
        if seam.sentence:
            add(seam.section, seam.sentence, facts.program_lead, quarter, dashboard)
        else:
            add(seam.section, f"{seam.label}: not yet available in PartnerHub.", facts.program_lead, quarter, [])
    # Decisions needed.
    for partner in facts.red_twice:
        score = f" (score {partner.score:.1f})" if partner.score is not None else ""
        add(
            "decisions",
            f"Decide on a remediation plan for {partner.name}: red for two quarters running{score}.",
            partner.owner,
            decide_by,
            [Evidence(partner.name, partner.url)],
        )
    if facts.actions_overdue >= 5:
        add(
            "decisions",
            f"Agree how to clear the {facts.actions_overdue:,} overdue action items (reassign, extend or close them).",
            facts.program_lead,
            decide_by,
            [Evidence("Overdue action items", link("overdue", ""))],
        )
    if facts.reviews_scheduled and facts.reviews_held < 0.8 * facts.reviews_scheduled:
        add(
            "decisions",
            f"Only {100 * facts.reviews_held / facts.reviews_scheduled:.0f} % of planned reviews were held: decide "
            "whether the cadence matches the team's capacity.",
            facts.program_lead,
            decide_by,
            [Evidence("Reviews", link("reviews", ""))],
        )
    return lines


def memo_sections(lines: list[dict[str, Any]], *, public_only: bool = False) -> list[dict[str, Any]]:
    """Lines (as stored) grouped into the memo's sections, in order; removed lines left out; for the partner-facing
    version, public lines only."""
    out = []
    for key, title in SECTIONS:
        chosen = [
            line
            for line in lines
            if line["section"] == key and not line.get("removed") and (line.get("public") or not public_only)
        ]
        if chosen:
            out.append({"key": key, "title": title, "lines": chosen})
    return out
