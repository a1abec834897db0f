"""Investments, their linked activities and their measured impact through the API (the program's people read;
managers and admins record enablement and terms); the partner's own funds for a partner user."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from partnerhub.core.api.base import TenantApi
from partnerhub.core.selectors.program import partner_get
from recognition.api.budgets import FiguresSerializer, reference
from recognition.api.funds import ClaimOutputSerializer, FundRequestOutputSerializer
from recognition.models import Investment
from recognition.selectors.funds import portal_funds
from recognition.selectors.investments import (
    impact_estimate_get,
    impact_estimate_list,
    investment_activities,
    investment_get,
    investment_list,
    spend_by_period,
)
from recognition.services.investments import investment_link_activities, investment_record


class InvestmentOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    partner = serializers.IntegerField(source="partner_id")
    partner_name = serializers.CharField(source="partner.name")
    kind = serializers.CharField()
    category = serializers.CharField()
    title = serializers.CharField()
    program = serializers.CharField()
    value = serializers.DecimalField(max_digits=14, decimal_places=2)
    currency = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(allow_null=True)
    fund_request = serializers.IntegerField(source="fund_request_id", allow_null=True)


class InvestmentInputSerializer(serializers.Serializer[None]):
    partner = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=[Investment.Kind.ENABLEMENT, Investment.Kind.TERMS])
    category = serializers.ChoiceField(choices=Investment.Category.choices)
    title = serializers.CharField(max_length=200)
    program = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    value = serializers.DecimalField(max_digits=14, decimal_places=2)
    currency = serializers.CharField(max_length=3, required=False)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    activities = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)


class InvestmentListApi(TenantApi):
    """GET: investments, newest first (``?kind=mdf|enablement|terms``). POST: record enablement or terms."""

    perms = {"GET": "investments.view", "POST": "investments.record"}

    @extend_schema(responses=InvestmentOutputSerializer(many=True))
    def get(self, request: Request, tenant_slug: str) -> Response:
        kind = request.query_params.get("kind", "")
        rows = investment_list(tenant=self.tenant, kind=kind if kind in Investment.Kind.values else "")
        paginator = PageNumberPagination()
        page: Any = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(InvestmentOutputSerializer(page, many=True).data)

    @extend_schema(request=InvestmentInputSerializer, responses={201: InvestmentOutputSerializer})
    def post(self, request: Request, tenant_slug: str) -> Response:
        tenant = self.tenant
        data = self.validated(InvestmentInputSerializer, request.data)
        partner = reference(lambda: partner_get(tenant=tenant, partner_id=data["partner"]), "partner", "partner")
        created = investment_record(
            tenant=tenant, actor=self.actor, partner=partner, data=data, activity_ids=data["activities"]
        )
        row = investment_get(tenant=tenant, investment_id=created.pk)
        return Response(InvestmentOutputSerializer(row).data, status=status.HTTP_201_CREATED)


class ActivityOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    date = serializers.DateField()
    attendees = serializers.IntegerField()


class LinkInputSerializer(serializers.Serializer[None]):
    activities = serializers.ListField(child=serializers.IntegerField(), allow_empty=False, max_length=500)


class InvestmentDetailApi(TenantApi):
    """GET: one investment with its linked enablement activities."""

    pagination_class = None  # answers the whole list (the schema must not promise a page)

    perms = {"GET": "investments.view"}

    @extend_schema(responses=InvestmentOutputSerializer)
    def get(self, request: Request, tenant_slug: str, investment_id: int) -> Response:
        row = investment_get(tenant=self.tenant, investment_id=investment_id)
        data = dict(InvestmentOutputSerializer(row).data)
        data["activities"] = ActivityOutputSerializer(
            investment_activities(tenant=self.tenant, investment=row), many=True
        ).data
        return Response(data)


class InvestmentActivitiesApi(TenantApi):
    """POST: link more of the partner's imported trainings and certifications (``activities``: ids)."""

    perms = {"POST": "investments.record"}

    @extend_schema(request=LinkInputSerializer, responses={200: dict[str, int]})
    def post(self, request: Request, tenant_slug: str, investment_id: int) -> Response:
        row = investment_get(tenant=self.tenant, investment_id=investment_id)
        data = self.validated(LinkInputSerializer, request.data)
        added = investment_link_activities(
            tenant=self.tenant, actor=self.actor, investment=row, activity_ids=data["activities"]
        )
        return Response({"linked": added})


class ImpactOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    subject_key = serializers.CharField()
    subject_label = serializers.CharField()
    investment = serializers.IntegerField(source="investment_id", allow_null=True)
    metric = serializers.CharField()
    effect = serializers.FloatField(allow_null=True)
    ci_low = serializers.FloatField(allow_null=True)
    ci_high = serializers.FloatField(allow_null=True)
    n_treated = serializers.IntegerField()
    n_controls = serializers.IntegerField()
    pre_periods = serializers.IntegerField()
    post_periods = serializers.IntegerField()
    placebo_effect = serializers.FloatField(allow_null=True)
    placebo_low = serializers.FloatField(allow_null=True)
    placebo_high = serializers.FloatField(allow_null=True)
    verdict = serializers.CharField()
    reason = serializers.CharField()
    attribution = serializers.SerializerMethodField(help_text="Attribution, not effect: spend, pipeline, won.")
    computed_at = serializers.DateTimeField()

    def get_attribution(self, obj: Any) -> dict[str, Any]:
        return {
            "label": "attribution (credits every deal, not an effect)",
            "currency": obj.currency,
            "spend": None if obj.spend is None else str(obj.spend),
            "pipeline": None if obj.attributed_pipeline is None else str(obj.attributed_pipeline),
            "won": None if obj.attributed_won is None else str(obj.attributed_won),
        }


class ImpactListApi(TenantApi):
    """GET: the stored impact estimates (``?metric=score|pipeline_created|win_rate``, ``?groups=1``)."""

    perms = {"GET": "investments.view"}

    @extend_schema(responses=ImpactOutputSerializer(many=True))
    def get(self, request: Request, tenant_slug: str) -> Response:
        rows = impact_estimate_list(
            tenant=self.tenant,
            metric=request.query_params.get("metric", ""),
            groups_only=request.query_params.get("groups") == "1",
        )
        paginator = PageNumberPagination()
        page: Any = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(ImpactOutputSerializer(page, many=True).data)


class ImpactDetailApi(TenantApi):
    """GET: one stored estimate, with the series the chart draws."""

    perms = {"GET": "investments.view"}

    @extend_schema(responses=ImpactOutputSerializer)
    def get(self, request: Request, tenant_slug: str, estimate_id: int) -> Response:
        row = impact_estimate_get(tenant=self.tenant, estimate_id=estimate_id)
        return Response({**ImpactOutputSerializer(row).data, "series": row.series})


class SpendPeriodSerializer(serializers.Serializer[Any]):
    period = serializers.CharField()
    currency = serializers.CharField()
    mdf_paid = serializers.DecimalField(max_digits=18, decimal_places=2, coerce_to_string=True)
    enablement = serializers.DecimalField(max_digits=18, decimal_places=2, coerce_to_string=True)
    terms = serializers.DecimalField(max_digits=18, decimal_places=2, coerce_to_string=True)
    total = serializers.DecimalField(max_digits=18, decimal_places=2, coerce_to_string=True)
    left_out_without_rate = serializers.IntegerField(help_text="Spends left out: no exchange rate to convert them.")


class SpendApi(TenantApi):
    """GET: spend per fiscal quarter in the reporting currency (MDF paid, enablement, terms)."""

    pagination_class = None  # answers the whole list (the schema must not promise a page)

    perms = {"GET": "investments.view"}

    @extend_schema(responses=SpendPeriodSerializer(many=True))
    def get(self, request: Request, tenant_slug: str) -> Response:
        return Response(
            [
                {
                    "period": p.label,
                    "currency": p.currency,
                    "mdf_paid": str(p.mdf_paid),
                    "enablement": str(p.enablement),
                    "terms": str(p.terms),
                    "total": str(p.total),
                    "left_out_without_rate": p.left_out,
                }
                for p in spend_by_period(tenant=self.tenant)
            ]
        )


class PortalAllocationSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    budget = serializers.CharField()
    figures = FiguresSerializer()


class PortalFundsOutputSerializer(serializers.Serializer[Any]):
    allocations = PortalAllocationSerializer(many=True)
    requests = FundRequestOutputSerializer(many=True)
    claims = ClaimOutputSerializer(many=True)


class PortalFundsApi(TenantApi):
    """GET: the partner user's own company's allocations (with figures), requests and claims."""

    pagination_class = None  # answers the whole list (the schema must not promise a page)

    perms = {"GET": "portal.funds"}

    @extend_schema(responses=PortalFundsOutputSerializer)
    def get(self, request: Request, tenant_slug: str) -> Response:
        funds = portal_funds(tenant=self.tenant, actor=self.actor, today=timezone.localdate())
        return Response(
            {
                "allocations": [
                    {"id": a.pk, "budget": a.budget.name, "figures": FiguresSerializer(f).data}
                    for a, f in funds.allocations
                ],
                "requests": FundRequestOutputSerializer(funds.requests, many=True).data,
                "claims": ClaimOutputSerializer(funds.claims, many=True).data,
            }
        )
