"""The active tenant: a ContextVar for the application wall, a transaction-local setting for the database wall."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

from django.db import connections, transaction

from partnerhub.core.errors import TenantScopeError

if TYPE_CHECKING:
    from partnerhub.core.models import Tenant

_active_tenant: ContextVar[Tenant | None] = ContextVar("partnerhub_active_tenant", default=None)
# Test-only switch: with the application wall off, only PostgreSQL row-level security stands between tenants.
_app_wall_off: ContextVar[bool] = ContextVar("partnerhub_app_wall_off", default=False)

TENANT_SETTING = "app.tenant_id"
USER_SETTING = "app.user_id"


def current_tenant() -> Tenant | None:
    return _active_tenant.get()


def app_wall_is_off() -> bool:
    return _app_wall_off.get()


def _set_local(setting: str, value: str, using: str) -> None:
    conn = connections[using]
    # A transaction-local setting made in autocommit mode is discarded at once: refuse instead of leaking nothing
    # silently (and leaving the rows invisible) or, worse, relying on a session-level value.
    if conn.get_autocommit():
        raise TenantScopeError("tenant setting requires an open transaction")
    with conn.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, true)", [setting, value])


@contextmanager
def tenant_context(tenant: Tenant | None, *, using: str = "default") -> Iterator[Tenant]:
    """Enter ``tenant`` for both walls inside one transaction; nesting a different tenant is refused.

    Entering the tenant that is already active (a service called by a task, a request or another service that
    entered it) adds nothing: no savepoint, no setting written again, since the outer block's transaction holds both.
    """
    if tenant is None or getattr(tenant, "pk", None) is None:
        raise TenantScopeError("no tenant given")
    outer = _active_tenant.get()
    if outer is not None and outer.pk != tenant.pk:
        raise TenantScopeError("another tenant is already active")
    if outer is not None and connections[using].in_atomic_block:
        yield tenant
        return
    with transaction.atomic(using=using):
        _set_local(TENANT_SETTING, str(tenant.pk), using)
        token = _active_tenant.set(tenant)
        try:
            yield tenant
        finally:
            _active_tenant.reset(token)
        # Restore the outer value on a normal exit: inside a longer transaction (a test case, a nested context)
        # the transaction-local setting would otherwise outlive this block. On an exception the atomic block
        # rolls back, and the setting with it (set_config is transactional), so there is nothing to restore.
        if not connections[using].needs_rollback:
            _set_local(TENANT_SETTING, str(outer.pk) if outer is not None else "", using)


@contextmanager
def user_context(user_id: int, *, using: str = "default") -> Iterator[None]:
    """Let the database show a signed-in user their own memberships across tenants (and nothing else)."""
    with transaction.atomic(using=using):
        _set_local(USER_SETTING, str(user_id), using)
        yield
        if not connections[using].needs_rollback:
            _set_local(USER_SETTING, "", using)


@contextmanager
def app_wall_off() -> Iterator[None]:
    """Switch the application wall off (tests only) to prove row-level security holds on its own."""
    token = _app_wall_off.set(True)
    try:
        yield
    finally:
        _app_wall_off.reset(token)
