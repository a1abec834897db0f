"""The one cross-tenant read the web needs: a signed-in user's own memberships, for the tenant switcher.

It runs with the database's ``app.user_id`` setting, which row-level security turns into "your own membership
rows, in every tenant" and nothing more; no tenant-owned table other than memberships becomes visible.

Every page's navigation asks for it, so the answer is cached per user (the key names the user, the value holds only
that user's own rows) and dropped whenever one of their memberships or one of their programs is saved or deleted
(``memberships_of_user_forget``, connected in ``partnerhub.core.apps``); the timeout bounds what a bulk write, which
sends no signal, could leave behind.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.cache import cache

from partnerhub.core.models import Membership, Tenant
from partnerhub.core.tenancy.context import user_context

CACHE_SECONDS = 300


# Programs' names and slugs are in every list: a saved or deleted program changes this stamp, and with it every key.
PROGRAMS_STAMP_KEY = "partnerhub:programs:stamp"


def _key(user_id: int, stamp: str | None = None) -> str:
    if stamp is None:
        stamp = cache.get(PROGRAMS_STAMP_KEY)
        if stamp is None:
            stamp = uuid.uuid4().hex
            # add, not set: two processes starting at once agree on one stamp.
            cache.add(PROGRAMS_STAMP_KEY, stamp, None)
            stamp = cache.get(PROGRAMS_STAMP_KEY, stamp)
    return f"partnerhub:user:{int(user_id)}:memberships:{stamp}"


def memberships_of_user(user_id: int) -> list[Membership]:
    cached: list[Membership] | None = cache.get(_key(user_id))
    if cached is not None:
        return cached
    with user_context(user_id):
        # Unscoped on purpose (the switcher spans tenants); RLS still limits the rows to this user's own.
        memberships = list(
            Membership.unscoped.filter(user_id=user_id, is_active=True)
            .select_related("tenant")
            .order_by("tenant__name")
        )
    cache.set(_key(user_id), memberships, CACHE_SECONDS)
    return memberships


def memberships_of_user_forget(sender: Any, instance: Membership | Tenant, **kwargs: Any) -> None:
    """A membership was saved or deleted: forget its user's cached list. A program was (its name and address are in
    its members' lists): a new stamp, so every list is read afresh."""
    if isinstance(instance, Membership):
        cache.delete(_key(instance.user_id))
    else:
        cache.set(PROGRAMS_STAMP_KEY, uuid.uuid4().hex, None)
