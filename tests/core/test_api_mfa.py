from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from partnerhub.core.models import Role
from tests.factories import PartnerFactory, member

pytestmark = pytest.mark.django_db


def _client(membership):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=membership.user).key}")
    return client


def test_api_refuses_a_member_without_mfa_when_the_program_requires_it(tenant):
    manager = member(tenant, Role.MANAGER)
    PartnerFactory(tenant=tenant)
    tenant.require_mfa = True
    tenant.save()
    response = _client(manager).get(f"/api/v1/t/{tenant.slug}/partners/")
    assert response.status_code == 403
    assert response.json()["code"] == "mfa_required"


def test_api_serves_a_member_with_an_authenticator_when_the_program_requires_mfa(tenant):
    manager = member(tenant, Role.MANAGER)
    PartnerFactory(tenant=tenant, name="Visible Partner")
    Authenticator.objects.create(user=manager.user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    tenant.require_mfa = True
    tenant.save()
    response = _client(manager).get(f"/api/v1/t/{tenant.slug}/partners/")
    assert response.status_code == 200
    assert [p["name"] for p in response.json()["results"]] == ["Visible Partner"]
