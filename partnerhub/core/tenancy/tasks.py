"""Celery entry points of the core app, and ``tenant_task``: the only way a task touches tenant data."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from celery import shared_task
from django.db import OperationalError, connection

from partnerhub.core.errors import TenantScopeError
from partnerhub.core.models import Tenant
from partnerhub.core.tenancy.context import tenant_context
from partnerhub.core.tenancy.rls import tenant_owned_models


def tenant_task(**task_options: Any) -> Callable[[Callable[..., Any]], Any]:
    """Declare a task that takes ``tenant_id`` and runs inside that tenant (both walls), or refuses to run.

    Tasks are late-acknowledged and retried with backoff on database hiccups; they must be idempotent.
    """
    options = {
        "acks_late": True,
        "autoretry_for": (OperationalError,),
        "retry_backoff": True,
        "max_retries": 5,
        **task_options,
    }

    def decorate(fn: Callable[..., Any]) -> Any:
        @shared_task(name=f"{fn.__module__}.{fn.__name__}", **options)
        @functools.wraps(fn)
        def run(*args: Any, tenant_id: int | None = None, **kwargs: Any) -> Any:
            if tenant_id is None:
                raise TenantScopeError("a tenant task was called without tenant_id")
            tenant = Tenant.objects.filter(pk=tenant_id).first()
            if tenant is None:
                raise TenantScopeError(f"tenant {tenant_id} does not exist")
            with tenant_context(tenant):  # both walls; left (and the setting cleared) even when fn raises
                return fn(tenant, *args, **kwargs)

        return run

    return decorate


@tenant_task()
def tenancy_probe_task(tenant: Tenant) -> dict[str, Any]:
    """Report which tenants' rows this task can see in every tenant-owned table (raw SQL: RLS alone decides).

    An operator runs it on a worker to check the database wall on a live deployment; the tests run it on a real
    worker to prove a task of one tenant never sees another tenant's rows.
    """
    seen: dict[str, list[int]] = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database(), current_user")
        database, role = cursor.fetchone()
        for model in tenant_owned_models():
            cursor.execute(f'SELECT DISTINCT tenant_id FROM "{model._meta.db_table}" ORDER BY 1')
            seen[model._meta.label] = [row[0] for row in cursor.fetchall()]
    return {"tenant_id": tenant.pk, "database": database, "role": role, "seen": seen}


def for_each_tenant(task: Any, **kwargs: Any) -> int:
    """Fan scheduled work out as one task per tenant (tasks never loop over tenants themselves)."""
    tenant_ids = list(Tenant.objects.values_list("pk", flat=True))
    for tenant_id in tenant_ids:
        task.delay(tenant_id=tenant_id, **kwargs)
    return len(tenant_ids)
