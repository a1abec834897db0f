"""Create the two database roles and the database: an owner that migrates, an application role that does not.

Usable without Django: ``python -m partnerhub.core.db.bootstrap postgres://postgres@127.0.0.1:5432/postgres``.
The application role is LOGIN only: not superuser, not BYPASSRLS, owns nothing, so row-level security binds it.
"""

from __future__ import annotations

import argparse
import os

import psycopg
from psycopg import sql

DEFAULT_DB = "partnerhub"
OWNER_ROLE = "partnerhub_owner"
APP_ROLE = "partnerhub_app"


def ensure_roles_and_database(
    superuser_dsn: str, *, dbname: str = DEFAULT_DB, owner: str = OWNER_ROLE, app: str = APP_ROLE
) -> None:
    """Idempotently create ``owner`` (CREATEDB, for migrations and test databases), ``app`` and ``dbname``."""
    with psycopg.connect(superuser_dsn, autocommit=True) as conn:
        existing = {
            row[0] for row in conn.execute("SELECT rolname FROM pg_roles WHERE rolname IN (%s, %s)", [owner, app])
        }
        if owner not in existing:
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN CREATEDB").format(sql.Identifier(owner)))
        if app not in existing:
            conn.execute(
                sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE").format(
                    sql.Identifier(app)
                )
            )
        # Keep the app role honest even if someone created it by hand with more rights.
        conn.execute(
            sql.SQL("ALTER ROLE {} NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE").format(sql.Identifier(app))
        )
        for role, env_name in ((owner, "PARTNERHUB_OWNER_DB_PASSWORD"), (app, "PARTNERHUB_APP_DB_PASSWORD")):
            password = os.environ.get(env_name)
            if password:
                conn.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(role), sql.Literal(password)))
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname]).fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(dbname), sql.Identifier(owner)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("superuser_dsn")
    parser.add_argument("--dbname", default=DEFAULT_DB)
    args = parser.parse_args()
    ensure_roles_and_database(args.superuser_dsn, dbname=args.dbname)


if __name__ == "__main__":
    main()
