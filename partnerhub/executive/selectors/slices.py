"""The partners of a dashboard slice, as a queryset (a subquery for other reads, or a list for a page)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Q, QuerySet

from partnerhub.core.models import Partner, Tenant


def slice_q(filters: Mapping[str, Any], prefix: str = "") -> Q:
    """The condition on a partner (through ``prefix``, such as ``"partner__"``) of cleaned dashboard filters
    (``clean_filters``: stored values, "" / None for "none"). A join, not a subquery: a read of snapshots filters
    the partner it joins anyway."""
    condition = Q()
    for name, value in filters.items():
        if name == "product_line":
            condition &= Q(**{f"{prefix}product_lines__contains": [value]})
        elif name == "owner":
            condition &= Q(**{f"{prefix}owner__isnull": True}) if value is None else Q(**{f"{prefix}owner_id": value})
        else:
            condition &= Q(**{f"{prefix}{name}": value})
    return condition


def partners_in_slice(*, tenant: Tenant, filters: Mapping[str, Any]) -> QuerySet[Partner]:
    """Partners matching cleaned dashboard filters."""
    return Partner.objects.for_tenant(tenant).filter(slice_q(filters))
