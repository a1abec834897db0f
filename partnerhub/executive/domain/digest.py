"""The monthly digest, written for one reader from data read once for everyone: the previous month's outcomes,
what is coming up, changes to metrics and targets, new findings and plans, recognition. Pure: no ORM, no clock.

Scoped by who reads it: an executive or admin reads the program; a manager reads their own partners; a partner
user reads their own company, and only what is shared with it (shared action items, their own score, program-wide
changes to the scorecards) — never another partner, never an internal finding.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Final

from partnerhub.core.domain.periods import add_months, period_label

LIST_LIMIT: Final = 5  # items named per list; the rest are counted ("and 4 more")
QUARTER_STARTS: Final = (1, 4, 7, 10)


def first_working_day(month: date) -> date:
    """The first Monday-to-Friday day of ``month``'s month."""
    day = month.replace(day=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def digest_period(run_month: date, frequency: str) -> tuple[str, date] | None:
    """What a digest sent in ``run_month`` covers for a reader's frequency: the month before (monthly); the quarter
    before, in a quarter's first month only (quarterly); nothing (off)."""
    first = run_month.replace(day=1)
    if frequency == "monthly":
        return "month", add_months(first, -1)
    if frequency == "quarterly" and first.month in QUARTER_STARTS:
        return "quarter", add_months(first, -3)
    return None


@dataclass(frozen=True)
class PartnerLine:
    partner_id: int
    name: str
    owner_id: int | None
    score: float | None
    rag: str
    change: float | None
    trend: str
    url: str
    portal_url: str


@dataclass(frozen=True)
class Upcoming:
    partner_id: int
    partner: str
    text: str
    when: date
    url: str
    portal_url: str


@dataclass(frozen=True)
class ActionLine:
    partner_id: int
    partner: str
    text: str
    due: date
    overdue: bool
    shared: bool
    url: str
    portal_url: str


@dataclass(frozen=True)
class Finding:
    partner_id: int
    partner: str
    text: str
    url: str


@dataclass(frozen=True)
class DigestData:
    """Everything the digests of one period are written from, read once for all readers."""

    period: str
    start: date
    label: str
    previous_label: str
    program: dict[str, float | None]  # scored, mean, mean_change, green, amber, red, to_red, improving, declining
    partners: dict[int, PartnerLine]
    upcoming: list[Upcoming]
    actions: list[ActionLine]
    template_changes: list[str]
    findings: list[Finding]
    seams: list[tuple[str, str | None]]  # (label, sentence or None when not yet available)
    links: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Reader:
    role: str  # admin | manager | executive | partner
    membership_id: int
    partner_id: int | None = None  # a partner user's company

    @property
    def is_partner(self) -> bool:
        return self.role == "partner"

    def sees(self, partner_id: int, owner_of: dict[int, int | None]) -> bool:
        if self.role in ("admin", "executive"):
            return True
        if self.is_partner:
            return partner_id == self.partner_id
        return owner_of.get(partner_id) == self.membership_id


def _points(value: float | None) -> str:
    if value is None:
        return "no change yet"
    sign = "+" if value > 0 else "\u2212" if value < 0 else "±"
    return f"{sign}{abs(value):.1f} points"


def _capped(items: list[dict[str, str]], what: str) -> tuple[list[dict[str, str]], str]:
    more = len(items) - LIST_LIMIT
    return items[:LIST_LIMIT], (f"and {more} more {what}" if more > 0 else "")


def _section(title: str, items: list[dict[str, str]], what: str = "") -> dict[str, Any]:
    shown, more = _capped(items, what)
    return {"title": title, "items": shown, "more": more}


def build_digest(data: DigestData, reader: Reader) -> dict[str, Any]:
    """The digest of one reader: a title, an intro and sections of items (text and link), as stored and rendered."""
    owner_of = {pid: p.owner_id for pid, p in data.partners.items()}
    mine = [p for pid, p in sorted(data.partners.items(), key=lambda kv: kv[1].name) if reader.sees(pid, owner_of)]
    sections: list[dict[str, Any]] = []
    # Outcomes.
    outcomes: list[dict[str, str]] = []
    if reader.role in ("admin", "executive"):
        program = data.program
        if program.get("scored"):
            outcomes.append(
                {
                    "text": f"{int(program['scored'] or 0):,} partners scored; average {program['mean'] or 0:.1f} "
                    f"({_points(program.get('mean_change'))} against {data.previous_label}).",
                    "url": data.links.get("dashboard", ""),
                }
            )
            outcomes.append(
                {
                    "text": f"{int(program['green'] or 0):,} green, {int(program['amber'] or 0):,} amber, "
                    f"{int(program['red'] or 0):,} red ({int(program['to_red'] or 0):,} turned red); "
                    f"{int(program['improving'] or 0):,} improving and {int(program['declining'] or 0):,} declining.",
                    "url": data.links.get("red", ""),
                }
            )
        falling = sorted((p for p in mine if p.trend == "declining"), key=lambda p: p.change or 0)
        outcomes += [
            {"text": f"Declining: {p.name}, {p.score or 0:.1f} ({_points(p.change)}).", "url": p.url} for p in falling
        ]
    elif reader.is_partner:
        own = mine[0] if mine else None
        if own is not None and own.score is not None:
            outcomes.append(
                {
                    "text": f"Your score for {data.label}: {own.score:.1f} ({own.rag or 'no status'}), "
                    f"{_points(own.change)} against {data.previous_label}.",
                    "url": own.portal_url,
                }
            )
    else:
        scored = [p for p in mine if p.score is not None]
        if scored:
            mean = sum(p.score or 0 for p in scored) / len(scored)
            red = [p for p in scored if p.rag == "red"]
            outcomes.append(
                {
                    "text": f"Your {len(scored):,} partners scored {mean:.1f} on average; {len(red):,} red.",
                    "url": data.links.get("portfolio", ""),
                }
            )
            outcomes += [
                {"text": f"Red: {p.name}, {p.score or 0:.1f} ({_points(p.change)}).", "url": p.url} for p in red
            ]
            outcomes += [
                {"text": f"Declining: {p.name}, {p.score or 0:.1f} ({_points(p.change)}).", "url": p.url}
                for p in scored
                if p.trend == "declining" and p.rag != "red"
            ]
    if outcomes:
        sections.append(_section(f"Outcomes of {data.label}", outcomes, "partners"))
    # Coming up.
    link = "portal_url" if reader.is_partner else "url"
    coming = [
        {"text": f"{u.text}, {u.when:%-d %B}.", "url": getattr(u, link)}
        for u in data.upcoming
        if reader.sees(u.partner_id, owner_of)
    ]
    due = [
        {
            "text": f"{'Overdue since' if a.overdue else 'Due'} {a.due:%-d %B}: {a.text}"
            + ("" if reader.is_partner else f" ({a.partner})"),
            "url": getattr(a, link),
        }
        for a in data.actions
        if reader.sees(a.partner_id, owner_of) and (a.shared or not reader.is_partner)
    ]
    if coming:
        sections.append(_section("Reviews coming up", coming, "reviews"))
    if due:
        sections.append(_section("Action items due", due, "action items"))
    # Changes to metrics, targets and incentives: program-wide, for everyone.
    changes = [
        {"text": text, "url": "" if reader.is_partner else data.links.get("templates", "")}
        for text in data.template_changes
    ]
    if not reader.is_partner:
        changes += [
            {"text": f"{label}: not yet available.", "url": ""}
            for label, sentence in data.seams
            if sentence is None and label.startswith("Tier")
        ]
    if changes:
        sections.append(_section("Changes to metrics, targets and incentives", changes, "changes"))
    # New findings and plans, and recognition: the program's own view, never a partner's.
    if not reader.is_partner:
        findings = [
            {"text": f"{f.partner}: {f.text}", "url": f.url}
            for f in data.findings
            if reader.sees(f.partner_id, owner_of)
        ]
        findings += [
            {"text": sentence or f"{label}: not yet available.", "url": ""}
            for label, sentence in data.seams
            if label.startswith("Remediation")
        ]
        if findings:
            sections.append(_section("New findings and plans", findings, "findings"))
        recognition = [
            {"text": sentence or f"{label}: not yet available.", "url": ""}
            for label, sentence in data.seams
            if label.startswith("Awards")
        ]
        if recognition:
            sections.append(_section("Recognition", recognition))
    return {
        "title": f"Your digest for {data.label}",
        "period": data.period,
        "label": data.label,
        "scope": {"admin": "the program", "executive": "the program", "manager": "your partners"}.get(
            reader.role, "your company"
        ),
        "sections": sections,
    }


def digest_text(content: dict[str, Any], *, site: str, settings_url: str, unsubscribe_url: str) -> str:
    """The plain-text e-mail of a digest."""
    lines = [content["title"], "=" * len(content["title"]), f"About {content['scope']}.", ""]
    for section in content["sections"]:
        lines += [section["title"], "-" * len(section["title"])]
        for item in section["items"]:
            lines.append(f"* {item['text']}" + (f"\n  {site}{item['url']}" if item["url"] else ""))
        if section["more"]:
            lines.append(f"  ({section['more']})")
        lines.append("")
    if not content["sections"]:
        lines += ["Nothing to report this time.", ""]
    lines += [f"Change how often you get this: {site}{settings_url}", f"Unsubscribe: {unsubscribe_url}"]
    return "\n".join(lines)


def period_name(period: str, start: date) -> str:
    return period_label(period, start)
