"""Reads for data quality: the findings (page, scorecard flags) and the frames the checks run on."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from django.db.models import Count, FloatField, QuerySet
from django.db.models.functions import Cast

from partnerhub.core.errors import NotFoundError
from partnerhub.core.models import Partner, Tenant
from scorecards.models import DataQualityFinding, MetricDefinition, Observation

Finding = DataQualityFinding

METRIC_FRAME_COLUMNS = ["metric_id", "key", "name", "unit", "freshness_days", "derived_from_deals", "data_owner_id"]
OBSERVATION_FRAME_COLUMNS = ["partner_id", "metric_id", "month", "value"]


# --- findings ---


def finding_list(
    *,
    tenant: Tenant,
    status: str | None = Finding.Status.OPEN,
    kind: str | None = None,
    partner_id: int | None = None,
    partner_name: str = "",
) -> QuerySet[DataQualityFinding]:
    """Findings of ``tenant`` (open ones unless ``status`` says otherwise; ``None`` for all), newest month first.

    ``partner_name`` matches part of the partner's name, case-insensitively. Partner, metric and owner are joined.
    """
    qs = Finding.objects.for_tenant(tenant).select_related("partner", "metric", "owner__user")
    if status is not None:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if partner_id is not None:
        qs = qs.filter(partner_id=partner_id)
    if partner_name:
        qs = qs.filter(partner__name__icontains=partner_name)
    return qs.order_by("-month", "partner__name", "kind", "metric__name", "id")


def finding_get(*, tenant: Tenant, finding_id: int) -> DataQualityFinding:
    """One finding of ``tenant``; a missing id and another tenant's id both raise NotFoundError."""
    finding = (
        Finding.objects.for_tenant(tenant)
        .select_related("partner", "metric", "owner__user")
        .filter(pk=finding_id)
        .first()
    )
    if finding is None:
        raise NotFoundError("No such data-quality finding.")
    return finding


def finding_counts_by_kind(*, tenant: Tenant, status: str = Finding.Status.OPEN) -> dict[str, int]:
    """How many findings of each kind (every kind present, 0 when none), in one query."""
    rows = (
        Finding.objects.for_tenant(tenant).filter(status=status).order_by().values_list("kind").annotate(n=Count("id"))
    )
    counts = dict.fromkeys(Finding.Kind.values, 0)
    counts.update(dict(rows))
    return counts


# --- what the checks read: one query each ---


def metric_frame(*, tenant: Tenant) -> pd.DataFrame:
    """The glossary as a DataFrame with ``METRIC_FRAME_COLUMNS``."""
    rows = MetricDefinition.objects.for_tenant(tenant).values_list(
        "id", "key", "name", "unit", "freshness_days", "derived_from_deals", "data_owner_id"
    )
    frame = pd.DataFrame.from_records(list(rows), columns=METRIC_FRAME_COLUMNS)
    return frame.astype({"metric_id": "int64", "freshness_days": "int64", "derived_from_deals": bool})


def observation_frame(*, tenant: Tenant) -> pd.DataFrame:
    """Every monthly observation of ``tenant`` as a DataFrame with ``OBSERVATION_FRAME_COLUMNS`` (float values)."""
    rows = (
        Observation.objects.for_tenant(tenant)
        .annotate(value_f=Cast("value", FloatField()))
        .order_by()
        .values_list("partner_id", "metric_id", "month", "value_f")
    )
    return pd.DataFrame.from_records(list(rows), columns=OBSERVATION_FRAME_COLUMNS)


def partner_data_stewards(*, tenant: Tenant, partner_ids: Iterable[int]) -> dict[int, int | None]:
    """Each partner's data steward (membership id, or None), in one query."""
    rows = Partner.objects.for_tenant(tenant).filter(pk__in=list(partner_ids)).values_list("id", "data_steward_id")
    return dict(rows)
