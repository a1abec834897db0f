"""Award endpoints: categories and their candidates for a quarter, nominations and decisions, the recognition wall."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from partnerhub.core.api.base import TenantApi
from partnerhub.core.domain.periods import quarter_start
from partnerhub.core.errors import DomainError
from partnerhub.core.models import Partner
from recognition.api.tiers import reference
from recognition.models import AwardCategory
from recognition.selectors.awards import (
    award_candidates,
    award_category_get,
    award_category_list,
    nomination_get,
    nomination_list,
    recognition_wall,
)
from recognition.services.awards import (
    award_category_create,
    award_category_update,
    nomination_create,
    nomination_decide,
)
from scorecards.selectors.glossary import metric_list
from scorecards.selectors.snapshot_series import latest_complete_quarter


class CategorySerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=80)
    description = serializers.CharField(allow_blank=True, default="")
    rule = serializers.ChoiceField(choices=AwardCategory.Rule.choices)
    metric = serializers.IntegerField(source="metric_id", allow_null=True, required=False, default=None)
    min_responses = serializers.IntegerField(min_value=1, max_value=1000, default=5)
    candidate_count = serializers.IntegerField(min_value=1, max_value=20, default=5)
    is_active = serializers.BooleanField(default=True)


def _category_data(api: TenantApi, data: dict[str, Any]) -> dict[str, Any]:
    if "metric_id" in data:
        metric_id = data.pop("metric_id")
        data["metric"] = (
            reference(metric_list(tenant=api.tenant), metric_id, "metric", "metric") if metric_id is not None else None
        )
    return data


class AwardCategoryListApi(TenantApi):
    pagination_class = None  # answers the whole list (the schema must not promise a page)
    perms = {"GET": "awards.view", "POST": "awards.change"}

    @extend_schema(responses=CategorySerializer(many=True))
    def get(self, request: Request, tenant_slug: str) -> Response:
        return Response(CategorySerializer(award_category_list(tenant=self.tenant), many=True).data)

    @extend_schema(request=CategorySerializer, responses={201: CategorySerializer})
    def post(self, request: Request, tenant_slug: str) -> Response:
        data = _category_data(self, self.validated(CategorySerializer, request.data))
        category = award_category_create(tenant=self.tenant, actor=self.actor, data=data)
        return Response(CategorySerializer(category).data, status=201)


class AwardCategoryDetailApi(TenantApi):
    perms = {"GET": "awards.view", "PATCH": "awards.change"}

    @extend_schema(responses=CategorySerializer)
    def get(self, request: Request, tenant_slug: str, category_id: int) -> Response:
        return Response(CategorySerializer(award_category_get(tenant=self.tenant, category_id=category_id)).data)

    @extend_schema(request=CategorySerializer(partial=True), responses=CategorySerializer)
    def patch(self, request: Request, tenant_slug: str, category_id: int) -> Response:
        category = award_category_get(tenant=self.tenant, category_id=category_id)
        data = _category_data(self, self.validated(CategorySerializer, request.data, partial=True))
        updated = award_category_update(tenant=self.tenant, actor=self.actor, category=category, data=data)
        return Response(CategorySerializer(updated).data)


class QuarterSerializer(serializers.Serializer[None]):
    quarter = serializers.DateField(required=False, help_text="Any day of the quarter; default: the latest complete.")


class CandidateSerializer(serializers.Serializer[Any]):
    partner = serializers.IntegerField(source="partner_id")
    name = serializers.CharField()
    rank = serializers.IntegerField()
    headline = serializers.CharField()
    figures = serializers.JSONField()


class AwardCandidatesApi(TenantApi):
    """The candidates a category's rule proposes for a quarter, best first, with the figures behind each."""

    pagination_class = None  # answers the whole list (the schema must not promise a page)

    perms = {"GET": "awards.view"}

    @extend_schema(
        parameters=[QuarterSerializer],
        responses=inline_serializer(
            "AwardCandidates",
            fields={"quarter": serializers.DateField(allow_null=True), "candidates": CandidateSerializer(many=True)},
        ),
    )
    def get(self, request: Request, tenant_slug: str, category_id: int) -> Response:
        category = award_category_get(tenant=self.tenant, category_id=category_id)
        data = self.validated(QuarterSerializer, request.query_params)
        quarter = quarter_start(data["quarter"]) if "quarter" in data else latest_complete_quarter(tenant=self.tenant)
        found = award_candidates(tenant=self.tenant, category=category, quarter=quarter) if quarter else []
        return Response({"quarter": quarter, "candidates": CandidateSerializer(found, many=True).data})


class NominationSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    category = serializers.IntegerField(source="category_id")
    category_name = serializers.CharField(source="category.name")
    quarter = serializers.DateField()
    partner = serializers.IntegerField(source="partner_id")
    partner_name = serializers.CharField(source="partner.name")
    case = serializers.CharField()
    evidence_links = serializers.ListField(child=serializers.CharField())
    from_candidate = serializers.BooleanField()
    figures = serializers.JSONField()
    status = serializers.CharField()
    citation = serializers.CharField()
    decision_note = serializers.CharField()
    decided_at = serializers.DateTimeField(allow_null=True)


class NominationInputSerializer(serializers.Serializer[None]):
    category = serializers.IntegerField()
    partner = serializers.IntegerField()
    quarter = serializers.DateField()
    case = serializers.CharField(max_length=5000)
    evidence_links = serializers.ListField(child=serializers.CharField(max_length=500), required=False, default=list)


class NominationListApi(TenantApi):
    """Nominations (filter by ``quarter``, ``category``, ``status``); POST nominates a partner (managers, admins)."""

    pagination_class = None  # answers the whole list (the schema must not promise a page)

    perms = {"GET": "awards.view", "POST": "awards.nominate"}

    @extend_schema(responses=NominationSerializer(many=True))
    def get(self, request: Request, tenant_slug: str) -> Response:
        quarter = request.query_params.get("quarter")
        category = request.query_params.get("category")
        try:
            rows = nomination_list(
                tenant=self.tenant,
                quarter=quarter_start(serializers.DateField().to_internal_value(quarter)) if quarter else None,
                category_id=int(category) if category else None,
                status=request.query_params.get("status", ""),
            )
        except (ValueError, serializers.ValidationError) as exc:
            raise DomainError("Check the filters: quarter is a date, category an id.") from exc
        return Response(NominationSerializer(rows[:500], many=True).data)

    @extend_schema(request=NominationInputSerializer, responses={201: NominationSerializer})
    def post(self, request: Request, tenant_slug: str) -> Response:
        data = self.validated(NominationInputSerializer, request.data)
        tenant = self.tenant
        nomination = nomination_create(
            tenant=tenant,
            actor=self.actor,
            category=reference(AwardCategory.objects.for_tenant(tenant), data["category"], "category", "award"),
            partner=reference(Partner.objects.for_tenant(tenant), data["partner"], "partner", "partner"),
            quarter=data["quarter"],
            case=data["case"],
            evidence_links=data["evidence_links"],
        )
        return Response(NominationSerializer(nomination).data, status=201)


class NominationDetailApi(TenantApi):
    perms = {"GET": "awards.view"}

    @extend_schema(responses=NominationSerializer)
    def get(self, request: Request, tenant_slug: str, nomination_id: int) -> Response:
        return Response(NominationSerializer(nomination_get(tenant=self.tenant, nomination_id=nomination_id)).data)


class NominationDecideSerializer(serializers.Serializer[None]):
    decision = serializers.ChoiceField(choices=["award", "decline"])
    citation = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class NominationDecideApi(TenantApi):
    """Award a nomination (a citation is required: it goes on the wall) or decline it; not one's own nomination."""

    perms = {"POST": "awards.decide"}

    @extend_schema(request=NominationDecideSerializer, responses=NominationSerializer)
    def post(self, request: Request, tenant_slug: str, nomination_id: int) -> Response:
        nomination = nomination_get(tenant=self.tenant, nomination_id=nomination_id)
        data = self.validated(NominationDecideSerializer, request.data)
        decided = nomination_decide(
            tenant=self.tenant,
            actor=self.actor,
            nomination=nomination,
            award=data["decision"] == "award",
            citation=data["citation"],
            note=data["note"],
        )
        return Response(NominationSerializer(decided).data)


class WallEntrySerializer(serializers.Serializer[Any]):
    award = serializers.CharField(source="category.name")
    rule = serializers.CharField(source="category.get_rule_display")
    quarter = serializers.DateField()
    partner = serializers.CharField(source="partner.name")
    citation = serializers.CharField()
    figures = serializers.JSONField()


class RecognitionWallApi(TenantApi):
    """The recognition wall: every award with its citation and figures (every member, partner users included)."""

    pagination_class = None  # answers the whole list (the schema must not promise a page)

    perms = {"GET": "wall.view"}

    @extend_schema(responses=WallEntrySerializer(many=True))
    def get(self, request: Request, tenant_slug: str) -> Response:
        return Response(WallEntrySerializer(recognition_wall(tenant=self.tenant)[:200], many=True).data)
