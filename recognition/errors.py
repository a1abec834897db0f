"""Errors of the recognition app, each a DomainError shown to the user as is (API: {"detail", "code", "extra"})."""

from __future__ import annotations

from partnerhub.core.errors import DomainError, InvalidStateError

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
