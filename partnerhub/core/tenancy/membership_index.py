"""The one cross-tenant read the web needs: a signed-in user's own memberships, for the tenant switcher.

It runs with the database's ``app.user_id`` setting, which row-level security turns into "your own membership
rows, in every tenant" and nothing more; no tenant-owned table other than memberships becomes visible.
"""

from __future__ import annotations

from partnerhub.core.models import Membership
from partnerhub.core.tenancy.context import user_context


def memberships_of_user(user_id: int) -> list[Membership]:
    with user_context(user_id):
        # Unscoped on purpose (the switcher spans tenants); RLS still limits the rows to this user's own.
        return list(
            Membership.unscoped.filter(user_id=user_id, is_active=True)
            .select_related("tenant")
            .order_by("tenant__name")
        )
