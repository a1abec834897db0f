"""API of a member's own in-app notifications: the list, and read-marks."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from partnerhub.core.api.base import TenantApi
from partnerhub.core.api.fields import IdField
from partnerhub.core.selectors.notifications import notification_list_for_member
from partnerhub.core.services.notifications import notifications_mark_read


# Serializer[Any]: also given a page with many=True (typeddjango/djangorestframework-stubs#827).
class NotificationSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    body = serializers.CharField()
    url = serializers.CharField()
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)


class NotificationQuerySerializer(serializers.Serializer[None]):
    unread = serializers.BooleanField(required=False, default=False, help_text="Only the unread ones.")


class NotificationListApi(TenantApi):
    """The member's own notifications, newest first (paginated)."""

    perms = {"GET": "notifications.view"}

    @extend_schema(parameters=[NotificationQuerySerializer], responses=NotificationSerializer(many=True))
    def get(self, request: Request, tenant_slug: str) -> Response:
        query = self.validated(NotificationQuerySerializer, request.query_params)
        notifications = notification_list_for_member(tenant=self.tenant, member=self.actor, unread=query["unread"])
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(notifications, request, view=self)
        return paginator.get_paginated_response(NotificationSerializer(page, many=True).data)


class NotificationReadInputSerializer(serializers.Serializer[None]):
    ids = serializers.ListField(
        child=IdField(),
        required=False,
        allow_null=True,
        max_length=1000,
        help_text="Your notifications to mark read; leave out to mark them all. Any id not yours is a 400.",
    )


class NotificationReadOutputSerializer(serializers.Serializer[dict[str, int]]):
    marked = serializers.IntegerField()


class NotificationReadApi(TenantApi):
    """Mark the member's notifications read: all, or the given ids (an id that is not theirs: 400, nothing marked)."""

    perms = {"POST": "notifications.view"}

    @extend_schema(request=NotificationReadInputSerializer, responses=NotificationReadOutputSerializer)
    def post(self, request: Request, tenant_slug: str) -> Response:
        data = self.validated(NotificationReadInputSerializer, request.data)
        marked = notifications_mark_read(tenant=self.tenant, actor=self.actor, ids=data.get("ids"))
        return Response({"marked": marked})
