"""Reads of scorecard templates and their versions."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet

from partnerhub.exceptions import NotFoundError
from partnerhub.models import Tenant
from scorecards.models import ScorecardTemplate, TargetRule, TemplateItem, TemplateVersion


def template_list(*, tenant: Tenant) -> QuerySet[ScorecardTemplate]:
    return (
        ScorecardTemplate.objects.for_tenant(tenant)
        .annotate(version_count=Count("versions"))
        .order_by("-is_default", "name")
    )


def template_get(*, tenant: Tenant, template_id: int) -> ScorecardTemplate:
    template = ScorecardTemplate.objects.for_tenant(tenant).filter(pk=template_id).first()
    if template is None:
        raise NotFoundError("Template not found.")
    return template


def template_versions(*, tenant: Tenant, template: ScorecardTemplate) -> list[TemplateVersion]:
    """Every version, newest first, with items, metrics and targets loaded in three queries."""
    items = TemplateItem.objects.for_tenant(tenant).select_related("metric").order_by("-weight", "metric__name")
    return list(
        TemplateVersion.objects.for_tenant(tenant)
        .filter(template=template)
        .select_related("created_by__user", "published_by__user")
        .prefetch_related(
            Prefetch("items", queryset=items),
            Prefetch("items__targets", queryset=TargetRule.objects.for_tenant(tenant)),
        )
        .order_by("-number")
    )


def version_get(*, tenant: Tenant, version_id: int) -> TemplateVersion:
    version = TemplateVersion.objects.for_tenant(tenant).select_related("template").filter(pk=version_id).first()
    if version is None:
        raise NotFoundError("Template version not found.")
    return version
