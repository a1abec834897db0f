"""A strict RFC 5545 reader for the feed tests (kept with its own tests; the format tests import it).

Strict on what our feed must get right: CRLF only, no physical line over 75 octets, well-formed content lines,
balanced BEGIN/END, only known escapes in TEXT values and no bare comma or semicolon in them, UTC date-times,
and the required properties of a VCALENDAR and of each VEVENT.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest

NAME = re.compile(r"^[A-Z][A-Z0-9-]*$")
UTC_TIME = re.compile(r"^\d{8}T\d{6}Z$")
TEXT_PROPS = {"SUMMARY", "DESCRIPTION", "X-WR-CALNAME", "LOCATION"}
TIME_PROPS = {"DTSTAMP", "DTSTART", "DTEND", "CREATED", "LAST-MODIFIED"}
ESCAPES = {"\\": "\\", ";": ";", ",": ",", "n": "\n", "N": "\n"}


@dataclass
class Parsed:
    calendar: dict[str, str] = field(default_factory=dict)
    events: list[dict[str, str]] = field(default_factory=list)


def unfold(physical: list[str]) -> list[str]:
    logical: list[str] = []
    for line in physical:
        if line.startswith((" ", "\t")):
            assert logical, "a continuation line with nothing to continue"
            logical[-1] += line[1:]
        else:
            logical.append(line)
    return logical


def unescape(value: str) -> str:
    out, chars = [], iter(value)
    for char in chars:
        assert char not in ",;", f"unescaped {char!r} in a TEXT value: {value!r}"
        if char == "\\":
            nxt = next(chars, "")
            assert nxt in ESCAPES, f"unknown escape \\{nxt} in {value!r}"
            out.append(ESCAPES[nxt])
        else:
            out.append(char)
    return "".join(out)


def parse_ical(text: str) -> Parsed:
    assert text.endswith("\r\n"), "the text must end with CRLF"
    physical = text[:-2].split("\r\n")
    for line in physical:
        assert "\r" not in line, f"a bare CR in {line!r}"
        assert "\n" not in line, f"a bare LF in {line!r}"
        assert len(line.encode()) <= 75, f"a line over 75 octets: {line!r}"
    parsed, stack = Parsed(), []
    for line in unfold(physical):
        head, sep, value = line.partition(":")
        assert sep, f"no colon in {line!r}"
        name = head.split(";")[0]
        assert NAME.match(name), f"a bad property name in {line!r}"
        if name == "BEGIN":
            stack.append(value)
            if value == "VEVENT":
                parsed.events.append({})
            continue
        if name == "END":
            assert stack, f"END:{value} with nothing open"
            assert stack.pop() == value, f"END:{value} does not close what was opened"
            continue
        assert stack, f"{name} outside VCALENDAR"
        target = parsed.events[-1] if stack[-1] == "VEVENT" else parsed.calendar
        assert name not in target, f"{name} twice"
        if name in TIME_PROPS:
            assert UTC_TIME.match(value), f"{name} is not a UTC date-time: {value!r}"
        target[name] = unescape(value) if name in TEXT_PROPS else value
    assert stack == [], f"not closed: {stack}"
    assert {"VERSION", "PRODID"} <= set(parsed.calendar), "VERSION and PRODID are required"
    assert parsed.calendar["VERSION"] == "2.0"
    for event in parsed.events:
        assert {"UID", "DTSTAMP", "DTSTART"} <= set(event), f"an event lacks UID/DTSTAMP/DTSTART: {event}"
        assert event.get("DTEND", "~") > event["DTSTART"]
    return parsed


def test_the_parser_unfolds_and_unescapes():
    text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nX-WR-CALNAME:a\\, b\\;\r\n  c\\nd\r\nEND:VCALENDAR\r\n"
    assert parse_ical(text).calendar["X-WR-CALNAME"] == "a, b; c\nd"


def test_the_parser_wants_the_required_event_properties():
    text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:a\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    with pytest.raises(AssertionError):
        parse_ical(text)
