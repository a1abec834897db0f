"""The partners of a dashboard slice, as a queryset (a subquery for other reads, or a list for a page)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet

from partnerhub.core.models import Partner, Tenant


def partners_in_slice(*, tenant: Tenant, filters: Mapping[str, Any]) -> QuerySet[Partner]:
    """Partners matching cleaned dashboard filters (``clean_filters``: stored values, "" / None for "none")."""
    qs = Partner.objects.for_tenant(tenant)
    for name, value in filters.items():
        if name == "product_line":
            qs = qs.filter(product_lines__contains=[value])
        elif name == "owner":
            qs = qs.filter(owner__isnull=True) if value is None else qs.filter(owner_id=value)
        else:
            qs = qs.filter(**{name: value})
    return qs
