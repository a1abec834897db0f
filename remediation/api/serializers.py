"""Output serializers of the remediation API (plain serializers; input ones live beside their endpoint)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from partnerhub.core.models import Membership


@extend_schema_field({"type": "string", "nullable": True, "readOnly": True})  # a person's name, or null
class PersonField(serializers.Field[Membership | None, Any, str | None, Any]):  # read-only
    def to_representation(self, value: Membership | None) -> str | None:
        return str(value.user) if value is not None else None


# Serializer[Any] for output serializers also given lists with many=True (see reviews/api/reviews.py).
class FindingOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    partner = serializers.IntegerField(source="partner_id", allow_null=True)
    title = serializers.CharField()
    category = serializers.CharField()
    severity = serializers.CharField()
    root_cause_method = serializers.CharField()
    root_cause = serializers.JSONField()
    notes = serializers.CharField()
    impact_amount = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    impact_points = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    cohort_types = serializers.ListField(child=serializers.CharField())
    cohort_tiers = serializers.ListField(child=serializers.CharField())
    cohort_regions = serializers.ListField(child=serializers.CharField())
    cohort_markets = serializers.ListField(child=serializers.CharField())
    cohort_product_lines = serializers.ListField(child=serializers.CharField())
    date_found = serializers.DateField()
    origin = serializers.CharField()
    review = serializers.IntegerField(source="review_id", allow_null=True)
    trigger = serializers.CharField()
    owner = serializers.IntegerField(source="owner_id", allow_null=True)
    owner_name = PersonField(source="owner")
    plan = serializers.IntegerField(source="plan_id", allow_null=True)


class CheckpointOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    plan = serializers.IntegerField(source="plan_id")
    measure = serializers.CharField()
    metric = serializers.IntegerField(source="metric_id", allow_null=True)
    comparator = serializers.CharField()
    target = serializers.DecimalField(max_digits=18, decimal_places=4, allow_null=True)
    period = serializers.CharField()
    due_period_start = serializers.DateField()
    status = serializers.CharField()
    actual = serializers.DecimalField(max_digits=18, decimal_places=4, allow_null=True)
    actual_trend = serializers.CharField()
    explanation = serializers.CharField()
    unevaluable_reason = serializers.CharField()
    evaluated_at = serializers.DateTimeField(allow_null=True)


class InternalCheckpointOutputSerializer(CheckpointOutputSerializer):
    missed_on = serializers.DateField(allow_null=True)
    waive_reason = serializers.CharField()
    waived_at = serializers.DateTimeField(allow_null=True)


class PlanActionOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    plan = serializers.IntegerField(source="plan_id")
    title = serializers.CharField()
    kind = serializers.CharField()
    side = serializers.CharField()
    owner = serializers.IntegerField(source="owner_id", allow_null=True)
    owner_name = PersonField(source="owner")
    due_date = serializers.DateField()
    resources = serializers.CharField()
    success_criteria = serializers.CharField()
    contingency = serializers.CharField()
    status = serializers.CharField()
    shared = serializers.BooleanField()
    completed_at = serializers.DateTimeField(allow_null=True)


class UpdateOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    plan = serializers.IntegerField(source="plan_id")
    author = PersonField()
    side = serializers.CharField()
    body = serializers.CharField()
    shared = serializers.BooleanField()
    action = serializers.IntegerField(source="action_id", allow_null=True)
    figures = serializers.JSONField()
    created_at = serializers.DateTimeField()


class PlanOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    partner = serializers.IntegerField(source="partner_id")
    partner_name = serializers.CharField(source="partner.name")
    title = serializers.CharField()
    goal = serializers.CharField()
    status = serializers.CharField()
    outcome = serializers.CharField()
    trigger = serializers.CharField()
    owner = serializers.IntegerField(source="owner_id", allow_null=True)
    owner_name = PersonField(source="owner")
    sponsor = serializers.IntegerField(source="sponsor_id", allow_null=True)
    sponsor_name = PersonField(source="sponsor")
    partner_contact = serializers.IntegerField(source="partner_contact_id", allow_null=True)
    partner_contact_name = serializers.CharField()
    start_date = serializers.DateField()
    target_end_date = serializers.DateField()
    activated_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)


class InternalPlanOutputSerializer(PlanOutputSerializer):
    internal_notes = serializers.CharField()
    what_worked = serializers.CharField()
    what_did_not = serializers.CharField()
    open_checkpoints_note = serializers.CharField()
    cancel_reason = serializers.CharField()


class LessonOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    plan = serializers.IntegerField(source="plan_id")
    partner = serializers.IntegerField(source="partner_id")
    category = serializers.CharField()
    text = serializers.CharField()
    outcome = serializers.CharField()
    created_at = serializers.DateTimeField()


class EscalationOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    checkpoint = serializers.IntegerField(source="checkpoint_id", allow_null=True)
    action = serializers.IntegerField(source="action_id", allow_null=True)
    rung = serializers.CharField(source="get_rung_display")
    recipients = serializers.JSONField()
    reason = serializers.CharField()
    day = serializers.DateField()
