"""Reads of the program's remediation settings and cause categories."""

from __future__ import annotations

from django.db.models import QuerySet

from partnerhub.core.models import Tenant
from remediation.domain.categories import BUILTIN_CATEGORIES
from remediation.domain.ladder import Ladder
from remediation.models import CauseCategory, RemediationSettings


def remediation_settings_get(*, tenant: Tenant) -> RemediationSettings:
    """The program's settings, or the defaults (not saved: a read writes nothing) before an admin changed any."""
    found = RemediationSettings.objects.for_tenant(tenant).select_related("executive__user").first()
    return found or RemediationSettings(tenant=tenant)


def ladder_of(settings: RemediationSettings) -> Ladder:
    return Ladder(
        sponsor_after=settings.sponsor_after_days,
        executive_after=settings.executive_after_days,
        action_grace=settings.action_grace_days,
    )


def custom_category_list(*, tenant: Tenant) -> QuerySet[CauseCategory]:
    """The categories the program's admins added, active ones first."""
    return CauseCategory.objects.for_tenant(tenant).select_related("created_by__user").order_by("-is_active", "name")


def category_labels(*, tenant: Tenant) -> dict[str, str]:
    """Every category key the program may show (built-in, its own, retired ones too) -> its name. One query."""
    labels = dict(BUILTIN_CATEGORIES)
    labels.update(dict(CauseCategory.objects.for_tenant(tenant).values_list("key", "name")))
    return labels


def category_choices(*, tenant: Tenant) -> list[tuple[str, str]]:
    """The categories a new finding or lesson may take: the built-in six, then the program's active ones."""
    custom = CauseCategory.objects.for_tenant(tenant).filter(is_active=True).order_by("name")
    return [*BUILTIN_CATEGORIES.items(), *custom.values_list("key", "name")]
