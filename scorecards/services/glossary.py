"""The metric glossary's writes: seed the default catalog into a program, and let its admins edit an entry."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from partnerhub.core.errors import InvalidStateError
from partnerhub.core.models import Membership, Role, Tenant
from partnerhub.core.rules import ensure_can
from partnerhub.core.services.program import ensure_same_tenant
from partnerhub.core.tenancy.context import tenant_context
from scorecards.domain.glossary_defaults import DEFAULT_METRICS
from scorecards.models import MetricDefinition

# What an admin may change. The key is not here: code and imports refer to metrics by key. Whether a metric is
# derived from deals is not here either: that is decided by the code that computes it.
METRIC_FIELDS = (
    "name",
    "definition",
    "unit",
    "direction",
    "timing",
    "category",
    "aggregation",
    "data_source",
    "data_owner",
    "freshness_days",
)


@transaction.atomic
def glossary_seed(*, tenant: Tenant) -> int:
    """Add the default metrics ``tenant`` lacks (matched by key) in one insert; return how many were created.

    Safe to run twice, and it never touches an existing metric: an admin's edits survive a re-seed.
    """
    with tenant_context(tenant):
        metrics = MetricDefinition.objects.for_tenant(tenant)
        existing = set(metrics.values_list("key", flat=True))
        missing = [spec.to_model(tenant.pk) for spec in DEFAULT_METRICS if spec.key not in existing]
        if not missing:
            return 0
        # ignore_conflicts: a concurrent seed of the same tenant loses quietly instead of failing the sign-up.
        metrics.bulk_create(missing, ignore_conflicts=True)
        return metrics.count() - len(existing)


@transaction.atomic
def metric_update(
    *, tenant: Tenant, actor: Membership, metric: MetricDefinition, data: dict[str, Any]
) -> MetricDefinition:
    """Change a glossary entry (admins only); the data owner must be an internal member of this tenant.

    Raises PermissionDeniedError, CrossTenantReferenceError (a foreign metric, actor or data owner) or
    InvalidStateError (a partner user as data owner, or a value the model refuses). The change is audited.
    """
    ensure_same_tenant(
        tenant,
        actor,  # the acting membership must be this program's
        metric,  # the entry edited must be this program's
        data.get("data_owner"),  # RLS does not stop a foreign key to another tenant's member
    )
    ensure_can(actor, "metrics.change")
    owner = data.get("data_owner")
    if owner is not None and owner.role == Role.PARTNER:
        raise InvalidStateError("Choose an internal member as data owner.", extra={"fields": {"data_owner": ["role"]}})
    changed = [field for field in METRIC_FIELDS if field in data]
    for field in changed:
        setattr(metric, field, data[field])
    try:
        metric.full_clean(validate_unique=False)
    except ValidationError as exc:
        raise InvalidStateError("Check the metric's fields.", extra={"fields": exc.message_dict}) from exc
    metric.save(update_fields=[*changed, "updated_at"])
    return metric
