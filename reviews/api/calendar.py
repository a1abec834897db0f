"""Calendar endpoint: reviews in a date range, filtered as the calendar page filters them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from partnerhub.core.api.base import TenantApi
from partnerhub.core.api.fields import IdField
from partnerhub.core.models import Partner
from reviews.models import Cadence, Review
from reviews.selectors.calendar import (
    MAX_RANGE_DAYS,
    CalendarFilters,
    calendar_owner_choices,
    calendar_reviews,
    review_path,
)

DEFAULT_RANGE_DAYS = 30


# Serializer[None] for an input serializer: it validates request data and never wraps an instance.
class CalendarQuerySerializer(serializers.Serializer[None]):
    start = serializers.DateField(required=False, help_text="First day (YYYY-MM-DD); default today.")
    end = serializers.DateField(
        required=False,
        help_text=f"Last day, included; at most {MAX_RANGE_DAYS} days after start; default {DEFAULT_RANGE_DAYS} days.",
    )
    owner = IdField(required=False, help_text="The moderator's membership id.")
    kind = serializers.ChoiceField(choices=Cadence.Kind.choices, required=False)
    partner = serializers.CharField(required=False, allow_blank=True, help_text="Part of the partner's name.")

    def validate_owner(self, value: int) -> int:
        if not calendar_owner_choices(tenant=self.context["tenant"]).filter(pk=value).exists():
            raise serializers.ValidationError("Not a member of this program who can moderate reviews.")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs.setdefault("start", timezone.localdate())
        attrs.setdefault("end", attrs["start"] + timedelta(days=DEFAULT_RANGE_DAYS))
        if attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": "The end comes before the start."})
        if attrs["end"] - attrs["start"] > timedelta(days=MAX_RANGE_DAYS):
            raise serializers.ValidationError({"end": f"Ask for at most {MAX_RANGE_DAYS} days at a time."})
        return attrs


class CalendarPartnerSerializer(serializers.Serializer[Partner]):
    id = serializers.IntegerField()
    name = serializers.CharField()


# Serializer[Any] for an output serializer given a list with many=True: djangorestframework-stubs types a
# serializer's instance as one object, so a list is an error (typeddjango/djangorestframework-stubs#827).
class CalendarReviewSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    partner = CalendarPartnerSerializer()
    kind = serializers.CharField()
    depth = serializers.CharField()
    state = serializers.CharField()
    scheduled_for = serializers.DateTimeField()
    moderator = serializers.IntegerField(source="moderator_id", allow_null=True)
    moderator_name = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    def get_moderator_name(self, review: Review) -> str | None:
        return str(review.moderator.user) if review.moderator else None

    def get_url(self, review: Review) -> str:
        return review_path(tenant_slug=self.context["tenant"].slug, review=review)


class CalendarApi(TenantApi):
    """Reviews held from ``start`` to ``end`` (at most 100 days), by time; filters by moderator, kind, partner."""

    pagination_class = None  # the reviews of one date range, whole: a plain list
    perms = {"GET": "calendar.view"}

    @extend_schema(parameters=[CalendarQuerySerializer], responses=CalendarReviewSerializer(many=True))
    def get(self, request: Request, tenant_slug: str) -> Response:
        query = self.validated(CalendarQuerySerializer, request.query_params, context={"tenant": self.tenant})
        reviews = calendar_reviews(
            tenant=self.tenant,
            start=query["start"],
            end=query["end"] + timedelta(days=1),
            filters=CalendarFilters(
                owner=query.get("owner"), kind=query.get("kind", ""), partner=query.get("partner", "").strip()
            ),
        )
        return Response(CalendarReviewSerializer(reviews, many=True, context={"tenant": self.tenant}).data)
