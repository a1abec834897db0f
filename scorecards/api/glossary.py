"""The metric glossary, read through the API (everyone in the program, partner users included)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from partnerhub.core.api.base import TenantApi
from scorecards.selectors.glossary import metric_list


# Serializer[Any] for an output serializer also given a page with many=True: djangorestframework-stubs types a
# serializer's instance as one object, so a list is an error (typeddjango/djangorestframework-stubs#827).
class MetricOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    key = serializers.CharField()
    name = serializers.CharField()
    definition = serializers.CharField()
    unit = serializers.CharField()
    direction = serializers.CharField()
    timing = serializers.CharField()
    category = serializers.CharField()
    aggregation = serializers.CharField()
    data_source = serializers.CharField()
    data_owner = serializers.IntegerField(source="data_owner_id", allow_null=True)
    derived_from_deals = serializers.BooleanField()
    freshness_days = serializers.IntegerField()
    updated_at = serializers.DateTimeField()


class MetricListApi(TenantApi):
    """The program's metric glossary, by category then name (every member may read it)."""

    perms = {"GET": "metrics.view"}

    @extend_schema(responses=MetricOutputSerializer(many=True))
    def get(self, request: Request, tenant_slug: str) -> Response:
        metrics: Any = metric_list(tenant=self.tenant)
        paginator = PageNumberPagination()
        page: Any = paginator.paginate_queryset(metrics, request, view=self)
        return paginator.get_paginated_response(MetricOutputSerializer(page, many=True).data)
