"""The program's exchange rates through the API: read by the program's people, entered or imported by admins."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from partnerhub.core.api.base import TenantApi
from scorecards.selectors.exchange_rates import exchange_rate_get, exchange_rate_list
from scorecards.services.exchange_rates import MAX_IMPORT_ROWS, exchange_rate_delete, exchange_rates_import


class ExchangeRateOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    from_currency = serializers.CharField()
    to_currency = serializers.CharField()
    date = serializers.DateField()
    rate = serializers.DecimalField(max_digits=18, decimal_places=8)
    # A field named like DRF's own ``Field.source`` attribute: the metaclass collects it as a field all the same.
    source = serializers.CharField()  # type: ignore[assignment]


class ExchangeRateRowSerializer(serializers.Serializer[None]):
    # Validated again by the service (which names each bad row); here only the shapes.
    from_currency = serializers.CharField(max_length=3)
    to_currency = serializers.CharField(max_length=3)
    date = serializers.DateField()
    rate = serializers.DecimalField(max_digits=18, decimal_places=8)
    source = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")  # type: ignore[assignment]


class ExchangeRateImportSerializer(serializers.Serializer[None]):
    rates = serializers.ListField(child=ExchangeRateRowSerializer(), allow_empty=False, max_length=MAX_IMPORT_ROWS)


class ExchangeRateListApi(TenantApi):
    """GET: the program's rates (``?currency=EUR`` keeps the pairs naming it). POST: enter or replace many rates,
    all or nothing (admins)."""

    perms = {"GET": "rates.view", "POST": "rates.change"}

    @extend_schema(responses=ExchangeRateOutputSerializer(many=True))
    def get(self, request: Request, tenant_slug: str) -> Response:
        rates: Any = exchange_rate_list(tenant=self.tenant, currency=request.query_params.get("currency", "").upper())
        paginator = PageNumberPagination()
        page: Any = paginator.paginate_queryset(rates, request, view=self)
        return paginator.get_paginated_response(ExchangeRateOutputSerializer(page, many=True).data)

    @extend_schema(request=ExchangeRateImportSerializer, responses={201: dict[str, int]})
    def post(self, request: Request, tenant_slug: str) -> Response:
        data = self.validated(ExchangeRateImportSerializer, request.data)
        count = exchange_rates_import(tenant=self.tenant, actor=self.actor, rows=data["rates"])
        return Response({"saved": count}, status=status.HTTP_201_CREATED)


class ExchangeRateDetailApi(TenantApi):
    """GET one rate; DELETE it (admins)."""

    perms = {"GET": "rates.view", "DELETE": "rates.change"}

    @extend_schema(responses=ExchangeRateOutputSerializer)
    def get(self, request: Request, tenant_slug: str, rate_id: int) -> Response:
        rate = exchange_rate_get(tenant=self.tenant, rate_id=rate_id)
        return Response(ExchangeRateOutputSerializer(rate).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, tenant_slug: str, rate_id: int) -> Response:
        rate = exchange_rate_get(tenant=self.tenant, rate_id=rate_id)
        exchange_rate_delete(tenant=self.tenant, actor=self.actor, rate=rate)
        return Response(status=status.HTTP_204_NO_CONTENT)
