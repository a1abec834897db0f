"""Fund requests and claims through the API, with the same roles and tenancy as the pages: a partner user files and
reads their own company's (another's is a 404), the program's people read all, managers decide on their partners'
(admins on any), admins mark claims paid. A payload naming another program's allocation is a 400, nothing written."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from partnerhub.core.api.base import TenantApi
from partnerhub.core.errors import DomainError
from recognition.api.budgets import reference
from recognition.domain.proofs import CSV, JPEG, PDF, PNG, XLSX
from recognition.models import ActivityType, Claim, FundRequest
from recognition.selectors.budgets import allocation_get
from recognition.selectors.funds import (
    claim_get,
    claim_list,
    fund_request_get,
    fund_request_list,
    fund_transitions,
    proof_get,
)
from recognition.services.funds import (
    UploadedProof,
    claim_decide,
    claim_mark_paid,
    claim_submit,
    fund_request_answer,
    fund_request_decide,
    fund_request_submit,
)


class TransitionOutputSerializer(serializers.Serializer[Any]):
    claim = serializers.IntegerField(source="claim_id", allow_null=True)
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    note = serializers.CharField()
    actor = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_actor(self, obj: Any) -> str | None:
        return str(obj.actor.user) if obj.actor_id else None


class FundRequestOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    allocation = serializers.IntegerField(source="allocation_id")
    budget = serializers.CharField(source="allocation.budget.name")
    partner = serializers.IntegerField(source="partner_id")
    partner_name = serializers.CharField(source="partner.name")
    activity_type = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    planned_start = serializers.DateField()
    planned_end = serializers.DateField()
    requested_amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    currency = serializers.CharField()
    expected_leads = serializers.IntegerField()
    expected_pipeline = serializers.DecimalField(max_digits=16, decimal_places=2)
    status = serializers.CharField()
    approved_amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    decision_note = serializers.CharField()
    claim_deadline = serializers.DateField(allow_null=True)
    created_at = serializers.DateTimeField()


class FundRequestInputSerializer(serializers.Serializer[None]):
    activity_type = serializers.ChoiceField(choices=ActivityType.choices)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    planned_start = serializers.DateField()
    planned_end = serializers.DateField()
    requested_amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    currency = serializers.CharField(max_length=3, required=False)
    expected_leads = serializers.IntegerField(required=False, default=0)
    expected_pipeline = serializers.DecimalField(max_digits=16, decimal_places=2, required=False, default=Decimal("0"))


class NewFundRequestInputSerializer(FundRequestInputSerializer):
    allocation = serializers.IntegerField(help_text="An allocation id of this program (a partner user: their own).")


class FundRequestListApi(TenantApi):
    """GET: requests, newest first (``?status=``); a partner user's own only. POST: file one against an allocation."""

    perms = {"GET": "funds.read", "POST": "funds.request"}

    @extend_schema(responses=FundRequestOutputSerializer(many=True))
    def get(self, request: Request, tenant_slug: str) -> Response:
        wanted = request.query_params.get("status", "")
        rows = fund_request_list(
            tenant=self.tenant, actor=self.actor, status=wanted if wanted in FundRequest.Status.values else ""
        )
        paginator = PageNumberPagination()
        page: Any = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(FundRequestOutputSerializer(page, many=True).data)

    @extend_schema(request=NewFundRequestInputSerializer, responses={201: FundRequestOutputSerializer})
    def post(self, request: Request, tenant_slug: str) -> Response:
        tenant = self.tenant
        data = self.validated(NewFundRequestInputSerializer, request.data)
        allocation = reference(
            lambda: allocation_get(tenant=tenant, allocation_id=data["allocation"]), "allocation", "allocation"
        )
        if self.actor.partner_id is not None and allocation.partner_id != self.actor.partner_id:
            message = "No allocation of yours has that id."  # another partner's: as if it did not exist
            raise DomainError(message, code="invalid", extra={"fields": {"allocation": [message]}})
        created = fund_request_submit(tenant=tenant, actor=self.actor, allocation=allocation, data=data)
        row = fund_request_get(tenant=tenant, request_id=created.pk, actor=self.actor)
        return Response(FundRequestOutputSerializer(row).data, status=status.HTTP_201_CREATED)


class FundRequestDetailApi(TenantApi):
    """GET: one request with its status history (a partner user: their own only)."""

    pagination_class = None  # answers the whole list (the schema must not promise a page)

    perms = {"GET": "funds.read"}

    @extend_schema(responses=FundRequestOutputSerializer)
    def get(self, request: Request, tenant_slug: str, request_id: int) -> Response:
        row = fund_request_get(tenant=self.tenant, request_id=request_id, actor=self.actor)
        data = dict(FundRequestOutputSerializer(row).data)
        data["history"] = TransitionOutputSerializer(fund_transitions(tenant=self.tenant, request=row), many=True).data
        return Response(data)


class FundRequestDecisionInputSerializer(serializers.Serializer[None]):
    decision = serializers.ChoiceField(choices=["approve", "reject", "ask_info"])
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class FundRequestDecisionApi(TenantApi):
    """POST: approve (the amount asked, or ``amount`` below it), reject (``note`` says why) or ask for more
    information (``note`` says what). The partner's owner manager or an admin; never a partner user."""

    perms = {"POST": "investments.decide"}

    @extend_schema(request=FundRequestDecisionInputSerializer, responses=FundRequestOutputSerializer)
    def post(self, request: Request, tenant_slug: str, request_id: int) -> Response:
        row = fund_request_get(tenant=self.tenant, request_id=request_id)
        data = self.validated(FundRequestDecisionInputSerializer, request.data)
        fund_request_decide(
            tenant=self.tenant,
            actor=self.actor,
            request=row,
            decision=data["decision"],
            amount=data.get("amount"),
            note=data["note"],
        )
        return Response(FundRequestOutputSerializer(fund_request_get(tenant=self.tenant, request_id=row.pk)).data)


class AnswerInputSerializer(FundRequestInputSerializer):
    answer = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class FundRequestAnswerApi(TenantApi):
    """POST: the partner answers a request for more information; the request, as changed, is submitted again."""

    perms = {"POST": "funds.request"}

    @extend_schema(request=AnswerInputSerializer, responses=FundRequestOutputSerializer)
    def post(self, request: Request, tenant_slug: str, request_id: int) -> Response:
        row = fund_request_get(tenant=self.tenant, request_id=request_id, actor=self.actor)
        data = self.validated(AnswerInputSerializer, request.data)
        fund_request_answer(tenant=self.tenant, actor=self.actor, request=row, data=data)
        return Response(FundRequestOutputSerializer(fund_request_get(tenant=self.tenant, request_id=row.pk)).data)


class ProofOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()


class ClaimOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    request = serializers.IntegerField(source="request_id")
    partner = serializers.IntegerField(source="partner_id")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    currency = serializers.CharField()
    leads_reported = serializers.IntegerField()
    pipeline_reported = serializers.DecimalField(max_digits=16, decimal_places=2)
    outcome = serializers.CharField()
    status = serializers.CharField()
    approved_amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    decision_note = serializers.CharField()
    paid_at = serializers.DateTimeField(allow_null=True)
    payment_reference = serializers.CharField()
    proofs = ProofOutputSerializer(many=True, source="proofs.all")
    created_at = serializers.DateTimeField()


class ClaimInputSerializer(serializers.Serializer[None]):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    currency = serializers.CharField(max_length=3, required=False)
    leads_reported = serializers.IntegerField(required=False, default=0)
    pipeline_reported = serializers.DecimalField(max_digits=16, decimal_places=2, required=False, default=Decimal("0"))
    outcome = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class ClaimCreateApi(TenantApi):
    """POST (multipart/form-data): claim an approved request with its proof files (``proofs``, one or more)."""

    perms = {"POST": "funds.request"}
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(request=ClaimInputSerializer, responses={201: ClaimOutputSerializer})
    def post(self, request: Request, tenant_slug: str, request_id: int) -> Response:
        row = fund_request_get(tenant=self.tenant, request_id=request_id, actor=self.actor)
        data = self.validated(ClaimInputSerializer, request.data)
        limit = int(settings.PROOF_MAX_BYTES)
        files = [
            UploadedProof(name=f.name or "file", content=f.read(limit + 1), size=f.size)
            for f in request.FILES.getlist("proofs")
        ]
        claim = claim_submit(tenant=self.tenant, actor=self.actor, request=row, data=data, files=files)
        found = claim_get(tenant=self.tenant, claim_id=claim.pk, actor=self.actor)
        return Response(ClaimOutputSerializer(found).data, status=status.HTTP_201_CREATED)


class ClaimListApi(TenantApi):
    """GET: claims, newest first (``?status=``); a partner user's own only."""

    perms = {"GET": "funds.read"}

    @extend_schema(responses=ClaimOutputSerializer(many=True))
    def get(self, request: Request, tenant_slug: str) -> Response:
        wanted = request.query_params.get("status", "")
        rows = claim_list(tenant=self.tenant, actor=self.actor, status=wanted if wanted in Claim.Status.values else "")
        paginator = PageNumberPagination()
        page: Any = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(ClaimOutputSerializer(page, many=True).data)


class ClaimDetailApi(TenantApi):
    """GET: one claim with its proofs (a partner user: their own only)."""

    perms = {"GET": "funds.read"}

    @extend_schema(responses=ClaimOutputSerializer)
    def get(self, request: Request, tenant_slug: str, claim_id: int) -> Response:
        return Response(ClaimOutputSerializer(claim_get(tenant=self.tenant, claim_id=claim_id, actor=self.actor)).data)


class ClaimDecisionInputSerializer(serializers.Serializer[None]):
    decision = serializers.ChoiceField(choices=["approve", "partly_approve", "reject"])
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class ClaimDecisionApi(TenantApi):
    """POST: approve, partly approve (``amount`` below the claim, ``note`` why) or reject (``note`` why)."""

    perms = {"POST": "investments.decide"}

    @extend_schema(request=ClaimDecisionInputSerializer, responses=ClaimOutputSerializer)
    def post(self, request: Request, tenant_slug: str, claim_id: int) -> Response:
        claim = claim_get(tenant=self.tenant, claim_id=claim_id)
        data = self.validated(ClaimDecisionInputSerializer, request.data)
        claim_decide(
            tenant=self.tenant,
            actor=self.actor,
            claim=claim,
            decision=data["decision"],
            amount=data.get("amount"),
            note=data["note"],
        )
        return Response(ClaimOutputSerializer(claim_get(tenant=self.tenant, claim_id=claim_id)).data)


class PaymentInputSerializer(serializers.Serializer[None]):
    reference = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)


class ClaimPaymentApi(TenantApi):
    """POST: mark an approved claim paid (admins)."""

    perms = {"POST": "investments.pay"}

    @extend_schema(request=PaymentInputSerializer, responses=ClaimOutputSerializer)
    def post(self, request: Request, tenant_slug: str, claim_id: int) -> Response:
        claim = claim_get(tenant=self.tenant, claim_id=claim_id)
        data = self.validated(PaymentInputSerializer, request.data)
        claim_mark_paid(tenant=self.tenant, actor=self.actor, claim=claim, reference=data["reference"])
        return Response(ClaimOutputSerializer(claim_get(tenant=self.tenant, claim_id=claim_id)).data)


class ProofFileApi(TenantApi):
    """GET: a claim's proof file (the program's people, and the claim's own partner)."""

    perms = {"GET": "funds.read_proof"}

    # The file as it was uploaded, in the type it was checked to be.
    @extend_schema(responses={(200, kind.content_type): bytes for kind in (PDF, PNG, JPEG, XLSX, CSV)})
    def get(self, request: Request, tenant_slug: str, claim_id: int, proof_id: int) -> HttpResponse:
        claim = claim_get(tenant=self.tenant, claim_id=claim_id, actor=self.actor)
        proof = proof_get(tenant=self.tenant, claim=claim, proof_id=proof_id)
        with proof.file.open("rb") as handle:
            content = handle.read()
        response = HttpResponse(content, content_type=proof.content_type)
        response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=proof.name) or ""
        response["Cache-Control"] = "private, no-store"
        return response
