"""Reads of the metric glossary: every role may read it, partner users included."""

from __future__ import annotations

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from partnerhub.core.errors import NotFoundError
from partnerhub.core.models import Tenant
from scorecards.models import MetricDefinition

# The glossary reads in this order (the business's, not the alphabet's): from pipeline to collaboration.
CATEGORY_ORDER = Case(
    *[When(category=value, then=Value(rank)) for rank, value in enumerate(MetricDefinition.Category.values)],
    default=Value(len(MetricDefinition.Category.values)),
    output_field=IntegerField(),
)


def metric_list(*, tenant: Tenant, category: str | None = None, q: str = "") -> QuerySet[MetricDefinition]:
    """The tenant's metrics by category then name, with their data owners; ``q`` searches name, key and meaning."""
    qs = MetricDefinition.objects.for_tenant(tenant).select_related("data_owner__user")
    if category:
        qs = qs.filter(category=category)
    q = q.strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(key__icontains=q) | Q(definition__icontains=q))
    return qs.order_by(CATEGORY_ORDER, "name", "id")


def metric_get(*, tenant: Tenant, metric_id: int) -> MetricDefinition:
    """The metric, or NotFoundError for a missing id and for another tenant's id alike."""
    metric = MetricDefinition.objects.for_tenant(tenant).select_related("data_owner__user").filter(pk=metric_id).first()
    if metric is None:
        raise NotFoundError("Metric not found.")
    return metric


def metric_find_by_key(*, tenant: Tenant, key: str) -> MetricDefinition | None:
    """The metric with this glossary key, or None when there is none (an admin may remove any entry)."""
    return MetricDefinition.objects.for_tenant(tenant).filter(key=key).first()
