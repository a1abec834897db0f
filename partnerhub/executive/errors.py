"""Errors of the executive layer."""

from __future__ import annotations

from partnerhub.core.errors import DomainError


class DashboardFilterError(DomainError):
    """A dashboard filter or period the program does not have (a value that does not exist, a period in the future)."""

    default_code = "invalid_dashboard_filter"


class MemoQuarterOpenError(DomainError):
    """A memo was asked for a quarter whose scorecards are not complete yet (or that has not begun)."""

    default_code = "memo_quarter_open"


class MemoFrozenError(DomainError):
    """A published memo version was to be edited or published again: it stays as it was."""

    default_code = "memo_frozen"


class MemoLineError(DomainError):
    """An edit named a line the memo does not have."""

    default_code = "memo_unknown_line"


class UnsubscribeLinkError(DomainError):
    """An unsubscribe link that was altered, or that belongs to another program (the two look the same)."""

    http_status = 404
    default_code = "invalid_unsubscribe_link"


class ConcernError(DomainError):
    """A concern (or a reply) that cannot be written as asked: empty, or naming a partner of another program."""

    default_code = "invalid_concern"


class FeedbackError(DomainError):
    """Feedback that cannot be taken: the review is not signed off, or this member answered already."""

    default_code = "invalid_feedback"


class ChangeNoticeError(DomainError):
    """A change notice that cannot be written or published as asked (what is missing is said)."""

    default_code = "invalid_change_notice"


class FrameworkReviewError(DomainError):
    """A framework review step that cannot be taken as asked."""

    default_code = "invalid_framework_review"
