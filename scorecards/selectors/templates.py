"""Reads of scorecard templates and their versions."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Prefetch, QuerySet, prefetch_related_objects

from partnerhub.core.errors import NotFoundError
from partnerhub.core.models import Tenant
from partnerhub.core.publication import Publication, PublicationKind
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


def _contents(tenant: Tenant) -> tuple[Prefetch[str, QuerySet[TemplateItem]], Prefetch[str, QuerySet[TargetRule]]]:
    """A version's items (heaviest first, metric joined) and their targets: two queries for any number of versions."""
    items = TemplateItem.objects.for_tenant(tenant).select_related("metric").order_by("-weight", "metric__name")
    return Prefetch("items", queryset=items), Prefetch("items__targets", queryset=TargetRule.objects.for_tenant(tenant))


def template_versions(*, tenant: Tenant, template: ScorecardTemplate) -> list[TemplateVersion]:
    """Every version, newest first, with items, metrics and targets loaded in three queries (and the tenant joined:
    ``template_version_diff`` of two of them reads nothing more)."""
    return list(
        TemplateVersion.objects.for_tenant(tenant)
        .filter(template=template)
        .select_related("tenant", "created_by__user", "published_by__user")
        .prefetch_related(*_contents(tenant))
        .order_by("-number")
    )


def version_contents_load(*, tenant: Tenant, versions: Iterable[TemplateVersion | None]) -> None:
    """Load the items, metrics and targets of ``versions`` (None skipped) in two queries; versions that have them
    loaded already (``template_versions``) cost nothing."""
    prefetch_related_objects([v for v in versions if v is not None], *_contents(tenant))


def version_get(*, tenant: Tenant, version_id: int) -> TemplateVersion:
    version = TemplateVersion.objects.for_tenant(tenant).select_related("template").filter(pk=version_id).first()
    if version is None:
        raise NotFoundError("Template version not found.")
    return version


def template_version_publication(*, tenant: Tenant, version: TemplateVersion) -> Publication:
    """Publishing ``version``, as the publication guards see it (``partnerhub.core.publication``): the first version
    of a template to be published has nothing to change from."""
    first = (
        not TemplateVersion.objects.for_tenant(tenant)
        .filter(template_id=version.template_id)
        .exclude(pk=version.pk)
        .exclude(status=TemplateVersion.Status.DRAFT)
        .exists()
    )
    return Publication(
        tenant=tenant,
        kind=PublicationKind.TEMPLATE_VERSION,
        subject_id=version.pk,
        revision=version.number,
        label=f"version {version.number} of the scorecard “{version.template.name}”",
        first=first,
    )
