"""Remediation's domain errors, each with the HTTP status it maps to (``partnerhub.core.errors``)."""

from __future__ import annotations

from partnerhub.core.errors import DomainError, InvalidStateError


class RemediationInputError(DomainError):
    """Bad input to a remediation write (a 400 naming the field in ``extra["fields"]``); nothing was written."""

    default_code = "invalid"

    def __init__(self, field: str, message: str, *, code: str | None = None) -> None:
        super().__init__(message, code=code, extra={"fields": {field: [message]}})
        self.field = field


class PlanStateError(InvalidStateError):
    """The plan's state refuses the move or the write (a closed plan is the record; a draft is not yet shared)."""

    default_code = "plan_state"


class PlanAlreadyOpenError(InvalidStateError):
    """The partner already has an open plan (draft or active): one at a time."""

    default_code = "plan_already_open"
