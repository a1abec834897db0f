"""The program's side of funds: the request and claim queues (with bulk decisions), a request's page with its
claims, proofs and status history, each decision, the payment, and the proof files (served to whoever may see the
claim: the program's people and the claim's own partner, never anyone else).

Forms post to their own address and come back to the page: a redirect when saved, the page again with the reason
(400) when refused.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header

from partnerhub.core.errors import DomainError, NotFoundError, PermissionDeniedError
from partnerhub.core.http import TenantRequest
from partnerhub.core.rules import can
from partnerhub.core.views.program import tenant_view
from recognition.domain.funds import deadline_phrase
from recognition.forms.funds import BulkForm, ClaimDecisionForm, DecisionForm, NewFundRequestForm, PaymentForm
from recognition.models import Claim, FundRequest
from recognition.selectors.budgets import allocation_choices, allocation_get
from recognition.selectors.funds import (
    claim_get,
    claim_list,
    fund_request_get,
    fund_request_list,
    fund_transitions,
    proof_get,
)
from recognition.services.funds import (
    claim_decide,
    claim_mark_paid,
    claims_bulk_decide,
    fund_request_decide,
    fund_request_submit,
    fund_requests_bulk_decide,
    may_decide,
)

QUEUE_LIMIT = 200

logger = logging.getLogger(__name__)


def _url(request: TenantRequest, name: str, **kwargs: Any) -> str:
    return reverse(name, kwargs={"tenant_slug": request.tenant.slug, **kwargs})


def _reraise_hidden(exc: DomainError) -> None:
    if isinstance(exc, NotFoundError | PermissionDeniedError):
        raise exc


@tenant_view("investments.view")
def fund_request_queue_view(request: TenantRequest) -> HttpResponse:
    return _request_queue(request)


def _request_queue(request: TenantRequest, *, error: str = "", status: int = 200) -> HttpResponse:
    wanted = request.GET.get("status", FundRequest.Status.SUBMITTED)
    if wanted not in FundRequest.Status.values:
        wanted = ""
    rows = list(fund_request_list(tenant=request.tenant, status=wanted)[:QUEUE_LIMIT])
    context = {
        "rows": rows,
        "status": wanted,
        "statuses": FundRequest.Status.choices,
        "error": error,
        "can_decide": can(request.membership, "investments.decide"),
        "can_file": can(request.membership, "investments.record"),
        "limit": QUEUE_LIMIT,
    }
    return render(request, "recognition/fund_request_queue.html", context, status=status)


@tenant_view("investments.decide", methods=("POST",))
def fund_request_bulk_view(request: TenantRequest) -> HttpResponse:
    form = BulkForm(request.POST)
    if not form.is_valid() or not form.cleaned_data["ids"]:
        return _request_queue(request, error="Tick at least one request, and choose approve or reject.", status=400)
    tenant, actor = request.tenant, request.membership
    try:
        requests = [fund_request_get(tenant=tenant, request_id=pk) for pk in form.cleaned_data["ids"]]
    except NotFoundError:
        return _request_queue(
            request, error="A ticked request is not in this program. Nothing was changed.", status=400
        )
    try:
        count = fund_requests_bulk_decide(
            tenant=tenant,
            actor=actor,
            requests=requests,
            decision=form.cleaned_data["decision"],
            note=form.cleaned_data["note"],
        )
    except DomainError as exc:
        _reraise_hidden(exc)
        return _request_queue(request, error=exc.message, status=400)
    verb = "approved" if form.cleaned_data["decision"] == "approve" else "rejected"
    messages.success(request, f"{count} request{'s' if count != 1 else ''} {verb}.")
    return redirect(_url(request, "fund_request_queue"))


@tenant_view("investments.record", methods=("GET", "POST"))
def fund_request_create_view(request: TenantRequest) -> HttpResponse:
    """A manager or admin files a request for a partner, from one of its allocations."""
    tenant, actor = request.tenant, request.membership
    form = NewFundRequestForm(request.POST or None, allocations=allocation_choices(tenant=tenant))
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            allocation = allocation_get(tenant=tenant, allocation_id=form.cleaned_data["allocation"])
            created = fund_request_submit(tenant=tenant, actor=actor, allocation=allocation, data=form.cleaned_data)
        except NotFoundError:
            error = "Choose one of this program's allocations."
        except DomainError as exc:
            _reraise_hidden(exc)
            error = exc.message
        else:
            messages.success(request, f"Request “{created.title}” filed for {allocation.partner.name}.")
            return redirect(_url(request, "fund_request_detail", request_id=created.pk))
    status = 400 if request.method == "POST" else 200
    return render(request, "recognition/fund_request_form.html", {"form": form, "error": error}, status=status)


@tenant_view("investments.view")
def fund_request_detail_view(request: TenantRequest, request_id: int) -> HttpResponse:
    fund_request = fund_request_get(tenant=request.tenant, request_id=request_id)
    return _detail(request, fund_request)


def _detail(
    request: TenantRequest,
    fund_request: FundRequest,
    *,
    error: str = "",
    decision_form: DecisionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    tenant, actor = request.tenant, request.membership
    claims = list(claim_list(tenant=tenant).filter(request=fund_request))
    today = timezone.localdate()
    context = {
        "fund_request": fund_request,
        "claims": [
            (
                c,
                may_decide(actor, c),
                ClaimDecisionForm(auto_id=f"claim{c.pk}_%s"),
                PaymentForm(auto_id=f"pay{c.pk}_%s"),
            )
            for c in claims
        ],
        "transitions": list(fund_transitions(tenant=tenant, request=fund_request)),
        "can_decide": may_decide(actor, fund_request) and fund_request.status in ("submitted", "info_requested"),
        "can_pay": can(actor, "investments.pay"),
        "decision_form": decision_form or DecisionForm(initial={"amount": fund_request.requested_amount}),
        "deadline": deadline_phrase(fund_request.claim_deadline, today) if fund_request.claim_deadline else "",
        "error": error,
    }
    return render(request, "recognition/fund_request_detail.html", context, status=status)


@tenant_view("investments.decide", methods=("POST",))
def fund_request_decide_view(request: TenantRequest, request_id: int) -> HttpResponse:
    tenant, actor = request.tenant, request.membership
    fund_request = fund_request_get(tenant=tenant, request_id=request_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _detail(request, fund_request, error="Choose a decision.", decision_form=form, status=400)
    try:
        decided = fund_request_decide(
            tenant=tenant,
            actor=actor,
            request=fund_request,
            decision=form.cleaned_data["decision"],
            amount=form.cleaned_data["amount"],
            note=form.cleaned_data["note"],
        )
    except DomainError as exc:
        _reraise_hidden(exc)
        return _detail(request, fund_request, error=exc.message, decision_form=form, status=400)
    messages.success(request, f"“{decided.title}” is now {decided.get_status_display().lower()}.")
    return redirect(_url(request, "fund_request_detail", request_id=decided.pk))


@tenant_view("investments.view")
def claim_queue_view(request: TenantRequest) -> HttpResponse:
    return _claim_queue(request)


def _claim_queue(request: TenantRequest, *, error: str = "", status: int = 200) -> HttpResponse:
    wanted = request.GET.get("status", Claim.Status.SUBMITTED)
    if wanted not in Claim.Status.values:
        wanted = ""
    rows = list(claim_list(tenant=request.tenant, status=wanted)[:QUEUE_LIMIT])
    context = {
        "rows": rows,
        "status": wanted,
        "statuses": Claim.Status.choices,
        "error": error,
        "can_decide": can(request.membership, "investments.decide"),
        "limit": QUEUE_LIMIT,
    }
    return render(request, "recognition/claim_queue.html", context, status=status)


@tenant_view("investments.decide", methods=("POST",))
def claim_bulk_view(request: TenantRequest) -> HttpResponse:
    form = BulkForm(request.POST)
    if not form.is_valid() or not form.cleaned_data["ids"]:
        return _claim_queue(request, error="Tick at least one claim, and choose approve or reject.", status=400)
    tenant = request.tenant
    try:
        claims = [claim_get(tenant=tenant, claim_id=pk) for pk in form.cleaned_data["ids"]]
    except NotFoundError:
        return _claim_queue(request, error="A ticked claim is not in this program. Nothing was changed.", status=400)
    try:
        count = claims_bulk_decide(
            tenant=tenant,
            actor=request.membership,
            claims=claims,
            decision=form.cleaned_data["decision"],
            note=form.cleaned_data["note"],
        )
    except DomainError as exc:
        _reraise_hidden(exc)
        return _claim_queue(request, error=exc.message, status=400)
    verb = "approved" if form.cleaned_data["decision"] == "approve" else "rejected"
    messages.success(request, f"{count} claim{'s' if count != 1 else ''} {verb}.")
    return redirect(_url(request, "claim_queue"))


@tenant_view("investments.decide", methods=("POST",))
def claim_decide_view(request: TenantRequest, claim_id: int) -> HttpResponse:
    tenant = request.tenant
    claim = claim_get(tenant=tenant, claim_id=claim_id)
    form = ClaimDecisionForm(request.POST)
    if not form.is_valid():
        return _detail(request, claim.request, error="Choose a decision for the claim.", status=400)
    try:
        decided = claim_decide(
            tenant=tenant,
            actor=request.membership,
            claim=claim,
            decision=form.cleaned_data["decision"],
            amount=form.cleaned_data["amount"],
            note=form.cleaned_data["note"],
        )
    except DomainError as exc:
        _reraise_hidden(exc)
        return _detail(request, claim.request, error=exc.message, status=400)
    messages.success(request, f"Claim {decided.pk} is now {decided.get_status_display().lower()}.")
    return redirect(_url(request, "fund_request_detail", request_id=decided.request_id) + "#claims")


@tenant_view("investments.pay", methods=("POST",))
def claim_pay_view(request: TenantRequest, claim_id: int) -> HttpResponse:
    tenant = request.tenant
    claim = claim_get(tenant=tenant, claim_id=claim_id)
    form = PaymentForm(request.POST)
    reference = form.cleaned_data["reference"] if form.is_valid() else ""
    try:
        paid = claim_mark_paid(tenant=tenant, actor=request.membership, claim=claim, reference=reference)
    except DomainError as exc:
        _reraise_hidden(exc)
        return _detail(request, claim.request, error=exc.message, status=400)
    messages.success(request, f"Claim {paid.pk} is marked paid.")
    return redirect(_url(request, "fund_request_detail", request_id=paid.request_id) + "#claims")


@tenant_view("funds.read_proof")
def proof_download_view(request: TenantRequest, claim_id: int, proof_id: int) -> HttpResponse:
    """A claim's proof file, to the program's people and to the claim's own partner (anyone else: 404)."""
    claim = claim_get(tenant=request.tenant, claim_id=claim_id, actor=request.membership)
    proof = proof_get(tenant=request.tenant, claim=claim, proof_id=proof_id)
    try:
        with proof.file.open("rb") as handle:  # at most PROOF_MAX_BYTES: read whole
            content = handle.read()
    except FileNotFoundError:
        # The record outlived its file (storage restored from an older backup, a file removed by hand): say so
        # plainly, and leave a trace for the operator; the claim itself is untouched.
        logger.error(  # noqa: TRY400 -- the traceback says nothing the message does not
            "proof file missing from storage: claim %s, proof %s, %s", claim.pk, proof.pk, proof.file.name
        )
        raise Http404("This proof file is no longer in storage; ask the program's admin to restore it.") from None
    response = HttpResponse(content, content_type=proof.content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=proof.name) or ""
    response["Cache-Control"] = "private, no-store"
    return response
