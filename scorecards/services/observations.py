"""Writes of observations computed by other apps (an import writes its own rows in ``import_rows``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from partnerhub.core.models import Tenant
from partnerhub.core.services.program import ensure_same_tenant
from scorecards.models import MetricDefinition, Observation


@dataclass(frozen=True)
class ObservationsRecorded:
    """What ``observations_record_scored`` wrote: how many rows, and for which partners."""

    written: int
    partner_ids: frozenset[int]


# No savepoint: callers score inside their own transaction, and a failed upsert rolls all of it back.
@transaction.atomic(savepoint=False)
def observations_record_scored(
    *, tenant: Tenant, metric: MetricDefinition, values: Mapping[tuple[int, date], Decimal], source: str
) -> ObservationsRecorded:
    """Upsert ``metric``'s observations, {(partner id, month): value}, skipping rows that already hold that value and
    ``source``. Two queries at most (the stored rows, one bulk upsert); raises CrossTenantReferenceError for another
    tenant's metric."""
    ensure_same_tenant(tenant, metric)
    if not values:
        return ObservationsRecorded(written=0, partner_ids=frozenset())
    stored = {
        (partner_id, month): (value, stored_source)
        for partner_id, month, value, stored_source in Observation.objects.for_tenant(tenant)
        .filter(metric=metric, partner_id__in={p for p, _ in values}, month__in={m for _, m in values})
        .values_list("partner_id", "month", "value", "source")
    }
    now = timezone.now()
    rows = [
        Observation(
            tenant=tenant,
            partner_id=partner_id,
            metric=metric,
            month=month,
            value=value,
            source=source,
            batch=None,
            created_at=now,
        )
        for (partner_id, month), value in sorted(values.items())
        if stored.get((partner_id, month)) != (value, source)
    ]
    if rows:
        Observation.objects.for_tenant(tenant).bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["tenant", "partner", "metric", "month"],
            update_fields=["value", "source", "batch", "updated_at"],
        )
    return ObservationsRecorded(written=len(rows), partner_ids=frozenset(row.partner_id for row in rows))
