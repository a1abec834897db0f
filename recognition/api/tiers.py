"""Tier endpoints: tiers and benefits, framework versions (draft, save, preview, publish), the recommendation queue
and decisions, exceptions, a partner's tier history and standing, and the partner's own tier card. Thin: validate,
fetch (a foreign or missing object is a 404 before the body is read), call a service or selector, serialize.

An id in a body that names another program's object (a tier, a metric, a partner, a recommendation) is a 400 naming
the field, and nothing is written.
"""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from partnerhub.core.api.base import TenantApi
from partnerhub.core.errors import DomainError
from partnerhub.core.models import Partner, Tenant
from partnerhub.core.selectors.program import partner_get
from recognition.domain.tiers import part_label
from recognition.models import FrameworkVersion, Move, Tier, TierRecommendation
from recognition.selectors.tiers import (
    RecommendationFilters,
    criteria_rows,
    framework_preview,
    framework_spec,
    framework_version_get,
    framework_version_list,
    partner_tier_status,
    recommendation_counts,
    recommendation_get,
    recommendation_list,
    tier_get,
    tier_history,
    tier_list,
)
from recognition.services.tier_recommendations import recommendation_exception_propose, recommendations_decide
from recognition.services.tiers import (
    CriteriaInput,
    MetricInput,
    framework_draft_open,
    framework_draft_save,
    framework_publish,
    tier_create,
    tier_update,
)
from scorecards.selectors.glossary import metric_list

_M = TypeVar("_M", bound=Model)


def reference(queryset: QuerySet[_M], pk: int, field: str, what: str) -> _M:
    """The object of this program named by ``pk``; another program's id (or none) is a 400 naming the field."""
    found = queryset.filter(pk=pk).first()
    if found is None:
        message = f"No {what} of this program has that id."
        raise DomainError(message, code="invalid", extra={"fields": {field: [message]}})
    return found


# --- tiers ---


class TierSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True)
    key = serializers.SlugField(max_length=12)
    name = serializers.CharField(max_length=60)
    rank = serializers.IntegerField(min_value=1, max_value=99)
    mdf_share_pct = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100, default=Decimal(0)
    )
    discount_pct = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100, default=Decimal(0)
    )
    enablement = serializers.CharField(max_length=200, allow_blank=True, default="")
    support = serializers.CharField(max_length=200, allow_blank=True, default="")
    beta_access = serializers.BooleanField(default=False)
    executive_sponsor = serializers.BooleanField(default=False)
    other_benefits = serializers.CharField(allow_blank=True, default="")


class TierListApi(TenantApi):
    """The program's tiers, entry tier first, with their benefits; POST adds one (admins)."""

    pagination_class = None  # answers the whole list (the schema must not promise a page)

    perms = {"GET": "recognition.view", "POST": "tiers.change"}

    @extend_schema(responses=TierSerializer(many=True))
    def get(self, request: Request, tenant_slug: str) -> Response:
        return Response(TierSerializer(tier_list(tenant=self.tenant), many=True).data)

    @extend_schema(request=TierSerializer, responses={201: TierSerializer})
    def post(self, request: Request, tenant_slug: str) -> Response:
        data = self.validated(TierSerializer, request.data)
        tier = tier_create(tenant=self.tenant, actor=self.actor, data=data)
        return Response(TierSerializer(tier).data, status=201)


class TierDetailApi(TenantApi):
    """One tier; PATCH changes its name, rank or benefits (its key never changes)."""

    perms = {"GET": "recognition.view", "PATCH": "tiers.change"}

    @extend_schema(responses=TierSerializer)
    def get(self, request: Request, tenant_slug: str, tier_id: int) -> Response:
        return Response(TierSerializer(tier_get(tenant=self.tenant, tier_id=tier_id)).data)

    @extend_schema(request=TierSerializer(partial=True), responses=TierSerializer)
    def patch(self, request: Request, tenant_slug: str, tier_id: int) -> Response:
        tier = tier_get(tenant=self.tenant, tier_id=tier_id)
        data = self.validated(TierSerializer, request.data, partial=True)
        data.pop("key", None)
        return Response(TierSerializer(tier_update(tenant=self.tenant, actor=self.actor, tier=tier, data=data)).data)


# --- framework versions ---


class MetricRequirementSerializer(serializers.Serializer[Any]):
    metric = serializers.IntegerField(help_text="A metric id of this program's glossary.")
    threshold = serializers.DecimalField(max_digits=18, decimal_places=4)
    comparison = serializers.ChoiceField(choices=["gte", "lte"], required=False, help_text="Default: by direction.")


class CriteriaSerializer(serializers.Serializer[Any]):
    tier = serializers.IntegerField(help_text="A tier id of this program.")
    min_score = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True, required=False)
    quarters_required = serializers.IntegerField(min_value=1, default=1)
    quarters_window = serializers.IntegerField(min_value=1, default=1)
    min_tenure_months = serializers.IntegerField(min_value=0, allow_null=True, required=False)
    metrics = MetricRequirementSerializer(many=True, required=False)


class FrameworkSaveSerializer(serializers.Serializer[None]):
    grace_quarters = serializers.IntegerField(min_value=0)
    grace_visible_to_partner = serializers.BooleanField(default=True)
    criteria = CriteriaSerializer(many=True)


class FrameworkVersionSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    status = serializers.CharField()
    effective_from = serializers.DateField(allow_null=True)
    rationale = serializers.CharField()
    grace_quarters = serializers.IntegerField()
    grace_visible_to_partner = serializers.BooleanField()
    published_at = serializers.DateTimeField(allow_null=True)


def _version_detail(tenant: Tenant, version: FrameworkVersion) -> dict[str, Any]:
    data = dict(FrameworkVersionSerializer(version).data)
    spec = framework_spec(tenant=tenant, version=version)
    data["criteria"] = [
        {
            "tier": row.tier_id,
            "tier_key": row.tier.key,
            "min_score": row.min_score,
            "quarters_required": row.quarters_required,
            "quarters_window": row.quarters_window,
            "min_tenure_months": row.min_tenure_months,
            "metrics": [
                {"metric": m.metric_id, "key": m.metric.key, "comparison": m.comparison, "threshold": m.threshold}
                for m in row.metrics.all()
            ],
        }
        for row in criteria_rows(tenant=tenant, version=version)
    ]
    data["in_words"] = {t.key: spec.criteria_of(t).labels() for t in spec.tiers}
    return data


class FrameworkVersionListApi(TenantApi):
    """Framework versions, newest first; POST opens the draft (a copy of the latest version, or a suggestion)."""

    pagination_class = None  # answers the whole list (the schema must not promise a page)

    perms = {"GET": "recognition.view", "POST": "framework.change"}

    @extend_schema(responses=FrameworkVersionSerializer(many=True))
    def get(self, request: Request, tenant_slug: str) -> Response:
        return Response(FrameworkVersionSerializer(framework_version_list(tenant=self.tenant), many=True).data)

    @extend_schema(request=OpenApiTypes.OBJECT, responses={201: FrameworkVersionSerializer})  # a body of {}
    def post(self, request: Request, tenant_slug: str) -> Response:
        draft = framework_draft_open(tenant=self.tenant, actor=self.actor)
        return Response(_version_detail(self.tenant, draft), status=201)


class FrameworkVersionDetailApi(TenantApi):
    """A version with its criteria (ids and in words); PATCH replaces a draft's criteria and grace settings, checked
    as a whole (400 with every problem in ``extra.problems``; nothing written)."""

    perms = {"GET": "recognition.view", "PATCH": "framework.change"}

    @extend_schema(responses=FrameworkVersionSerializer)
    def get(self, request: Request, tenant_slug: str, framework_version_id: int) -> Response:
        version = framework_version_get(tenant=self.tenant, version_id=framework_version_id)
        return Response(_version_detail(self.tenant, version))

    @extend_schema(request=FrameworkSaveSerializer, responses=FrameworkVersionSerializer)
    def patch(self, request: Request, tenant_slug: str, framework_version_id: int) -> Response:
        tenant = self.tenant
        version = framework_version_get(tenant=tenant, version_id=framework_version_id)
        data = self.validated(FrameworkSaveSerializer, request.data)
        tiers, metrics = tier_list(tenant=tenant), metric_list(tenant=tenant)
        criteria = [
            CriteriaInput(
                tier=reference(tiers, c["tier"], "criteria", "tier"),
                min_score=c.get("min_score"),
                quarters_required=c["quarters_required"],
                quarters_window=c["quarters_window"],
                min_tenure_months=c.get("min_tenure_months"),
                metrics=tuple(
                    MetricInput(
                        metric=reference(metrics, m["metric"], "criteria", "metric"),
                        threshold=m["threshold"],
                        comparison=m.get("comparison", ""),
                    )
                    for m in c.get("metrics", [])
                ),
            )
            for c in data["criteria"]
        ]
        saved = framework_draft_save(
            tenant=tenant,
            actor=self.actor,
            version=version,
            criteria=criteria,
            grace_quarters=data["grace_quarters"],
            grace_visible_to_partner=data["grace_visible_to_partner"],
        )
        return Response(_version_detail(tenant, saved))


class PreviewSerializer(serializers.Serializer[Any]):
    quarter = serializers.DateField(allow_null=True)
    partners = serializers.IntegerField()
    up = serializers.IntegerField()
    down = serializers.IntegerField()
    stay = serializers.IntegerField()
    draft_counts = serializers.DictField(child=serializers.IntegerField())
    current_counts = serializers.DictField(child=serializers.IntegerField(), allow_null=True)
    changed_total = serializers.IntegerField()
    changed = serializers.ListField(child=serializers.DictField())


class FrameworkPreviewApi(TenantApi):
    """How many partners a version would move up, down or keep in the latest complete quarter (nothing written)."""

    perms = {"GET": "framework.change"}

    @extend_schema(responses=PreviewSerializer)
    def get(self, request: Request, tenant_slug: str, framework_version_id: int) -> Response:
        version = framework_version_get(tenant=self.tenant, version_id=framework_version_id)
        preview = framework_preview(tenant=self.tenant, draft=version)
        return Response(
            PreviewSerializer(
                {
                    "quarter": preview.quarter,
                    "partners": preview.partners,
                    "up": preview.up,
                    "down": preview.down,
                    "stay": preview.stay,
                    "draft_counts": preview.draft_counts,
                    "current_counts": preview.current_counts,
                    "changed_total": preview.changed_total,
                    "changed": [asdict(row) for row in preview.changed],
                }
            ).data
        )


class PublishSerializer(serializers.Serializer[None]):
    rationale = serializers.CharField()
    effective_from = serializers.DateField()


class FrameworkPublishApi(TenantApi):
    """Publish a draft with a rationale and an effective date (after the version in force's)."""

    perms = {"POST": "framework.change"}

    @extend_schema(request=PublishSerializer, responses=FrameworkVersionSerializer)
    def post(self, request: Request, tenant_slug: str, framework_version_id: int) -> Response:
        version = framework_version_get(tenant=self.tenant, version_id=framework_version_id)
        data = self.validated(PublishSerializer, request.data)
        published = framework_publish(tenant=self.tenant, actor=self.actor, version=version, **data)
        return Response(_version_detail(self.tenant, published))


# --- recommendations ---


class RecommendationSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    partner = serializers.IntegerField(source="partner_id")
    partner_name = serializers.CharField(source="partner.name")
    quarter = serializers.DateField()
    version = serializers.IntegerField(source="version_id")
    source = serializers.CharField()  # type: ignore[assignment]  # a field named "source", not DRF's attribute
    move = serializers.CharField()
    from_tier = serializers.SlugField(source="from_tier.key", allow_null=True, default=None)
    to_tier = serializers.SlugField(source="to_tier.key", allow_null=True, default=None)
    grace_quarter = serializers.IntegerField()
    explanation = serializers.CharField()
    status = serializers.CharField()
    justification = serializers.CharField()
    decided_by = serializers.SerializerMethodField()
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_comment = serializers.CharField()
    effective_date = serializers.DateField(allow_null=True)

    def get_decided_by(self, obj: TierRecommendation) -> str | None:
        return str(obj.decided_by.user) if obj.decided_by_id and obj.decided_by else None


class RecommendationDetailSerializer(RecommendationSerializer):
    evidence = serializers.JSONField()


class RecommendationFilterSerializer(serializers.Serializer[None]):
    quarter = serializers.DateField(required=False)
    move = serializers.ChoiceField(choices=Move.choices, required=False)
    status = serializers.ChoiceField(
        choices=[*TierRecommendation.Status.values, "all"], required=False, default="pending"
    )
    partner_type = serializers.ChoiceField(choices=Partner.Type.choices, required=False)
    stage = serializers.ChoiceField(choices=Partner.Stage.choices, required=False)
    owner = serializers.IntegerField(required=False)
    source = serializers.ChoiceField(choices=TierRecommendation.Source.choices, required=False)  # type: ignore[assignment]


class RecommendationListApi(TenantApi):
    """The queue: recommendations filtered by quarter, move, status (default pending; ``all``), segment and owner,
    paginated, with the count per move."""

    perms = {"GET": "recognition.view"}

    @extend_schema(parameters=[RecommendationFilterSerializer], responses=RecommendationSerializer(many=True))
    def get(self, request: Request, tenant_slug: str) -> Response:
        data = self.validated(RecommendationFilterSerializer, request.query_params)
        status = data.get("status", "pending")
        filters = RecommendationFilters(
            quarter=data.get("quarter"),
            move=data.get("move", ""),
            status="" if status == "all" else status,
            partner_type=data.get("partner_type", ""),
            stage=data.get("stage", ""),
            owner=data.get("owner"),
            source=data.get("source", ""),
        )
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(recommendation_list(tenant=self.tenant, filters=filters), request, view=self)
        response = paginator.get_paginated_response(RecommendationSerializer(page, many=True).data)
        response.data["counts"] = recommendation_counts(tenant=self.tenant, filters=filters)
        return response


class RecommendationDetailApi(TenantApi):
    """One recommendation with its evidence (each criterion x period x value x met)."""

    perms = {"GET": "recognition.view"}

    @extend_schema(responses=RecommendationDetailSerializer)
    def get(self, request: Request, tenant_slug: str, recommendation_id: int) -> Response:
        found = recommendation_get(tenant=self.tenant, recommendation_id=recommendation_id)
        return Response(RecommendationDetailSerializer(found).data)


class DecideSerializer(serializers.Serializer[None]):
    recommendations = serializers.ListField(child=serializers.IntegerField(), min_length=1, max_length=5000)
    decision = serializers.ChoiceField(choices=["approve", "reject"])
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    effective_date = serializers.DateField(required=False, allow_null=True, default=None)


class DecideResultSerializer(serializers.Serializer[Any]):
    decided = serializers.IntegerField()
    approved = serializers.IntegerField()
    rejected = serializers.IntegerField()
    tier_changes = serializers.IntegerField()
    superseded = serializers.IntegerField()


class RecommendationDecideApi(TenantApi):
    """Approve or reject recommendations, all or none: a rejection needs a reason (``comment``); an exception needs an
    executive who did not propose it; a decided one is refused (400 ``already_decided``)."""

    perms = {"POST": "recommendations.decide"}

    @extend_schema(request=DecideSerializer, responses=DecideResultSerializer)
    def post(self, request: Request, tenant_slug: str) -> Response:
        data = self.validated(DecideSerializer, request.data)
        ids = sorted(set(data["recommendations"]))
        found = list(TierRecommendation.objects.for_tenant(self.tenant).filter(pk__in=ids))
        if len(found) != len(ids):
            message = "A recommendation named is not one of this program's."
            raise DomainError(message, code="invalid", extra={"fields": {"recommendations": [message]}})
        result = recommendations_decide(
            tenant=self.tenant,
            actor=self.actor,
            recommendations=found,
            approve=data["decision"] == "approve",
            comment=data["comment"],
            effective_date=data["effective_date"],
        )
        return Response(DecideResultSerializer(result).data)


class ExceptionSerializer(serializers.Serializer[None]):
    partner = serializers.IntegerField()
    to_tier = serializers.IntegerField()
    justification = serializers.CharField(max_length=2000)


class RecommendationExceptionApi(TenantApi):
    """Propose a tier other than the framework's for a partner (its owner manager, an admin or an executive), with a
    justification; an executive decides it."""

    perms = {"POST": "recommendations.propose"}

    @extend_schema(request=ExceptionSerializer, responses={201: RecommendationDetailSerializer})
    def post(self, request: Request, tenant_slug: str) -> Response:
        data = self.validated(ExceptionSerializer, request.data)
        tenant = self.tenant
        partner = reference(Partner.objects.for_tenant(tenant), data["partner"], "partner", "partner")
        to_tier = reference(Tier.objects.for_tenant(tenant), data["to_tier"], "to_tier", "tier")
        proposed = recommendation_exception_propose(
            tenant=tenant, actor=self.actor, partner=partner, to_tier=to_tier, justification=data["justification"]
        )
        return Response(RecommendationDetailSerializer(proposed).data, status=201)


# --- a partner's tiers ---


class TierChangeSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    from_tier = serializers.SlugField(source="from_tier.key", allow_null=True, default=None)
    to_tier = serializers.SlugField(source="to_tier.key")
    effective_date = serializers.DateField()
    move = serializers.CharField()
    approved_by = serializers.SerializerMethodField()
    recommendation = serializers.IntegerField(source="recommendation_id", allow_null=True)
    explanation = serializers.CharField()
    comment = serializers.CharField()
    evidence = serializers.JSONField()

    def get_approved_by(self, obj: Any) -> str | None:
        return str(obj.approved_by.user) if obj.approved_by_id and obj.approved_by else None


def _standing(tenant: Tenant, partner: Partner, *, for_partner: bool) -> dict[str, Any]:
    status = partner_tier_status(tenant=tenant, partner=partner)
    show_grace = not for_partner or status.grace_visible_to_partner
    return {
        "partner": partner.pk,
        "tier": status.tier.key if status.tier else partner.tier,
        "tier_name": status.tier.name if status.tier else partner.tier,
        "quarter": status.quarter,
        "move": status.move if (show_grace or status.move != "grace") else "hold",
        "in_grace": status.in_grace and show_grace,
        "grace_quarter": status.grace_quarter if show_grace else 0,
        "at_risk": status.at_risk if (show_grace and status.in_grace) or not for_partner else [],
        "next_tier": status.next_tier.key if status.next_tier else None,
        "next_tier_requires": [{**c, "label": part_label(c)} for c in status.next["criteria"]] if status.next else [],
        "next_tier_gaps": status.next_gaps,
    }


class TierStandingSerializer(serializers.Serializer[Any]):
    """The shape of ``_standing`` (documents the answer; the views build it from the tier status)."""

    partner = serializers.IntegerField()
    tier = serializers.CharField()
    tier_name = serializers.CharField()
    quarter = serializers.DateField(allow_null=True)
    move = serializers.CharField()
    in_grace = serializers.BooleanField()
    grace_quarter = serializers.IntegerField()
    at_risk = serializers.ListField(child=serializers.CharField())
    next_tier = serializers.CharField(allow_null=True)
    next_tier_requires = serializers.ListField(child=serializers.DictField())
    next_tier_gaps = serializers.ListField(child=serializers.CharField())


class PartnerTierOutputSerializer(TierStandingSerializer):
    history = TierChangeSerializer(many=True)


class PortalTierChangeSerializer(serializers.Serializer[Any]):
    from_tier = serializers.CharField(allow_null=True)
    to_tier = serializers.CharField()
    effective_date = serializers.DateField()


class PortalTierOutputSerializer(TierStandingSerializer):
    history = PortalTierChangeSerializer(many=True)


class PartnerTierApi(TenantApi):
    """A partner's tier, its standing against the framework in force (grace and the criteria at risk), what the next
    tier requires and the gap in numbers, and its tier history with evidence."""

    pagination_class = None  # answers the whole list (the schema must not promise a page)

    perms = {"GET": "recognition.view"}

    @extend_schema(responses=PartnerTierOutputSerializer)
    def get(self, request: Request, tenant_slug: str, partner_id: int) -> Response:
        partner = partner_get(tenant=self.tenant, partner_id=partner_id)
        data = _standing(self.tenant, partner, for_partner=False)
        data["history"] = TierChangeSerializer(tier_history(tenant=self.tenant, partner=partner)[:100], many=True).data
        return Response(data)


class PortalTierApi(TenantApi):
    """The partner user's own tier card: tier, what the next tier requires, the gap in numbers; the grace warning only
    if the program shows it to partners. Never another partner."""

    perms = {"GET": "portal.tier"}

    @extend_schema(responses=PortalTierOutputSerializer)
    def get(self, request: Request, tenant_slug: str) -> Response:
        if self.actor.partner_id is None:
            raise Http404
        partner = partner_get(tenant=self.tenant, partner_id=self.actor.partner_id)
        data = _standing(self.tenant, partner, for_partner=True)
        data["history"] = [
            {
                "from_tier": c.from_tier.key if c.from_tier else None,
                "to_tier": c.to_tier.key,
                "effective_date": c.effective_date,
            }
            for c in tier_history(tenant=self.tenant, partner=partner)[:50]
        ]
        return Response(data)
