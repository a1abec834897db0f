"""Portal endpoints: a review's self-assessment and forecast, and the partner's shared action items.

A partner user writes their own company's self-assessment and forecast (``portal.reviews``); the program's people
read them too (``reviews.read_partner_input``). Another partner's review or action item is a 404. Bad input is a 400
with the reasons in ``extra`` and nothing written.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from partnerhub.core.api.base import TenantApi
from partnerhub.core.domain.periods import quarter_label
from reviews.models import ActionItem, Forecast, Review
from reviews.selectors.forecasts import forecast_accuracy
from reviews.selectors.portal import (
    OPEN_STATES,
    flag_overdue,
    forecast_quarter,
    partner_input_review_get,
    portal_action_get,
    portal_actions_open_first,
    portal_review_get,
    self_assessment_due,
)
from reviews.services.forecasts import LINE_FIELDS, MAX_LINES, ForecastLineInput, forecast_submit
from reviews.services.portal import PARTNER_STATUSES, TEXT_MAX, portal_action_status_update, self_assessment_submit

# --- self-assessment ---


# Serializer[None] for an input serializer: it validates request data and never wraps an instance.
class SelfAssessmentInputSerializer(serializers.Serializer[None]):
    wins = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX, default="")
    lessons = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX, default="")
    needs = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX, default="")
    risks = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX, default="")


class SelfAssessmentOutputSerializer(serializers.Serializer[dict[str, Any]]):  # what _self_assessment() builds
    review = serializers.IntegerField()
    submitted = serializers.BooleanField()
    editable = serializers.BooleanField(help_text="True while the review is scheduled or preparing.")
    due = serializers.DateField(allow_null=True)
    wins = serializers.CharField()
    lessons = serializers.CharField()
    needs = serializers.CharField()
    risks = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    submitted_by = serializers.CharField(allow_null=True)


def _self_assessment(review: Review) -> dict[str, Any]:
    try:
        assessment = review.self_assessment
    except Review.self_assessment.RelatedObjectDoesNotExist:
        assessment = None
    return {
        "review": review.pk,
        "submitted": assessment is not None,
        "editable": review.state in OPEN_STATES,
        "due": self_assessment_due(review),
        "wins": assessment.wins if assessment else "",
        "lessons": assessment.lessons if assessment else "",
        "needs": assessment.needs if assessment else "",
        "risks": assessment.risks if assessment else "",
        "submitted_at": assessment.submitted_at if assessment else None,
        "submitted_by": str(assessment.submitted_by.user) if assessment and assessment.submitted_by else None,
    }


class SelfAssessmentApi(TenantApi):
    """A review's self-assessment: read by the program and the partner, written by the partner until it is held."""

    perms = {"GET": "reviews.read_partner_input", "PUT": "portal.reviews"}

    @extend_schema(responses=SelfAssessmentOutputSerializer)
    def get(self, request: Request, tenant_slug: str, review_id: int) -> Response:
        review = partner_input_review_get(tenant=self.tenant, actor=self.actor, review_id=review_id)
        return Response(SelfAssessmentOutputSerializer(_self_assessment(review)).data)

    @extend_schema(request=SelfAssessmentInputSerializer, responses=SelfAssessmentOutputSerializer)
    def put(self, request: Request, tenant_slug: str, review_id: int) -> Response:
        review = portal_review_get(tenant=self.tenant, actor=self.actor, review_id=review_id)
        data = self.validated(SelfAssessmentInputSerializer, request.data)
        self_assessment_submit(tenant=self.tenant, actor=self.actor, review=review, data=data)
        review = portal_review_get(tenant=self.tenant, actor=self.actor, review_id=review_id)
        return Response(SelfAssessmentOutputSerializer(_self_assessment(review)).data)


# --- forecast ---


class ForecastLineSerializer(serializers.Serializer[dict[str, Any]]):
    opportunity = serializers.CharField(max_length=200)
    deal_ref = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    stage = serializers.CharField(max_length=60)
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0)
    probability = serializers.IntegerField(min_value=0, max_value=100)
    expected_close = serializers.DateField()


class ForecastInputSerializer(serializers.Serializer[None]):
    lines = serializers.ListField(child=ForecastLineSerializer(), allow_empty=False, max_length=MAX_LINES)


class ForecastLineOutputSerializer(ForecastLineSerializer):
    weighted = serializers.DecimalField(max_digits=18, decimal_places=2)
    in_quarter = serializers.BooleanField(
        help_text="Expected to close in the forecast quarter (only these are scored)."
    )
    won = serializers.BooleanField(allow_null=True, help_text="Won in the quarter; null until scored.")


class ForecastAccuracyOutputSerializer(serializers.Serializer[Forecast]):
    forecast_amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    actual_amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    accuracy = serializers.DecimalField(max_digits=7, decimal_places=2, help_text="Percent, 0 to 100.")
    wape = serializers.DecimalField(max_digits=9, decimal_places=4, allow_null=True)
    brier = serializers.DecimalField(max_digits=6, decimal_places=4, allow_null=True)
    scored_at = serializers.DateTimeField()


class ForecastOutputSerializer(serializers.Serializer[dict[str, Any]]):  # what _forecast() builds
    review = serializers.IntegerField()
    asks_forecast = serializers.BooleanField()
    quarter_start = serializers.DateField()
    quarter = serializers.CharField()
    editable = serializers.BooleanField()
    submitted = serializers.BooleanField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    lines = ForecastLineOutputSerializer(many=True)
    accuracy = ForecastAccuracyOutputSerializer(allow_null=True)


def _forecast(api: TenantApi, review: Review) -> dict[str, Any]:
    try:
        forecast = review.forecast
    except Review.forecast.RelatedObjectDoesNotExist:
        forecast = None
    quarter = forecast_quarter(review)
    payload: dict[str, Any] = {
        "review": review.pk,
        "asks_forecast": review.cadence.asks_forecast,
        "quarter_start": quarter,
        "quarter": quarter_label(quarter),
        "editable": review.state in OPEN_STATES and review.cadence.asks_forecast,
        "submitted": forecast is not None,
        "submitted_at": forecast.submitted_at if forecast else None,
        "lines": [],
        "accuracy": None,
    }
    if forecast is None:
        return payload
    scored = forecast_accuracy(tenant=api.tenant, forecast=forecast)
    payload["lines"] = [
        {
            **{name: getattr(s.line, name) for name in LINE_FIELDS},
            "weighted": s.weighted,
            "in_quarter": s.in_quarter,
            "won": s.won,
        }
        for s in scored.lines
    ]
    if scored.is_scored:
        payload["accuracy"] = forecast
    return payload


class ForecastApi(TenantApi):
    """A QBR's pipeline forecast: read by the program and the partner; replaced by the partner until it is held.

    PUT replaces every line at once; a probability outside 0-100, a negative amount or a close date before the
    quarter is a 400 naming the line and field, and nothing is written.
    """

    perms = {"GET": "reviews.read_partner_input", "PUT": "portal.reviews"}

    @extend_schema(responses=ForecastOutputSerializer)
    def get(self, request: Request, tenant_slug: str, review_id: int) -> Response:
        review = partner_input_review_get(tenant=self.tenant, actor=self.actor, review_id=review_id)
        return Response(ForecastOutputSerializer(_forecast(self, review)).data)

    @extend_schema(request=ForecastInputSerializer, responses=ForecastOutputSerializer)
    def put(self, request: Request, tenant_slug: str, review_id: int) -> Response:
        review = portal_review_get(tenant=self.tenant, actor=self.actor, review_id=review_id)
        data = self.validated(ForecastInputSerializer, request.data)
        lines = [ForecastLineInput.from_mapping(line) for line in data["lines"]]
        forecast_submit(tenant=self.tenant, actor=self.actor, review=review, lines=lines)
        review = portal_review_get(tenant=self.tenant, actor=self.actor, review_id=review_id)
        return Response(ForecastOutputSerializer(_forecast(self, review)).data)


# --- shared action items ---


# Serializer[Any] for an output serializer also given a page with many=True: djangorestframework-stubs types a
# serializer's instance as one object, so a list is an error (typeddjango/djangorestframework-stubs#827).
class PortalActionOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    review = serializers.IntegerField(source="review_id")
    review_kind = serializers.CharField(source="review.kind")
    review_date = serializers.DateTimeField(source="review.scheduled_for")
    description = serializers.CharField()
    owner_name = serializers.SerializerMethodField()
    due_date = serializers.DateField()
    status = serializers.CharField()
    is_overdue = serializers.BooleanField()
    completed_at = serializers.DateTimeField(allow_null=True)

    def get_owner_name(self, item: ActionItem) -> str | None:
        return str(item.owner.user) if item.owner else None


class PortalActionStatusSerializer(serializers.Serializer[None]):
    status = serializers.ChoiceField(choices=[(s, ActionItem.Status(s).label) for s in PARTNER_STATUSES])


class PortalActionListApi(TenantApi):
    """The partner's shared action items, open ones first (soonest due first), then the closed ones."""

    perms = {"GET": "portal.reviews"}

    @extend_schema(responses=PortalActionOutputSerializer(many=True))
    def get(self, request: Request, tenant_slug: str) -> Response:
        items = portal_actions_open_first(tenant=self.tenant, actor=self.actor)
        paginator = PageNumberPagination()
        page: Any = paginator.paginate_queryset(items, request, view=self)
        return paginator.get_paginated_response(PortalActionOutputSerializer(flag_overdue(list(page)), many=True).data)


class PortalActionApi(TenantApi):
    """Move one of the partner's shared action items to open, in progress or done."""

    perms = {"PATCH": "portal.reviews"}

    @extend_schema(request=PortalActionStatusSerializer, responses=PortalActionOutputSerializer)
    def patch(self, request: Request, tenant_slug: str, action_id: int) -> Response:
        action = portal_action_get(tenant=self.tenant, actor=self.actor, action_id=action_id)
        data = self.validated(PortalActionStatusSerializer, request.data)
        portal_action_status_update(tenant=self.tenant, actor=self.actor, action=action, status=data["status"])
        updated = portal_action_get(tenant=self.tenant, actor=self.actor, action_id=action_id)
        return Response(PortalActionOutputSerializer(flag_overdue([updated])[0]).data)
