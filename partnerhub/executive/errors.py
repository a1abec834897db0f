"""Errors of the executive layer."""

from __future__ import annotations

from partnerhub.core.errors import DomainError


class DashboardFilterError(DomainError):
    """A dashboard filter or period the program does not have (a value that does not exist, a period in the future)."""

    default_code = "invalid_dashboard_filter"
