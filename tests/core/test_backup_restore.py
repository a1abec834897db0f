"""``make backup`` / ``make restore`` round trip (issue 18): a seeded database is dumped, restored into a fresh
database, and every row of every table, every row-level-security policy (and its enabled and forced flags), every
owner and every grant is as it was."""

from __future__ import annotations

import os
from urllib.parse import urlparse, urlunparse

import psycopg
import pytest
from django.db import connection

from partnerhub.core.db.backup import dump, restore
from tests.isolation.world import build_world

pytestmark = pytest.mark.django_db(transaction=True)
ADMIN = os.environ.get("TEST_DATABASE_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def _url(dbname: str) -> str:
    return urlunparse(urlparse(ADMIN)._replace(path=f"/{dbname}"))


def _state(url: str) -> dict[str, object]:
    """Every table's rows (a digest), and the catalog's policies, flags, owners and grants, read as a superuser."""
    with psycopg.connect(url) as conn:
        tables = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")]
        rows = {
            t: conn.execute(
                f"SELECT count(*), md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM \"{t}\" x"
            ).fetchone()
            for t in tables
        }
        policies = conn.execute(
            "SELECT tablename, policyname, permissive, roles::text, cmd, qual, with_check FROM pg_policies"
            " WHERE schemaname = 'public' ORDER BY 1, 2"
        ).fetchall()
        flags = conn.execute(
            "SELECT relname, relrowsecurity, relforcerowsecurity, relowner::regrole::text, relacl::text FROM pg_class"
            " WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'S', 'v') ORDER BY 1"
        ).fetchall()
    return {"rows": rows, "policies": policies, "flags": flags}


def test_a_backup_restored_into_a_fresh_database_has_every_row_and_policy_as_it_was(tmp_path, record_property):
    build_world()  # two programs, every role, partner data, reviews, notifications: committed
    source = _url(connection.settings_dict["NAME"])
    fresh = f"{connection.settings_dict['NAME']}_restored"
    with psycopg.connect(ADMIN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{fresh}"')
    try:
        archive = dump(source, tmp_path / "partnerhub.dump")
        restore(archive, _url(fresh))
        before, after = _state(source), _state(_url(fresh))
    finally:
        with psycopg.connect(ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')
    rows = sum(count for count, _ in before["rows"].values())
    record_property("backup", f"{len(before['rows'])} tables, {rows} rows, {len(before['policies'])} policies")
    assert rows > 50
    assert len(before["policies"]) >= 20
    assert after["rows"] == before["rows"]
    assert after["policies"] == before["policies"]
    assert after["flags"] == before["flags"]
