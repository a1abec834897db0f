"""Finding and lesson endpoints: the backlog (filtered, sorted, paginated), record a finding, read and edit one; the
lessons library. Thin: validate, resolve referenced ids within the tenant (another tenant's id is a 400 naming the
field), call a service or selector, serialize."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from partnerhub.core.api.base import TenantApi
from partnerhub.core.errors import DomainError
from partnerhub.core.models import Membership, Partner, Tenant
from remediation.api.serializers import FindingOutputSerializer, LessonOutputSerializer
from remediation.models import Finding, Severity
from remediation.selectors.findings import FINDING_SORTS, FindingFilters, finding_get, finding_list
from remediation.selectors.lessons import lesson_list
from remediation.services.findings import FindingInput, finding_create, finding_update
from reviews.selectors.reviews import review_get

_M = TypeVar("_M", bound=Model)
COHORT_FIELDS = ("cohort_types", "cohort_tiers", "cohort_regions", "cohort_markets", "cohort_product_lines")


def reference(queryset: QuerySet[_M], pk: int | None, field: str, what: str) -> _M | None:
    """The object of this tenant named by ``pk`` (None for none); another tenant's id is a 400 naming the field."""
    if pk is None:
        return None
    found = queryset.filter(pk=pk).first()
    if found is None:
        message = f"No {what} of this program has that id."
        raise DomainError(message, code="invalid", extra={"fields": {field: [message]}})
    return found


def member(tenant: Tenant, pk: int | None, field: str) -> Membership | None:
    return reference(Membership.objects.for_tenant(tenant).select_related("user"), pk, field, "member")


class FindingFilterSerializer(serializers.Serializer[None]):
    category = serializers.CharField(required=False, max_length=60)
    owner = serializers.IntegerField(required=False)
    partner = serializers.IntegerField(required=False)
    region = serializers.ChoiceField(choices=Partner.Region.choices, required=False)
    partner_type = serializers.ChoiceField(choices=Partner.Type.choices, required=False)
    tier = serializers.ChoiceField(choices=Partner.Tier.choices, required=False)
    state = serializers.ChoiceField(choices=["unplanned", "planned"], required=False)
    sort = serializers.ChoiceField(choices=list(FINDING_SORTS), required=False)


class FindingInputSerializer(serializers.Serializer[None]):
    partner = serializers.IntegerField(required=False, allow_null=True, help_text="Empty: a cohort.")
    review = serializers.IntegerField(required=False, allow_null=True, help_text="Found in this review.")
    title = serializers.CharField(max_length=200)
    category = serializers.CharField(max_length=60)
    severity = serializers.ChoiceField(choices=Severity.choices, default=Severity.MEDIUM)
    date_found = serializers.DateField(required=False)
    owner = serializers.IntegerField(required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    root_cause_method = serializers.ChoiceField(choices=Finding.RootCauseMethod.choices, default="notes")
    root_cause = serializers.JSONField(required=False, default=dict)
    impact_amount = serializers.DecimalField(max_digits=16, decimal_places=2, required=False, allow_null=True)
    impact_points = serializers.DecimalField(max_digits=6, decimal_places=2, required=False, allow_null=True)
    cohort_types = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    cohort_tiers = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    cohort_regions = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    cohort_markets = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    cohort_product_lines = serializers.ListField(child=serializers.CharField(), required=False, default=list)


def _input(tenant: Tenant, data: dict[str, Any]) -> FindingInput:
    return FindingInput(
        title=data["title"],
        category=data["category"],
        severity=data["severity"],
        date_found=data.get("date_found"),
        partner=reference(Partner.objects.for_tenant(tenant), data.get("partner"), "partner", "partner"),
        owner=member(tenant, data.get("owner"), "owner"),
        notes=data.get("notes", ""),
        root_cause_method=data["root_cause_method"],
        root_cause=data.get("root_cause") or {},
        impact_amount=data.get("impact_amount"),
        impact_points=data.get("impact_points"),
        cohort={name: data.get(name) or [] for name in COHORT_FIELDS},
    )


class FindingListApi(TenantApi):
    """The findings backlog (filter by category, owner, partner, region / type / tier, plan state; sort by severity,
    impact, age or newest), paginated. POST records a finding (by hand, or from ``review``)."""

    perms = {"GET": "remediation.view", "POST": "remediation.manage"}

    @extend_schema(parameters=[FindingFilterSerializer], responses=FindingOutputSerializer(many=True))
    def get(self, request: Request, tenant_slug: str) -> Response:
        data = self.validated(FindingFilterSerializer, request.query_params)
        filters = FindingFilters(
            category=data.get("category", ""),
            owner=data.get("owner"),
            partner=data.get("partner"),
            region=data.get("region", ""),
            partner_type=data.get("partner_type", ""),
            tier=data.get("tier", ""),
            state=data.get("state", ""),
        )
        findings = finding_list(tenant=self.tenant, filters=filters, sort=data.get("sort", "severity"))
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(findings, request, view=self)
        return paginator.get_paginated_response(FindingOutputSerializer(page, many=True).data)

    @extend_schema(request=FindingInputSerializer, responses={201: FindingOutputSerializer})
    def post(self, request: Request, tenant_slug: str) -> Response:
        data = self.validated(FindingInputSerializer, request.data)
        tenant = self.tenant
        review = None
        if data.get("review") is not None:
            try:
                review = review_get(tenant=tenant, review_id=data["review"])
            except DomainError as exc:
                raise DomainError(
                    "No review of this program has that id.", extra={"fields": {"review": ["Unknown review."]}}
                ) from exc
        finding = finding_create(tenant=tenant, actor=self.actor, data=_input(tenant, data), review=review)
        return Response(FindingOutputSerializer(finding).data, status=201)


class FindingDetailApi(TenantApi):
    """One finding; PATCH edits it (the whole finding is sent again: a diagnosis, a new owner...)."""

    perms = {"GET": "remediation.view", "PATCH": "remediation.manage"}

    @extend_schema(responses=FindingOutputSerializer)
    def get(self, request: Request, tenant_slug: str, remediation_finding_id: int) -> Response:
        finding = finding_get(tenant=self.tenant, finding_id=remediation_finding_id)
        return Response(FindingOutputSerializer(finding).data)

    @extend_schema(request=FindingInputSerializer, responses=FindingOutputSerializer)
    def patch(self, request: Request, tenant_slug: str, remediation_finding_id: int) -> Response:
        tenant = self.tenant
        finding = finding_get(tenant=tenant, finding_id=remediation_finding_id)
        current = dict(FindingOutputSerializer(finding).data)
        merged = {**current, "partner": finding.partner_id, "owner": finding.owner_id, **dict(request.data)}
        merged.pop("review", None)
        data = self.validated(FindingInputSerializer, merged)
        updated = finding_update(tenant=tenant, actor=self.actor, finding=finding, data=_input(tenant, data))
        return Response(FindingOutputSerializer(updated).data)


class LessonFilterSerializer(serializers.Serializer[None]):
    q = serializers.CharField(required=False, max_length=200)
    category = serializers.CharField(required=False, max_length=60)
    outcome = serializers.CharField(required=False, max_length=14)


class LessonListApi(TenantApi):
    """Lessons learned at plans' close-out, newest first; ``q`` searches them, ``category`` narrows to a cause."""

    perms = {"GET": "lessons.view"}

    @extend_schema(parameters=[LessonFilterSerializer], responses=LessonOutputSerializer(many=True))
    def get(self, request: Request, tenant_slug: str) -> Response:
        data = self.validated(LessonFilterSerializer, request.query_params)
        lessons = lesson_list(
            tenant=self.tenant, q=data.get("q", ""), category=data.get("category", ""), outcome=data.get("outcome", "")
        )
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(lessons, request, view=self)
        return paginator.get_paginated_response(LessonOutputSerializer(page, many=True).data)
