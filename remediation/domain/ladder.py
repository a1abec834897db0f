"""The escalation ladder: owner, then sponsor, then executive, one rung at a time on the program's schedule.

A missed checkpoint starts the clock the day it is first found missed; an action, the day its grace period after
the due date ends. Rung 1 (the owner) is due on the clock's first day, rung 2 (the sponsor) ``sponsor_after`` days
later, rung 3 (the executive) ``executive_after`` days later. A run climbs at most one rung per item, even when it
runs late (a ladder skipped for a week reaches the sponsor, and the executive on a later day): nobody is told of a
problem by the executive before the owner has been. A met checkpoint, a waived one, a done or dropped action, or a
plan no longer active stops the climb (the caller does not ask).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

OWNER: Final = 1
SPONSOR: Final = 2
EXECUTIVE: Final = 3
RUNG_NAMES: Final = {OWNER: "owner", SPONSOR: "sponsor", EXECUTIVE: "executive"}


@dataclass(frozen=True)
class Ladder:
    sponsor_after: int
    executive_after: int
    action_grace: int

    def rung_day(self, started: date, rung: int) -> date:
        """The day ``rung`` is reached for an item whose clock started on ``started``."""
        return started + timedelta(days={OWNER: 0, SPONSOR: self.sponsor_after, EXECUTIVE: self.executive_after}[rung])

    def action_clock(self, due_date: date) -> date:
        """The day an overdue action's clock starts: the day after its grace period."""
        return due_date + timedelta(days=self.action_grace + 1)


def next_rung(ladder: Ladder, *, started: date, climbed: int, today: date) -> int | None:
    """The rung to climb today for an item whose clock started on ``started`` and that has climbed ``climbed`` rungs
    (0: none), or None when the next rung is not due yet or the ladder's top was reached."""
    rung = climbed + 1
    if rung > EXECUTIVE or today < started:
        return None
    return rung if today >= ladder.rung_day(started, rung) else None
