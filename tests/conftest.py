"""Test wiring: the test database is created and migrated as the owner role, then every test runs as the app role."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.db import connections
from django.test.utils import setup_databases, teardown_databases

pytest_plugins = ["tests.worker"]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop


def _use_role(user: str) -> None:
    conn = connections["default"]
    conn.close()
    conn.settings_dict["USER"] = user
    conn.settings_dict["PASSWORD"] = (
        settings.DATABASE_OWNER["PASSWORD"] if user == settings.DATABASE_OWNER["USER"] else _APP_PASSWORD
    )


_APP_USER = settings.DATABASES["default"]["USER"]
_APP_PASSWORD = settings.DATABASES["default"].get("PASSWORD", "")


@pytest.fixture(scope="session")
def django_db_setup(
    request: Any,
    django_test_environment: None,
    django_db_blocker: Any,
    django_db_keepdb: bool,
    django_db_modify_db_settings: None,
) -> Iterator[None]:
    with django_db_blocker.unblock():
        _use_role(settings.DATABASE_OWNER["USER"])
        db_cfg = setup_databases(verbosity=0, interactive=False, keepdb=django_db_keepdb, serialized_aliases=set())
        _use_role(_APP_USER)
    yield
    with django_db_blocker.unblock():
        _use_role(settings.DATABASE_OWNER["USER"])
        if not django_db_keepdb:
            teardown_databases(db_cfg, verbosity=0)
        _use_role(_APP_USER)


@pytest.fixture
def tenant(db: None) -> Any:
    from tests.factories import TenantFactory

    return TenantFactory(name="Alpha Alliances", slug="alpha")


@pytest.fixture
def other_tenant(db: None) -> Any:
    from tests.factories import TenantFactory

    return TenantFactory(name="Beta Channel", slug="beta")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-dev-shm-usage",
        ],
    }


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print how many isolation-matrix cells ran (also when xdist ran them on other processes)."""
    cells = sum(
        value
        for report in terminalreporter.stats.get("passed", []) + terminalreporter.stats.get("failed", [])
        for key, value in getattr(report, "user_properties", [])
        if key == "isolation_cells"
    )
    if cells:
        terminalreporter.write_line(f"isolation matrix: {cells} cells checked (both walls, and RLS alone)")


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    from django.core.cache import cache

    cache.clear()
