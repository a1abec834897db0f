"""Scorecards endpoints: the metric glossary, and imports of partner data posted as rows (token auth, tenant URL)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from partnerhub.core.api.base import TenantApi
from scorecards.models import ImportBatch
from scorecards.selectors.glossary import metric_list
from scorecards.services.imports import import_rows, import_spec


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
        metrics = metric_list(tenant=self.tenant)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(metrics, request, view=self)
        return paginator.get_paginated_response(MetricOutputSerializer(page, many=True).data)


class ImportErrorSerializer(serializers.Serializer[dict[str, Any]]):  # one entry of ImportBatch.errors
    row = serializers.IntegerField(help_text="The row in the CSV rendering of the rows: the first row is row 2.")
    column = serializers.CharField()
    value = serializers.CharField()
    reason = serializers.CharField()


# Serializer[None] for an input serializer: it validates request data and never wraps an instance.
class ImportRowsInputSerializer(serializers.Serializer[None]):
    rows = serializers.ListField(
        child=serializers.DictField(), allow_empty=True, help_text="Objects keyed by the kind's field names."
    )
    commit = serializers.BooleanField(default=False, help_text="Write the rows (all or nothing); else preview.")
    # A declared field named like a Field attribute is fine at run time (DRF pops declared fields off the class).
    source = serializers.CharField(  # type: ignore[assignment]
        max_length=60, default="api", help_text="Where the rows come from."
    )


class ImportRowsOutputSerializer(serializers.Serializer[ImportBatch]):
    batch = serializers.IntegerField(source="pk")
    status = serializers.CharField()
    counts = serializers.DictField(child=serializers.IntegerField())
    # Named like Serializer.errors, which is fine at run time (DRF pops declared fields off the class).
    errors = ImportErrorSerializer(many=True)  # type: ignore[assignment]


class ImportRowsApi(TenantApi):
    """Preview or commit rows of partner data (observations, deals, activities, surveys).

    A preview answers 200 with the counts and any errors. A commit with an invalid row answers 400 with the errors in
    ``extra.errors`` and writes nothing. An unknown kind is a 404.
    """

    perms = {"POST": "imports.run"}

    @extend_schema(request=ImportRowsInputSerializer, responses=ImportRowsOutputSerializer)
    def post(self, request: Request, tenant_slug: str, kind: str) -> Response:
        import_spec(kind)  # an unknown kind is a 404 before the body is looked at
        data = self.validated(ImportRowsInputSerializer, request.data)
        batch = import_rows(
            tenant=self.tenant,
            actor=self.actor,
            kind=kind,
            rows=data["rows"],
            commit=data["commit"],
            source=data["source"],
        )
        return Response(ImportRowsOutputSerializer(batch).data)
