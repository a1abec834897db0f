"""The funds pages: the partner requests and claims in the portal, the program's queues and decisions, the proof
served to the claim's own partner and the program only, and each refusal shown with its reason."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from partnerhub.core.models import Role
from partnerhub.core.tenancy.context import tenant_context
from recognition.models import Claim, FundRequest, ProofFile
from recognition.services.funds import UploadedProof, claim_submit, fund_request_decide
from tests.factories import PartnerFactory
from tests.recognition.invest_factories import AllocationFactory, BudgetFactory, FundRequestFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clean_proofs")]
PDF = b"%PDF-1.7\n" + b"0" * 600


@pytest.fixture
def world(tenant, actor):
    manager = actor(Role.MANAGER)
    partner = PartnerFactory(tenant=tenant, name="Northwind", owner=manager)
    budget = BudgetFactory(tenant=tenant, name="MDF FY2026", amount=Decimal("50000.00"), claim_days=3650)
    allocation = AllocationFactory(budget=budget, partner=partner, amount=Decimal("10000.00"))
    return {
        "manager": manager,
        "admin": actor(Role.ADMIN),
        "partner_user": actor(Role.PARTNER, partner=partner),
        "allocation": allocation,
        "partner": partner,
    }


def _request_form(allocation, **overrides):
    return {
        "allocation": allocation.pk,
        "activity_type": "campaign",
        "title": "Spring webinar series",
        "planned_start": "2026-04-01",
        "planned_end": "2026-04-30",
        "requested_amount": "5000",
        "expected_leads": "30",
        "expected_pipeline": "80000",
        **overrides,
    }


def test_the_portal_shows_the_partners_allocation_and_what_is_left(tenant, world, client_for):
    page = client_for(world["partner_user"]).get(f"/t/{tenant.slug}/portal/funds/")

    body = page.content.decode()
    assert page.status_code == 200
    assert "MDF FY2026" in body
    assert "10,000 USD" in body
    assert "100 % of this allocation is unclaimed" in body


def test_a_partner_requests_funds_in_the_portal(tenant, world, client_for):
    client = client_for(world["partner_user"])

    response = client.post(f"/t/{tenant.slug}/portal/funds/request/", _request_form(world["allocation"]))

    assert response.status_code == 302
    with tenant_context(tenant):
        request = FundRequest.objects.get()
    assert (request.title, request.requested_amount, request.status) == ("Spring webinar series", 5000, "submitted")


def test_a_request_above_the_allocation_is_shown_with_its_reason_and_nothing_written(tenant, world, client_for):
    client = client_for(world["partner_user"])

    response = client.post(
        f"/t/{tenant.slug}/portal/funds/request/", _request_form(world["allocation"], requested_amount="10000.01")
    )

    assert response.status_code == 400
    assert "Only 10,000 USD of this allocation is left to request." in response.content.decode()
    with tenant_context(tenant):
        assert not FundRequest.objects.exists()


def test_a_partner_cannot_request_from_another_partners_allocation(tenant, world, client_for):
    other = AllocationFactory(budget=world["allocation"].budget, partner=PartnerFactory(tenant=tenant))

    response = client_for(world["partner_user"]).post(f"/t/{tenant.slug}/portal/funds/request/", _request_form(other))

    assert response.status_code == 400
    with tenant_context(tenant):
        assert not FundRequest.objects.exists()


def test_a_manager_approves_part_of_a_request_on_its_page(tenant, world, client_for):
    request = FundRequestFactory(allocation=world["allocation"], requested_amount=Decimal("5000.00"))
    client = client_for(world["manager"])

    response = client.post(
        f"/t/{tenant.slug}/investments/requests/{request.pk}/decide/",
        {"decision": "approve", "amount": "3500", "note": "Two webinars, not three"},
    )
    page = client.get(f"/t/{tenant.slug}/investments/requests/{request.pk}/")

    assert response.status_code == 302
    assert "3,500 USD" in page.content.decode()


def test_a_partner_user_is_refused_a_decision(tenant, world, client_for):
    request = FundRequestFactory(allocation=world["allocation"])

    response = client_for(world["partner_user"]).post(
        f"/t/{tenant.slug}/investments/requests/{request.pk}/decide/", {"decision": "approve"}
    )

    assert response.status_code == 403
    with tenant_context(tenant):
        assert FundRequest.objects.get(pk=request.pk).status == "submitted"


def test_bulk_approval_from_the_queue(tenant, world, client_for):
    requests = [FundRequestFactory(allocation=world["allocation"], requested_amount=Decimal("1000")) for _ in range(3)]
    client = client_for(world["manager"])

    response = client.post(
        f"/t/{tenant.slug}/investments/requests/bulk/", {"decision": "approve", "ids": [r.pk for r in requests]}
    )

    assert response.status_code == 302
    with tenant_context(tenant):
        assert set(FundRequest.objects.values_list("status", flat=True)) == {"approved"}


def _approved(tenant, world):
    request = FundRequestFactory(allocation=world["allocation"], requested_amount=Decimal("4000"))
    with tenant_context(tenant):
        return fund_request_decide(tenant=tenant, actor=world["manager"], request=request, decision="approve")


def test_a_partner_claims_with_a_proof_file_in_the_portal(tenant, world, client_for):
    request = _approved(tenant, world)
    client = client_for(world["partner_user"])

    response = client.post(
        f"/t/{tenant.slug}/portal/funds/requests/{request.pk}/claim/",
        {
            "amount": "3900",
            "leads_reported": "25",
            "pipeline_reported": "60000",
            "outcome": "Two events",
            "proofs": [SimpleUploadedFile("invoice.pdf", PDF, content_type="application/pdf")],
        },
    )

    assert response.status_code == 302
    with tenant_context(tenant):
        claim = Claim.objects.get()
        assert ProofFile.objects.filter(claim=claim).count() == 1


def test_a_wrong_proof_file_is_refused_on_the_page_with_its_reason(tenant, world, client_for):
    request = _approved(tenant, world)

    response = client_for(world["partner_user"]).post(
        f"/t/{tenant.slug}/portal/funds/requests/{request.pk}/claim/",
        {"amount": "100", "proofs": [SimpleUploadedFile("invoice.pdf", b"MZ\x90\x00binary")]},
    )

    assert response.status_code == 400
    assert "is not a file we accept as proof" in response.content.decode()
    with tenant_context(tenant):
        assert not Claim.objects.exists()


def _claim(tenant, world):
    request = _approved(tenant, world)
    with tenant_context(tenant):
        return claim_submit(
            tenant=tenant,
            actor=world["partner_user"],
            request=request,
            data={"amount": "1000"},
            files=[UploadedProof("invoice.pdf", PDF)],
            today=date(2026, 5, 5),
        )


@pytest.mark.parametrize("who", ["partner_user", "manager", "admin"])
def test_the_proof_is_served_to_its_partner_and_the_program(tenant, world, client_for, who):
    claim = _claim(tenant, world)
    with tenant_context(tenant):
        proof = ProofFile.objects.get(claim=claim)

    response = client_for(world[who]).get(f"/t/{tenant.slug}/investments/claims/{claim.pk}/proofs/{proof.pk}/")

    assert response.status_code == 200
    assert response.content == PDF
    assert response["Content-Type"] == "application/pdf"
    assert 'attachment; filename="invoice.pdf"' in response["Content-Disposition"]


def test_the_proof_is_a_404_for_another_partners_user(tenant, world, client_for, actor):
    claim = _claim(tenant, world)
    with tenant_context(tenant):
        proof = ProofFile.objects.get(claim=claim)

    response = client_for(actor(Role.PARTNER)).get(f"/t/{tenant.slug}/investments/claims/{claim.pk}/proofs/{proof.pk}/")

    assert response.status_code == 404


def test_the_proof_is_a_404_in_another_program_even_for_its_admin(tenant, other_tenant, world, client_for, actor):
    claim = _claim(tenant, world)
    with tenant_context(tenant):
        proof = ProofFile.objects.get(claim=claim)
    stranger = actor(Role.ADMIN, tenant=other_tenant)

    url = f"/t/{other_tenant.slug}/investments/claims/{claim.pk}/proofs/{proof.pk}/"
    response = client_for(stranger).get(url)

    assert response.status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/t/{slug}/investments/",
        "/t/{slug}/investments/requests/?status=all",
        "/t/{slug}/investments/claims/?status=all",
        "/t/{slug}/investments/all/",
        "/t/{slug}/investments/impact/",
        "/t/{slug}/investments/budgets/new/",
        "/t/{slug}/investments/requests/new/",
        "/t/{slug}/investments/all/new/",
    ],
)
def test_every_program_page_answers_an_admin(tenant, world, client_for, url):
    _claim(tenant, world)

    response = client_for(world["admin"]).get(url.format(slug=tenant.slug))

    assert response.status_code == 200


def test_a_proof_whose_file_left_storage_is_a_clear_404_and_the_claim_stays(tenant, world, client_for, caplog):
    claim = _claim(tenant, world)
    with tenant_context(tenant):
        proof = ProofFile.objects.get(claim=claim)
    proof.file.storage.delete(proof.file.name)

    response = client_for(world["manager"]).get(f"/t/{tenant.slug}/investments/claims/{claim.pk}/proofs/{proof.pk}/")

    assert response.status_code == 404
    assert "proof file missing from storage" in caplog.text
    with tenant_context(tenant):
        assert ProofFile.objects.filter(pk=proof.pk).exists()
