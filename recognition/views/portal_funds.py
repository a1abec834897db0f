"""The partner's funds in the portal: their allocations (with what is left and unclaimed), their requests and claims,
the claim deadlines; requesting funds, answering a question, claiming with proof files. Partner users only
(``portal.funds``); another partner's request is a 404."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from partnerhub.core.errors import DomainError, NotFoundError, PermissionDeniedError
from partnerhub.core.http import TenantRequest
from partnerhub.core.views.program import tenant_view
from recognition.domain.funds import deadline_phrase
from recognition.domain.proofs import ACCEPTED_LABEL
from recognition.forms.funds import AnswerForm, ClaimForm, NewFundRequestForm
from recognition.models import FundRequest
from recognition.selectors.budgets import allocation_choices, allocation_get
from recognition.selectors.funds import claim_list, claimed_on_request, fund_request_get, fund_transitions, portal_funds
from recognition.services.funds import UploadedProof, claim_submit, fund_request_answer, fund_request_submit


def _url(request: TenantRequest, name: str, **kwargs: Any) -> str:
    return reverse(name, kwargs={"tenant_slug": request.tenant.slug, **kwargs})


def _reraise_hidden(exc: DomainError) -> None:
    if isinstance(exc, NotFoundError | PermissionDeniedError):
        raise exc


def _own_allocations(request: TenantRequest) -> list[tuple[int, str]]:
    return allocation_choices(tenant=request.tenant, partner_id=request.membership.partner_id or -1)


@tenant_view("portal.funds")
def portal_funds_view(request: TenantRequest) -> HttpResponse:
    return _funds(request)


def _funds(
    request: TenantRequest, *, form: NewFundRequestForm | None = None, error: str = "", status: int = 200
) -> HttpResponse:
    today = timezone.localdate()
    funds = portal_funds(tenant=request.tenant, actor=request.membership, today=today)
    context = {
        "funds": funds,
        "deadlines": [(r, deadline_phrase(r.claim_deadline, today)) for r in funds.deadlines if r.claim_deadline],
        "form": form or NewFundRequestForm(allocations=_own_allocations(request)),
        "error": error,
    }
    return render(request, "recognition/portal_funds.html", context, status=status)


@tenant_view("portal.funds", methods=("POST",))
def portal_fund_request_view(request: TenantRequest) -> HttpResponse:
    tenant, actor = request.tenant, request.membership
    form = NewFundRequestForm(request.POST, allocations=_own_allocations(request))
    if not form.is_valid():
        return _funds(request, form=form, error="Nothing was sent: correct the fields marked below.", status=400)
    try:
        allocation = allocation_get(tenant=tenant, allocation_id=form.cleaned_data["allocation"])
        created = fund_request_submit(tenant=tenant, actor=actor, allocation=allocation, data=form.cleaned_data)
    except NotFoundError:
        return _funds(request, form=form, error="Choose one of your own allocations.", status=400)
    except DomainError as exc:
        _reraise_hidden(exc)
        return _funds(request, form=form, error=exc.message, status=400)
    messages.success(request, f"Your request “{created.title}” is sent. You will hear back here and by e-mail.")
    return redirect(_url(request, "portal_fund_request_detail", request_id=created.pk))


@tenant_view("portal.funds")
def portal_fund_request_detail_view(request: TenantRequest, request_id: int) -> HttpResponse:
    fund_request = fund_request_get(tenant=request.tenant, request_id=request_id, actor=request.membership)
    return _detail(request, fund_request)


def _detail(
    request: TenantRequest,
    fund_request: FundRequest,
    *,
    claim_form: ClaimForm | None = None,
    answer_form: AnswerForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    tenant = request.tenant
    today = timezone.localdate()
    claims = list(claim_list(tenant=tenant, actor=request.membership).filter(request=fund_request))
    left = None
    if fund_request.status == FundRequest.Status.APPROVED and fund_request.approved_amount is not None:
        left = fund_request.approved_amount - claimed_on_request(tenant=tenant, request=fund_request)
    open_for_claims = (
        left is not None
        and left > 0
        and fund_request.claim_deadline is not None
        and today <= fund_request.claim_deadline
    )
    initial = {name: getattr(fund_request, name) for name in AnswerForm.base_fields if hasattr(fund_request, name)}
    context = {
        "fund_request": fund_request,
        "claims": claims,
        "transitions": list(fund_transitions(tenant=tenant, request=fund_request)),
        "left": left,
        "open_for_claims": open_for_claims,
        "deadline": deadline_phrase(fund_request.claim_deadline, today) if fund_request.claim_deadline else "",
        "claim_form": claim_form or ClaimForm(initial={"amount": left}),
        "answer_form": answer_form or AnswerForm(initial=initial),
        "accepted": ACCEPTED_LABEL,
        "error": error,
    }
    return render(request, "recognition/portal_fund_request.html", context, status=status)


@tenant_view("portal.funds", methods=("POST",))
def portal_fund_answer_view(request: TenantRequest, request_id: int) -> HttpResponse:
    tenant, actor = request.tenant, request.membership
    fund_request = fund_request_get(tenant=tenant, request_id=request_id, actor=actor)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return _detail(request, fund_request, answer_form=form, error="Correct the fields marked below.", status=400)
    try:
        fund_request_answer(tenant=tenant, actor=actor, request=fund_request, data=form.cleaned_data)
    except DomainError as exc:
        _reraise_hidden(exc)
        return _detail(request, fund_request, answer_form=form, error=exc.message, status=400)
    messages.success(request, "Thank you: your request is sent again.")
    return redirect(_url(request, "portal_fund_request_detail", request_id=fund_request.pk))


@tenant_view("portal.funds", methods=("POST",))
def portal_claim_view(request: TenantRequest, request_id: int) -> HttpResponse:
    tenant, actor = request.tenant, request.membership
    fund_request = fund_request_get(tenant=tenant, request_id=request_id, actor=actor)
    form = ClaimForm(request.POST)
    if not form.is_valid():
        return _detail(request, fund_request, claim_form=form, error="Correct the fields marked below.", status=400)
    files = proofs_from(request)
    try:
        claim_submit(tenant=tenant, actor=actor, request=fund_request, data=form.cleaned_data, files=files)
    except DomainError as exc:
        _reraise_hidden(exc)
        return _detail(request, fund_request, claim_form=form, error=exc.message, status=400)
    messages.success(request, "Your claim is sent with its proof. We will review it and let you know.")
    return redirect(_url(request, "portal_fund_request_detail", request_id=fund_request.pk) + "#claims")


def proofs_from(request: TenantRequest, field: str = "proofs") -> list[UploadedProof]:
    """The uploaded files, each read up to one byte past the size limit (the service refuses what is over it)."""
    limit = int(settings.PROOF_MAX_BYTES)
    return [
        UploadedProof(name=f.name or "file", content=f.read(limit + 1), size=f.size)
        for f in request.FILES.getlist(field)
    ]
