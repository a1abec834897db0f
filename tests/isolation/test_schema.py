"""The database wall, read from the catalog: every tenant-owned table is fenced, and the app role is fenced in."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection

from partnerhub.core.models import TenantOwnedModel
from partnerhub.core.tenancy.managers import TenantScopedManager
from partnerhub.core.tenancy.rls import tenant_owned_models

pytestmark = pytest.mark.django_db
MODELS = tenant_owned_models()


def test_there_are_tenant_owned_models_to_check():
    assert {m._meta.label for m in MODELS} >= {"partnerhub.Partner", "partnerhub.Membership", "partnerhub.AuditEntry"}


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_tenant_key_is_not_null_and_default_manager_is_scoped(model):
    field = model._meta.get_field("tenant")
    assert field.null is False
    assert isinstance(model._default_manager, TenantScopedManager)
    assert issubclass(model, TenantOwnedModel)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_row_level_security_is_enabled_forced_and_has_tenant_policy(model):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = %s::regclass", [model._meta.db_table]
        )
        enabled, forced = cursor.fetchone()
        cursor.execute(
            "SELECT qual, with_check FROM pg_policies WHERE tablename = %s AND policyname = %s",
            [model._meta.db_table, "tenant_isolation"],
        )
        policy = cursor.fetchone()
    assert enabled is True
    assert forced is True
    assert policy is not None
    assert "app.tenant_id" in policy[0]
    assert "app.tenant_id" in policy[1]


def test_app_role_is_not_superuser_not_bypassrls_and_owns_nothing():
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        user, is_super, bypass = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname = %s", [user]
        )
        owned_relations = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba WHERE r.rolname = %s", [user]
        )
        owned_databases = cursor.fetchone()[0]
    assert user == settings.DATABASE_APP_ROLE
    assert user != settings.DATABASE_OWNER["USER"]
    assert is_super is False
    assert bypass is False
    assert owned_relations == 0
    assert owned_databases == 0


def test_migrations_ran_as_the_owner_role():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT r.rolname FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'"
        )
        owners = {row[0] for row in cursor.fetchall()}
    assert owners == {settings.DATABASE_OWNER["USER"]}
