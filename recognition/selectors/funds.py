"""Reads of fund requests, claims, their proofs and status history: the program's queues, and a partner user's own.

A partner user reads only their own company's requests and claims (anyone else's is a NotFoundError, as if it did
not exist); the program's people read every one. Each list is one query, whatever its length.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from partnerhub.core.errors import NotFoundError
from partnerhub.core.models import Membership, Role, Tenant
from recognition.models import Allocation, Claim, FundRequest, FundTransition, ProofFile
from recognition.selectors.budgets import COUNTED_CLAIM, Figures, allocation_list_for_partner, figures_of


def _partner_filter(actor: Membership | None) -> int | None:
    """The partner a partner user is confined to (None: the program's people see every partner)."""
    if actor is not None and actor.role == Role.PARTNER:
        return actor.partner_id or -1
    return None


def fund_request_list(
    *,
    tenant: Tenant,
    actor: Membership | None = None,
    status: str = "",
    partner_id: int | None = None,
    budget_id: int | None = None,
) -> QuerySet[FundRequest]:
    """Requests, newest first, with partner, budget and people joined (one query); a partner user's own only."""
    qs = FundRequest.objects.for_tenant(tenant)
    own = _partner_filter(actor)
    if own is not None:
        qs = qs.filter(partner_id=own)
    if status:
        qs = qs.filter(status=status)
    if partner_id is not None:
        qs = qs.filter(partner_id=partner_id)
    if budget_id is not None:
        qs = qs.filter(allocation__budget_id=budget_id)
    return qs.select_related("partner__owner", "allocation__budget", "submitted_by__user", "decided_by__user").order_by(
        "-created_at", "-id"
    )


def fund_request_get(*, tenant: Tenant, request_id: int, actor: Membership | None = None) -> FundRequest:
    """One request (NotFoundError for a missing one, another program's, or another partner's for a partner user)."""
    found = fund_request_list(tenant=tenant, actor=actor).filter(pk=request_id).first()
    if found is None:
        raise NotFoundError("Fund request not found.")
    return found


def claim_list(
    *, tenant: Tenant, actor: Membership | None = None, status: str = "", partner_id: int | None = None
) -> QuerySet[Claim]:
    """Claims, newest first, with request, partner and people joined, and their proofs (two queries)."""
    qs = Claim.objects.for_tenant(tenant)
    own = _partner_filter(actor)
    if own is not None:
        qs = qs.filter(partner_id=own)
    if status:
        qs = qs.filter(status=status)
    if partner_id is not None:
        qs = qs.filter(partner_id=partner_id)
    proofs = ProofFile.objects.for_tenant(tenant).order_by("created_at", "id")
    return (
        qs.select_related("request__allocation__budget", "partner__owner", "submitted_by__user", "decided_by__user")
        .prefetch_related(Prefetch("proofs", queryset=proofs))
        .order_by("-created_at", "-id")
    )


def claim_get(*, tenant: Tenant, claim_id: int, actor: Membership | None = None) -> Claim:
    """One claim (NotFoundError for a missing one, another program's, or another partner's for a partner user)."""
    found = claim_list(tenant=tenant, actor=actor).filter(pk=claim_id).first()
    if found is None:
        raise NotFoundError("Claim not found.")
    return found


def proof_get(*, tenant: Tenant, claim: Claim, proof_id: int) -> ProofFile:
    """One proof file of ``claim`` (NotFoundError for any other; ``claim`` was fetched for the actor)."""
    proof = ProofFile.objects.for_tenant(tenant).filter(claim=claim, pk=proof_id).first()
    if proof is None:
        raise NotFoundError("File not found.")
    return proof


def fund_transitions(*, tenant: Tenant, request: FundRequest) -> QuerySet[FundTransition]:
    """The status history of a request and its claims, oldest first (one query)."""
    return (
        FundTransition.objects.for_tenant(tenant)
        .filter(request=request)
        .select_related("actor__user")
        .order_by("created_at", "id")
    )


def claimed_on_request(*, tenant: Tenant, request: FundRequest, excluding: int | None = None) -> Decimal:
    """What the request's claims not rejected already claim (one query)."""
    qs = Claim.objects.for_tenant(tenant).filter(request=request, status__in=COUNTED_CLAIM)
    if excluding is not None:
        qs = qs.exclude(pk=excluding)
    return sum(qs.values_list("amount", flat=True), Decimal(0))


@dataclass(frozen=True)
class PortalFunds:
    """A partner's funds as the portal shows them: allocations with their figures, requests, claims, deadlines."""

    allocations: list[tuple[Allocation, Figures]]
    requests: list[FundRequest]
    claims: list[Claim]
    deadlines: list[FundRequest]  # approved requests not yet fully claimed, soonest deadline first


def portal_funds(*, tenant: Tenant, actor: Membership, today: date) -> PortalFunds:
    """The partner user's own company's funds (four queries, whatever their number)."""
    partner_id = _partner_filter(actor) or -1
    allocations = [(a, figures_of(a)) for a in allocation_list_for_partner(tenant=tenant, partner_id=partner_id)]
    requests = list(fund_request_list(tenant=tenant, actor=actor))
    claims = list(claim_list(tenant=tenant, actor=actor))
    claimed: dict[int, Decimal] = {}
    for claim in claims:
        if claim.status in COUNTED_CLAIM:
            claimed[claim.request_id] = claimed.get(claim.request_id, Decimal(0)) + claim.amount
    deadlines = sorted(
        (
            r
            for r in requests
            if r.status == FundRequest.Status.APPROVED
            and r.claim_deadline is not None
            and r.claim_deadline >= today
            and claimed.get(r.pk, Decimal(0)) < (r.approved_amount or Decimal(0))
        ),
        key=lambda r: (r.claim_deadline, r.pk),
    )
    return PortalFunds(allocations=allocations, requests=requests, claims=claims, deadlines=deadlines)
