"""Recognition's domain errors, each with the HTTP status it maps to (``partnerhub.core.errors``)."""

from __future__ import annotations

from partnerhub.core.errors import DomainError, InvalidStateError


class FrameworkInvalidError(DomainError):
    """The criteria of a framework draft break a rule; ``extra["problems"]`` lists every problem found, and
    ``extra["fields"]`` names the fields concerned. Nothing was written."""

    default_code = "invalid_framework"

    def __init__(self, problems: list[str], fields: dict[str, list[str]] | None = None) -> None:
        message = "The tier criteria have problems: " + " ".join(problems)
        super().__init__(message, extra={"problems": problems, "fields": fields or {"criteria": problems}})
        self.problems = problems


class FrameworkNotDraftError(InvalidStateError):
    """A published framework version is never edited: a change is a new draft."""

    default_code = "framework_not_draft"


class NoFrameworkError(InvalidStateError):
    """No published tier framework is in force for the quarter asked about."""

    default_code = "no_framework"


class TierInvalidError(DomainError):
    """A tier's fields break a rule (``extra["fields"]``); nothing was written."""

    default_code = "invalid_tier"


class RecommendationDecidedError(InvalidStateError):
    """The recommendation was already approved, rejected or superseded: a second decision is refused."""

    default_code = "already_decided"


class DecisionInvalidError(DomainError):
    """A decision breaks a rule: a rejection without a reason, approving one's own exception, an exception decided by
    someone other than an executive, a stale recommendation. Nothing was written."""

    default_code = "invalid_decision"


class NominationInvalidError(DomainError):
    """A nomination or award decision breaks a rule (``extra["fields"]``); nothing was written."""

    default_code = "invalid_nomination"


class AwardCategoryInvalidError(DomainError):
    default_code = "invalid_award_category"


# --- Investments ---


class InvestmentInputError(DomainError):
    """Bad input to an investment write; ``extra["fields"]`` names each field and why. Nothing was written."""

    default_code = "invalid"

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message, extra={"fields": fields or {}})


class CurrencyMismatchError(DomainError):
    """An amount in another currency than the budget's (or the request's) it belongs to."""

    default_code = "currency_mismatch"


class OverAllocationError(DomainError):
    """Allocations would add up to more than their budget (or a request to more than its allocation leaves)."""

    default_code = "over_allocation"


class BudgetBelowAllocationsError(DomainError):
    """A budget cannot shrink below what is already allocated from it."""

    default_code = "budget_below_allocations"


class AllocationBelowCommitmentsError(DomainError):
    """An allocation cannot drop below what approved and pending requests already take from it."""

    default_code = "allocation_below_commitments"


class FundStateError(InvalidStateError):
    """The request or claim is not in a status that allows this step."""

    default_code = "fund_state"


class ClaimAboveApprovedError(DomainError):
    """A claim for more than the approved request leaves unclaimed."""

    default_code = "claim_above_approved"


class ClaimDeadlinePassedError(InvalidStateError):
    """The claim deadline of the request has passed: claims are no longer accepted."""

    default_code = "claim_deadline_passed"


class ProofFileRefusedError(DomainError):
    """A proof file of a type we do not accept, or over the size limit."""

    default_code = "proof_file_refused"
