"""Row-level security: the database wall, applied to every tenant-owned table after each migrate."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connections
from psycopg import sql

POLICY = "tenant_isolation"
TENANT_EXPR = "tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint"
# A signed-in user may read their own memberships in every tenant (the tenant switcher); nothing else.
OWN_MEMBERSHIP_EXPR = "user_id = NULLIF(current_setting('app.user_id', true), '')::bigint"


def tenant_owned_models() -> list[type[Any]]:
    from partnerhub.core.models import TenantOwnedModel

    return [m for m in apps.get_models() if issubclass(m, TenantOwnedModel)]


def apply_row_level_security(using: str = "default") -> None:
    """Enable and force RLS with the tenant policy on every tenant-owned table, then grant the app role."""
    app_role = settings.DATABASE_APP_ROLE
    statements: list[sql.Composable] = []
    for model in tenant_owned_models():
        table = sql.Identifier(model._meta.db_table)
        statements += [
            sql.SQL("ALTER TABLE {} ENABLE ROW LEVEL SECURITY").format(table),
            sql.SQL("ALTER TABLE {} FORCE ROW LEVEL SECURITY").format(table),
            sql.SQL("DROP POLICY IF EXISTS {} ON {}").format(sql.Identifier(POLICY), table),
            sql.SQL("CREATE POLICY {} ON {} USING ({}) WITH CHECK ({})").format(
                sql.Identifier(POLICY), table, sql.SQL(TENANT_EXPR), sql.SQL(TENANT_EXPR)
            ),
        ]
        if model._meta.label == "partnerhub.Membership":
            statements += [
                sql.SQL("DROP POLICY IF EXISTS own_memberships ON {}").format(table),
                sql.SQL("CREATE POLICY own_memberships ON {} FOR SELECT USING ({})").format(
                    table, sql.SQL(OWN_MEMBERSHIP_EXPR)
                ),
            ]
    role = sql.Identifier(app_role)
    statements += [
        sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(role),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}").format(role),
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(role),
    ]
    if settings.DATABASE_APP_MAY_TRUNCATE:
        # Test settings only: transactional tests reset tables with TRUNCATE, which RLS does not govern.
        statements.append(sql.SQL("GRANT TRUNCATE ON ALL TABLES IN SCHEMA public TO {}").format(role))
    connection = connections[using]
    with connection.cursor() as cursor:
        raw = cursor.connection
        for statement in statements:
            cursor.execute(statement.as_string(raw))
