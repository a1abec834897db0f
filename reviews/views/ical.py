"""iCalendar (RFC 5545) text for a member's review feed, written by hand: it is a few properties, no dependency.

The rules kept: CRLF line endings; lines folded at 75 octets (never inside a UTF-8 character), continuation lines
starting with one space; TEXT values escaped (backslash, semicolon, comma, newline); times in UTC (``Z``); a UID
stable per review (``review-<id>@<tenant-slug>.partnerhub``), so calendar apps update an event instead of adding one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from partnerhub.core.models import Membership, Role, Tenant
from reviews.models import Review
from reviews.selectors.calendar import KIND_SHORT, review_path

PRODID = "-//PartnerHub//Review calendar//EN"
DEFAULT_DURATION = timedelta(hours=1)  # a review has a start time only
FOLD_AT = 75  # octets per line, CRLF excluded


@dataclass(frozen=True)
class IcalEvent:
    uid: str
    start: datetime
    end: datetime
    summary: str
    description: str = ""
    url: str = ""
    cancelled: bool = False
    created: datetime | None = None
    last_modified: datetime | None = None


def escape_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 3.3.11)."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """Fold a content line so no physical line exceeds 75 octets (3.1); a UTF-8 character is never split."""
    if len(line.encode()) <= FOLD_AT:
        return line
    parts: list[str] = []
    current: list[str] = []
    size, limit = 0, FOLD_AT
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            parts.append("".join(current))
            current, size, limit = [], 0, FOLD_AT - 1  # the leading space of a continuation line counts
        current.append(char)
        size += width
    parts.append("".join(current))
    return "\r\n ".join(parts)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def render_calendar(*, name: str, events: Iterable[IcalEvent], stamp: datetime) -> str:
    """A VCALENDAR holding ``events``, as text with CRLF line endings."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
    ]
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}",
            f"DTSTAMP:{_utc(stamp)}",
            f"DTSTART:{_utc(event.start)}",
            f"DTEND:{_utc(event.end)}",
            f"SUMMARY:{escape_text(event.summary)}",
        ]
        if event.description:
            lines.append(f"DESCRIPTION:{escape_text(event.description)}")
        if event.url:
            lines.append(f"URL:{event.url}")  # a URI value: not TEXT-escaped
        if event.created is not None:
            lines.append(f"CREATED:{_utc(event.created)}")
        if event.last_modified is not None:
            lines.append(f"LAST-MODIFIED:{_utc(event.last_modified)}")
        lines += [f"STATUS:{'CANCELLED' if event.cancelled else 'CONFIRMED'}", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(f"{fold(line)}\r\n" for line in lines)


def review_summary(review: Review) -> str:
    return f"{KIND_SHORT.get(review.kind, 'Review')}: {review.partner.name}"


def review_events(*, tenant: Tenant, member: Membership, reviews: Iterable[Review], base_url: str) -> list[IcalEvent]:
    """One event per review, as ``member`` may see it: a partner user gets the title, time and link only."""
    partner_view = member.role == Role.PARTNER
    events = []
    for review in reviews:
        link = base_url + review_path(tenant_slug=tenant.slug, review=review, portal=partner_view)
        cancelled = review.state == Review.State.CANCELLED
        if partner_view:
            description = link
        else:
            details = [
                f"{review.get_kind_display()} with {review.partner.name}",
                f"Moderator: {review.moderator.user if review.moderator else 'not set'}",
                f"State: {review.get_state_display()}",
                f"Depth: {review.get_depth_display()}",
            ]
            if cancelled and review.cancel_reason:
                details.append(f"Cancelled: {review.cancel_reason}")
            description = "\n".join([*details, link])
        events.append(
            IcalEvent(
                uid=f"review-{review.pk}@{tenant.slug}.partnerhub",
                start=review.scheduled_for,
                end=review.scheduled_for + DEFAULT_DURATION,
                summary=review_summary(review),
                description=description,
                url=link,
                cancelled=cancelled,
                created=review.created_at,
                last_modified=review.updated_at,
            )
        )
    return events
