"""The REST API: token login, partner list filters, create and update, the error shape, schema and docs."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from partnerhub.core.models import Partner, PartnerOwnerChange, Role
from partnerhub.core.tenancy.context import tenant_context
from tests.core.partner_table import FILTER_FIELDS
from tests.factories import PASSWORD, PartnerFactory

pytestmark = pytest.mark.django_db

ERROR_KEYS = {"detail", "code", "extra"}


def partners_url(tenant):
    return reverse("api_partner_list", kwargs={"tenant_slug": tenant.slug})


def partner_url(tenant, partner_id):
    return reverse("api_partner_detail", kwargs={"tenant_slug": tenant.slug, "partner_id": partner_id})


def partner_count(tenant):
    with tenant_context(tenant):
        return Partner.objects.count()


def new_partner(**overrides):
    return {
        "name": "Quasar Consulting",
        "partner_type": "si",
        "tier": "gold",
        "stage": "growth",
        "region": "na",
        "market": "Canada",
        "product_lines": ["Cloud", "Data"],
        "is_strategic": True,
        **overrides,
    }


def result_ids(response):
    return {row["id"] for row in response.json()["results"]}


# --- token authentication ---


def test_a_token_from_email_and_password_opens_the_api(tenant, manager, owned_partner):
    client = APIClient()
    token_response = client.post(reverse("api_token"), {"username": "manager@alpha.test", "password": PASSWORD})
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_response.json()['token']}")
    response = client.get(partners_url(tenant))
    assert token_response.status_code == 200
    assert response.status_code == 200
    assert result_ids(response) == {owned_partner.pk}


def test_a_wrong_password_gets_no_token_and_the_error_shape(tenant, manager):
    response = APIClient().post(reverse("api_token"), {"username": "manager@alpha.test", "password": "nope-nope"})
    assert response.status_code == 400
    assert set(response.json()) == ERROR_KEYS
    assert "token" not in response.json()


def test_an_anonymous_request_is_refused_with_the_error_shape(tenant, owned_partner):
    response = APIClient().get(partners_url(tenant))
    assert response.status_code == 401
    assert set(response.json()) == ERROR_KEYS


def test_a_bad_token_is_refused(tenant, owned_partner):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    response = client.get(partners_url(tenant))
    assert response.status_code == 401
    assert set(response.json()) == ERROR_KEYS


# --- list ---


def test_the_list_shows_only_this_tenants_partners_with_their_fields(
    tenant, manager, owned_partner, foreign_partner, api_client_for
):
    response = api_client_for(manager).get(partners_url(tenant))
    body = response.json()
    assert response.status_code == 200
    assert body["count"] == 1
    assert body["results"][0] == {
        "id": owned_partner.pk,
        "name": "Acme Cloud",
        "external_id": "",
        "partner_type": "reseller",
        "tier": "silver",
        "stage": "growth",
        "region": "emea",
        "market": "Germany",
        "product_lines": ["Cloud"],
        "is_strategic": False,
        "owner": manager.pk,
        "executive_sponsor": None,
        "data_steward": None,
        "updated_at": body["results"][0]["updated_at"],
    }


@pytest.mark.parametrize("field", FILTER_FIELDS)
def test_each_api_filter_returns_only_the_matching_partners(tenant, manager, catalogue, api_client_for, field):
    value, expected = catalogue[field]
    response = api_client_for(manager).get(partners_url(tenant), {field: value})
    assert response.status_code == 200
    assert result_ids(response) == {expected.pk}


def test_api_filters_combine(tenant, manager, catalogue, api_client_for):
    response = api_client_for(manager).get(partners_url(tenant), {"tier": "gold", "region": "emea"})
    assert result_ids(response) == {catalogue["tier"][1].pk}


def test_the_api_list_is_paginated_by_fifty(tenant, manager, api_client_for):
    PartnerFactory.create_batch(51, tenant=tenant)
    first = api_client_for(manager).get(partners_url(tenant))
    second = api_client_for(manager).get(partners_url(tenant), {"page": 2})
    assert (first.json()["count"], len(first.json()["results"]), len(second.json()["results"])) == (51, 50, 1)
    assert first.json()["next"].endswith("page=2")


@pytest.mark.parametrize(
    ("params", "field"),
    [({"tier": "diamond"}, "tier"), ({"region": "mars"}, "region"), ({"owner": "someone"}, "owner")],
)
def test_a_bad_filter_value_is_a_400_naming_the_field(tenant, manager, api_client_for, params, field):
    response = api_client_for(manager).get(partners_url(tenant), params)
    assert response.status_code == 400
    assert set(response.json()) == ERROR_KEYS
    assert field in response.json()["extra"]["fields"]


def test_a_partner_user_cannot_list_partners(tenant, api_client_for, actor):
    response = api_client_for(actor(Role.PARTNER)).get(partners_url(tenant))
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_a_non_member_gets_a_404_with_the_error_shape(tenant, foreign_manager, owned_partner, api_client_for):
    response = api_client_for(foreign_manager).get(partners_url(tenant))
    assert response.status_code == 404
    assert response.json() == {"detail": response.json()["detail"], "code": "not_found", "extra": {}}


def test_an_unknown_program_is_a_404(db, foreign_manager, api_client_for):
    response = api_client_for(foreign_manager).get("/api/v1/t/no-such-program/partners/")
    assert response.status_code == 404
    assert set(response.json()) == ERROR_KEYS


# --- create ---


def test_a_manager_creates_a_partner_and_gets_201(tenant, manager, api_client_for):
    response = api_client_for(manager).post(partners_url(tenant), new_partner(), format="json")
    with tenant_context(tenant):
        stored = Partner.objects.get(pk=response.json()["id"])
        history = PartnerOwnerChange.objects.filter(partner=stored).count()
    assert response.status_code == 201
    assert response.json()["owner"] == manager.pk
    assert (stored.name, stored.tier, stored.product_lines, stored.is_strategic) == (
        "Quasar Consulting",
        "gold",
        ["Cloud", "Data"],
        True,
    )
    assert history == 1


def test_an_admin_creates_a_partner_for_a_manager(tenant, admin, manager, executive, api_client_for):
    response = api_client_for(admin).post(
        partners_url(tenant),
        new_partner(owner=manager.pk, executive_sponsor=executive.pk, data_steward=executive.pk),
        format="json",
    )
    assert response.status_code == 201
    assert (response.json()["owner"], response.json()["executive_sponsor"], response.json()["data_steward"]) == (
        manager.pk,
        executive.pk,
        executive.pk,
    )


@pytest.mark.parametrize("field", ["owner", "executive_sponsor", "data_steward"])
def test_create_naming_another_tenants_member_is_a_400_and_creates_nothing(
    tenant, admin, foreign_manager, api_client_for, field
):
    response = api_client_for(admin).post(
        partners_url(tenant), new_partner(**{field: foreign_manager.pk}), format="json"
    )
    body = response.json()
    assert response.status_code == 400
    assert set(body) == ERROR_KEYS
    assert body["code"] == "invalid"
    assert field in body["extra"]["fields"]
    assert partner_count(tenant) == 0


def test_create_with_an_executive_as_owner_is_a_400_from_the_service(tenant, admin, executive, api_client_for):
    response = api_client_for(admin).post(partners_url(tenant), new_partner(owner=executive.pk), format="json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "The owner must be an active partner manager or admin.",
        "code": "invalid_state",
        "extra": {"fields": {"owner": ["role"]}},
    }
    assert partner_count(tenant) == 0


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"partner_type": "franchise"}, {"partner_type"}),
        ({"tier": "diamond", "stage": "zombie"}, {"tier", "stage"}),
        ({"region": "mars"}, {"region"}),
        ({"name": ""}, {"name"}),
        ({"product_lines": "Cloud"}, {"product_lines"}),
    ],
)
def test_bad_choices_are_a_400_listing_the_fields(tenant, manager, api_client_for, changes, fields):
    response = api_client_for(manager).post(partners_url(tenant), new_partner(**changes), format="json")
    body = response.json()
    assert response.status_code == 400
    assert set(body) == ERROR_KEYS
    assert set(body["extra"]["fields"]) == fields
    assert partner_count(tenant) == 0


def test_a_duplicate_name_is_a_400_not_a_500(tenant, manager, owned_partner, api_client_for):
    response = api_client_for(manager).post(partners_url(tenant), new_partner(name="Acme Cloud"), format="json")
    assert response.status_code == 400
    assert set(response.json()) == ERROR_KEYS
    assert partner_count(tenant) == 1


def test_an_executive_cannot_create(tenant, executive, api_client_for):
    response = api_client_for(executive).post(partners_url(tenant), new_partner(), format="json")
    assert response.status_code == 403
    assert set(response.json()) == ERROR_KEYS
    assert partner_count(tenant) == 0


# --- detail and update ---


def test_the_detail_returns_the_partner(tenant, executive, owned_partner, api_client_for):
    response = api_client_for(executive).get(partner_url(tenant, owned_partner.pk))
    assert response.status_code == 200
    assert response.json()["name"] == "Acme Cloud"


def test_the_owner_patches_their_partner(tenant, manager, owned_partner, api_client_for):
    response = api_client_for(manager).patch(partner_url(tenant, owned_partner.pk), {"tier": "platinum"}, format="json")
    with tenant_context(tenant):
        stored = Partner.objects.get(pk=owned_partner.pk)
    assert response.status_code == 200
    assert (stored.tier, stored.name, stored.owner_id) == ("platinum", "Acme Cloud", manager.pk)


def test_a_manager_patching_a_partner_they_do_not_own_gets_403_and_nothing_changes(
    tenant, other_manager, owned_partner, api_client_for
):
    response = api_client_for(other_manager).patch(
        partner_url(tenant, owned_partner.pk), {"tier": "platinum", "owner": other_manager.pk}, format="json"
    )
    with tenant_context(tenant):
        stored = Partner.objects.get(pk=owned_partner.pk)
    assert response.status_code == 403
    assert response.json() == {
        "detail": "You do not have permission to do this.",
        "code": "permission_denied",
        "extra": {"permission": "partners.change"},
    }
    assert (stored.tier, stored.owner_id) == ("silver", owned_partner.owner_id)


def test_an_executive_cannot_patch(tenant, executive, owned_partner, api_client_for):
    response = api_client_for(executive).patch(partner_url(tenant, owned_partner.pk), {"tier": "gold"}, format="json")
    assert response.status_code == 403


def test_patching_in_a_foreign_owner_is_a_400_and_nothing_changes(
    tenant, admin, manager, owned_partner, foreign_manager, api_client_for
):
    response = api_client_for(admin).patch(
        partner_url(tenant, owned_partner.pk), {"owner": foreign_manager.pk, "tier": "gold"}, format="json"
    )
    with tenant_context(tenant):
        stored = Partner.objects.get(pk=owned_partner.pk)
    assert response.status_code == 400
    assert "owner" in response.json()["extra"]["fields"]
    assert (stored.owner_id, stored.tier) == (manager.pk, "silver")


@pytest.mark.parametrize("method", ["get", "patch"])
def test_an_unknown_id_is_a_404_with_the_error_shape(tenant, admin, api_client_for, method):
    response = getattr(api_client_for(admin), method)(partner_url(tenant, 987654), {}, format="json")
    assert response.status_code == 404
    assert response.json() == {"detail": "Partner not found.", "code": "not_found", "extra": {}}


@pytest.mark.parametrize("method", ["get", "patch"])
def test_another_tenants_partner_id_is_a_404_like_an_unknown_one(
    tenant, admin, foreign_partner, api_client_for, method
):
    response = getattr(api_client_for(admin), method)(
        partner_url(tenant, foreign_partner.pk), {"tier": "gold"}, format="json"
    )
    with tenant_context(foreign_partner.tenant):
        foreign_tier = Partner.objects.get(pk=foreign_partner.pk).tier
    assert response.status_code == 404
    assert response.json() == {"detail": "Partner not found.", "code": "not_found", "extra": {}}
    assert foreign_tier == "silver"


def test_a_method_not_allowed_keeps_the_error_shape(tenant, admin, owned_partner, api_client_for):
    response = api_client_for(admin).delete(partner_url(tenant, owned_partner.pk))
    assert response.status_code in (403, 405)
    assert set(response.json()) == ERROR_KEYS
    assert partner_count(tenant) == 1


# --- members ---


def test_an_admin_lists_members(tenant, admin, manager, foreign_manager, api_client_for):
    response = api_client_for(admin).get(reverse("api_member_list", kwargs={"tenant_slug": tenant.slug}))
    emails = {row["email"] for row in response.json()["results"]}
    assert response.status_code == 200
    assert emails == {"admin@alpha.test", "manager@alpha.test"}


def test_a_manager_cannot_list_members(tenant, manager, api_client_for):
    response = api_client_for(manager).get(reverse("api_member_list", kwargs={"tenant_slug": tenant.slug}))
    assert response.status_code == 403


# --- schema and docs ---


def test_the_openapi_schema_renders(db):
    response = APIClient().get(reverse("api_schema"))
    assert response.status_code == 200
    assert b"/api/v1/t/{tenant_slug}/partners/" in response.content


URL_ATTRIBUTE = re.compile(r"""<(?:script|link)\b[^>]*?\b(?:src|href)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)


def test_the_api_docs_render_and_load_nothing_from_another_host(db):
    response = APIClient().get(reverse("api_docs"), HTTP_ACCEPT="text/html")
    urls = [urlparse(url) for url in URL_ATTRIBUTE.findall(response.content.decode())]
    assert response.status_code == 200
    assert len(urls) >= 4  # favicon, stylesheet, two bundles (and the init script)
    assert {url.scheme for url in urls} == {""}
    assert {url.netloc for url in urls} == {""}
    assert {url.path.split("/")[1] for url in urls} <= {"static", "api"}


INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


def test_the_api_docs_need_no_inline_script_under_the_csp(db):
    response = APIClient().get(reverse("api_docs"), HTTP_ACCEPT="text/html")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert INLINE_SCRIPT.findall(response.content.decode()) == []


def test_the_api_docs_init_script_is_served_as_javascript_without_external_urls(db):
    response = APIClient().get(reverse("api_docs"), {"script": ""}, HTTP_ACCEPT="*/*")
    assert response.status_code == 200
    assert "javascript" in response["Content-Type"]
    assert re.findall(r"https?://", response.content.decode()) == []
