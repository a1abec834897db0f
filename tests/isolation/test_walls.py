"""Each wall alone keeps tenants apart: the scoped manager refuses, and RLS hides rows without a tenant setting."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from partnerhub.core.errors import TenantScopeError
from partnerhub.core.models import Membership, Partner
from partnerhub.core.tenancy.context import app_wall_off, tenant_context
from partnerhub.core.tenancy.rls import tenant_owned_models
from tests.factories import PartnerFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_tenants(tenant, other_tenant):
    PartnerFactory.create_batch(3, tenant=tenant)
    PartnerFactory.create_batch(2, tenant=other_tenant)
    return tenant, other_tenant


@pytest.mark.parametrize("model", tenant_owned_models(), ids=lambda m: m._meta.label)
def test_unscoped_query_raises_for_every_tenant_owned_model(model):
    with pytest.raises(TenantScopeError):
        list(model.objects.all())
    with pytest.raises(TenantScopeError):
        model.objects.count()


def test_query_operations_all_refuse_without_tenant(two_tenants):
    for operation in (
        lambda: Partner.objects.filter(name="x").exists(),
        lambda: Partner.objects.all().first(),
        lambda: Partner.objects.all().aggregate(n=__import__("django.db.models").db.models.Count("id")),
        lambda: Partner.objects.all().update(market="x"),
        lambda: Partner.objects.all().delete(),
        lambda: list(Partner.objects.values_list("id", flat=True)),
        lambda: list(Partner.objects.all().iterator()),
        lambda: Partner.objects.get(pk=1),
    ):
        with pytest.raises(TenantScopeError):
            operation()


def test_none_tenant_is_refused_not_read_as_no_filter():
    with pytest.raises(TenantScopeError):
        Partner.objects.for_tenant(None)
    with pytest.raises(TenantScopeError), tenant_context(None):
        pass


def test_active_tenant_filters_and_for_tenant_cannot_name_another(two_tenants):
    tenant, other = two_tenants
    with tenant_context(tenant):
        assert Partner.objects.count() == 3
        with pytest.raises(TenantScopeError):
            Partner.objects.for_tenant(other)
        with pytest.raises(TenantScopeError), tenant_context(other):
            pass
    # for_tenant() passes the application wall without a context, but the database still shows nothing.
    assert Partner.objects.for_tenant(other).count() == 0
    with tenant_context(other):
        assert Partner.objects.for_tenant(other).count() == 2


def test_subquery_is_scoped_too(two_tenants):
    tenant, _ = two_tenants
    with tenant_context(tenant):
        inner = Partner.objects.values("id")
        assert Partner.objects.filter(id__in=inner).count() == 3


def test_save_outside_its_tenant_is_refused(two_tenants):
    tenant, other = two_tenants
    with tenant_context(tenant), pytest.raises(TenantScopeError):
        Partner(tenant=other, name="Sneaky", partner_type="si", region="emea").save()


def test_raw_query_without_tenant_setting_sees_zero_rows(two_tenants):
    with connection.cursor() as cursor:
        for model in tenant_owned_models():
            cursor.execute(f'SELECT count(*) FROM "{model._meta.db_table}"')
            assert cursor.fetchone()[0] == 0, model._meta.label


def test_raw_query_with_tenant_setting_sees_only_that_tenant(two_tenants):
    tenant, other = two_tenants
    with tenant_context(tenant), connection.cursor() as cursor:
        cursor.execute("SELECT count(*), count(DISTINCT tenant_id) FROM partnerhub_partner")
        assert cursor.fetchone() == (3, 1)
    with tenant_context(other), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM partnerhub_partner WHERE tenant_id = %s", [tenant.pk])
        assert cursor.fetchone()[0] == 0


def test_rls_alone_hides_other_tenant_with_app_wall_off(two_tenants):
    tenant, other = two_tenants
    with app_wall_off(), tenant_context(tenant):
        assert Partner.objects.count() == 3
        assert Partner.unscoped.filter(tenant=other).count() == 0
    with app_wall_off():
        assert Partner.objects.count() == 0


def test_rls_refuses_insert_into_another_tenant(two_tenants):
    tenant, other = two_tenants
    with app_wall_off(), tenant_context(tenant), pytest.raises(Exception, match="row-level security"):
        with transaction.atomic():
            Partner.objects.create(tenant=other, name="Planted", partner_type="si", region="emea")


def test_setting_made_in_autocommit_would_do_nothing_so_context_refuses_it(transactional_db, tenant):
    PartnerFactory(tenant=tenant)
    # The trap: a transaction-local setting made in autocommit mode vanishes with its own statement.
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('app.tenant_id', %s, true)", [str(tenant.pk)])
        cursor.execute("SELECT count(*) FROM partnerhub_partner")
        assert cursor.fetchone()[0] == 0
    from partnerhub.core.tenancy.context import _set_local

    with pytest.raises(TenantScopeError):
        _set_local("app.tenant_id", str(tenant.pk), "default")


def test_persistent_connection_does_not_carry_tenant_to_next_request(transactional_db, tenant, settings):
    PartnerFactory(tenant=tenant)
    conn_id = None
    with tenant_context(tenant), connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid(), count(*) FROM partnerhub_partner")
        conn_id, seen = cursor.fetchone()
        assert seen == 1
    with connection.cursor() as cursor:  # same pooled connection, no tenant entered
        cursor.execute(
            "SELECT pg_backend_pid(), count(*), current_setting('app.tenant_id', true) FROM partnerhub_partner"
        )
        pid, seen, value = cursor.fetchone()
    assert pid == conn_id
    assert seen == 0
    assert value in ("", None)


def test_membership_rows_visible_to_their_user_across_tenants_only(two_tenants):
    from partnerhub.core.tenancy.membership_index import memberships_of_user

    tenant, other = two_tenants
    mine = member(tenant)
    member(other, user=mine.user)
    stranger = member(other)
    assert {m.tenant_id for m in memberships_of_user(mine.user_id)} == {tenant.pk, other.pk}
    assert [m.tenant_id for m in memberships_of_user(stranger.user_id)] == [other.pk]
    with app_wall_off():
        assert Membership.objects.count() == 0  # the user setting was transaction-local too


def test_a_tenant_request_leaves_nothing_behind_on_its_pooled_connection(transactional_db, tenant, client, settings):
    settings.DATABASES["default"]["CONN_MAX_AGE"] = 600
    manager = member(tenant)
    PartnerFactory(tenant=tenant, name="Only In Alpha")
    client.force_login(manager.user)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid_before = cursor.fetchone()[0]
    response = client.get(f"/t/{tenant.slug}/partners/")
    assert b"Only In Alpha" in response.content
    with connection.cursor() as cursor:  # the next "request" on the same connection sets no tenant
        cursor.execute("SELECT pg_backend_pid(), count(*) FROM partnerhub_partner")
        pid_after, seen = cursor.fetchone()
    assert pid_after == pid_before
    assert seen == 0


def test_a_failed_query_inside_a_tenant_context_surfaces_its_own_error(tenant):
    from django.db import DatabaseError

    with pytest.raises(DatabaseError, match="no_such_column"), tenant_context(tenant), connection.cursor() as cursor:
        cursor.execute("SELECT no_such_column FROM partnerhub_partner")
    with tenant_context(tenant):
        assert Partner.objects.count() == 0
