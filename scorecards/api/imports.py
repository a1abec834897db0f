"""Imports of partner data posted as rows (the same rules, preview and commit as an uploaded file)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from partnerhub.core.api.base import TenantApi
from scorecards.models import ImportBatch
from scorecards.services.imports import import_rows, import_spec


class ImportErrorSerializer(serializers.Serializer[dict[str, Any]]):  # one entry of ImportBatch.errors
    row = serializers.IntegerField(help_text="The row in the CSV rendering of the rows: the first row is row 2.")
    column = serializers.CharField()
    value = serializers.CharField()
    reason = serializers.CharField()


# Serializer[None] for an input serializer: it validates request data and never wraps an instance.
class ImportRowsInputSerializer(serializers.Serializer[None]):
    rows = serializers.ListField(
        child=serializers.DictField(),
        allow_empty=True,
        help_text="Objects keyed by the kind's field names, or by your own keys with a mapping.",
    )
    mapping = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        help_text="{our field: your key}, as the import page maps a file's columns; without it keys are our fields.",
    )
    options = serializers.DictField(
        required=False,
        help_text='As on the import page: {"units": {"probability": "fraction"|"percent"}, "currency": "EUR", '
        '"values": {field: {your value: ours}}, "duplicates": "link"|"skip"|"keep", '
        '"new_partners": {"partner_type", "region"}, "defaults": {field: value}}.',
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
    ``extra.errors`` and writes nothing. Rows keyed by other names than ours need ``mapping``; keys that fit
    neither are reported with the fields expected and the keys given. An unknown kind is a 404.
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
            mapping=data.get("mapping"),
            options=data.get("options"),
        )
        return Response(ImportRowsOutputSerializer(batch).data)
