"""Plan endpoints: list and start plans, read (with checkpoints, actions, updates, escalations) and edit one, move it
(activate, close with outcome and lessons, cancel with a reason), and its checkpoints, actions and updates.

A foreign or missing object in the URL is a 404 before the body is read; an id in the body that another tenant owns
is a 400 naming the field; a move the state machine refuses is a 400 (code ``invalid_transition``).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from partnerhub.core.api.base import TenantApi
from partnerhub.core.models import Partner, Tenant
from remediation.api.findings import member, reference
from remediation.api.serializers import (
    EscalationOutputSerializer,
    InternalCheckpointOutputSerializer,
    InternalPlanOutputSerializer,
    LessonOutputSerializer,
    PlanActionOutputSerializer,
    UpdateOutputSerializer,
)
from remediation.models import Checkpoint, Finding, Plan, PlanAction
from remediation.selectors.plans import PlanFilters, checkpoint_get, plan_action_get, plan_get, plan_list, plan_page
from remediation.services.actions import UNSET, ActionInput, plan_action_add, plan_action_update, progress_update_add
from remediation.services.checkpoints import (
    CheckpointInput,
    checkpoint_add,
    checkpoint_comment_add,
    checkpoint_waive,
)
from remediation.services.plans import (
    LessonInput,
    PlanInput,
    plan_activate,
    plan_cancel,
    plan_close,
    plan_create,
    plan_update,
)
from scorecards.selectors.glossary import metric_list


def _detail(tenant: Tenant, plan: Plan) -> dict[str, Any]:
    page = plan_page(tenant=tenant, plan=plan)
    data = dict(InternalPlanOutputSerializer(plan).data)
    data.update(
        findings=[f.pk for f in page.findings],
        checkpoints=InternalCheckpointOutputSerializer(page.checkpoints, many=True).data,
        actions=PlanActionOutputSerializer(page.actions, many=True).data,
        updates=UpdateOutputSerializer(page.updates, many=True).data,
        escalations=EscalationOutputSerializer(page.escalations, many=True).data,
        lessons=LessonOutputSerializer(page.lessons, many=True).data,
    )
    return data


class PlanFilterSerializer(serializers.Serializer[None]):
    status = serializers.ChoiceField(choices=["open", *Plan.Status.values], required=False)
    owner = serializers.IntegerField(required=False)
    partner = serializers.CharField(required=False, max_length=200)
    attention = serializers.BooleanField(required=False)


class PlanInputSerializer(serializers.Serializer[None]):
    partner = serializers.IntegerField()
    title = serializers.CharField(max_length=200)
    goal = serializers.CharField(required=False, allow_blank=True, default="")
    internal_notes = serializers.CharField(required=False, allow_blank=True, default="")
    owner = serializers.IntegerField(help_text="A manager or admin of this program.")
    sponsor = serializers.IntegerField(required=False, allow_null=True)
    partner_contact = serializers.IntegerField(required=False, allow_null=True)
    partner_contact_name = serializers.CharField(required=False, allow_blank=True, default="")
    start_date = serializers.DateField()
    target_end_date = serializers.DateField()
    findings = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)


def _plan_input(tenant: Tenant, data: dict[str, Any]) -> PlanInput:
    return PlanInput(
        title=data["title"],
        owner=member(tenant, data.get("owner"), "owner"),
        start_date=data["start_date"],
        target_end_date=data["target_end_date"],
        sponsor=member(tenant, data.get("sponsor"), "sponsor"),
        partner_contact=member(tenant, data.get("partner_contact"), "partner_contact"),
        partner_contact_name=data.get("partner_contact_name", ""),
        goal=data.get("goal", ""),
        internal_notes=data.get("internal_notes", ""),
    )


class PlanListApi(TenantApi):
    """Plans (open ones first), filtered by status ("open": draft or active), owner, partner name, a missed
    checkpoint; paginated. POST starts a draft plan for a partner, addressing some of its findings."""

    perms = {"GET": "remediation.view", "POST": "remediation.manage"}

    @extend_schema(parameters=[PlanFilterSerializer], responses=InternalPlanOutputSerializer(many=True))
    def get(self, request: Request, tenant_slug: str) -> Response:
        data = self.validated(PlanFilterSerializer, request.query_params)
        filters = PlanFilters(
            status=data.get("status", ""),
            owner=data.get("owner"),
            partner=data.get("partner", "").strip(),
            attention=data.get("attention", False),
        )
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(plan_list(tenant=self.tenant, filters=filters), request, view=self)
        return paginator.get_paginated_response(InternalPlanOutputSerializer(page, many=True).data)

    @extend_schema(request=PlanInputSerializer, responses={201: InternalPlanOutputSerializer})
    def post(self, request: Request, tenant_slug: str) -> Response:
        tenant = self.tenant
        data = self.validated(PlanInputSerializer, request.data)
        partner = reference(Partner.objects.for_tenant(tenant), data["partner"], "partner", "partner")
        assert partner is not None  # noqa: S101 - a required field
        findings = [
            reference(Finding.objects.for_tenant(tenant), pk, "findings", "finding") for pk in data.get("findings", [])
        ]
        plan = plan_create(
            tenant=tenant,
            actor=self.actor,
            partner=partner,
            data=_plan_input(tenant, data),
            findings=[f for f in findings if f is not None],
        )
        return Response(_detail(tenant, plan_get(tenant=tenant, plan_id=plan.pk)), status=201)


class PlanDetailApi(TenantApi):
    """One plan with its checkpoints, actions, updates, escalations and lessons; PATCH edits an open plan."""

    perms = {"GET": "remediation.view", "PATCH": "remediation.manage"}

    @extend_schema(responses=InternalPlanOutputSerializer)
    def get(self, request: Request, tenant_slug: str, plan_id: int) -> Response:
        return Response(_detail(self.tenant, plan_get(tenant=self.tenant, plan_id=plan_id)))

    @extend_schema(request=PlanInputSerializer, responses=InternalPlanOutputSerializer)
    def patch(self, request: Request, tenant_slug: str, plan_id: int) -> Response:
        tenant = self.tenant
        plan = plan_get(tenant=tenant, plan_id=plan_id)
        current = {
            "partner": plan.partner_id,
            "title": plan.title,
            "goal": plan.goal,
            "internal_notes": plan.internal_notes,
            "owner": plan.owner_id,
            "sponsor": plan.sponsor_id,
            "partner_contact": plan.partner_contact_id,
            "partner_contact_name": plan.partner_contact_name,
            "start_date": plan.start_date,
            "target_end_date": plan.target_end_date,
        }
        data = self.validated(PlanInputSerializer, {**current, **dict(request.data), "partner": plan.partner_id})
        plan_update(tenant=tenant, actor=self.actor, plan=plan, data=_plan_input(tenant, data))
        return Response(_detail(tenant, plan_get(tenant=tenant, plan_id=plan.pk)))


class LessonInputSerializer(serializers.Serializer[None]):
    category = serializers.CharField(max_length=60)
    text = serializers.CharField()


class PlanTransitionInputSerializer(serializers.Serializer[None]):
    to = serializers.ChoiceField(choices=[Plan.Status.ACTIVE, Plan.Status.CLOSED, Plan.Status.CANCELLED])
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text="Cancelling: why.")
    outcome = serializers.ChoiceField(choices=[c for c, _ in Plan.Outcome.choices if c], required=False)
    what_worked = serializers.CharField(required=False, allow_blank=True, default="")
    what_did_not = serializers.CharField(required=False, allow_blank=True, default="")
    lessons = LessonInputSerializer(many=True, required=False)
    open_checkpoints_note = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Closing with checkpoints not settled: why."
    )


class PlanTransitionApi(TenantApi):
    """Activate a draft (it needs a checkpoint), close an active plan (outcome, what worked and did not, lessons
    tagged by cause category; checkpoints not settled need ``open_checkpoints_note``), or cancel (with a reason)."""

    perms = {"POST": "remediation.manage"}

    @extend_schema(request=PlanTransitionInputSerializer, responses=InternalPlanOutputSerializer)
    def post(self, request: Request, tenant_slug: str, plan_id: int) -> Response:
        tenant, actor = self.tenant, self.actor
        plan = plan_get(tenant=tenant, plan_id=plan_id)
        data = self.validated(PlanTransitionInputSerializer, request.data)
        if data["to"] == Plan.Status.ACTIVE:
            plan_activate(tenant=tenant, actor=actor, plan=plan)
        elif data["to"] == Plan.Status.CANCELLED:
            plan_cancel(tenant=tenant, actor=actor, plan=plan, reason=data["reason"])
        else:
            plan_close(
                tenant=tenant,
                actor=actor,
                plan=plan,
                outcome=data.get("outcome", ""),
                what_worked=data["what_worked"],
                what_did_not=data["what_did_not"],
                lessons=[LessonInput(lesson["category"], lesson["text"]) for lesson in data.get("lessons", [])],
                open_checkpoints_note=data["open_checkpoints_note"],
            )
        return Response(_detail(tenant, plan_get(tenant=tenant, plan_id=plan.pk)))


class CheckpointInputSerializer(serializers.Serializer[None]):
    measure = serializers.ChoiceField(choices=Checkpoint.Measure.choices)
    metric = serializers.IntegerField(required=False, allow_null=True, help_text="A metric on the partner's scorecard.")
    comparator = serializers.ChoiceField(choices=["gte", "lte"], default="gte")
    target = serializers.DecimalField(max_digits=18, decimal_places=4, required=False, allow_null=True)
    period = serializers.ChoiceField(choices=Checkpoint.Period.choices, default="month")
    due = serializers.DateField(help_text="Any day of the month or quarter whose snapshot is checked.")


class CheckpointListApi(TenantApi):
    """A plan's checkpoints with their status and the figures compared; POST adds one to an open plan."""

    pagination_class = None  # answers the whole list (the schema must not promise a page)

    perms = {"GET": "remediation.view", "POST": "remediation.manage"}

    @extend_schema(responses=InternalCheckpointOutputSerializer(many=True))
    def get(self, request: Request, tenant_slug: str, plan_id: int) -> Response:
        plan = plan_get(tenant=self.tenant, plan_id=plan_id)
        return Response(
            InternalCheckpointOutputSerializer(plan_page(tenant=self.tenant, plan=plan).checkpoints, many=True).data
        )

    @extend_schema(request=CheckpointInputSerializer, responses={201: InternalCheckpointOutputSerializer})
    def post(self, request: Request, tenant_slug: str, plan_id: int) -> Response:
        tenant = self.tenant
        plan = plan_get(tenant=tenant, plan_id=plan_id)
        data = self.validated(CheckpointInputSerializer, request.data)
        checkpoint = checkpoint_add(
            tenant=tenant,
            actor=self.actor,
            plan=plan,
            data=CheckpointInput(
                measure=data["measure"],
                period=data["period"],
                due=data["due"],
                comparator=data["comparator"],
                target=data.get("target"),
                metric=reference(metric_list(tenant=tenant), data.get("metric"), "metric", "metric"),
            ),
        )
        return Response(InternalCheckpointOutputSerializer(checkpoint).data, status=201)


class CheckpointDetailApi(TenantApi):
    """One checkpoint: its criterion, status, the figures compared or why it is not yet evaluable."""

    perms = {"GET": "remediation.view"}

    @extend_schema(responses=InternalCheckpointOutputSerializer)
    def get(self, request: Request, tenant_slug: str, checkpoint_id: int) -> Response:
        return Response(
            InternalCheckpointOutputSerializer(checkpoint_get(tenant=self.tenant, checkpoint_id=checkpoint_id)).data
        )


class WaiveInputSerializer(serializers.Serializer[None]):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class CheckpointWaiveApi(TenantApi):
    """Waive a checkpoint, with a reason (required)."""

    perms = {"POST": "remediation.manage"}

    @extend_schema(request=WaiveInputSerializer, responses=InternalCheckpointOutputSerializer)
    def post(self, request: Request, tenant_slug: str, checkpoint_id: int) -> Response:
        checkpoint = checkpoint_get(tenant=self.tenant, checkpoint_id=checkpoint_id)
        data = self.validated(WaiveInputSerializer, request.data)
        waived = checkpoint_waive(tenant=self.tenant, actor=self.actor, checkpoint=checkpoint, reason=data["reason"])
        return Response(InternalCheckpointOutputSerializer(waived).data)


class CommentInputSerializer(serializers.Serializer[None]):
    body = serializers.CharField()


class CommentOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    checkpoint = serializers.IntegerField(source="checkpoint_id")
    body = serializers.CharField()
    created_at = serializers.DateTimeField()


class CheckpointCommentApi(TenantApi):
    """Comment on a checkpoint (internal)."""

    perms = {"POST": "remediation.manage"}

    @extend_schema(request=CommentInputSerializer, responses={201: CommentOutputSerializer})
    def post(self, request: Request, tenant_slug: str, checkpoint_id: int) -> Response:
        checkpoint = checkpoint_get(tenant=self.tenant, checkpoint_id=checkpoint_id)
        data = self.validated(CommentInputSerializer, request.data)
        comment = checkpoint_comment_add(tenant=self.tenant, actor=self.actor, checkpoint=checkpoint, body=data["body"])
        return Response(CommentOutputSerializer(comment).data, status=201)


class PlanActionInputSerializer(serializers.Serializer[None]):
    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=PlanAction.Kind.choices, default="quick_win")
    side = serializers.ChoiceField(choices=PlanAction.Side.choices, default="ours")
    owner = serializers.IntegerField(required=False, allow_null=True)
    due_date = serializers.DateField()
    resources = serializers.CharField(required=False, allow_blank=True, default="")
    success_criteria = serializers.CharField(required=False, allow_blank=True, default="")
    contingency = serializers.CharField(required=False, allow_blank=True, default="")
    shared = serializers.BooleanField(default=True)


class PlanActionListApi(TenantApi):
    """A plan's actions; POST adds one (ours: an internal owner; the partner's: one of its users, always shared)."""

    pagination_class = None  # answers the whole list (the schema must not promise a page)

    perms = {"GET": "remediation.view", "POST": "remediation.manage"}

    @extend_schema(responses=PlanActionOutputSerializer(many=True))
    def get(self, request: Request, tenant_slug: str, plan_id: int) -> Response:
        plan = plan_get(tenant=self.tenant, plan_id=plan_id)
        return Response(PlanActionOutputSerializer(plan_page(tenant=self.tenant, plan=plan).actions, many=True).data)

    @extend_schema(request=PlanActionInputSerializer, responses={201: PlanActionOutputSerializer})
    def post(self, request: Request, tenant_slug: str, plan_id: int) -> Response:
        tenant = self.tenant
        plan = plan_get(tenant=tenant, plan_id=plan_id)
        data = self.validated(PlanActionInputSerializer, request.data)
        action = plan_action_add(
            tenant=tenant,
            actor=self.actor,
            plan=plan,
            data=ActionInput(
                title=data["title"],
                due_date=data["due_date"],
                kind=data["kind"],
                side=data["side"],
                owner=member(tenant, data.get("owner"), "owner"),
                resources=data["resources"],
                success_criteria=data["success_criteria"],
                contingency=data["contingency"],
                shared=data["shared"],
            ),
        )
        return Response(PlanActionOutputSerializer(action).data, status=201)


class PlanActionUpdateInputSerializer(serializers.Serializer[None]):
    status = serializers.ChoiceField(choices=PlanAction.Status.choices, required=False)
    due_date = serializers.DateField(required=False)
    owner = serializers.IntegerField(required=False, allow_null=True)
    shared = serializers.BooleanField(required=False)


class PlanActionApi(TenantApi):
    """Update an action from our side: status, due date, owner, shared."""

    perms = {"PATCH": "remediation.manage"}

    @extend_schema(request=PlanActionUpdateInputSerializer, responses=PlanActionOutputSerializer)
    def patch(self, request: Request, tenant_slug: str, plan_action_id: int) -> Response:
        tenant = self.tenant
        action = plan_action_get(tenant=tenant, action_id=plan_action_id)
        data = self.validated(PlanActionUpdateInputSerializer, request.data)
        updated = plan_action_update(
            tenant=tenant,
            actor=self.actor,
            action=action,
            status=data.get("status"),
            due_date=data.get("due_date"),
            owner=member(tenant, data["owner"], "owner") if "owner" in data else UNSET,
            shared=data.get("shared"),
        )
        return Response(PlanActionOutputSerializer(updated).data)


class UpdateInputSerializer(serializers.Serializer[None]):
    body = serializers.CharField()
    shared = serializers.BooleanField(default=False)


class ProgressUpdateListApi(TenantApi):
    """A plan's progress updates (with the figures beside each); POST posts one."""

    pagination_class = None  # answers the whole list (the schema must not promise a page)

    perms = {"GET": "remediation.view", "POST": "remediation.manage"}

    @extend_schema(responses=UpdateOutputSerializer(many=True))
    def get(self, request: Request, tenant_slug: str, plan_id: int) -> Response:
        plan = plan_get(tenant=self.tenant, plan_id=plan_id)
        return Response(UpdateOutputSerializer(plan_page(tenant=self.tenant, plan=plan).updates, many=True).data)

    @extend_schema(request=UpdateInputSerializer, responses={201: UpdateOutputSerializer})
    def post(self, request: Request, tenant_slug: str, plan_id: int) -> Response:
        plan = plan_get(tenant=self.tenant, plan_id=plan_id)
        data = self.validated(UpdateInputSerializer, request.data)
        update = progress_update_add(tenant=self.tenant, actor=self.actor, plan=plan, **data)
        return Response(UpdateOutputSerializer(update).data, status=201)
