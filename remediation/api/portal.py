"""The partner's plan through the API: only its shared parts (``portal.plan``); the partner's own shared actions
updated (``portal.plan_action``), and their updates posted. Anything not theirs is a 404."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from partnerhub.core.api.base import TenantApi
from partnerhub.core.errors import NotFoundError
from remediation.api.serializers import (
    CheckpointOutputSerializer,
    PlanActionOutputSerializer,
    PlanOutputSerializer,
    UpdateOutputSerializer,
)
from remediation.selectors.portal import portal_plan, portal_plan_action_get, portal_plan_current
from remediation.services.actions import PARTNER_STATUSES, portal_action_update, progress_update_add


class PortalPlanApi(TenantApi):
    """The company's active plan (or its latest closed one): goal, dates, checkpoints, shared actions and shared
    updates. Never findings, internal notes, comments or escalations. 404 when there is none."""

    pagination_class = None  # answers the whole list (the schema must not promise a page)

    perms = {"GET": "portal.plan"}

    @extend_schema(responses=PlanOutputSerializer)
    def get(self, request: Request, tenant_slug: str) -> Response:
        plan = portal_plan_current(tenant=self.tenant, actor=self.actor)
        if plan is None:
            raise NotFoundError("There is no improvement plan.")
        shared = portal_plan(tenant=self.tenant, actor=self.actor, plan=plan)
        data: dict[str, Any] = dict(PlanOutputSerializer(plan).data)
        data.update(
            checkpoints=CheckpointOutputSerializer(shared.checkpoints, many=True).data,
            actions=PlanActionOutputSerializer(shared.actions, many=True).data,
            updates=UpdateOutputSerializer(shared.updates, many=True).data,
        )
        return Response(data)


class PortalActionInputSerializer(serializers.Serializer[None]):
    status = serializers.ChoiceField(choices=[s.value for s in PARTNER_STATUSES])
    note = serializers.CharField(required=False, allow_blank=True, default="")


class PortalPlanActionApi(TenantApi):
    """Move one of the company's shared actions along (open, in progress, done), with an optional note."""

    perms = {"PATCH": "portal.plan_action"}

    @extend_schema(request=PortalActionInputSerializer, responses=PlanActionOutputSerializer)
    def patch(self, request: Request, tenant_slug: str, plan_action_id: int) -> Response:
        action = portal_plan_action_get(tenant=self.tenant, actor=self.actor, action_id=plan_action_id)
        data = self.validated(PortalActionInputSerializer, request.data)
        updated = portal_action_update(tenant=self.tenant, actor=self.actor, action=action, **data)
        return Response(PlanActionOutputSerializer(updated).data)


class PortalUpdateInputSerializer(serializers.Serializer[None]):
    body = serializers.CharField()


class PortalPlanUpdateApi(TenantApi):
    """Post a progress update on the company's active plan (shared with us, and with them)."""

    perms = {"POST": "portal.plan"}

    @extend_schema(request=PortalUpdateInputSerializer, responses={201: UpdateOutputSerializer})
    def post(self, request: Request, tenant_slug: str) -> Response:
        plan = portal_plan_current(tenant=self.tenant, actor=self.actor)
        if plan is None:
            raise NotFoundError("There is no improvement plan.")
        data = self.validated(PortalUpdateInputSerializer, request.data)
        update = progress_update_add(tenant=self.tenant, actor=self.actor, plan=plan, body=data["body"], shared=True)
        return Response(UpdateOutputSerializer(update).data, status=201)
