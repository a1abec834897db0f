"""Per-program values that change only when the program's snapshots are refreshed (the latest period, how many
months it covers...), kept in the cache between requests and forgotten when a refresh commits.

Every key carries the program's id and its refresh generation (``partnerhub:t<id>:r<generation>:<name>``): a
refresh of one program gives it a new generation after its transaction commits, so its old values are never read
again and no other program's are touched. A new generation is random, not a counter, so that a generation lost from
the cache cannot come back as an old one; values also expire after ``VALUE_SECONDS``, which bounds what a process
with a cache of its own (no ``REDIS_URL``: local memory, one per process) may show after another process refreshed.
Read it from pages only, never from a service or task, which may run inside a refresh before it commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import transaction

from partnerhub.core.models import Tenant

T = TypeVar("T")
VALUE_SECONDS = 600


def _generation_key(tenant_id: int) -> str:
    return f"partnerhub:t{int(tenant_id)}:refresh-generation"


def _generation(tenant_id: int) -> str:
    key = _generation_key(tenant_id)
    generation: str | None = cache.get(key)
    if generation is None:
        cache.add(key, uuid.uuid4().hex, None)  # add: two processes starting at once agree on one generation
        generation = cache.get(key) or "none"
    return generation


def refreshed_value(*, tenant: Tenant, name: str, compute: Callable[[], T]) -> T:
    """``compute()``'s value for ``tenant``, kept under ``name`` until its snapshots are next refreshed."""
    key = f"partnerhub:t{int(tenant.pk)}:r{_generation(tenant.pk)}:{name}"
    kept: tuple[T] | None = cache.get(key)  # a 1-tuple, so that a kept None is told from a miss
    if kept is not None:
        return kept[0]
    value = compute()
    cache.set(key, (value,), VALUE_SECONDS)
    return value


def refreshed_values_forget(*, tenant_id: int) -> None:
    """Forget every value kept for the program (a new generation)."""
    cache.set(_generation_key(tenant_id), uuid.uuid4().hex, None)


def forget_after_refresh(sender: Any, tenant: Tenant, **kwargs: Any) -> None:
    """``snapshots_refreshed`` receiver: forget the program's values once the refresh commits (not before: a page
    reading in between would keep the old figures under the new generation)."""
    tenant_id = tenant.pk
    transaction.on_commit(lambda: refreshed_values_forget(tenant_id=tenant_id))
