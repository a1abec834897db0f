"""What every page reads once and then keeps (the tenant switcher's list of a user's programs) is read afresh as soon
as it changes, and is never another user's."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnerhub.core.models import Role
from partnerhub.core.services import program as services
from partnerhub.core.tenancy.context import tenant_context
from partnerhub.core.tenancy.membership_index import memberships_of_user
from tests.factories import member
from tests.tenant_urls import tenant_url

pytestmark = pytest.mark.django_db


def programs_of(user_id):
    return [m.tenant.name for m in memberships_of_user(user_id)]


def test_a_users_programs_are_read_once_then_kept(tenant, other_tenant):
    mine = member(tenant)
    member(other_tenant, user=mine.user)
    programs_of(mine.user_id)

    with CaptureQueriesContext(connection) as queries:
        assert programs_of(mine.user_id) == ["Alpha Alliances", "Beta Channel"]
    assert len(queries.captured_queries) == 0


def test_each_user_gets_their_own_programs_only(tenant, other_tenant):
    mine = member(tenant)
    member(other_tenant, user=mine.user)
    stranger = member(other_tenant)

    assert programs_of(mine.user_id) == ["Alpha Alliances", "Beta Channel"]
    assert programs_of(stranger.user_id) == ["Beta Channel"]


def test_a_deactivated_membership_leaves_the_switcher_at_once(tenant, other_tenant):
    admin = member(other_tenant, Role.ADMIN)
    mine = member(tenant)
    theirs = member(other_tenant, user=mine.user)
    assert programs_of(mine.user_id) == ["Alpha Alliances", "Beta Channel"]

    with tenant_context(other_tenant):
        services.membership_update(
            tenant=other_tenant, actor=admin, membership=theirs, role=Role.MANAGER, partner=None, is_active=False
        )

    assert programs_of(mine.user_id) == ["Alpha Alliances"]


def test_a_new_membership_and_a_deleted_one_show_at_once(tenant, other_tenant):
    mine = member(tenant)
    assert programs_of(mine.user_id) == ["Alpha Alliances"]

    theirs = member(other_tenant, user=mine.user)
    assert programs_of(mine.user_id) == ["Alpha Alliances", "Beta Channel"]

    with tenant_context(other_tenant):
        theirs.delete()
    assert programs_of(mine.user_id) == ["Alpha Alliances"]


def test_a_renamed_program_shows_its_new_name_in_its_members_switcher(client_for, tenant, other_tenant):
    mine = member(tenant)
    member(other_tenant, user=mine.user)
    client = client_for(mine)
    assert "Beta Channel" in client.get(tenant_url("partner_list", tenant)).content.decode()

    other_tenant.name = "Gamma Channel"
    other_tenant.save(update_fields=["name"])

    page = client.get(tenant_url("partner_list", tenant)).content.decode()
    assert "Gamma Channel" in page
    assert "Beta Channel" not in page
