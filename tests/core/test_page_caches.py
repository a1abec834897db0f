"""What pages read once and then keep (the tenant switcher's list of a user's programs; a program's values that
change only with a snapshot refresh) is read afresh as soon as it changes, and is never another user's or program's."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from partnerhub.core.models import Role
from partnerhub.core.services import program as services
from partnerhub.core.signals import snapshots_refreshed
from partnerhub.core.tenancy.context import tenant_context
from partnerhub.core.tenancy.membership_index import memberships_of_user
from partnerhub.core.tenancy.refresh_cache import refreshed_value
from tests.factories import PartnerFactory, member
from tests.recognition.factories import month_snapshot
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


# --- per-program values that change only with a snapshot refresh ---


def kept(tenant, value):
    return refreshed_value(tenant=tenant, name="latest", compute=lambda: value)


def test_a_programs_value_is_computed_once_until_its_snapshots_are_refreshed(
    tenant, django_capture_on_commit_callbacks
):
    assert kept(tenant, "June") == "June"
    assert kept(tenant, "July") == "June"

    with django_capture_on_commit_callbacks(execute=True):
        snapshots_refreshed.send(sender=None, tenant=tenant, partner_ids=None)

    assert kept(tenant, "July") == "July"


def test_a_refresh_forgets_nothing_before_it_commits(tenant, django_capture_on_commit_callbacks):
    kept(tenant, "June")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        snapshots_refreshed.send(sender=None, tenant=tenant, partner_ids=None)
        assert kept(tenant, "July") == "June"

    forget = [callback for callback in callbacks if "forget_after_refresh" in callback.__qualname__]
    assert len(forget) == 1
    forget[0]()
    assert kept(tenant, "July") == "July"


def test_programs_keep_their_own_values_and_their_own_refreshes(
    tenant, other_tenant, django_capture_on_commit_callbacks
):
    assert kept(tenant, "Alpha's") == "Alpha's"
    assert kept(other_tenant, "Beta's") == "Beta's"

    with django_capture_on_commit_callbacks(execute=True):
        snapshots_refreshed.send(sender=None, tenant=tenant, partner_ids=None)

    assert kept(tenant, "Alpha's new") == "Alpha's new"
    assert kept(other_tenant, "Beta's new") == "Beta's"


def test_a_kept_none_is_not_computed_again(tenant):
    calls = []
    for _ in range(2):
        refreshed_value(tenant=tenant, name="nothing", compute=lambda: calls.append(1))
    assert calls == [1]


def test_the_portfolio_shows_the_month_a_refresh_added(client_for, tenant, django_capture_on_commit_callbacks):
    manager = member(tenant, Role.MANAGER)
    partner = PartnerFactory(tenant=tenant, owner=manager)
    month_snapshot(partner, date(2026, 9, 1))
    client = client_for(manager)
    assert "September 2026" in client.get(tenant_url("portfolio", tenant)).content.decode()

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        month_snapshot(partner, date(2026, 10, 1))  # as the refresh writes it, then says so
        snapshots_refreshed.send(sender=None, tenant=tenant, partner_ids=[partner.pk])

    assert "October 2026" in client.get(tenant_url("portfolio", tenant)).content.decode()
    with CaptureQueriesContext(connection) as queries:
        client.get(tenant_url("portfolio", tenant))
    assert not any('MAX("scorecards_scorecardsnapshot"."period_start")' in q["sql"] for q in queries)
