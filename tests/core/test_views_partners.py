"""Partner pages: list filters, pagination, the HTMX partial, a flat query count, and the create/edit forms."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnerhub.core.models import Partner, PartnerOwnerChange, Role
from partnerhub.core.tenancy.context import tenant_context
from tests.core.partner_table import FILTER_FIELDS, partner_ids_in
from tests.factories import PartnerFactory, member
from tests.tenant_urls import tenant_url

pytestmark = pytest.mark.django_db


def partner_count(tenant):
    with tenant_context(tenant):
        return Partner.objects.count()


def valid_form(**overrides):
    return {
        "name": "Orbit Integrators",
        "external_id": "CRM-42",
        "partner_type": Partner.Type.SI,
        "tier": Partner.Tier.GOLD,
        "stage": Partner.Stage.GROWTH,
        "region": Partner.Region.LATAM,
        "market": "Brazil",
        "product_lines": "Cloud, Security, Cloud",
        **overrides,
    }


# --- list and filters ---


def test_the_partner_list_shows_the_tenants_partners_only(tenant, manager, owned_partner, foreign_partner, client_for):
    response = client_for(manager).get(tenant_url("partner_list", tenant))
    assert response.status_code == 200
    assert partner_ids_in(response) == {owned_partner.pk}
    assert "Beta Only Partner" not in response.content.decode()


@pytest.mark.parametrize("field", FILTER_FIELDS)
def test_each_filter_returns_only_the_matching_partners(tenant, manager, catalogue, client_for, field):
    value, expected = catalogue[field]
    response = client_for(manager).get(tenant_url("partner_list", tenant), {field: value})
    assert response.status_code == 200
    assert partner_ids_in(response) == {expected.pk}
    assert "1 partner" in response.content.decode()


def test_without_filters_every_partner_of_the_catalogue_is_listed(tenant, manager, catalogue, client_for):
    response = client_for(manager).get(tenant_url("partner_list", tenant))
    assert len(partner_ids_in(response)) == 3 + len(FILTER_FIELDS)


def test_filters_combine(tenant, manager, catalogue, client_for):
    PartnerFactory(tenant=tenant, name="Gold in APAC", tier=Partner.Tier.GOLD, region=Partner.Region.APAC)
    response = client_for(manager).get(tenant_url("partner_list", tenant), {"tier": "gold", "region": "apac"})
    with tenant_context(tenant):
        expected = Partner.objects.get(name="Gold in APAC").pk
    assert partner_ids_in(response) == {expected}


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MANAGER, Role.EXECUTIVE])
def test_every_internal_role_sees_the_partner_list(tenant, owned_partner, client_for, role, actor):
    response = client_for(actor(role)).get(tenant_url("partner_list", tenant))
    assert response.status_code == 200
    assert owned_partner.pk in partner_ids_in(response)


def test_a_partner_user_may_not_see_the_partner_list(tenant, owned_partner, client_for):
    response = client_for(member(tenant, Role.PARTNER, partner=owned_partner)).get(tenant_url("partner_list", tenant))
    assert response.status_code == 403


def test_a_non_member_gets_a_404_for_the_partner_list(tenant, owned_partner, foreign_manager, client_for):
    response = client_for(foreign_manager).get(tenant_url("partner_list", tenant))
    assert response.status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(tenant, client):
    response = client.get(tenant_url("partner_list", tenant))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/t/alpha/partners/")


# --- pagination ---


@pytest.fixture
def fifty_one_partners(tenant):
    return PartnerFactory.create_batch(51, tenant=tenant, tier=Partner.Tier.SILVER)


@pytest.mark.parametrize(("page", "rows"), [("1", 50), ("2", 1)])
def test_the_list_is_paginated_fifty_to_a_page(tenant, manager, fifty_one_partners, client_for, page, rows):
    response = client_for(manager).get(tenant_url("partner_list", tenant), {"page": page})
    assert len(partner_ids_in(response)) == rows
    assert "51 partners" in response.content.decode()
    assert f"Page {page} of 2" in response.content.decode()


def test_the_pages_follow_the_name_order(tenant, manager, fifty_one_partners, client_for):
    client = client_for(manager)
    first = partner_ids_in(client.get(tenant_url("partner_list", tenant), {"page": "1"}))
    second = partner_ids_in(client.get(tenant_url("partner_list", tenant), {"page": "2"}))
    by_name = [p.pk for p in sorted(fifty_one_partners, key=lambda p: p.name)]
    assert first == set(by_name[:50])
    assert second == {by_name[50]}


def test_pager_links_keep_the_filters(tenant, manager, fifty_one_partners, client_for):
    response = client_for(manager).get(tenant_url("partner_list", tenant), {"tier": "silver"})
    assert 'href="?tier=silver&amp;page=2"' in response.content.decode()


def test_a_page_past_the_end_shows_the_last_page(tenant, manager, fifty_one_partners, client_for):
    response = client_for(manager).get(tenant_url("partner_list", tenant), {"page": "99"})
    assert len(partner_ids_in(response)) == 1


# --- HTMX ---


def test_an_htmx_request_gets_only_the_table_partial(tenant, manager, catalogue, client_for):
    response = client_for(manager).get(tenant_url("partner_list", tenant), {"tier": "gold"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert "<form" not in body
    assert partner_ids_in(response) == {catalogue["tier"][1].pk}
    assert response.templates[0].name == "partnerhub/partials/_partner_table.html"


def test_a_plain_request_gets_the_whole_page(tenant, manager, catalogue, client_for):
    response = client_for(manager).get(tenant_url("partner_list", tenant))
    assert "<html" in response.content.decode()
    assert 'id="partner-table"' in response.content.decode()


# --- query count ---


def list_queries(client, tenant):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(tenant_url("partner_list", tenant))
    assert response.status_code == 200
    return len(captured.captured_queries), len(partner_ids_in(response))


def add_partners(tenant, people, lines, count, offset):
    for n in range(count):
        i = n + offset
        PartnerFactory(
            tenant=tenant,
            name=f"Sized {i:03d}",
            owner=people[i % 2],
            executive_sponsor=people[2 + i % 2],
            data_steward=people[i % 4],
            market=f"Market {i % 7}",
            product_lines=[lines[i % 3]],
        )


def test_the_partner_list_runs_the_same_number_of_queries_for_5_and_for_60_partners(
    tenant, manager, other_manager, executive, admin, client_for
):
    people = [manager, other_manager, executive, admin]
    lines = ["Cloud", "Security", "Data"]
    client = client_for(manager)
    add_partners(tenant, people, lines, 5, 0)
    list_queries(client, tenant)  # warm-up: first-request caches (content types, session) do not count
    few, few_rows = list_queries(client, tenant)
    add_partners(tenant, people, lines, 55, 5)
    many, many_rows = list_queries(client, tenant)
    assert (few_rows, many_rows) == (5, 50)
    assert many == few


def test_the_partner_list_query_budget_is_small(
    tenant, manager, other_manager, executive, admin, client_for, django_assert_max_num_queries
):
    add_partners(tenant, [manager, other_manager, executive, admin], ["Cloud", "Data", "AI"], 60, 0)
    client = client_for(manager)
    client.get(tenant_url("partner_list", tenant))
    with django_assert_max_num_queries(20):
        client.get(tenant_url("partner_list", tenant), {"tier": "silver", "page": "2"})


# --- create ---


def test_a_manager_creates_a_partner_and_owns_it(tenant, manager, client_for):
    response = client_for(manager).post(tenant_url("partner_create", tenant), valid_form())
    with tenant_context(tenant):
        partner = Partner.objects.get(name="Orbit Integrators")
        history = PartnerOwnerChange.objects.filter(partner=partner).count()
    assert response.status_code == 302
    assert response["Location"] == tenant_url("partner_detail", tenant, partner_id=partner.pk)
    assert partner.owner_id == manager.pk
    assert partner.product_lines == ["Cloud", "Security"]
    assert history == 1


def test_the_create_form_shows_to_a_manager(tenant, manager, client_for):
    response = client_for(manager).get(tenant_url("partner_create", tenant))
    assert response.status_code == 200
    assert 'name="owner"' in response.content.decode()


@pytest.mark.parametrize("field", ["owner", "executive_sponsor", "data_steward"])
def test_create_with_a_foreign_tenants_member_is_a_400_with_a_field_error_and_creates_nothing(
    tenant, admin, foreign_manager, client_for, field
):
    response = client_for(admin).post(tenant_url("partner_create", tenant), valid_form(**{field: foreign_manager.pk}))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert "Select a valid choice" in response.content.decode()
    assert partner_count(tenant) == 0


def test_create_with_an_owner_who_is_not_a_manager_is_a_field_error(tenant, admin, executive, client_for):
    response = client_for(admin).post(tenant_url("partner_create", tenant), valid_form(owner=executive.pk))
    assert response.status_code == 400
    assert "owner" in response.context["form"].errors
    assert partner_count(tenant) == 0


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"name": ""}, {"name"}),
        ({"partner_type": "franchise"}, {"partner_type"}),
        ({"tier": "diamond", "region": "mars"}, {"tier", "region"}),
        ({"owner": "not-a-number"}, {"owner"}),
    ],
)
def test_an_invalid_form_is_a_400_with_field_errors(tenant, manager, client_for, changes, fields):
    response = client_for(manager).post(tenant_url("partner_create", tenant), valid_form(**changes))
    assert response.status_code == 400
    assert set(response.context["form"].errors) == fields
    assert 'class="error" role="alert"' in response.content.decode()
    assert partner_count(tenant) == 0


def test_a_duplicate_name_is_a_field_error(tenant, manager, owned_partner, client_for):
    response = client_for(manager).post(tenant_url("partner_create", tenant), valid_form(name="acme cloud"))
    assert response.status_code == 400
    assert response.context["form"].errors["name"] == ["A partner with this name already exists."]


def test_a_name_used_by_another_tenant_is_fine_here(tenant, manager, foreign_partner, client_for):
    response = client_for(manager).post(tenant_url("partner_create", tenant), valid_form(name=foreign_partner.name))
    assert response.status_code == 302
    assert partner_count(tenant) == 1


@pytest.mark.parametrize("role", [Role.EXECUTIVE, Role.PARTNER])
def test_roles_without_create_permission_get_a_403(tenant, client_for, role, actor):
    client = client_for(actor(role))
    before = partner_count(tenant)
    response = client.post(tenant_url("partner_create", tenant), valid_form())
    assert response.status_code == 403
    assert partner_count(tenant) == before


# --- detail and edit ---


def test_the_detail_page_shows_the_partner_and_its_history(tenant, manager, client_for):
    client = client_for(manager)
    client.post(tenant_url("partner_create", tenant), valid_form())
    with tenant_context(tenant):
        partner = Partner.objects.get(name="Orbit Integrators")
    response = client.get(tenant_url("partner_detail", tenant, partner_id=partner.pk))
    assert response.status_code == 200
    assert "Orbit Integrators" in response.content.decode()
    assert "Added to the program, owned by Mara Manager" in response.content.decode()


def test_another_tenants_partner_is_a_404(tenant, manager, foreign_partner, client_for):
    response = client_for(manager).get(tenant_url("partner_detail", tenant, partner_id=foreign_partner.pk))
    assert response.status_code == 404


def test_the_owner_edits_their_partner(tenant, manager, owned_partner, client_for):
    response = client_for(manager).post(
        tenant_url("partner_edit", tenant, partner_id=owned_partner.pk), valid_form(name="Acme Cloud", owner=manager.pk)
    )
    with tenant_context(tenant):
        stored = Partner.objects.get(pk=owned_partner.pk)
    assert response.status_code == 302
    assert (stored.tier, stored.market) == (Partner.Tier.GOLD, "Brazil")


def test_a_manager_who_does_not_own_the_partner_gets_a_403_and_nothing_changes(
    tenant, other_manager, owned_partner, client_for
):
    response = client_for(other_manager).post(
        tenant_url("partner_edit", tenant, partner_id=owned_partner.pk),
        valid_form(name="Hijacked", owner=other_manager.pk),
    )
    with tenant_context(tenant):
        stored = Partner.objects.get(pk=owned_partner.pk)
    assert response.status_code == 403
    assert (stored.name, stored.owner_id) == ("Acme Cloud", owned_partner.owner_id)


def test_editing_with_a_foreign_owner_is_a_400_and_changes_nothing(
    tenant, admin, manager, owned_partner, foreign_manager, client_for
):
    response = client_for(admin).post(
        tenant_url("partner_edit", tenant, partner_id=owned_partner.pk),
        valid_form(name="Acme Cloud", owner=foreign_manager.pk),
    )
    with tenant_context(tenant):
        stored = Partner.objects.get(pk=owned_partner.pk)
    assert response.status_code == 400
    assert "owner" in response.context["form"].errors
    assert (stored.owner_id, stored.tier) == (manager.pk, Partner.Tier.SILVER)


# --- bulk reassignment page ---


def test_an_admin_reassigns_a_leavers_partners_from_the_page(tenant, admin, manager, other_manager, client_for):
    PartnerFactory.create_batch(4, tenant=tenant, owner=manager)
    response = client_for(admin).post(
        tenant_url("partner_reassign", tenant), {"from_owner": manager.pk, "to_owners": [other_manager.pk, admin.pk]}
    )
    with tenant_context(tenant):
        owners = sorted(Partner.objects.values_list("owner_id", flat=True))
    assert response.status_code == 302
    assert owners == sorted([other_manager.pk, admin.pk, other_manager.pk, admin.pk])


def test_the_reassign_page_refuses_a_foreign_new_owner(tenant, admin, manager, foreign_manager, client_for):
    PartnerFactory.create_batch(2, tenant=tenant, owner=manager)
    response = client_for(admin).post(
        tenant_url("partner_reassign", tenant), {"from_owner": manager.pk, "to_owners": [foreign_manager.pk]}
    )
    with tenant_context(tenant):
        owners = set(Partner.objects.values_list("owner_id", flat=True))
    assert response.status_code == 400
    assert "to_owners" in response.context["form"].errors
    assert owners == {manager.pk}


def test_the_reassign_page_is_for_admins_only(tenant, manager, client_for):
    assert client_for(manager).get(tenant_url("partner_reassign", tenant)).status_code == 403
