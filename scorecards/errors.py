"""Errors of the scorecards app: each is a DomainError, shown to the user as is (API: {"detail", "code", "extra"})."""

from __future__ import annotations

from partnerhub.core.errors import DomainError, InvalidStateError, NotFoundError


class ImportInvalidError(DomainError):
    """An import has invalid rows (or cannot be read): nothing was written. ``extra["errors"]`` lists why."""

    default_code = "import_invalid"


class ImportKindUnknownError(NotFoundError):
    """No import kind has this name (a 404, like any unknown resource)."""

    default_code = "import_kind_unknown"


class ImportStateError(InvalidStateError):
    """The batch is not in a state that allows this (committing twice, remapping a committed batch…)."""

    default_code = "import_state"


class ImportRollbackRefusedError(InvalidStateError):
    """A later committed batch changed the same rows: roll that one back first."""

    default_code = "import_rollback_refused"


class ImportOptionsError(DomainError):
    """Import options (units, currency, value mapping, duplicates, new partners) that do not fit the import kind."""

    default_code = "import_options"


class ExchangeRateInvalidError(DomainError):
    """Bad exchange-rate input (a code that is not ISO 4217, a pair of one currency, a rate not above 0): nothing
    was written. ``extra["fields"]`` (one rate) or ``extra["rows"]`` (an import: {row index: {field: [reasons]}})."""

    default_code = "exchange_rate_invalid"
