"""Partner and member endpoints: one class per resource, thin, through selectors and services."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from partnerhub.core.accounts import address_is_throttled, is_locked_out, refusal
from partnerhub.core.api.base import TenantApi
from partnerhub.core.api.fields import IdField
from partnerhub.core.forms.accounts import LOGIN_MAX_LENGTH, TOO_LONG
from partnerhub.core.models import Membership, Partner
from partnerhub.core.selectors import program as selectors
from partnerhub.core.services import program as services


@extend_schema_field(OpenApiTypes.INT)
class MemberRefField(serializers.PrimaryKeyRelatedField[Membership]):
    """A membership id, resolved only among the active tenant's members: any other id is a 400."""

    def get_queryset(self) -> QuerySet[Membership]:
        return selectors.membership_list(tenant=self.context["tenant"])


# Serializer[Any] for an output serializer also given a page with many=True: djangorestframework-stubs types a
# serializer's instance as one object, so a list is an error (typeddjango/djangorestframework-stubs#827).
class PartnerOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    external_id = serializers.CharField()
    partner_type = serializers.CharField()
    tier = serializers.CharField()
    stage = serializers.CharField()
    region = serializers.CharField()
    market = serializers.CharField()
    product_lines = serializers.ListField(child=serializers.CharField())
    is_strategic = serializers.BooleanField()
    owner = serializers.IntegerField(source="owner_id", allow_null=True)
    executive_sponsor = serializers.IntegerField(source="executive_sponsor_id", allow_null=True)
    data_steward = serializers.IntegerField(source="data_steward_id", allow_null=True)
    updated_at = serializers.DateTimeField()


# Serializer[None] for an input serializer: it validates request data and never wraps an instance.
class PartnerInputSerializer(serializers.Serializer[None]):
    name = serializers.CharField(max_length=200)
    external_id = serializers.CharField(max_length=100, required=False, allow_blank=True)
    partner_type = serializers.ChoiceField(choices=Partner.Type.choices)
    tier = serializers.ChoiceField(choices=Partner.Tier.choices, required=False)
    stage = serializers.ChoiceField(choices=Partner.Stage.choices, required=False)
    region = serializers.ChoiceField(choices=Partner.Region.choices)
    market = serializers.CharField(max_length=80, required=False, allow_blank=True)
    product_lines = serializers.ListField(child=serializers.CharField(max_length=60), required=False)
    is_strategic = serializers.BooleanField(required=False)
    owner = MemberRefField(required=False, allow_null=True)
    executive_sponsor = MemberRefField(required=False, allow_null=True)
    data_steward = MemberRefField(required=False, allow_null=True)


class PartnerFilterSerializer(serializers.Serializer[None]):
    q = serializers.CharField(required=False, allow_blank=True)
    partner_type = serializers.ChoiceField(choices=Partner.Type.choices, required=False)
    tier = serializers.ChoiceField(choices=Partner.Tier.choices, required=False)
    stage = serializers.ChoiceField(choices=Partner.Stage.choices, required=False)
    region = serializers.ChoiceField(choices=Partner.Region.choices, required=False)
    market = serializers.CharField(required=False)
    product_line = serializers.CharField(required=False)
    owner = IdField(required=False)
    executive_sponsor = IdField(required=False)
    data_steward = IdField(required=False)


class PartnerListApi(TenantApi):
    perms = {"GET": "partners.view", "POST": "partners.create"}

    @extend_schema(parameters=[PartnerFilterSerializer], responses=PartnerOutputSerializer(many=True))
    def get(self, request: Request, tenant_slug: str) -> Response:
        filters = self.validated(PartnerFilterSerializer, request.query_params)
        partners = selectors.partner_list(tenant=self.tenant, filters=selectors.PartnerFilters(**filters))
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(partners, request, view=self)
        return paginator.get_paginated_response(PartnerOutputSerializer(page, many=True).data)

    @extend_schema(request=PartnerInputSerializer, responses={201: PartnerOutputSerializer})
    def post(self, request: Request, tenant_slug: str) -> Response:
        data = self.validated(PartnerInputSerializer, request.data, context={"tenant": self.tenant})
        partner = services.partner_create(tenant=self.tenant, actor=self.actor, data=data)
        return Response(PartnerOutputSerializer(partner).data, status=201)


class PartnerDetailApi(TenantApi):
    perms = {"GET": "partners.view", "PATCH": "partners.change"}

    @extend_schema(responses=PartnerOutputSerializer)
    def get(self, request: Request, tenant_slug: str, partner_id: int) -> Response:
        partner = selectors.partner_get(tenant=self.tenant, partner_id=partner_id)
        return Response(PartnerOutputSerializer(partner).data)

    @extend_schema(request=PartnerInputSerializer, responses=PartnerOutputSerializer)
    def patch(self, request: Request, tenant_slug: str, partner_id: int) -> Response:
        partner = selectors.partner_get(tenant=self.tenant, partner_id=partner_id)
        data = self.validated(PartnerInputSerializer, request.data, context={"tenant": self.tenant}, partial=True)
        partner = services.partner_update(tenant=self.tenant, actor=self.actor, partner=partner, data=data)
        return Response(PartnerOutputSerializer(partner).data)


class MemberOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    email = serializers.EmailField(source="user.email")
    name = serializers.CharField(source="user.get_full_name")
    role = serializers.CharField()
    partner = serializers.IntegerField(source="partner_id", allow_null=True)
    is_active = serializers.BooleanField()


class MemberListApi(TenantApi):
    perms = {"GET": "members.view"}

    @extend_schema(responses=MemberOutputSerializer(many=True))
    def get(self, request: Request, tenant_slug: str) -> Response:
        members = selectors.membership_list(tenant=self.tenant)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(members, request, view=self)
        return paginator.get_paginated_response(MemberOutputSerializer(page, many=True).data)


class TokenRequestSerializer(AuthTokenSerializer):
    """Email and password; the email is bounded (254 characters) before authentication and django-axes see it."""

    username = serializers.CharField(
        label="Email", max_length=LOGIN_MAX_LENGTH, write_only=True, error_messages={"max_length": TOO_LONG}
    )


class TokenSerializer(serializers.Serializer[dict[str, str]]):
    token = serializers.CharField()


class TokenObtainApi(ObtainAuthToken):
    """Exchange email and password for an API token, under the login limits of every login path
    (partnerhub/core/accounts.py): a locked account or a throttled address is a 429 with Retry-After."""

    serializer_class = TokenRequestSerializer
    error_statuses = (429,)  # a locked account, a throttled address (the schema declares it)
    throttle_classes: list[Any] = []  # the limits are on failures only: a correct password is never refused

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        django_request = request._request
        login = str(request.data.get("username", "") if hasattr(request.data, "get") else "")
        if login and is_locked_out(django_request, login[:LOGIN_MAX_LENGTH]):
            return refusal(django_request, locked=True)  # type: ignore[return-value]
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            if login and is_locked_out(django_request, login[:LOGIN_MAX_LENGTH]):
                return refusal(django_request, locked=True)  # type: ignore[return-value]
            if address_is_throttled(django_request):
                return refusal(django_request, locked=False)  # type: ignore[return-value]
            raise ValidationError(serializer.errors)
        user = serializer.validated_data["user"]
        # A successful login resets django-axes's failure count, as it does on the web login.
        user_logged_in.send(sender=type(user), request=django_request, user=user)
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
