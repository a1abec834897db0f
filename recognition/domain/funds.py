"""The life cycle of fund requests and claims: which step each status allows, and the claim deadline. Pure."""

from __future__ import annotations

from datetime import date, timedelta

REQUEST_DECISIONS = ("approve", "reject", "ask_info")
CLAIM_DECISIONS = ("approve", "partly_approve", "reject")

# request status -> the decisions a manager may take on it
REQUEST_STEPS: dict[str, tuple[str, ...]] = {
    "submitted": ("approve", "reject", "ask_info"),
    "info_requested": ("reject",),  # waiting for the partner; they answer, and it is submitted again
}
CLAIM_STEPS: dict[str, tuple[str, ...]] = {
    "submitted": ("approve", "partly_approve", "reject"),
}
PAYABLE_CLAIM = ("approved", "partly_approved")
REMINDER_DAYS = 14  # a claim deadline within this many days, nothing claimed yet: one reminder


def claim_deadline(planned_end: date, claim_days: int) -> date:
    """The last day a claim is accepted: ``claim_days`` after the funded activity ends."""
    return planned_end + timedelta(days=claim_days)


def days_left(deadline: date, today: date) -> int:
    return (deadline - today).days


def deadline_phrase(deadline: date, today: date) -> str:
    left = days_left(deadline, today)
    if left < 0:
        return f"lapsed on {deadline:%d %b %Y}"
    if left == 0:
        return "due today"
    return f"due in {left} day{'s' if left != 1 else ''} ({deadline:%d %b %Y})"
