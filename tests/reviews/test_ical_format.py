"""The iCalendar writer against RFC 5545: line endings, folding at 75 octets, TEXT escaping, UTC times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from reviews.views.ical import IcalEvent, escape_text, fold, render_calendar
from tests.reviews.test_ical_parser import parse_ical, unfold

STAMP = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)


def event(**overrides):
    start = datetime(2026, 10, 15, 15, 0, tzinfo=UTC)
    return IcalEvent(
        **{
            "uid": "review-1@alpha.partnerhub",
            "start": start,
            "end": start + timedelta(hours=1),
            "summary": "QBR: Acme",
            **overrides,
        }
    )


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("a,b", "a\\,b"),
        ("a;b", "a\\;b"),
        ("a\\b", "a\\\\b"),
        ("one\ntwo", "one\\ntwo"),
        ("one\r\ntwo", "one\\ntwo"),
        ("plain", "plain"),
        ("\\,", "\\\\\\,"),
    ],
)
def test_text_values_are_escaped(raw, escaped):
    assert escape_text(raw) == escaped


@pytest.mark.parametrize(
    "text", ["x" * 74, "x" * 75, "x" * 76, "y" * 300, "é" * 100, "日本語のパートナー" * 20, "a" + "😀" * 40]
)
def test_folding_keeps_every_line_within_75_octets_and_unfolds_to_the_original(text):
    folded = fold(f"SUMMARY:{text}")
    lines = folded.split("\r\n")
    assert all(len(line.encode()) <= 75 for line in lines)
    assert all(line.startswith(" ") for line in lines[1:])
    assert unfold(folded.split("\r\n")) == [f"SUMMARY:{text}"]


def test_a_short_line_is_not_folded():
    assert fold("UID:x") == "UID:x"


def test_the_calendar_uses_crlf_and_utc_times():
    text = render_calendar(name="Alpha reviews", events=[event()], stamp=STAMP)
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")
    assert "DTSTART:20261015T150000Z\r\n" in text
    assert "DTEND:20261015T160000Z\r\n" in text
    assert "DTSTAMP:20261001T080000Z\r\n" in text


def test_a_time_in_another_zone_is_written_in_utc():
    from zoneinfo import ZoneInfo

    start = datetime(2026, 10, 15, 17, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    text = render_calendar(name="x", events=[event(start=start, end=start + timedelta(hours=1))], stamp=STAMP)
    assert "DTSTART:20261015T150000Z" in text


def test_a_cancelled_event_says_so():
    parsed = parse_ical(render_calendar(name="x", events=[event(cancelled=True), event(uid="b")], stamp=STAMP))
    assert [e["STATUS"] for e in parsed.events] == ["CANCELLED", "CONFIRMED"]


def test_awkward_text_round_trips_through_a_strict_parser():
    summary = "QBR: Müller, Smith; Partners \\ Co — a very long name that surely needs folding over more lines 日本"
    description = "Line one, with a comma\nLine two; with a semicolon"
    text = render_calendar(name="Alpha, reviews", events=[event(summary=summary, description=description)], stamp=STAMP)
    parsed = parse_ical(text)
    assert parsed.calendar["X-WR-CALNAME"] == "Alpha, reviews"
    (only,) = parsed.events
    assert only["SUMMARY"] == summary
    assert only["DESCRIPTION"] == description


@pytest.mark.parametrize(
    "broken",
    [
        "BEGIN:VCALENDAR\nVERSION:2.0\nEND:VCALENDAR\n",  # bare LF
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:a\r\nEND:VCALENDAR\r\n",  # unclosed event
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nX-WR-CALNAME:a,b\r\nEND:VCALENDAR\r\n",  # unescaped comma
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nX-WR-CALNAME:" + "x" * 80 + "\r\nEND:VCALENDAR\r\n",  # long
    ],
)
def test_the_strict_parser_refuses_broken_text(broken):
    with pytest.raises(AssertionError):
        parse_ical(broken)
