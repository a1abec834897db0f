"""Review endpoints: list and read reviews, move them through their states, record notes, ratings, decisions and
action items, and read the pre-read. Thin: validate, fetch (a foreign or missing object is a 404 before the body
is looked at), call a service or selector, serialize.

Bad input answers 400 with details; a move the state machine refuses (e.g. signing off a review never held) is a
400 too, code ``never_held`` or ``invalid_transition``, as every InvalidStateError in this API.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from partnerhub.core.api.base import TenantApi
from partnerhub.core.errors import DomainError
from partnerhub.core.models import Membership, Partner, Tenant
from reviews.models import ActionItem, Cadence, Review, Visibility
from reviews.selectors.reviews import (
    ReviewFilters,
    action_get,
    review_get,
    review_list,
    review_page,
)
from reviews.services.preread import FROZEN_STATES, preread_current
from reviews.services.reviews import (
    UNSET,
    action_item_update,
    allowed_moves,
    review_action_add,
    review_decision_add,
    review_note_add,
    review_rating_save,
    review_schedule,
    review_transition,
)

_M = TypeVar("_M", bound=Model)

# --- output ---


def _person(membership: Membership | None) -> str | None:
    return str(membership.user) if membership is not None else None


@extend_schema_field({"type": "string", "nullable": True, "description": "The person's name."})
class PersonField(serializers.Field[Membership | None, Any, str | None, Any]):  # read-only, on any parent object
    def to_representation(self, value: Membership | None) -> str | None:
        return _person(value)


# Serializer[Any] for an output serializer also given a list with many=True: djangorestframework-stubs types a
# serializer's instance as one object, so a list is an error (typeddjango/djangorestframework-stubs#827).
class ReviewOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    partner = serializers.IntegerField(source="partner_id")
    partner_name = serializers.CharField(source="partner.name")
    cadence = serializers.IntegerField(source="cadence_id")
    kind = serializers.CharField()
    depth = serializers.CharField()
    scheduled_for = serializers.DateTimeField()
    state = serializers.CharField()
    moderator = serializers.IntegerField(source="moderator_id", allow_null=True)
    moderator_name = PersonField(source="moderator")
    cancel_reason = serializers.CharField()
    held_at = serializers.DateTimeField(allow_null=True)
    signed_off_at = serializers.DateTimeField(allow_null=True)
    preread_generated_at = serializers.DateTimeField(allow_null=True)


class NoteOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    section_key = serializers.CharField()
    body = serializers.CharField()
    visibility = serializers.CharField()
    author = PersonField()
    created_at = serializers.DateTimeField()


class RatingOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    section_key = serializers.CharField()
    prompt_key = serializers.CharField()
    rating = serializers.IntegerField()
    comment = serializers.CharField()
    visibility = serializers.CharField()
    author = PersonField()


class DecisionOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    text = serializers.CharField()
    visibility = serializers.CharField()
    decided_by = PersonField()
    created_at = serializers.DateTimeField()


class ActionOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    review = serializers.IntegerField(source="review_id")
    description = serializers.CharField()
    owner = serializers.IntegerField(source="owner_id", allow_null=True)
    owner_name = PersonField(source="owner")
    due_date = serializers.DateField()
    status = serializers.CharField()
    visibility = serializers.CharField()
    completed_at = serializers.DateTimeField(allow_null=True)


class AttendeeOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    membership = serializers.IntegerField(source="membership_id", allow_null=True)
    name = serializers.SerializerMethodField()
    function = serializers.CharField()
    side = serializers.CharField()

    def get_name(self, obj: Any) -> str:
        return str(obj.membership.user) if obj.membership_id else obj.name


class TransitionOutputSerializer(serializers.Serializer[Any]):
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    actor = PersonField()
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class ReviewDetailOutputSerializer(ReviewOutputSerializer):
    allowed_moves = serializers.ListField(child=serializers.CharField())
    agenda = serializers.JSONField()
    attendees = AttendeeOutputSerializer(many=True)
    notes = NoteOutputSerializer(many=True)
    ratings = RatingOutputSerializer(many=True)
    decisions = DecisionOutputSerializer(many=True)
    actions = ActionOutputSerializer(many=True)
    transitions = TransitionOutputSerializer(many=True)


def _detail(tenant: Tenant, review: Review) -> dict[str, Any]:
    page = review_page(tenant=tenant, review=review)
    data = dict(ReviewOutputSerializer(review).data)
    data.update(
        allowed_moves=list(allowed_moves(review)),
        agenda=review.agenda,
        attendees=AttendeeOutputSerializer(page.attendees, many=True).data,
        notes=NoteOutputSerializer(page.notes, many=True).data,
        ratings=RatingOutputSerializer(page.ratings, many=True).data,
        decisions=DecisionOutputSerializer(page.decisions, many=True).data,
        actions=ActionOutputSerializer(page.actions, many=True).data,
        transitions=TransitionOutputSerializer(page.transitions, many=True).data,
    )
    return data


# --- endpoints ---


def _reference(queryset: QuerySet[_M], pk: int, field: str, what: str) -> _M:
    """The object of this tenant named by ``pk``; another tenant's id (or none) is bad input, a 400 naming the field."""
    found = queryset.filter(pk=pk).first()
    if found is None:
        message = f"No {what} of this program has that id."
        raise DomainError(message, code="invalid", extra={"fields": {field: [message]}})
    return found


def _member(tenant: Tenant, membership_id: int) -> Membership:
    """The member named by id in this tenant, as an action's owner; another tenant's id is a 400 naming ``owner``."""
    return _reference(Membership.objects.for_tenant(tenant).select_related("user"), membership_id, "owner", "member")


# Serializer[None] for an input serializer: it validates request data and never wraps an instance.
class ReviewListFilterSerializer(serializers.Serializer[None]):
    state = serializers.ChoiceField(choices=Review.State.choices, required=False)
    kind = serializers.ChoiceField(choices=Cadence.Kind.choices, required=False)
    moderator = serializers.IntegerField(required=False)
    owner = serializers.IntegerField(required=False)
    partner = serializers.CharField(required=False, max_length=200)
    when = serializers.ChoiceField(choices=["upcoming", "past"], required=False)


class ReviewScheduleInputSerializer(serializers.Serializer[None]):
    cadence = serializers.IntegerField(help_text="A cadence id of this program (active).")
    partner = serializers.IntegerField(help_text="A partner id of this program (a manager: one of their own).")
    scheduled_for = serializers.DateTimeField(help_text="Date and time, not in the past.")
    moderator = serializers.IntegerField(
        required=False, allow_null=True, help_text="An active internal member; none: the partner's owner manager."
    )
    depth = serializers.ChoiceField(choices=Review.Depth.choices, default=Review.Depth.DETAILED)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class ReviewListApi(TenantApi):
    """Reviews, filtered by state, kind, moderator, partner owner, partner name and upcoming/past; paginated.

    POST schedules one review by hand (an admin, or the partner's owner manager): filed under the cadence's cycle
    containing its date, refused when the partner already has a review in that cycle or the date is past.
    """

    perms = {"GET": "reviews.view", "POST": "reviews.manage"}

    @extend_schema(parameters=[ReviewListFilterSerializer], responses=ReviewOutputSerializer(many=True))
    def get(self, request: Request, tenant_slug: str) -> Response:
        data = self.validated(ReviewListFilterSerializer, request.query_params)
        filters = ReviewFilters(
            state=data.get("state", ""),
            kind=data.get("kind", ""),
            moderator=data.get("moderator"),
            owner=data.get("owner"),
            partner=data.get("partner", "").strip(),
            when=data.get("when", ""),
        )
        reviews = review_list(tenant=self.tenant, filters=filters)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(reviews, request, view=self)
        return paginator.get_paginated_response(ReviewOutputSerializer(page, many=True).data)

    @extend_schema(request=ReviewScheduleInputSerializer, responses={201: ReviewDetailOutputSerializer})
    def post(self, request: Request, tenant_slug: str) -> Response:
        data = self.validated(ReviewScheduleInputSerializer, request.data)
        tenant = self.tenant
        moderator_id = data.get("moderator")
        review = review_schedule(
            tenant=tenant,
            actor=self.actor,
            cadence=_reference(Cadence.objects.for_tenant(tenant), data["cadence"], "cadence", "cadence"),
            partner=_reference(
                Partner.objects.for_tenant(tenant).select_related("owner", "executive_sponsor", "data_steward"),
                data["partner"],
                "partner",
                "partner",
            ),
            scheduled_for=data["scheduled_for"],
            moderator=(
                _reference(Membership.objects.for_tenant(tenant), moderator_id, "moderator", "member")
                if moderator_id is not None
                else None
            ),
            depth=data["depth"],
            reason=data["reason"],
        )
        return Response(_detail(tenant, review_get(tenant=tenant, review_id=review.pk)), status=201)


class ReviewDetailApi(TenantApi):
    """One review with its attendees, notes (shared and internal), ratings, decisions, actions and history."""

    perms = {"GET": "reviews.view"}

    @extend_schema(responses=ReviewDetailOutputSerializer)
    def get(self, request: Request, tenant_slug: str, review_id: int) -> Response:
        review = review_get(tenant=self.tenant, review_id=review_id)
        return Response(_detail(self.tenant, review))


class TransitionInputSerializer(serializers.Serializer[None]):
    to = serializers.ChoiceField(choices=Review.State.choices)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class ReviewTransitionApi(TenantApi):
    """Move a review: preparing, held, signed_off (moderator or admin) or cancelled (with a reason)."""

    perms = {"POST": "reviews.manage"}

    @extend_schema(request=TransitionInputSerializer, responses=ReviewDetailOutputSerializer)
    def post(self, request: Request, tenant_slug: str, review_id: int) -> Response:
        review = review_get(tenant=self.tenant, review_id=review_id)
        data = self.validated(TransitionInputSerializer, request.data)
        review_transition(
            tenant=self.tenant, actor=self.actor, review=review, to_state=data["to"], reason=data["reason"]
        )
        return Response(_detail(self.tenant, review))


class NoteInputSerializer(serializers.Serializer[None]):
    section_key = serializers.CharField(max_length=40)
    body = serializers.CharField()
    visibility = serializers.ChoiceField(choices=Visibility.choices, default=Visibility.INTERNAL)


class ReviewNoteCreateApi(TenantApi):
    """Add a note under an agenda section (``general`` for none), shared with the partner or internal."""

    perms = {"POST": "reviews.manage"}

    @extend_schema(request=NoteInputSerializer, responses={201: NoteOutputSerializer})
    def post(self, request: Request, tenant_slug: str, review_id: int) -> Response:
        review = review_get(tenant=self.tenant, review_id=review_id)
        data = self.validated(NoteInputSerializer, request.data)
        note = review_note_add(tenant=self.tenant, actor=self.actor, review=review, **data)
        return Response(NoteOutputSerializer(note).data, status=201)


class RatingInputSerializer(serializers.Serializer[None]):
    prompt_key = serializers.CharField(max_length=40)
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    visibility = serializers.ChoiceField(choices=Visibility.choices, default=Visibility.INTERNAL)


class ReviewRatingSaveApi(TenantApi):
    """Rate an agenda prompt 1 to 5 with a comment (rating it again replaces the earlier answer)."""

    perms = {"POST": "reviews.manage"}

    @extend_schema(request=RatingInputSerializer, responses=RatingOutputSerializer)
    def post(self, request: Request, tenant_slug: str, review_id: int) -> Response:
        review = review_get(tenant=self.tenant, review_id=review_id)
        data = self.validated(RatingInputSerializer, request.data)
        rating = review_rating_save(tenant=self.tenant, actor=self.actor, review=review, **data)
        return Response(RatingOutputSerializer(rating).data)


class DecisionInputSerializer(serializers.Serializer[None]):
    text = serializers.CharField()
    visibility = serializers.ChoiceField(choices=Visibility.choices, default=Visibility.SHARED)


class ReviewDecisionCreateApi(TenantApi):
    """Add an entry to the review's decisions log."""

    perms = {"POST": "reviews.manage"}

    @extend_schema(request=DecisionInputSerializer, responses={201: DecisionOutputSerializer})
    def post(self, request: Request, tenant_slug: str, review_id: int) -> Response:
        review = review_get(tenant=self.tenant, review_id=review_id)
        data = self.validated(DecisionInputSerializer, request.data)
        decision = review_decision_add(tenant=self.tenant, actor=self.actor, review=review, **data)
        return Response(DecisionOutputSerializer(decision).data, status=201)


class ActionInputSerializer(serializers.Serializer[None]):
    description = serializers.CharField()
    owner = serializers.IntegerField(help_text="A member id: internal, or a partner user of this review's partner.")
    due_date = serializers.DateField(help_text="Today or later.")
    visibility = serializers.ChoiceField(choices=Visibility.choices, default=Visibility.SHARED)


class ReviewActionCreateApi(TenantApi):
    """Add an action item; its owner must be an active member (internal, or of this partner), due today or later."""

    perms = {"POST": "reviews.manage"}

    @extend_schema(request=ActionInputSerializer, responses={201: ActionOutputSerializer})
    def post(self, request: Request, tenant_slug: str, review_id: int) -> Response:
        review = review_get(tenant=self.tenant, review_id=review_id)
        data = self.validated(ActionInputSerializer, request.data)
        action = review_action_add(
            tenant=self.tenant,
            actor=self.actor,
            review=review,
            description=data["description"],
            owner=_member(self.tenant, data["owner"]),
            due_date=data["due_date"],
            visibility=data["visibility"],
        )
        return Response(ActionOutputSerializer(action).data, status=201)


class ActionUpdateInputSerializer(serializers.Serializer[None]):
    status = serializers.ChoiceField(choices=ActionItem.Status.choices, required=False)
    owner = serializers.IntegerField(required=False)
    due_date = serializers.DateField(required=False)
    description = serializers.CharField(required=False)
    visibility = serializers.ChoiceField(choices=Visibility.choices, required=False)


class ActionUpdateApi(TenantApi):
    """Update an action item: status, owner, due date (re-planned, not in the past); wording and visibility only
    while its review is open."""

    perms = {"PATCH": "reviews.update_action"}

    @extend_schema(request=ActionUpdateInputSerializer, responses=ActionOutputSerializer)
    def patch(self, request: Request, tenant_slug: str, action_id: int) -> Response:
        action = action_get(tenant=self.tenant, action_id=action_id)
        data = self.validated(ActionUpdateInputSerializer, request.data)
        updated = action_item_update(
            tenant=self.tenant,
            actor=self.actor,
            action=action,
            status=data.get("status"),
            owner=_member(self.tenant, data["owner"]) if "owner" in data else UNSET,
            due_date=data.get("due_date"),
            description=data.get("description"),
            visibility=data.get("visibility"),
        )
        return Response(ActionOutputSerializer(updated).data)


class PrereadOutputSerializer(serializers.Serializer[dict[str, Any]]):
    review = serializers.IntegerField()
    generated = serializers.BooleanField(help_text="False: a preview from today's data, not stored yet.")
    frozen = serializers.BooleanField(help_text="True once the review was held: later data no longer changes it.")
    generated_at = serializers.DateTimeField(allow_null=True)
    preread = serializers.JSONField()


class ReviewPrereadApi(TenantApi):
    """The review's pre-read (summary, risks, recommendations, metrics); before it is generated, a preview."""

    perms = {"GET": "reviews.view"}

    @extend_schema(responses=PrereadOutputSerializer)
    def get(self, request: Request, tenant_slug: str, review_id: int) -> Response:
        review = review_get(tenant=self.tenant, review_id=review_id)
        return Response(
            PrereadOutputSerializer(
                {
                    "review": review.pk,
                    "generated": review.preread is not None,
                    "frozen": review.state in FROZEN_STATES,
                    "generated_at": review.preread_generated_at,
                    "preread": preread_current(tenant=self.tenant, review=review),
                }
            ).data
        )
