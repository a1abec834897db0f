"""Test wiring: the test database is created and migrated as the owner role, then every test runs as the app role."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest
from django.conf import settings
from django.db import connections
from django.test.utils import setup_databases, teardown_databases

if TYPE_CHECKING:
    from django.test import Client
    from rest_framework.test import APIClient

    from partnerhub.core.models import Membership, Partner, Tenant, User

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


@pytest.fixture
def actor(request: pytest.FixtureRequest, db: None) -> Callable[..., Membership]:
    """``actor(role, *, tenant=None, partner=None, **kw)``: a new member with ``role``, of the ``tenant`` fixture by
    default. A partner user needs a partner company: one of its own is created when none is given.
    """
    from partnerhub.core.models import Role
    from tests.factories import PartnerFactory, member

    def make(role: str, *, tenant: Tenant | None = None, partner: Partner | None = None, **kw: Any) -> Membership:
        home = request.getfixturevalue("tenant") if tenant is None else tenant
        if role == Role.PARTNER and partner is None:
            partner = PartnerFactory(tenant=home)
        return member(home, role, partner=partner, **kw)

    return make


@pytest.fixture
def manager(actor: Callable[..., Membership]) -> Membership:
    """The actor most tests act as: a manager of ``tenant``."""
    from partnerhub.core.models import Role

    return actor(Role.MANAGER)


@pytest.fixture
def client_for() -> Callable[[Membership | User], Client]:
    """``client_for(actor)``: a page client signed in as the member (the tenant is the one in each URL)."""
    from django.test import Client

    def signed_in(who: Membership | User) -> Client:
        client = Client()
        client.force_login(getattr(who, "user", who))
        return client

    return signed_in


@pytest.fixture
def api_client_for() -> Callable[[Membership | User], APIClient]:
    """``api_client_for(actor)``: an API client authenticated as the member (as the API tests always did)."""
    from rest_framework.test import APIClient

    def authenticated(who: Membership | User) -> APIClient:
        client = APIClient()
        client.force_authenticate(user=getattr(who, "user", who))
        return client

    return authenticated


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


@pytest.fixture
def clean_proofs() -> Iterator[None]:
    """Removes the proof files a test wrote, and only those: a session-wide world keeps the ones it saved."""
    from pathlib import Path

    root = Path(settings.STORAGES["investment_proofs"]["OPTIONS"]["location"])
    before = set(root.rglob("*"))
    yield
    for path in sorted(set(root.rglob("*")) - before, reverse=True):
        if path.is_file():
            path.unlink()
        elif not any(path.iterdir()):
            path.rmdir()
