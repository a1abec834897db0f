"""Budgets and allocations through the API: read by the program's people, written by admins (same rules as the
pages). A payload naming another program's partner is a 400 that writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from partnerhub.core.api.base import TenantApi
from partnerhub.core.errors import DomainError, NotFoundError
from partnerhub.core.selectors.program import partner_get
from recognition.selectors.allocation_rules import allocation_proposal
from recognition.selectors.budgets import allocation_list, budget_get, budget_list, figures_of
from recognition.services.budgets import allocation_rule_apply, allocation_set, budget_create, budget_update_amount

T = TypeVar("T")


def reference(fetch: Callable[[], T], field: str, what: str) -> T:
    """The object ``fetch`` finds in this program; missing or another program's: a 400 naming ``field``."""
    try:
        return fetch()
    except NotFoundError as exc:
        message = f"No {what} of this program has that id."
        raise DomainError(message, code="invalid", extra={"fields": {field: [message]}}) from exc


class FiguresSerializer(serializers.Serializer[Any]):
    currency = serializers.CharField()
    allocated = serializers.DecimalField(max_digits=16, decimal_places=2)
    pending = serializers.DecimalField(max_digits=16, decimal_places=2)
    committed = serializers.DecimalField(max_digits=16, decimal_places=2)
    available = serializers.DecimalField(max_digits=16, decimal_places=2)
    claimed = serializers.DecimalField(max_digits=16, decimal_places=2)
    unclaimed = serializers.DecimalField(max_digits=16, decimal_places=2)
    paid = serializers.DecimalField(max_digits=16, decimal_places=2)
    unclaimed_share = serializers.FloatField(allow_null=True)


class BudgetOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    fiscal_year = serializers.IntegerField()
    fiscal_quarter = serializers.IntegerField(allow_null=True)
    period_label = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    currency = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    claim_days = serializers.IntegerField()
    figures = serializers.SerializerMethodField()

    def get_figures(self, obj: Any) -> dict[str, Any]:
        return dict(FiguresSerializer(figures_of(obj)).data)


class BudgetInputSerializer(serializers.Serializer[None]):
    name = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    kind = serializers.CharField(max_length=12, required=False, default="mdf")
    fiscal_year = serializers.IntegerField()
    fiscal_quarter = serializers.IntegerField(required=False, allow_null=True, default=None)
    currency = serializers.CharField(max_length=3, required=False)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    claim_days = serializers.IntegerField(required=False, default=60)


class BudgetListApi(TenantApi):
    """GET: every budget with its figures. POST: open a budget (admins)."""

    perms = {"GET": "investments.view", "POST": "investments.budget"}

    @extend_schema(responses=BudgetOutputSerializer(many=True))
    def get(self, request: Request, tenant_slug: str) -> Response:
        paginator = PageNumberPagination()
        page: Any = paginator.paginate_queryset(budget_list(tenant=self.tenant), request, view=self)
        return paginator.get_paginated_response(BudgetOutputSerializer(page, many=True).data)

    @extend_schema(request=BudgetInputSerializer, responses={201: BudgetOutputSerializer})
    def post(self, request: Request, tenant_slug: str) -> Response:
        data = self.validated(BudgetInputSerializer, request.data)
        created = budget_create(tenant=self.tenant, actor=self.actor, data=data)
        budget = budget_get(tenant=self.tenant, budget_id=created.pk)
        return Response(BudgetOutputSerializer(budget).data, status=status.HTTP_201_CREATED)


class BudgetAmountInputSerializer(serializers.Serializer[None]):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)


class BudgetDetailApi(TenantApi):
    """GET: one budget with its figures. PATCH: change its amount (admins; never below what is allocated)."""

    perms = {"GET": "investments.view", "PATCH": "investments.budget"}

    @extend_schema(responses=BudgetOutputSerializer)
    def get(self, request: Request, tenant_slug: str, budget_id: int) -> Response:
        return Response(BudgetOutputSerializer(budget_get(tenant=self.tenant, budget_id=budget_id)).data)

    @extend_schema(request=BudgetAmountInputSerializer, responses=BudgetOutputSerializer)
    def patch(self, request: Request, tenant_slug: str, budget_id: int) -> Response:
        budget = budget_get(tenant=self.tenant, budget_id=budget_id)
        data = self.validated(BudgetAmountInputSerializer, request.data)
        budget_update_amount(tenant=self.tenant, actor=self.actor, budget=budget, amount=data["amount"])
        return Response(BudgetOutputSerializer(budget_get(tenant=self.tenant, budget_id=budget_id)).data)


class AllocationOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    budget = serializers.IntegerField(source="budget_id")
    partner = serializers.IntegerField(source="partner_id")
    partner_name = serializers.CharField(source="partner.name")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    currency = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]
    note = serializers.CharField()
    figures = serializers.SerializerMethodField()

    def get_figures(self, obj: Any) -> dict[str, Any]:
        return dict(FiguresSerializer(figures_of(obj)).data)


class AllocationInputSerializer(serializers.Serializer[None]):
    partner = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    currency = serializers.CharField(max_length=3, required=False)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class AllocationListApi(TenantApi):
    """GET: a budget's allocations with their figures. PUT: set one partner's allocation (admins): in the budget's
    currency, never past the budget."""

    pagination_class = None  # answers the whole list (the schema must not promise a page)

    perms = {"GET": "investments.view", "PUT": "investments.budget"}

    @extend_schema(responses=AllocationOutputSerializer(many=True))
    def get(self, request: Request, tenant_slug: str, budget_id: int) -> Response:
        budget = budget_get(tenant=self.tenant, budget_id=budget_id)
        rows = allocation_list(tenant=self.tenant, budget=budget)
        return Response(AllocationOutputSerializer(rows, many=True).data)

    @extend_schema(request=AllocationInputSerializer, responses=AllocationOutputSerializer)
    def put(self, request: Request, tenant_slug: str, budget_id: int) -> Response:
        tenant = self.tenant
        budget = budget_get(tenant=tenant, budget_id=budget_id)
        data = self.validated(AllocationInputSerializer, request.data)
        partner = reference(lambda: partner_get(tenant=tenant, partner_id=data["partner"]), "partner", "partner")
        allocation = allocation_set(
            tenant=tenant,
            actor=self.actor,
            budget=budget,
            partner=partner,
            amount=data["amount"],
            currency=data.get("currency"),
            note=data["note"],
        )
        row = allocation_list(tenant=tenant, budget=budget).get(pk=allocation.pk)
        return Response(AllocationOutputSerializer(row).data)


class ProposalInputSerializer(serializers.Serializer[None]):
    tier_weights = serializers.DictField(child=serializers.DecimalField(max_digits=8, decimal_places=2, min_value=0))
    performance = serializers.DecimalField(
        max_digits=4, decimal_places=2, min_value=0, max_value=1, default=Decimal("1")
    )
    cap = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True)
    apply = serializers.BooleanField(default=False, help_text="True: set the proposed allocations (admins).")


class ProposalLineSerializer(serializers.Serializer[Any]):
    partner_id = serializers.IntegerField()
    name = serializers.CharField()
    tier = serializers.CharField()
    score = serializers.FloatField(allow_null=True)
    trend = serializers.CharField()
    weight = serializers.DecimalField(max_digits=12, decimal_places=4)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    capped = serializers.BooleanField()
    explanation = serializers.CharField()


class AllocationProposalApi(TenantApi):
    """POST: the allocation rule's proposal for a budget (tier weights, performance weighting, cap); with
    ``apply`` true, the proposed allocations are set (admins, all or nothing)."""

    perms = {"POST": "investments.budget"}

    @extend_schema(request=ProposalInputSerializer, responses=ProposalLineSerializer(many=True))
    def post(self, request: Request, tenant_slug: str, budget_id: int) -> Response:
        tenant = self.tenant
        budget = budget_get(tenant=tenant, budget_id=budget_id)
        data = self.validated(ProposalInputSerializer, request.data)
        proposal = allocation_proposal(
            tenant=tenant,
            budget=budget,
            as_of=min(budget.starts_on, timezone.localdate()),
            tier_weights={str(k): Decimal(v) for k, v in data["tier_weights"].items()},
            performance_strength=data["performance"],
            cap=data.get("cap"),
        )
        if data["apply"]:
            allocation_rule_apply(
                tenant=tenant,
                actor=self.actor,
                budget=budget,
                amounts={line.partner_id: line.amount for line in proposal.lines},
                note="Allocation rule (API)",
            )
        return Response(
            {
                "amount": str(proposal.amount),
                "total": str(proposal.total),
                "unallocated": str(proposal.unallocated),
                "applied": data["apply"],
                "lines": ProposalLineSerializer(proposal.lines, many=True).data,
            }
        )
