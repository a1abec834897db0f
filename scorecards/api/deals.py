"""Deals through the API: the filtered, paginated list and one deal (the program's people, as on the pages)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from partnerhub.core.api.base import TenantApi
from scorecards.models import Deal
from scorecards.selectors.deals import DEAL_SORTS, DEFAULT_DEAL_SORT, NOT_REGISTERED, DealFilters, deal_get, deal_list


class DealReviewOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    status = serializers.CharField()
    quality = serializers.DecimalField(max_digits=3, decimal_places=2)
    pricing_integrity = serializers.IntegerField()
    discount_discipline = serializers.IntegerField()
    contract_terms = serializers.IntegerField()
    renewal_risk = serializers.IntegerField()
    technical_risk = serializers.IntegerField()
    reviewed_at = serializers.DateTimeField(allow_null=True)


class DealBatchOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    # A declared field named like a Field attribute is fine at run time (DRF pops declared fields off the class).
    source = serializers.CharField()  # type: ignore[assignment]
    file_name = serializers.CharField()
    status = serializers.CharField()
    committed_at = serializers.DateTimeField(allow_null=True)


# Serializer[Any] for an output serializer also given a page with many=True: djangorestframework-stubs types a
# serializer's instance as one object, so a list is an error (typeddjango/djangorestframework-stubs#827).
class DealOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    external_id = serializers.CharField()
    partner = serializers.IntegerField(source="partner_id")
    partner_name = serializers.CharField(source="partner.name")
    account_name = serializers.CharField()
    stage = serializers.CharField()
    status = serializers.CharField()
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    currency = serializers.CharField()
    probability = serializers.DecimalField(max_digits=5, decimal_places=2, help_text="Percent, 0 to 100.")
    created_on = serializers.DateField()
    close_date = serializers.DateField(allow_null=True)
    discount_pct = serializers.DecimalField(max_digits=5, decimal_places=2, help_text="Percent, 0 to 100.")
    term_months = serializers.IntegerField(allow_null=True)
    is_renewal = serializers.BooleanField()
    registration_status = serializers.CharField()
    registered_on = serializers.DateField(allow_null=True)
    registration_expires_on = serializers.DateField(allow_null=True)
    source = serializers.SerializerMethodField()  # type: ignore[assignment]
    batch = serializers.SerializerMethodField()
    review = serializers.SerializerMethodField()
    updated_at = serializers.DateTimeField()

    def get_source(self, deal: Deal) -> str | None:
        return deal.batch.source if deal.batch else None

    @extend_schema_field(DealBatchOutputSerializer(allow_null=True))
    def get_batch(self, deal: Deal) -> dict[str, Any] | None:
        return DealBatchOutputSerializer(deal.batch).data if deal.batch else None

    @extend_schema_field(DealReviewOutputSerializer(allow_null=True))
    def get_review(self, deal: Deal) -> dict[str, Any] | None:
        review = getattr(deal, "review", None)
        return DealReviewOutputSerializer(review).data if review is not None else None


class DealFilterSerializer(serializers.Serializer[None]):
    q = serializers.CharField(required=False, allow_blank=True, max_length=200)
    partner = serializers.IntegerField(required=False, min_value=1)
    status = serializers.ChoiceField(choices=Deal.Status.choices, required=False)
    stage = serializers.CharField(required=False, max_length=60)
    registration = serializers.ChoiceField(
        choices=[value or NOT_REGISTERED for value in Deal.Registration.values], required=False
    )
    close_from = serializers.DateField(required=False)
    close_to = serializers.DateField(required=False)
    amount_min = serializers.DecimalField(max_digits=16, decimal_places=2, required=False, min_value=0)
    amount_max = serializers.DecimalField(max_digits=16, decimal_places=2, required=False, min_value=0)
    source = serializers.CharField(required=False, max_length=60)  # type: ignore[assignment]
    batch = serializers.IntegerField(required=False, min_value=1)
    sort = serializers.ChoiceField(choices=list(DEAL_SORTS), required=False, default=DEFAULT_DEAL_SORT)
    page = serializers.IntegerField(required=False, min_value=1)


class DealListApi(TenantApi):
    """The program's deals, filtered and sorted as on the deals page, 50 a page (``?page=``)."""

    perms = {"GET": "deals.view"}

    @extend_schema(parameters=[DealFilterSerializer], responses=DealOutputSerializer(many=True))
    def get(self, request: Request, tenant_slug: str) -> Response:
        params = self.validated(DealFilterSerializer, request.query_params)
        sort = params.pop("sort")
        params.pop("page", None)
        deals: Any = deal_list(tenant=self.tenant, filters=DealFilters(**params), sort=sort)
        paginator = PageNumberPagination()
        page: Any = paginator.paginate_queryset(deals, request, view=self)
        return paginator.get_paginated_response(DealOutputSerializer(page, many=True).data)


class DealDetailApi(TenantApi):
    """One deal with its import batch and deal review (another program's deal is a 404)."""

    perms = {"GET": "deals.view"}

    @extend_schema(responses=DealOutputSerializer)
    def get(self, request: Request, tenant_slug: str, deal_id: int) -> Response:
        deal = deal_get(tenant=self.tenant, deal_id=deal_id)
        return Response(DealOutputSerializer(deal).data)
