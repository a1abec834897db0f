"""The review cadence's domain errors, each with the HTTP status it maps to (``partnerhub.core.errors``)."""

from __future__ import annotations

from partnerhub.core.errors import DomainError, InvalidStateError


class CadenceInvalidError(DomainError):
    """A cadence's settings break a rule; ``extra["fields"]`` names each field with its messages."""

    default_code = "invalid_cadence"

    def __init__(self, fields: dict[str, list[str]]) -> None:
        first = next(iter(fields.values()))[0]
        super().__init__(first, extra={"fields": fields})


class InvalidInputError(DomainError):
    """Bad input to a review write (a 400 with ``extra["fields"]``); nothing was written."""

    default_code = "invalid"


class ReviewLockedError(InvalidStateError):
    """The review was held, signed off or cancelled: what the partner submitted before is now the record."""

    default_code = "review_locked"


class SelfAssessmentInvalidError(DomainError):
    """An empty or over-long self-assessment; ``extra["fields"]`` says which field and why."""

    default_code = "self_assessment_invalid"


class ActionStatusInvalidError(DomainError):
    default_code = "action_status_invalid"


class AgendaInvalidError(DomainError):
    """The agenda text (or JSON) breaks a rule; ``extra["fields"]["agenda"]`` lists every problem found."""

    default_code = "invalid_agenda"

    def __init__(self, problems: list[str]) -> None:
        super().__init__("The agenda has problems: " + " ".join(problems), extra={"fields": {"agenda": problems}})
        self.problems = problems


class ForecastNotAskedError(InvalidStateError):
    """The review's cadence does not ask for a pipeline forecast."""

    default_code = "forecast_not_asked"


class ForecastInvalidError(DomainError):
    """One or more lines are invalid: nothing was written. ``extra["lines"]`` is {line index: {field: [reasons]}}."""

    default_code = "forecast_invalid"
