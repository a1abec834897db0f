"""Writes of fund requests and claims, from the partner's request to the payment.

- A partner user requests funds from their own company's allocation (the portal); a manager or admin may file one
  for any partner (``investments.record``). A request asks at most what the allocation has left.
- The partner's owner manager (or an admin) approves it, possibly for less, rejects it with a reason, or asks for
  more information; the partner answers and it is submitted again. Approving sets the claim deadline (the activity's
  end + the budget's claim days) and records the MDF investment.
- Against an approved request the partner claims what it spent (never more than the approved amount still
  unclaimed, never after the deadline) with proof files; the manager approves, partly approves (with a reason) or
  rejects it (with a reason); an admin marks it paid.

Every step writes a FundTransition (the status history) and is audited; every refusal raises a DomainError with a
clear message and writes nothing (files included: they are checked before anything is stored).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from partnerhub.core.domain.numbers import format_money, format_number
from partnerhub.core.errors import NotFoundError, PermissionDeniedError
from partnerhub.core.models import Membership, Role, Tenant
from partnerhub.core.rules import can, ensure_can
from partnerhub.core.services.program import ensure_same_tenant
from recognition.domain import funds as rules
from recognition.domain.proofs import ACCEPTED_LABEL, ProofType, sniff
from recognition.errors import (
    ClaimAboveApprovedError,
    ClaimDeadlinePassedError,
    CurrencyMismatchError,
    FundStateError,
    InvestmentInputError,
    OverAllocationError,
    ProofFileRefusedError,
)
from recognition.models import ActivityType, Allocation, Claim, FundRequest, FundTransition, Investment, ProofFile
from recognition.selectors.budgets import OPEN_REQUEST
from recognition.selectors.funds import claimed_on_request
from recognition.services.budgets import _code, _money

MAX_PROOFS = 10
TEXT_MAX = 5000


@dataclass(frozen=True)
class UploadedProof:
    """A file as received: its name as the user gave it, and its bytes (read by the view, checked here)."""

    name: str
    content: bytes
    size: int | None = None  # the whole file's size when ``content`` was read only in part (too large)


def _transition(
    tenant: Tenant,
    actor: Membership,
    request: FundRequest,
    from_status: str,
    to_status: str,
    *,
    claim: Claim | None = None,
    amount: Decimal | None = None,
    note: str = "",
) -> None:
    FundTransition.objects.create(
        tenant=tenant,
        request=request,
        claim=claim,
        from_status=from_status,
        to_status=to_status,
        amount=amount,
        note=note,
        actor=actor,
    )


def _ensure_may_act_for(actor: Membership, partner_id: int) -> None:
    """A partner user acts for their own company only (another's: as if it did not exist); the program's people
    need ``investments.record``."""
    if actor.role == Role.PARTNER:
        if actor.partner_id != partner_id:
            raise NotFoundError("Not found.")
        return
    ensure_can(actor, "investments.record")


def _ensure_decider(actor: Membership, obj: FundRequest | Claim) -> None:
    if actor.role == Role.PARTNER:
        raise PermissionDeniedError("Only the program's managers decide on funds.")
    ensure_can(actor, "investments.decide", obj)


def _text(value: object, field: str, *, required: bool = False, limit: int = TEXT_MAX) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise InvestmentInputError(f"Please fill in the {field.replace('_', ' ')}.", fields={field: ["Required."]})
    if len(text) > limit:
        raise InvestmentInputError(f"Keep it under {limit:,} characters.", fields={field: [f"At most {limit:,}."]})
    return text


def _date(value: object, field: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise InvestmentInputError("Enter a date such as 2026-03-31.", fields={field: ["A date."]}) from exc


def _lock_allocation(tenant: Tenant, allocation: Allocation) -> Allocation:
    # for_tenant() filters and RLS confines the lock to this tenant's row; of=self locks no joined row.
    return (
        Allocation.objects.for_tenant(tenant)
        .select_for_update(of=("self",))
        .select_related("budget")
        .get(pk=allocation.pk)
    )


def _taken(tenant: Tenant, allocation: Allocation, *, excluding: int | None = None) -> Decimal:
    """What approved and open requests take from an allocation (one request left out when given)."""
    requests = FundRequest.objects.for_tenant(tenant).filter(allocation=allocation)
    if excluding is not None:
        requests = requests.exclude(pk=excluding)
    approved = requests.filter(status=FundRequest.Status.APPROVED).aggregate(t=Sum("approved_amount"))["t"]
    pending = requests.filter(status__in=OPEN_REQUEST).aggregate(t=Sum("requested_amount"))["t"]
    return (approved or Decimal(0)) + (pending or Decimal(0))


def _request_fields(data: Mapping[str, Any], currency: str) -> dict[str, Any]:
    activity_type = str(data.get("activity_type") or "")
    if activity_type not in ActivityType.values:
        raise InvestmentInputError("Choose the kind of activity.", fields={"activity_type": ["Choose one."]})
    start, end = _date(data.get("planned_start"), "planned_start"), _date(data.get("planned_end"), "planned_end")
    if end < start:
        raise InvestmentInputError("The activity ends before it starts.", fields={"planned_end": ["After the start."]})
    given = data.get("currency")
    if given not in (None, "") and _code(given) != currency:
        raise CurrencyMismatchError(
            f"This allocation is in {currency}: ask in {currency}, not {_code(given)}.",
            extra={"fields": {"currency": [f"The allocation's currency, {currency}."]}},
        )
    try:
        leads = int(str(data.get("expected_leads") or 0))
    except ValueError:
        leads = -1
    if not 0 <= leads <= 10_000_000:
        raise InvestmentInputError("Expected leads: a whole number, 0 or more.", fields={"expected_leads": ["≥ 0"]})
    return {
        "activity_type": activity_type,
        "title": _text(data.get("title"), "title", required=True, limit=200),
        "description": _text(data.get("description"), "description"),
        "planned_start": start,
        "planned_end": end,
        "requested_amount": _money(data.get("requested_amount"), "requested_amount"),
        "expected_leads": leads,
        "expected_pipeline": _money(data.get("expected_pipeline") or 0, "expected_pipeline", allow_zero=True),
    }


@transaction.atomic
def fund_request_submit(
    *, tenant: Tenant, actor: Membership, allocation: Allocation, data: Mapping[str, Any]
) -> FundRequest:
    """File a request against an allocation (its partner's users, or a manager or admin on their behalf).

    Raises NotFoundError for another partner's allocation (partner users), PermissionDeniedError for an executive,
    InvestmentInputError / CurrencyMismatchError on bad input, OverAllocationError above what the allocation has left.
    """
    ensure_same_tenant(tenant, actor, allocation)
    _ensure_may_act_for(actor, allocation.partner_id)
    locked = _lock_allocation(tenant, allocation)
    fields = _request_fields(data, locked.currency)
    room = locked.amount - _taken(tenant, locked)
    if fields["requested_amount"] > room:
        raise OverAllocationError(
            f"Only {format_money(room, locked.currency)} of this allocation is left to request.",
            extra={"fields": {"requested_amount": [f"At most {format_number(room)}."]}, "available": str(room)},
        )
    request = FundRequest.objects.create(
        tenant=tenant,
        allocation=locked,
        partner_id=locked.partner_id,
        currency=locked.currency,
        submitted_by=actor,
        **fields,
    )
    _transition(tenant, actor, request, "", request.status, amount=request.requested_amount)
    return request


def _lock_request(tenant: Tenant, request: FundRequest) -> FundRequest:
    # for_tenant() filters and RLS confines the lock to this tenant's row; of=self locks no joined row.
    return (
        FundRequest.objects.for_tenant(tenant)
        .select_for_update(of=("self",))
        .select_related("allocation__budget", "partner")
        .get(pk=request.pk)
    )


@transaction.atomic
def fund_request_answer(
    *, tenant: Tenant, actor: Membership, request: FundRequest, data: Mapping[str, Any]
) -> FundRequest:
    """Answer a request for more information: the request, changed as the partner says, is submitted again."""
    ensure_same_tenant(tenant, actor, request)
    _ensure_may_act_for(actor, request.partner_id)
    locked = _lock_request(tenant, request)
    if locked.status != FundRequest.Status.INFO_REQUESTED:
        raise FundStateError("Only a request waiting for more information can be changed.")
    allocation = _lock_allocation(tenant, locked.allocation)
    fields = _request_fields(data, allocation.currency)
    room = allocation.amount - _taken(tenant, allocation, excluding=locked.pk)
    if fields["requested_amount"] > room:
        raise OverAllocationError(
            f"Only {format_money(room, allocation.currency)} of this allocation is left to request."
        )
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.status = FundRequest.Status.SUBMITTED
    locked.save(update_fields=[*fields, "status", "updated_at"])
    note = _text(data.get("answer"), "answer")
    _transition(tenant, actor, locked, FundRequest.Status.INFO_REQUESTED, locked.status, note=note)
    return locked


@transaction.atomic
def fund_request_decide(
    *,
    tenant: Tenant,
    actor: Membership,
    request: FundRequest,
    decision: str,
    amount: object = None,
    note: str = "",
) -> FundRequest:
    """Approve (for the amount asked, or less), reject (with a reason) or ask for more information (saying what).

    Raises PermissionDeniedError for a partner user or another manager's partner, FundStateError when the request's
    status does not allow the decision, InvestmentInputError for a missing reason or an amount above the one asked,
    OverAllocationError when the allocation no longer covers it.
    """
    ensure_same_tenant(tenant, actor, request)
    _ensure_decider(actor, request)
    locked = _lock_request(tenant, request)
    if decision not in rules.REQUEST_STEPS.get(locked.status, ()):
        raise FundStateError(
            f"A request that is {locked.get_status_display().lower()} cannot be "
            f"{ {'approve': 'approved', 'reject': 'rejected', 'ask_info': 'sent back'}.get(decision, 'changed') }."
        )
    note = _text(note, "note", required=decision in ("reject", "ask_info"))
    previous = locked.status
    if decision == "approve":
        approved = locked.requested_amount if amount in (None, "") else _money(amount, "amount")
        if approved > locked.requested_amount:
            raise InvestmentInputError(
                f"Approve at most the {format_money(locked.requested_amount, locked.currency)} asked.",
                fields={"amount": [f"At most {format_number(locked.requested_amount)}."]},
            )
        allocation = _lock_allocation(tenant, locked.allocation)
        room = allocation.amount - _taken(tenant, allocation, excluding=locked.pk)
        if approved > room:
            raise OverAllocationError(
                f"The allocation has {format_money(room, allocation.currency)} left: approve at most that.",
                extra={"fields": {"amount": [f"At most {format_number(room)}."]}},
            )
        locked.status = FundRequest.Status.APPROVED
        locked.approved_amount = approved
        locked.claim_deadline = rules.claim_deadline(locked.planned_end, allocation.budget.claim_days)
    elif decision == "reject":
        locked.status = FundRequest.Status.REJECTED
    else:
        locked.status = FundRequest.Status.INFO_REQUESTED
    locked.decision_note, locked.decided_by, locked.decided_at = note, actor, timezone.now()
    locked.save(
        update_fields=[
            "status",
            "approved_amount",
            "claim_deadline",
            "decision_note",
            "decided_by",
            "decided_at",
            "updated_at",
        ]
    )
    _transition(tenant, actor, locked, previous, locked.status, amount=locked.approved_amount, note=note)
    if locked.status == FundRequest.Status.APPROVED:
        _record_mdf_investment(tenant, actor, locked)
    return locked


def _record_mdf_investment(tenant: Tenant, actor: Membership, request: FundRequest) -> Investment:
    """The MDF investment of an approved request: its value is the approved amount until claims are paid."""
    assert request.approved_amount is not None  # noqa: S101 (approved)
    return Investment.objects.create(
        tenant=tenant,
        partner_id=request.partner_id,
        kind=Investment.Kind.MDF,
        category=request.activity_type,
        title=request.title,
        program=request.allocation.budget.name,
        value=request.approved_amount,
        currency=request.currency,
        starts_on=request.planned_start,
        ends_on=request.planned_end,
        fund_request=request,
        recorded_by=actor,
    )


@transaction.atomic
def fund_requests_bulk_decide(
    *, tenant: Tenant, actor: Membership, requests: Sequence[FundRequest], decision: str, note: str = ""
) -> int:
    """Take one decision on many requests (each at the amount asked): all of them, or none (the error names the
    request that failed)."""
    for request in requests:
        try:
            fund_request_decide(tenant=tenant, actor=actor, request=request, decision=decision, note=note)
        except (FundStateError, OverAllocationError, InvestmentInputError) as exc:
            raise type(exc)(f"“{request.title}”: {exc.message} Nothing was changed.") from exc
    return len(requests)


# --- claims ---


def _checked_proofs(files: Sequence[UploadedProof]) -> list[tuple[UploadedProof, ProofType]]:
    """Every file's type and size checked before anything is written (ProofFileRefusedError names the file)."""
    if len(files) > MAX_PROOFS:
        raise ProofFileRefusedError(f"Attach at most {MAX_PROOFS} files to a claim.")
    limit = int(settings.PROOF_MAX_BYTES)
    checked = []
    for upload in files:
        name = upload.name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200] or "file"
        size = max(upload.size or 0, len(upload.content))
        if size > limit:
            raise ProofFileRefusedError(
                f"“{name}” is {size / 1_048_576:.1f} MB: files may be at most {limit / 1_048_576:.0f} MB.",
                extra={"fields": {"proofs": [f"At most {limit / 1_048_576:.0f} MB each."]}},
            )
        kind = sniff(upload.content[:2048], name)
        if kind is None:
            raise ProofFileRefusedError(
                f"“{name}” is not a file we accept as proof: send a {ACCEPTED_LABEL} file (its name must end with "
                "its type's extension).",
                extra={"fields": {"proofs": [f"{ACCEPTED_LABEL} only."]}},
            )
        checked.append((UploadedProof(name=name, content=upload.content), kind))
    return checked


def _store_proofs(
    tenant: Tenant, actor: Membership, claim: Claim, checked: list[tuple[UploadedProof, ProofType]]
) -> list[ProofFile]:
    """Write the files under the tenant's folder, then their rows; a failure removes the files written so far.

    (A rollback of an outer transaction after this returns may leave a file no row names: never served, since only
    a row's path is.)
    """
    stored: list[ProofFile] = []
    try:
        for upload, kind in checked:
            proof = ProofFile(
                tenant=tenant,
                claim=claim,
                name=upload.name,
                content_type=kind.content_type,
                size=len(upload.content),
                sha256=hashlib.sha256(upload.content).hexdigest(),
                uploaded_by=actor,
            )
            # A random name with the checked type's extension; upload_to puts it in the tenant's and claim's folder.
            proof.file.save(f"{secrets.token_hex(16)}{kind.extensions[0]}", ContentFile(upload.content), save=False)
            stored.append(proof)
            proof.save()
    except Exception:
        for proof in stored:
            proof.file.delete(save=False)
        raise
    return stored


@transaction.atomic
def claim_submit(
    *,
    tenant: Tenant,
    actor: Membership,
    request: FundRequest,
    data: Mapping[str, Any],
    files: Sequence[UploadedProof],
    today: date | None = None,
) -> Claim:
    """Claim what an approved request's activity cost, with its outcome and proof files (at least one).

    Raises NotFoundError for another partner's request (partner users), FundStateError unless the request is
    approved, ClaimDeadlinePassedError after its claim deadline, ClaimAboveApprovedError above the approved amount
    still unclaimed, CurrencyMismatchError in another currency, ProofFileRefusedError for a file of the wrong type
    or too large. Nothing is written (no row, no file) on any error.
    """
    ensure_same_tenant(tenant, actor, request)
    _ensure_may_act_for(actor, request.partner_id)
    today = today or timezone.localdate()
    locked = _lock_request(tenant, request)
    if locked.status != FundRequest.Status.APPROVED or locked.approved_amount is None:
        raise FundStateError("Only an approved request can be claimed.")
    assert locked.claim_deadline is not None  # noqa: S101 (approved: the CHECK requires it)
    if today > locked.claim_deadline:
        raise ClaimDeadlinePassedError(
            f"The claim deadline of “{locked.title}” was {locked.claim_deadline:%d %B %Y}: claims are closed.",
            extra={"deadline": locked.claim_deadline.isoformat()},
        )
    given = data.get("currency")
    if given not in (None, "") and _code(given) != locked.currency:
        raise CurrencyMismatchError(
            f"This request was approved in {locked.currency}: claim in {locked.currency}, not {_code(given)}.",
            extra={"fields": {"currency": [f"The request's currency, {locked.currency}."]}},
        )
    amount = _money(data.get("amount"), "amount")
    left = locked.approved_amount - claimed_on_request(tenant=tenant, request=locked)
    if amount > left:
        raise ClaimAboveApprovedError(
            f"{format_money(locked.approved_amount, locked.currency)} was approved and {format_number(left)} "
            "is left to claim: "
            f"claim at most that.",
            extra={"fields": {"amount": [f"At most {format_number(left)}."]}, "available": str(left)},
        )
    try:
        leads = int(str(data.get("leads_reported") or 0))
    except ValueError:
        leads = -1
    if not 0 <= leads <= 10_000_000:
        raise InvestmentInputError("Leads: a whole number, 0 or more.", fields={"leads_reported": ["≥ 0"]})
    if not files:
        raise ProofFileRefusedError(
            "Attach at least one proof of performance (an invoice, an attendee list, a screenshot).",
            extra={"fields": {"proofs": ["At least one file."]}},
        )
    checked = _checked_proofs(files)
    claim = Claim.objects.create(
        tenant=tenant,
        request=locked,
        partner_id=locked.partner_id,
        amount=amount,
        currency=locked.currency,
        leads_reported=leads,
        pipeline_reported=_money(data.get("pipeline_reported") or 0, "pipeline_reported", allow_zero=True),
        outcome=_text(data.get("outcome"), "outcome"),
        submitted_by=actor,
    )
    _store_proofs(tenant, actor, claim, checked)
    _transition(tenant, actor, locked, "", claim.status, claim=claim, amount=amount)
    return claim


def _lock_claim(tenant: Tenant, claim: Claim) -> Claim:
    # for_tenant() filters and RLS confines the lock to this tenant's row; of=self locks no joined row.
    return (
        Claim.objects.for_tenant(tenant)
        .select_for_update(of=("self",))
        .select_related("request__allocation__budget", "partner")
        .get(pk=claim.pk)
    )


@transaction.atomic
def claim_decide(
    *, tenant: Tenant, actor: Membership, claim: Claim, decision: str, amount: object = None, note: str = ""
) -> Claim:
    """Approve a claim (in full), partly approve it (a lower amount, with the reason) or reject it (with the reason).

    Raises PermissionDeniedError for a partner user or another manager's partner, FundStateError unless the claim is
    submitted, InvestmentInputError for a missing reason or a partial amount not below the claim.
    """
    ensure_same_tenant(tenant, actor, claim)
    _ensure_decider(actor, claim)
    locked = _lock_claim(tenant, claim)
    if decision not in rules.CLAIM_STEPS.get(locked.status, ()):
        raise FundStateError(f"A claim that is {locked.get_status_display().lower()} cannot be decided again.")
    note = _text(note, "note", required=decision in ("reject", "partly_approve"))
    previous = locked.status
    if decision == "approve":
        locked.status, locked.approved_amount = Claim.Status.APPROVED, locked.amount
    elif decision == "partly_approve":
        part = _money(amount, "amount")
        if part >= locked.amount:
            raise InvestmentInputError(
                f"A partial approval is below the {format_money(locked.amount, locked.currency)} claimed; "
                "approve the claim instead.",
                fields={"amount": [f"Below {format_number(locked.amount)}."]},
            )
        locked.status, locked.approved_amount = Claim.Status.PARTLY_APPROVED, part
    else:
        locked.status, locked.approved_amount = Claim.Status.REJECTED, None
    locked.decision_note, locked.decided_by, locked.decided_at = note, actor, timezone.now()
    locked.save(update_fields=["status", "approved_amount", "decision_note", "decided_by", "decided_at", "updated_at"])
    _transition(
        tenant, actor, locked.request, previous, locked.status, claim=locked, amount=locked.approved_amount, note=note
    )
    return locked


@transaction.atomic
def claims_bulk_decide(
    *, tenant: Tenant, actor: Membership, claims: Sequence[Claim], decision: str, note: str = ""
) -> int:
    """Approve (in full) or reject many claims at once: all of them, or none (the error names the claim)."""
    if decision not in ("approve", "reject"):
        raise InvestmentInputError("Many claims at once: approve or reject (partial approvals one by one).")
    for claim in claims:
        try:
            claim_decide(tenant=tenant, actor=actor, claim=claim, decision=decision, note=note)
        except (FundStateError, InvestmentInputError) as exc:
            raise type(exc)(f"Claim {claim.pk}: {exc.message} Nothing was changed.") from exc
    return len(claims)


@transaction.atomic
def claim_mark_paid(*, tenant: Tenant, actor: Membership, claim: Claim, reference: str = "") -> Claim:
    """Mark an approved (or partly approved) claim paid (admins); the request's MDF investment then carries what was
    actually paid. Raises FundStateError for a claim not approved, PermissionDeniedError for anyone but an admin."""
    ensure_same_tenant(tenant, actor, claim)
    ensure_can(actor, "investments.pay")
    locked = _lock_claim(tenant, claim)
    if locked.status not in rules.PAYABLE_CLAIM:
        raise FundStateError("Only an approved or partly approved claim can be paid.")
    previous = locked.status
    locked.status, locked.paid_at, locked.paid_by = Claim.Status.PAID, timezone.now(), actor
    locked.payment_reference = _text(reference, "reference", limit=100)
    locked.save(update_fields=["status", "paid_at", "paid_by", "payment_reference", "updated_at"])
    _transition(
        tenant,
        actor,
        locked.request,
        previous,
        locked.status,
        claim=locked,
        amount=locked.approved_amount,
        note=locked.payment_reference,
    )
    paid = Claim.objects.for_tenant(tenant).filter(request_id=locked.request_id, status=Claim.Status.PAID)
    total = paid.aggregate(total=Sum("approved_amount"))["total"] or Decimal(0)
    Investment.objects.for_tenant(tenant).filter(fund_request_id=locked.request_id).update(
        value=total, updated_at=timezone.now()
    )
    return locked


def may_decide(actor: Membership, obj: FundRequest | Claim) -> bool:
    """For pages: whether ``actor`` may decide on this request or claim."""
    return actor.role != Role.PARTNER and can(actor, "investments.decide", obj)
