"""Domain errors: every failure a service can report, with the HTTP status it maps to."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A rule of the domain refused the operation; the message is safe to show to the user."""

    http_status = 400
    default_code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.extra = extra or {}


class NotFoundError(DomainError):
    """Missing, or owned by another tenant or partner: the two cases are indistinguishable on purpose."""

    http_status = 404
    default_code = "not_found"


class PermissionDeniedError(DomainError):
    http_status = 403
    default_code = "permission_denied"


class InvalidStateError(DomainError):
    default_code = "invalid_state"


class CrossTenantReferenceError(DomainError):
    """A write named an object the active tenant does not own (answered 400, nothing written)."""

    default_code = "cross_tenant_reference"


class TenantScopeError(DomainError):
    """A tenant-owned query or write ran without (or against) the active tenant: a bug, so a 500."""

    http_status = 500
    default_code = "tenant_scope"


class NotificationNotYoursError(DomainError):
    """A read-mark named a notification that is not one of the member's own (or does not exist)."""

    default_code = "unknown_notification"
