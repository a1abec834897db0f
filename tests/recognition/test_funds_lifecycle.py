"""Fund requests and claims from the partner's request to the payment: every step, its status history, and every
refusal with a clear message and nothing written."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from partnerhub.core.errors import NotFoundError, PermissionDeniedError
from partnerhub.core.models import Role
from partnerhub.core.tenancy.context import tenant_context
from recognition.errors import (
    ClaimAboveApprovedError,
    ClaimDeadlinePassedError,
    CurrencyMismatchError,
    FundStateError,
    InvestmentInputError,
    OverAllocationError,
    ProofFileRefusedError,
)
from recognition.models import Claim, FundRequest, FundTransition, Investment, ProofFile
from recognition.services.funds import (
    UploadedProof,
    claim_decide,
    claim_mark_paid,
    claim_submit,
    claims_bulk_decide,
    fund_request_answer,
    fund_request_decide,
    fund_request_submit,
    fund_requests_bulk_decide,
)
from tests.factories import PartnerFactory
from tests.recognition.invest_factories import AllocationFactory, BudgetFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clean_proofs")]

PDF = UploadedProof("invoice.pdf", b"%PDF-1.7\n" + b"0" * 600)
PNG = UploadedProof("stand.png", b"\x89PNG\r\n\x1a\n" + b"0" * 600)
REQUEST = {
    "activity_type": "event",
    "title": "Cloud roadshow Munich",
    "planned_start": "2026-03-02",
    "planned_end": "2026-03-20",
    "requested_amount": "4000",
    "expected_leads": "40",
    "expected_pipeline": "120000",
}


@pytest.fixture
def world(tenant, actor):
    manager = actor(Role.MANAGER)
    partner = PartnerFactory(tenant=tenant, name="Northwind", owner=manager)
    budget = BudgetFactory(tenant=tenant, amount=Decimal("50000.00"), claim_days=30)
    allocation = AllocationFactory(budget=budget, partner=partner, amount=Decimal("10000.00"))
    return {
        "manager": manager,
        "admin": actor(Role.ADMIN),
        "partner_user": actor(Role.PARTNER, partner=partner),
        "partner": partner,
        "allocation": allocation,
    }


def _submit(tenant, w, **overrides):
    with tenant_context(tenant):
        return fund_request_submit(
            tenant=tenant, actor=w["partner_user"], allocation=w["allocation"], data={**REQUEST, **overrides}
        )


def _approved(tenant, w, amount="3000"):
    request = _submit(tenant, w)
    with tenant_context(tenant):
        return fund_request_decide(
            tenant=tenant, actor=w["manager"], request=request, decision="approve", amount=amount
        )


def _statuses(tenant, request):
    with tenant_context(tenant):
        return list(FundTransition.objects.filter(request=request).values_list("from_status", "to_status"))


def test_the_whole_life_cycle_request_approve_part_claim_approve_pay(tenant, world):
    request = _approved(tenant, world, amount="3000")
    with tenant_context(tenant):
        claim = claim_submit(
            tenant=tenant,
            actor=world["partner_user"],
            request=request,
            data={"amount": "2800", "leads_reported": "35", "pipeline_reported": "90000", "outcome": "Good turnout"},
            files=[PDF, PNG],
            today=date(2026, 3, 25),
        )
        claim = claim_decide(tenant=tenant, actor=world["manager"], claim=claim, decision="approve")
        claim = claim_mark_paid(tenant=tenant, actor=world["admin"], claim=claim, reference="PAY-0042")
        investment = Investment.objects.get(fund_request=request)

    assert (request.approved_amount, request.claim_deadline) == (Decimal("3000"), date(2026, 4, 19))
    assert (claim.status, claim.approved_amount, claim.payment_reference) == ("paid", Decimal("2800.00"), "PAY-0042")
    assert (investment.kind, investment.category, investment.value) == ("mdf", "event", Decimal("2800.00"))
    assert _statuses(tenant, request) == [
        ("", "submitted"),
        ("submitted", "approved"),
        ("", "submitted"),
        ("submitted", "approved"),
        ("approved", "paid"),
    ]


def test_proof_files_are_stored_under_the_tenants_own_folder_with_a_random_name(tenant, world):
    request = _approved(tenant, world)
    with tenant_context(tenant):
        claim = claim_submit(
            tenant=tenant,
            actor=world["partner_user"],
            request=request,
            data={"amount": "100"},
            files=[PDF],
            today=date(2026, 3, 25),
        )
        proof = ProofFile.objects.get(claim=claim)

    assert proof.file.name.startswith(f"tenants/{tenant.pk}/claims/{claim.pk}/")
    assert proof.file.name.endswith(".pdf")
    assert "invoice" not in proof.file.name
    assert (proof.name, proof.content_type, proof.size) == ("invoice.pdf", "application/pdf", len(PDF.content))


def test_a_manager_asks_for_more_information_and_the_partners_answer_submits_it_again(tenant, world):
    request = _submit(tenant, world)
    with tenant_context(tenant):
        fund_request_decide(
            tenant=tenant, actor=world["manager"], request=request, decision="ask_info", note="Which venue?"
        )
        answered = fund_request_answer(
            tenant=tenant,
            actor=world["partner_user"],
            request=request,
            data={**REQUEST, "description": "Hall 4, Messe München", "answer": "Hall 4"},
        )

    assert (answered.status, answered.description) == ("submitted", "Hall 4, Messe München")
    assert _statuses(tenant, request)[-2:] == [("submitted", "info_requested"), ("info_requested", "submitted")]


def test_a_rejection_needs_its_reason(tenant, world):
    request = _submit(tenant, world)
    with tenant_context(tenant), pytest.raises(InvestmentInputError):
        fund_request_decide(tenant=tenant, actor=world["manager"], request=request, decision="reject", note=" ")
    with tenant_context(tenant):
        rejected = fund_request_decide(
            tenant=tenant, actor=world["manager"], request=request, decision="reject", note="Out of our segment"
        )

    assert (rejected.status, rejected.decision_note) == ("rejected", "Out of our segment")


def test_a_request_above_what_the_allocation_has_left_is_refused(tenant, world):
    _submit(tenant, world, requested_amount="7000")
    with pytest.raises(OverAllocationError, match=r"Only 3,000 USD"):
        _submit(tenant, world, requested_amount="3000.01")


def test_a_request_in_another_currency_than_its_allocation_is_refused(tenant, world):
    with pytest.raises(CurrencyMismatchError, match="in USD"):
        _submit(tenant, world, currency="EUR")
    with tenant_context(tenant):
        assert not FundRequest.objects.exists()


def test_a_manager_may_not_approve_more_than_was_asked(tenant, world):
    request = _submit(tenant, world)
    with tenant_context(tenant), pytest.raises(InvestmentInputError, match="at most"):
        fund_request_decide(tenant=tenant, actor=world["manager"], request=request, decision="approve", amount="4001")


def test_a_partner_user_never_approves_even_their_own_request(tenant, world):
    request = _submit(tenant, world)
    with tenant_context(tenant), pytest.raises(PermissionDeniedError):
        fund_request_decide(tenant=tenant, actor=world["partner_user"], request=request, decision="approve")
    with tenant_context(tenant):
        assert FundRequest.objects.get(pk=request.pk).status == "submitted"


def test_another_managers_partner_is_not_theirs_to_decide(tenant, world, actor):
    request = _submit(tenant, world)
    with tenant_context(tenant), pytest.raises(PermissionDeniedError):
        fund_request_decide(tenant=tenant, actor=actor(Role.MANAGER), request=request, decision="approve")


def test_a_partner_user_cannot_request_from_another_partners_allocation(tenant, world, actor):
    stranger = actor(Role.PARTNER)
    with tenant_context(tenant), pytest.raises(NotFoundError):
        fund_request_submit(tenant=tenant, actor=stranger, allocation=world["allocation"], data=REQUEST)


def test_a_claim_above_the_approved_amount_is_refused(tenant, world):
    request = _approved(tenant, world, amount="3000")
    with tenant_context(tenant), pytest.raises(ClaimAboveApprovedError, match=r"3,000 USD was approved"):
        claim_submit(
            tenant=tenant,
            actor=world["partner_user"],
            request=request,
            data={"amount": "3000.01"},
            files=[PDF],
            today=date(2026, 3, 25),
        )


def test_a_claim_after_its_deadline_is_refused(tenant, world):
    request = _approved(tenant, world)
    with tenant_context(tenant), pytest.raises(ClaimDeadlinePassedError, match="19 April 2026"):
        claim_submit(
            tenant=tenant,
            actor=world["partner_user"],
            request=request,
            data={"amount": "100"},
            files=[PDF],
            today=date(2026, 4, 20),
        )


@pytest.mark.parametrize(
    "upload",
    [
        UploadedProof("invoice.exe", b"MZ\x90\x00" + b"0" * 600),
        UploadedProof("invoice.pdf", b"MZ\x90\x00" + b"0" * 600),  # a program named as a PDF
        UploadedProof("photo.pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 600),  # the name disagrees with the bytes
        UploadedProof("archive.zip", b"PK\x03\x04" + b"0" * 600),
        UploadedProof("list.csv", b"\x00\x01binary"),
    ],
)
def test_a_proof_of_the_wrong_type_is_refused_and_nothing_is_written(tenant, world, upload):
    request = _approved(tenant, world)
    with tenant_context(tenant), pytest.raises(ProofFileRefusedError, match="PDF, PNG, JPEG, XLSX or CSV"):
        claim_submit(
            tenant=tenant,
            actor=world["partner_user"],
            request=request,
            data={"amount": "100"},
            files=[PDF, upload],
            today=date(2026, 3, 25),
        )
    with tenant_context(tenant):
        assert not Claim.objects.exists()
        assert not ProofFile.objects.exists()
    root = Path(settings.STORAGES["investment_proofs"]["OPTIONS"]["location"])
    assert not any((root / "tenants" / str(tenant.pk)).rglob("*.pdf"))


def test_a_proof_over_the_size_limit_is_refused(tenant, world, settings):
    settings.PROOF_MAX_BYTES = 1000
    request = _approved(tenant, world)
    big = UploadedProof("invoice.pdf", b"%PDF-1.7\n" + b"0" * 1000)
    with tenant_context(tenant), pytest.raises(ProofFileRefusedError, match="at most"):
        claim_submit(
            tenant=tenant,
            actor=world["partner_user"],
            request=request,
            data={"amount": "100"},
            files=[big],
            today=date(2026, 3, 25),
        )


def test_a_claim_needs_at_least_one_proof(tenant, world):
    request = _approved(tenant, world)
    with tenant_context(tenant), pytest.raises(ProofFileRefusedError, match="at least one"):
        claim_submit(
            tenant=tenant,
            actor=world["partner_user"],
            request=request,
            data={"amount": "100"},
            files=[],
            today=date(2026, 3, 25),
        )


def _claim(tenant, w, amount="2000"):
    request = _approved(tenant, w)
    with tenant_context(tenant):
        return claim_submit(
            tenant=tenant,
            actor=w["partner_user"],
            request=request,
            data={"amount": amount},
            files=[PDF],
            today=date(2026, 3, 25),
        )


def test_a_partial_approval_is_below_the_claim_and_gives_its_reason(tenant, world):
    claim = _claim(tenant, world)
    with tenant_context(tenant), pytest.raises(InvestmentInputError):
        claim_decide(
            tenant=tenant, actor=world["manager"], claim=claim, decision="partly_approve", amount="2000", note="x"
        )
    with tenant_context(tenant):
        part = claim_decide(
            tenant=tenant,
            actor=world["manager"],
            claim=claim,
            decision="partly_approve",
            amount="1500",
            note="Catering is not covered",
        )

    assert (part.status, part.approved_amount) == ("partly_approved", Decimal("1500"))


def test_only_an_approved_claim_is_paid_and_only_by_an_admin(tenant, world):
    claim = _claim(tenant, world)
    with tenant_context(tenant), pytest.raises(FundStateError):
        claim_mark_paid(tenant=tenant, actor=world["admin"], claim=claim)
    with tenant_context(tenant):
        claim = claim_decide(tenant=tenant, actor=world["manager"], claim=claim, decision="approve")
    with tenant_context(tenant), pytest.raises(PermissionDeniedError):
        claim_mark_paid(tenant=tenant, actor=world["manager"], claim=claim)


def test_bulk_decisions_take_all_or_none(tenant, world):
    first, second = _submit(tenant, world, requested_amount="2000"), _submit(tenant, world, requested_amount="2000")
    with tenant_context(tenant):
        fund_request_decide(tenant=tenant, actor=world["manager"], request=second, decision="reject", note="No")
        with pytest.raises(FundStateError, match="Nothing was changed"):
            fund_requests_bulk_decide(
                tenant=tenant, actor=world["manager"], requests=[first, second], decision="approve"
            )
        assert FundRequest.objects.get(pk=first.pk).status == "submitted"
        assert (
            fund_requests_bulk_decide(tenant=tenant, actor=world["manager"], requests=[first], decision="approve") == 1
        )


def test_bulk_claim_rejection_gives_every_claim_the_reason(tenant, world):
    claims = [_claim(tenant, world, amount="500")]
    with tenant_context(tenant):
        claims_bulk_decide(tenant=tenant, actor=world["manager"], claims=claims, decision="reject", note="No proof")
        assert list(Claim.objects.values_list("status", "decision_note")) == [("rejected", "No proof")]
