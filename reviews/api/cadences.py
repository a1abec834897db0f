"""Cadence endpoints: list, create, read and change cadences; generate a cycle; read a cycle with its reviews."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from partnerhub.core.api.base import TenantApi
from partnerhub.core.domain.periods import period_label
from partnerhub.core.models import Partner
from reviews.domain.agenda import PROMPT_MAX, TITLE_MAX
from reviews.models import Cadence, ReviewCycle
from reviews.selectors.cadences import cadence_get, cadence_list
from reviews.selectors.cycles import cycle_get, cycle_reviews
from reviews.services.cadences import MAX_LEAD_DAYS, OFFSET_DAYS_MAX, cadence_create, cadence_update
from reviews.services.cycles import cycle_generate


class PromptSerializer(serializers.Serializer[dict[str, Any]]):  # a prompt of a cadence's agenda (JSON)
    key = serializers.CharField(read_only=True)
    text = serializers.CharField(max_length=PROMPT_MAX)


class SectionSerializer(serializers.Serializer[dict[str, Any]]):  # a section of a cadence's agenda (JSON)
    key = serializers.CharField(read_only=True)
    title = serializers.CharField(max_length=TITLE_MAX)
    prompts = PromptSerializer(many=True, required=False)


# Serializer[Any] for an output serializer also given a page with many=True: djangorestframework-stubs types a
# serializer's instance as one object, so a list is an error (typeddjango/djangorestframework-stubs#827).
class CadenceOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    frequency = serializers.CharField()
    partner_types = serializers.ListField(child=serializers.CharField())
    tiers = serializers.ListField(child=serializers.CharField())
    stages = serializers.ListField(child=serializers.CharField())
    include_strategic = serializers.BooleanField()
    review_offset_days = serializers.IntegerField()
    prep_lead_days = serializers.IntegerField()
    self_assessment_lead_days = serializers.IntegerField()
    asks_forecast = serializers.BooleanField()
    detailed_cap = serializers.IntegerField(allow_null=True)
    agenda = SectionSerializer(many=True)
    is_active = serializers.BooleanField()
    updated_at = serializers.DateTimeField()


# Serializer[None] for an input serializer: it validates request data and never wraps an instance.
class CadenceInputSerializer(serializers.Serializer[None]):
    """A cadence; the agenda as JSON sections (``agenda``) or as editor text (``agenda_text``), not both."""

    name = serializers.CharField(max_length=120)
    kind = serializers.ChoiceField(choices=Cadence.Kind.choices)
    frequency = serializers.ChoiceField(choices=Cadence.Frequency.choices)
    partner_types = serializers.ListField(child=serializers.ChoiceField(choices=Partner.Type.choices), required=False)
    tiers = serializers.ListField(child=serializers.ChoiceField(choices=Partner.Tier.choices), required=False)
    stages = serializers.ListField(child=serializers.ChoiceField(choices=Partner.Stage.choices), required=False)
    include_strategic = serializers.BooleanField(required=False)
    review_offset_days = serializers.IntegerField(min_value=0, max_value=OFFSET_DAYS_MAX, required=False)
    prep_lead_days = serializers.IntegerField(min_value=0, max_value=MAX_LEAD_DAYS, required=False)
    self_assessment_lead_days = serializers.IntegerField(min_value=0, max_value=MAX_LEAD_DAYS, required=False)
    asks_forecast = serializers.BooleanField(required=False)
    detailed_cap = serializers.IntegerField(min_value=1, allow_null=True, required=False)
    agenda = SectionSerializer(many=True, required=False)
    agenda_text = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    is_active = serializers.BooleanField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "agenda" in attrs and "agenda_text" in attrs:
            raise serializers.ValidationError({"agenda": ["Send the agenda as “agenda” or “agenda_text”, not both."]})
        return attrs


class CadenceListApi(TenantApi):
    """The program's cadences (internal members); admins create one. Without an agenda, the default one is used."""

    perms = {"GET": "cadences.view", "POST": "cadences.change"}

    @extend_schema(responses=CadenceOutputSerializer(many=True))
    def get(self, request: Request, tenant_slug: str) -> Response:
        cadences = cadence_list(tenant=self.tenant)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(cadences, request, view=self)
        return paginator.get_paginated_response(CadenceOutputSerializer(page, many=True).data)

    @extend_schema(request=CadenceInputSerializer, responses={201: CadenceOutputSerializer})
    def post(self, request: Request, tenant_slug: str) -> Response:
        data = self.validated(CadenceInputSerializer, request.data)
        cadence = cadence_create(tenant=self.tenant, actor=self.actor, data=data)
        return Response(CadenceOutputSerializer(cadence).data, status=201)


class CadenceDetailApi(TenantApi):
    """One cadence; admins change it (only the fields sent; ``is_active: false`` deactivates it)."""

    perms = {"GET": "cadences.view", "PATCH": "cadences.change"}

    @extend_schema(responses=CadenceOutputSerializer)
    def get(self, request: Request, tenant_slug: str, cadence_id: int) -> Response:
        return Response(CadenceOutputSerializer(cadence_get(tenant=self.tenant, cadence_id=cadence_id)).data)

    @extend_schema(request=CadenceInputSerializer, responses=CadenceOutputSerializer)
    def patch(self, request: Request, tenant_slug: str, cadence_id: int) -> Response:
        cadence = cadence_get(tenant=self.tenant, cadence_id=cadence_id)
        data = self.validated(CadenceInputSerializer, request.data, partial=True)
        cadence = cadence_update(tenant=self.tenant, actor=self.actor, cadence=cadence, data=data)
        return Response(CadenceOutputSerializer(cadence).data)


class CycleGenerateInputSerializer(serializers.Serializer[None]):
    period_start = serializers.DateField(help_text="Any day of the period: the cycle is the period containing it.")


class CycleSummarySerializer(serializers.Serializer[dict[str, Any]]):  # CycleResult.as_dict()
    cycle = serializers.IntegerField()
    cadence = serializers.IntegerField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    created = serializers.IntegerField(help_text="Reviews scheduled by this call.")
    existing = serializers.IntegerField(help_text="Reviews the cycle already had (left as they were).")
    qualifying = serializers.IntegerField()
    detailed = serializers.IntegerField()


class CycleGenerateApi(TenantApi):
    """Generate (or complete) the cadence's cycle for a period: idempotent, 201 when reviews were scheduled."""

    perms = {"POST": "cycles.generate"}

    @extend_schema(request=CycleGenerateInputSerializer, responses={200: CycleSummarySerializer})
    def post(self, request: Request, tenant_slug: str, cadence_id: int) -> Response:
        cadence = cadence_get(tenant=self.tenant, cadence_id=cadence_id)
        data = self.validated(CycleGenerateInputSerializer, request.data)
        result = cycle_generate(
            tenant=self.tenant, cadence=cadence, period_start=data["period_start"], actor=self.actor
        )
        return Response(CycleSummarySerializer(result.as_dict()).data, status=201 if result.created else 200)


class CycleReviewSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    partner = serializers.IntegerField(source="partner_id")
    partner_name = serializers.CharField(source="partner.name")
    depth = serializers.CharField()
    priority_rank = serializers.IntegerField()
    selection_reason = serializers.CharField()
    scheduled_for = serializers.DateTimeField()
    moderator = serializers.IntegerField(source="moderator_id", allow_null=True)
    state = serializers.CharField()


class CycleOutputSerializer(serializers.Serializer[ReviewCycle]):
    id = serializers.IntegerField()
    cadence = serializers.IntegerField(source="cadence_id")
    period = serializers.SerializerMethodField(help_text="'Q4 2026', 'November 2026' or 'H2 2026'.")
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    generated_at = serializers.DateTimeField(allow_null=True)
    qualifying_count = serializers.IntegerField()
    detailed_count = serializers.IntegerField()

    def get_period(self, cycle: ReviewCycle) -> str:
        return period_label(cycle.cadence.frequency, cycle.period_start)


class CycleDetailApi(TenantApi):
    """A cycle, with its reviews in priority order (paginated: ``results``), each with why it got its depth."""

    perms = {"GET": "cadences.view"}

    @extend_schema(responses=CycleReviewSerializer(many=True))
    def get(self, request: Request, tenant_slug: str, cycle_id: int) -> Response:
        cycle = cycle_get(tenant=self.tenant, cycle_id=cycle_id)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(cycle_reviews(tenant=self.tenant, cycle=cycle), request, view=self)
        response = paginator.get_paginated_response(CycleReviewSerializer(page, many=True).data)
        response.data = {"cycle": CycleOutputSerializer(cycle).data, **response.data}
        return response
